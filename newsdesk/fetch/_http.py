"""Downloads: one httpx client per refresh, bounded per site and overall, every server's
misbehaviour turned into a sentence on the feed (never an exception out of fetch_feed)."""

from __future__ import annotations

import asyncio
import email.utils
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from newsdesk import __version__
from newsdesk.config import Settings
from newsdesk.errors import FetchError
from newsdesk.fetch._feeds import PARSE_HEADERS, parse_feed
from newsdesk.fetch._net import transport
from newsdesk.fetch._pages import decode_page, page_too_large
from newsdesk.fetch._urls import is_web_url
from newsdesk.types import FeedOutcome, FeedResult, RawPage

_USER_AGENT = f"newsdesk/{__version__} (terminal news reader; +https://pypi.org/project/newsdesk/)"


_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"


_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


_DRAIN_LIMIT = 64 * 1024


FeedParser = Callable[[bytes, str, dict[str, str]], Awaitable[FeedResult]]
"""How a feed's body becomes a FeedResult: parse_feed, here or in a worker process."""


async def _parse_here(body: bytes, url: str, headers: dict[str, str]) -> FeedResult:
    return parse_feed(body, url, headers)


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """What the caller knows about a feed: its URL and the validators of its last answer."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


class _TooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    reason: str
    final_url: str
    headers: Mapping[str, str]
    body: bytes
    moved_to: str | None
    """The URL after the leading run of permanent redirects (301, 308), if any."""


class _Limits:
    """How many downloads run at once: over all sites, and per site (host and port)."""

    def __init__(self, settings: Settings) -> None:
        self._all = asyncio.Semaphore(settings.concurrency)
        self._per_host = settings.per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = urlsplit(url).netloc.lower()
        site = self._hosts.get(host)
        if site is None:
            site = self._hosts[host] = asyncio.Semaphore(self._per_host)
        # The site's slot first: a download waiting for a busy site holds no global slot
        # that another site's download could use.
        async with site, self._all:
            yield


class Fetcher:
    """One httpx.AsyncClient shared by every download of a refresh (keep-alive, pooling).

    Downloads are bounded over all sites (settings.concurrency) and per site
    (settings.per_host). A slot is held for the download alone: parsing a feed, which may
    wait for a worker process, frees it for the next download.
    """

    def __init__(self, settings: Settings, parse: FeedParser | None = None, *, tls: ssl.SSLContext | None = None) -> None:
        """`tls`: the certificates to trust (default: the system's, as httpx finds them)."""
        self.settings = settings
        self._parse = parse or _parse_here
        self._limits = _Limits(settings)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=True,
            max_redirects=10,
            headers={"User-Agent": settings.user_agent or _USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            transport=transport(settings, tls),
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        await self._client.aclose()

    async def fetch_feed(self, req: FeedRequest) -> FeedResult:
        if not is_web_url(req.url):
            return FeedResult(req.url, FeedOutcome.NETWORK_ERROR, error="only http:// and https:// feeds can be fetched")
        headers = {"Accept": _FEED_ACCEPT}
        if req.etag:
            headers["If-None-Match"] = req.etag
        if req.last_modified:
            headers["If-Modified-Since"] = req.last_modified
        try:
            answer = await self._get(req.url, headers, self.settings.max_feed_bytes)
        except _TooLarge:
            limit = self.settings.max_feed_bytes // (1024 * 1024)
            return FeedResult(req.url, FeedOutcome.TOO_LARGE, error=f"the feed is larger than {limit} MB; it was not read")
        except FetchError as exc:
            outcome = FeedOutcome.TIMEOUT if exc.reason.startswith("no answer") else FeedOutcome.NETWORK_ERROR
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
            return FeedResult(
                req.url, FeedOutcome.GONE, http_status=410, final_url=final_url,
                error="HTTP 410 Gone: the server says this feed will not come back; it is no longer "
                "fetched (remove it from feeds.toml, or give it a new URL)",
            )
        if status >= 400:
            error = f"HTTP {status} {answer.reason}".strip()
            wait = _retry_after(resp_headers.get("retry-after")) if status in (429, 503) else None
            if wait is not None:
                error += f"; the server asked to wait {_duration(wait)} before trying again"
            return FeedResult(req.url, FeedOutcome.HTTP_ERROR, http_status=status, final_url=final_url, error=error, retry_after=wait)
        result = await self._parse(answer.body, final_url, {k: v for k, v in resp_headers.items() if k.lower() in PARSE_HEADERS})
        result.url = req.url
        result.http_status = status
        result.final_url = final_url
        result.moved_to = answer.moved_to
        result.etag = resp_headers.get("etag")
        result.last_modified = resp_headers.get("last-modified")
        return result

    async def fetch_page(self, url: str) -> str | None:
        """The decoded HTML of an article page; FetchError(url, reason) when there is none."""
        return decode_page(await self.fetch_raw_page(url), self.settings.max_page_bytes)

    async def fetch_raw_page(self, url: str) -> RawPage:
        """An article page's bytes as sent (compressed); decode_page makes them HTML.

        Only the compressed size is limited here; decode_page limits what they expand to.
        """
        if not is_web_url(url):
            raise FetchError(url, "only http:// and https:// pages are downloaded")
        try:
            answer = await self._get(url, {"Accept": _PAGE_ACCEPT}, self.settings.max_page_bytes, decompress=False)
        except _TooLarge:
            raise FetchError(url, page_too_large(self.settings.max_page_bytes)) from None
        if answer.status >= 400:
            raise FetchError(url, f"HTTP {answer.status} {answer.reason}".strip())
        ctype = answer.headers.get("content-type", "").lower()
        if ctype and "html" not in ctype and "xml" not in ctype and "text/plain" not in ctype:
            raise FetchError(url, f"not a web page ({ctype.split(';')[0]})")
        return RawPage(url, answer.body, answer.headers.get("content-encoding", "").lower(), ctype)

    async def _get(self, url: str, headers: dict[str, str], limit: int, *, decompress: bool = True) -> _Answer:
        # httpx's timeout is per socket operation; a server dripping bytes forever is stopped
        # by the overall deadline.
        deadline = self.settings.timeout_seconds * 3
        async with self._limits.slot(url):  # waiting for a slot is not part of the deadline
            return await self._download(url, headers, limit, decompress, deadline)

    async def _download(self, url: str, headers: dict[str, str], limit: int, decompress: bool, deadline: float) -> _Answer:
        try:
            async with asyncio.timeout(deadline):
                async with self._client.stream("GET", url, headers=headers) as response:
                    chunks: list[bytes] = []
                    size = 0
                    if response.status_code < 300:
                        chunks_of = response.aiter_bytes if decompress else response.aiter_raw
                        async for chunk in chunks_of():
                            size += len(chunk)
                            if size > limit:
                                raise _TooLarge
                            chunks.append(chunk)
                    else:
                        await _drain(response)
                    return _Answer(
                        response.status_code,
                        response.reason_phrase,
                        str(response.url),
                        response.headers,
                        b"".join(chunks),
                        _permanent_target(response),
                    )
        except TimeoutError:
            raise FetchError(url, f"no answer within {deadline:g} s") from None
        except httpx.TimeoutException:
            raise FetchError(url, f"no answer within {self.settings.timeout_seconds:g} s") from None
        except httpx.TooManyRedirects:
            raise FetchError(url, "too many redirects (the server redirects in a loop)") from None
        except httpx.DecodingError:
            raise FetchError(url, "the server's compressed answer is corrupt") from None
        except httpx.ConnectError as exc:
            raise FetchError(url, _connect_problem(exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"download failed: {exc or type(exc).__name__}") from None


def _permanent_target(response: httpx.Response) -> str | None:
    """Where the leading permanent redirects lead: the address to fetch from now on."""
    target = None
    for hop in response.history:
        if hop.status_code not in (301, 308):
            break
        location = hop.headers.get("location")
        if not location:
            break
        target = urljoin(str(hop.url), location)
    return target


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


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


async def _drain(response: httpx.Response) -> None:
    """Read a short answer's body to its end, so its connection goes back to the pool.

    A 304 or an error page left unread makes httpx close the connection: a warm refresh
    would then open a new one for every feed. A long body is not worth it and is cut off.
    """
    size = 0
    async for chunk in response.aiter_raw():
        size += len(chunk)
        if size > _DRAIN_LIMIT:
            break


def _connect_problem(exc: BaseException) -> str:
    # httpx says "All connection attempts failed"; the OSError underneath says why.
    causes = []
    current: BaseException | None = exc
    while current is not None and len(causes) < 6:
        causes.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused (is the server down?)"
    text = " ".join(str(c) for c in causes).lower()
    if "refused" in text:
        return "connection refused (is the server down?)"
    if "name or service not known" in text or "nodename nor servname" in text or "temporary failure in name resolution" in text:
        return "host not found (check the URL, or the network)"
    if "certificate" in text or "ssl" in text:
        return f"secure connection failed: {exc}"
    return f"cannot connect: {exc}"
