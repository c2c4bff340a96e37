"""Downloads: one connection pool per refresh, bounded per site and overall, every server's
misbehaviour turned into a typed FetchError and, for a feed, a FeedResult with a sentence
(never an exception out of fetch_feed).

Requests go through httpcore's public API (its pool, over newsdesk.fetch._net's network
backend); redirects, decompression and the checks on every address (the feed's, each
redirect's) are done here, so an address newsdesk will not download (javascript:, a port
out of range, a host that is not a name) is refused before anything is sent, in words.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import ssl
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin

import httpcore

from newsdesk import __version__
from newsdesk.config import Settings
from newsdesk.errors import (
    BadRedirect,
    BadURL,
    ConnectFailed,
    ConnectionRefused,
    Disconnected,
    FetchError,
    FetchTimeout,
    Gone,
    HostNotFound,
    HTTPStatus,
    NotAPage,
    TLSFailed,
    TooLarge,
    TooManyRedirects,
)
from newsdesk.fetch._net import ConnectFailure, connection_pool
from newsdesk.fetch._pages import PARSE_HEADERS, Inflater
from newsdesk.types import FeedOutcome, FeedResult, RawPage
from newsdesk.urls import WebAddress, web_address

_USER_AGENT = f"newsdesk/{__version__} (terminal news reader; +https://pypi.org/project/newsdesk/)"


_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"


_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


_DRAIN_LIMIT = 64 * 1024
_MAX_REDIRECTS = 10
_REDIRECTS = (301, 302, 303, 307, 308)
# What the connection pool raises for a connection that broke before the answer began:
# a server that closed an idle keep-alive connection as the request went out. A GET is
# sent again, once, on another connection.
_BROKE_BEFORE_ANSWER = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)
_OUTCOME_OF: tuple[tuple[type[FetchError], FeedOutcome], ...] = (
    (FetchTimeout, FeedOutcome.TIMEOUT),
    (TooLarge, FeedOutcome.TOO_LARGE),
)


FeedParser = Callable[[bytes, str, dict[str, str]], Awaitable[FeedResult]]
"""How a feed's body becomes a FeedResult: parse_feed, here or in a worker process."""


async def _parse_in_a_thread(body: bytes, url: str, headers: dict[str, str]) -> FeedResult:
    # A parse holds the CPU for a long feed (feedparser: seconds for a few MB of full text): in
    # a thread, the event loop still runs the other downloads and their timeouts.
    from newsdesk.fetch._feeds import parse_feed  # lxml: only when feeds are parsed here

    return await asyncio.to_thread(parse_feed, body, url, headers)


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """What the caller knows about a feed: its URL and the validators of its last answer."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    reason: str
    final_url: str
    headers: Mapping[str, str]
    """Lower-cased names; a repeated header's values joined with commas."""
    body: bytes
    moved_to: str | None
    """The URL after the leading run of permanent redirects (301, 308), if any."""


class _Slots:
    """A semaphore whose urgent waiters are served before the others, each in turn."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (deque(), deque())

    @asynccontextmanager
    async def held(self, urgent: bool) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if self._free > 0 and not (self._waiting[0] or self._waiting[1]):
            self._free -= 1
            return
        queue = self._waiting[0 if urgent else 1]
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # handed the slot, then cancelled before taking it
            elif turn in queue:  # (a release may have dropped it already, seeing it cancelled)
                queue.remove(turn)
            raise

    def _release(self) -> None:
        for queue in self._waiting:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._free += 1


class _Limits:
    """How many downloads run at once: over all sites, and per site (scheme, host and port).

    Page downloads go before feed downloads waiting for the same slots: a page completes a
    feed whose stories then get written, where another feed's download only starts more
    work. Without it, a refresh of thousands of feeds on one site downloads every feed
    before any page, and an interrupted refresh has stored nothing.
    """

    def __init__(self, settings: Settings) -> None:
        self._all = _Slots(settings.concurrency)
        self._per_host = settings.per_host
        self._sites: dict[str, _Slots] = {}

    @asynccontextmanager
    async def slot(self, site: str, urgent: bool) -> AsyncIterator[None]:
        slots = self._sites.get(site)
        if slots is None:
            slots = self._sites[site] = _Slots(self._per_host)
        # The site's slot first: a download waiting for a busy site holds no global slot
        # that another site's download could use.
        async with slots.held(urgent), self._all.held(urgent):
            yield


class Fetcher:
    """One connection pool shared by every download of a refresh (keep-alive, pooling).

    Downloads are bounded over all sites (settings.concurrency) and per site
    (settings.per_host). A slot is held for the download alone: parsing a feed, which may
    wait for a worker process, frees it for the next download.

    fetch_feed never raises; fetch_raw_page and fetch_page raise FetchError's subclasses
    only (errors.py), whatever the server or the address does.
    """

    def __init__(self, settings: Settings, parse: FeedParser | None = None, *, tls: ssl.SSLContext | None = None) -> None:
        """`tls`: the certificates to trust (default: certifi's)."""
        self.settings = settings
        self._parse = parse or _parse_in_a_thread
        self._limits = _Limits(settings)
        self._pool = connection_pool(settings.concurrency * 2, tls)
        agent = settings.user_agent or _USER_AGENT
        self._headers = [(b"User-Agent", agent.encode("ascii", "replace")), (b"Accept-Encoding", b"gzip, deflate")]
        timeout = settings.timeout_seconds
        self._timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": None}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        await self._pool.aclose()

    async def fetch_feed(self, req: FeedRequest) -> FeedResult:
        headers = {"Accept": _FEED_ACCEPT}
        if req.etag:
            headers["If-None-Match"] = req.etag
        if req.last_modified:
            headers["If-Modified-Since"] = req.last_modified
        try:
            answer = await self._get(req.url, headers, "feed", self.settings.max_feed_bytes, decompress=True)
        except FetchError as exc:
            outcome = next((o for kind, o in _OUTCOME_OF if isinstance(exc, kind)), FeedOutcome.NETWORK_ERROR)
            return FeedResult(req.url, outcome, error=exc.reason)
        status, final_url, resp_headers = answer.status, answer.final_url, answer.headers
        if status == 304:
            return FeedResult(
                req.url, FeedOutcome.NOT_MODIFIED, http_status=304,
                etag=resp_headers.get("etag") or req.etag,
                last_modified=resp_headers.get("last-modified") or req.last_modified,
                final_url=final_url, moved_to=answer.moved_to,
            )
        if status == 410:
            return FeedResult(req.url, FeedOutcome.GONE, http_status=410, final_url=final_url, error=Gone(req.url).reason)
        if status >= 400:
            wait = _retry_after(resp_headers.get("retry-after")) if status in (429, 503) else None
            error = HTTPStatus(final_url, status, answer.reason, wait).reason
            return FeedResult(req.url, FeedOutcome.HTTP_ERROR, http_status=status, final_url=final_url, error=error, retry_after=wait)
        result = await self._parse(answer.body, final_url, {k: v for k, v in resp_headers.items() if k in PARSE_HEADERS})
        return replace(
            result, url=req.url, http_status=status, final_url=final_url, moved_to=answer.moved_to,
            etag=resp_headers.get("etag"), last_modified=resp_headers.get("last-modified"),
        )

    async def fetch_page(self, url: str) -> str:
        """The decoded HTML of an article page; a FetchError when there is none."""
        from newsdesk.fetch._pages import decode_page

        return decode_page(await self.fetch_raw_page(url), self.settings.max_page_bytes)

    async def fetch_raw_page(self, url: str) -> RawPage:
        """An article page's bytes as sent (compressed); decode_page makes them HTML.

        Only the compressed size is limited here; decode_page limits what they expand to.
        """
        answer = await self._get(url, {"Accept": _PAGE_ACCEPT}, "page", self.settings.max_page_bytes, decompress=False)
        if answer.status >= 400:
            raise HTTPStatus(url, answer.status, answer.reason)
        ctype = answer.headers.get("content-type", "").lower()
        if ctype and "html" not in ctype and "xml" not in ctype and "text/plain" not in ctype:
            raise NotAPage(url, ctype.split(";")[0].strip())
        return RawPage(url, answer.body, answer.headers.get("content-encoding", "").lower(), ctype)

    async def _get(self, url: str, headers: dict[str, str], what: str, limit: int, *, decompress: bool) -> _Answer:
        """GET `url`, following redirects; FetchError subclasses only."""
        try:
            address = web_address(url)
        except ValueError as exc:
            raise BadURL(url, f"the address {exc}") from None
        request_headers = [(k.encode("latin-1", "replace"), v.encode("latin-1", "replace")) for k, v in headers.items()]
        current, moved_to, permanent = url, None, True
        for _ in range(_MAX_REDIRECTS + 1):
            answer = await self._get_one(url, current, address, request_headers, what, limit, decompress)
            location = answer.headers.get("location") if answer.status in _REDIRECTS else None
            if not location:
                return _Answer(answer.status, answer.reason, current, answer.headers, answer.body, moved_to)
            try:
                target = urljoin(current, _utf8(location).strip())
            except ValueError:
                raise BadRedirect(url, location, "is not an address newsdesk can read") from None
            try:
                address = web_address(target)
            except ValueError as exc:
                raise BadRedirect(url, location, str(exc)) from None
            permanent = permanent and answer.status in (301, 308)
            if permanent:
                moved_to = target
            current = target
        raise TooManyRedirects(url)

    async def _get_one(
        self, url: str, current: str, address: WebAddress, headers: list[tuple[bytes, bytes]],
        what: str, limit: int, decompress: bool,
    ) -> _Answer:
        """One request and its answer, within a site's slot, retried once when the
        connection broke before the answer began."""
        request = httpcore.Request(
            "GET",
            httpcore.URL(scheme=address.scheme, host=address.host, port=address.port, target=address.target),
            headers=[(b"Host", address.authority.encode("ascii")), *self._headers, *headers],
            extensions={"timeout": self._timeouts},
        )
        # httpcore's timeouts are per socket operation; a server dripping bytes forever is
        # stopped by the overall deadline.
        deadline = self.settings.timeout_seconds * 3
        site = f"{address.scheme}://{address.authority}"
        async with self._limits.slot(site, urgent=what == "page"):  # the wait is not part of the deadline
            for attempt in (1, 2):
                try:
                    async with asyncio.timeout(deadline):
                        return await self._exchange(url, request, what, limit, decompress)
                except TimeoutError:
                    raise FetchTimeout(url, deadline) from None
                except _Retry as retry:
                    if attempt == 2:
                        raise self._network_error(url, retry.cause) from None
                except _NETWORK_ERRORS as exc:
                    raise self._network_error(url, exc) from None
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _exchange(self, url: str, request: httpcore.Request, what: str, limit: int, decompress: bool) -> _Answer:
        try:
            response_cm = self._pool.stream(request.method, request.url, headers=request.headers, extensions=request.extensions)
            response = await response_cm.__aenter__()
        except _BROKE_BEFORE_ANSWER as exc:
            raise _Retry(exc) from None
        try:
            status = response.status
            phrase = response.extensions.get("reason_phrase", b"").decode("latin-1", "replace")
            headers = _headers(response.headers)
            chunks: list[bytes] = []
            if status < 300:
                size = 0
                inflater = Inflater(url, headers.get("content-encoding", ""), limit) if decompress else None
                async for chunk in response.aiter_stream():
                    if inflater is not None:
                        chunk = inflater.feed(chunk)
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(url, what, limit)
                    chunks.append(chunk)
                if inflater is not None:
                    chunks.append(inflater.finish())
            else:
                await _drain(response)
        except BaseException as exc:
            await response_cm.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        await response_cm.__aexit__(None, None, None)
        return _Answer(status, phrase, str(url), headers, b"".join(chunks), None)


    def _network_error(self, url: str, exc: BaseException) -> FetchError:
        """The FetchError for what the connection pool raised, told apart by type."""
        if isinstance(exc, httpcore.TimeoutException):
            return FetchTimeout(url, self.settings.timeout_seconds)
        if isinstance(exc, ConnectFailure):
            cause = exc.cause
            if isinstance(cause, ConnectionRefusedError):
                return ConnectionRefused(url)
            if isinstance(cause, socket.gaierror):
                return HostNotFound(url)
            if isinstance(cause, ssl.SSLError | ssl.CertificateError):
                return TLSFailed(url, str(cause))
        if isinstance(exc, httpcore.ConnectError):
            return ConnectFailed(url, str(exc) or type(exc).__name__)
        return Disconnected(url, str(exc) or type(exc).__name__)


class _Retry(Exception):
    def __init__(self, cause: BaseException) -> None:
        self.cause = cause


_NETWORK_ERRORS = (
    httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
)


def _utf8(value: str) -> str:
    """A header read as Latin-1 (as HTTP says) made UTF-8 when its bytes are: servers send
    international paths in a Location so, and browsers read them so."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


_MAX_RETRY_AFTER = 7 * 24 * 3600.0


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); capped at a week."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), _MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), _MAX_RETRY_AFTER)


async def _drain(response: httpcore.Response) -> None:
    """Read a short answer's body to its end, so its connection goes back to the pool.

    A 304 or an error page left unread would close the connection: a warm refresh would
    then open a new one for every feed. A long body is not worth it and is cut off.
    """
    size = 0
    async for chunk in response.aiter_stream():
        size += len(chunk)
        if size > _DRAIN_LIMIT:
            break
