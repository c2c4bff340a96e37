"""Downloading feeds and article pages (httpx), and reading feeds (feedparser).

Nothing here raises for a server's misbehaviour while fetching a feed: every outcome becomes
a FeedResult with a sentence the user can act on, so one bad feed never stops a refresh.
Bodies are streamed and counted after decompression, so an oversized answer or a gzip bomb
is cut off without being held in memory.
"""

from __future__ import annotations

import asyncio
import calendar
import email.utils
import hashlib
import re
import select
import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import httpcore
import httpx
import lxml.html
from lxml import etree

from newsdesk import __version__
from newsdesk.config import Settings
from newsdesk.errors import FetchError
from newsdesk.types import Entry, FeedOutcome, FeedResult, RawPage

_USER_AGENT = f"newsdesk/{__version__} (terminal news reader; +https://pypi.org/project/newsdesk/)"
_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|at_medium|at_campaign)$", re.IGNORECASE)
# feedparser flags these, but they change nothing a reader sees.
_BENIGN = {"NonXMLContentType", "CharacterEncodingOverride", "CharacterEncodingUnknown"}
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "figure", "figcaption", "section", "article"}


_PARSE_HEADERS = ("content-type", "content-language")
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


def is_web_url(url: str | None) -> bool:
    """Only http and https are ever downloaded or opened: a feed cannot point newsdesk at a
    local file (file:), a script (javascript:) or inline content (data:)."""
    return bool(url) and urlsplit(url).scheme in ("http", "https")  # type: ignore[arg-type]


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


class _QuickAckStream(httpcore.AsyncNetworkStream):
    """A connection that acknowledges what it receives at once (Linux's TCP_QUICKACK).

    Many small servers (Python's http.server among them) write an answer's headers and its
    body in two writes without TCP_NODELAY: Nagle's algorithm holds the body until the
    headers are acknowledged, and a client delays that acknowledgement by 40 ms. Every
    answer with a body then takes 40 ms more than the server needs (measured on the local
    news site: 96 ms instead of 53 for a feed at 50 ms latency). The kernel drops quick-ack
    mode by itself, so it is asked for again before each read.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self._socket is not None:
            try:
                self._socket.setsockopt(socket.IPPROTO_TCP, _TCP_QUICKACK, 1)
            except OSError:  # closed under us: the read says so
                pass
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _QuickAckStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            # Asked of every idle connection each time the pool hands one out; answered from
            # the socket itself, without anyio's dictionary of its attributes each time.
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket) -> bool:
    """Whether a read would not block: data waiting, or the server closed the connection."""
    fd = sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _QuickAckBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own network backend, its TCP connections wrapped in _QuickAckStream."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _QuickAckStream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


_TCP_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


def _transport(settings: Settings, tls: ssl.SSLContext | None) -> httpx.AsyncHTTPTransport:
    pool = settings.concurrency * 2
    transport = httpx.AsyncHTTPTransport(
        verify=tls if tls is not None else True,
        limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
        trust_env=False,
    )
    if _TCP_QUICKACK is not None:  # Linux; elsewhere the answers just come 40 ms later
        # httpx takes no network backend; its connection pool (httpcore's) does.
        transport._pool._network_backend = _QuickAckBackend()  # noqa: SLF001
    return transport


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
            transport=_transport(settings, tls),
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
        result = await self._parse(answer.body, final_url, {k: v for k, v in resp_headers.items() if k.lower() in _PARSE_HEADERS})
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
            raise FetchError(url, _page_too_large(self.settings.max_page_bytes)) from None
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


def decode_page(page: RawPage, limit: int) -> str:
    """A downloaded page as text: decompressed (at most `limit` bytes) and decoded.

    A plain function of plain values, so it runs in the extraction workers.
    """
    body = page.body
    for coding in reversed([c.strip() for c in page.content_encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip", "deflate"):
            body = _inflate(page.url, body, coding, limit)
        elif coding != "identity":
            raise FetchError(page.url, f"the page is compressed as {coding!r}, which newsdesk did not ask for")
    return _decode_html(body, page.content_type)


def _inflate(url: str, body: bytes, coding: str, limit: int) -> bytes:
    # wbits: 16+ for a gzip header, 15 for zlib-wrapped deflate; some servers send raw deflate.
    for wbits in ((31,) if coding != "deflate" else (15, -15)):
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(body, limit + 1)
        except zlib.error:
            continue
        if len(out) > limit:
            raise FetchError(url, _page_too_large(limit))
        return out
    raise FetchError(url, "the server's compressed answer is corrupt")


def _page_too_large(limit: int) -> str:
    return f"the page is larger than {limit // (1024 * 1024)} MB"


def _decode_html(body: bytes, content_type: str) -> str:
    found = re.search(r"charset=([\w.:-]+)", content_type)
    if not found:
        found = re.search(rb"""<meta[^>]+charset=["']?([\w.:-]+)""", body[:4096], re.IGNORECASE)  # type: ignore[assignment]
    encoding = found.group(1) if found else "utf-8"
    if isinstance(encoding, bytes):
        encoding = encoding.decode("ascii", "replace")
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


# ------------------------------------------------------------------- parsing


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> FeedResult:
    """Read a feed's bytes; never fetches anything itself (no URLs given to feedparser)."""
    if not body.strip():
        return FeedResult(url, FeedOutcome.PARSE_ERROR, error="the server sent an empty answer, not a feed")
    response_headers = {k.lower(): v for k, v in (headers or {}).items() if k.lower() in _PARSE_HEADERS}
    # No content-location: feedparser would resolve a base URI at every element (a third of
    # a parse); the entry links are resolved against the feed in _entry.
    try:
        parsed = _feedparser(body, response_headers)
    except (UnicodeError, ValueError, LookupError) as first:
        # feedparser trips on a corrupt XML declaration (bad bytes in encoding="..."); without
        # the declaration the rest may still read.
        stripped = _XML_DECLARATION.sub(b"", body, count=1)
        try:
            parsed = _feedparser(stripped, response_headers) if stripped != body else None
        except (UnicodeError, ValueError, LookupError):
            parsed = None
        if parsed is None:
            return FeedResult(url, FeedOutcome.PARSE_ERROR, error=f"the feed cannot be read: its XML declaration is corrupt ({first})")
    feed = parsed.get("feed", {})
    benign = not parsed.bozo or type(parsed.get("bozo_exception")).__name__ in _BENIGN
    # Nothing usable: not a feed at all, or a feed broken before its first entry. A feed that
    # is merely empty (a known format, nothing wrong but a charset label) is fine.
    if not parsed.entries and not feed.get("title") and (not parsed.get("version") or not benign):
        alternates = _declared_feeds(body, url) if _is_html(body) else []
        error = _parse_problem(body, parsed)
        if alternates:
            error += "; it declares these feeds (put one in feeds.toml): " + ", ".join(alternates)
        return FeedResult(url, FeedOutcome.PARSE_ERROR, error=error, alternates=alternates)
    entries: list[Entry] = []
    seen: set[str] = set()
    # In Atom, the feed's author is the author of every entry that names none (RFC 4287,
    # 4.2.1); an RSS channel's editor is no entry's author.
    author = _plain(feed.get("author", "")) if str(parsed.get("version", "")).startswith("atom") else ""
    for raw in parsed.entries:
        entry = _entry(raw, url, author or None)
        if entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    warning = None
    if not benign:
        warning = f"the feed has errors but was read: {_parse_problem(body, parsed)}"
    return FeedResult(url, FeedOutcome.OK, title=_plain(feed.get("title", "")) or None, entries=entries, error=warning)


def _is_html(body: bytes) -> bool:
    head = body[:2048].lower()
    return b"<html" in head or b"<!doctype html" in head


_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json", "application/json")


def _declared_feeds(body: bytes, base: str) -> list[str]:
    """The feeds a web page points to with <link rel="alternate" type="...rss+xml" href="...">."""
    try:
        doc = lxml.html.document_fromstring(body[:1_000_000])
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            absolute = urljoin(base, href)
            if is_web_url(absolute) and absolute not in found:
                found.append(absolute)
    return found


_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def _feedparser(body: bytes, headers: dict[str, str]) -> Any:
    # No sanitising and no resolving of links inside entries' HTML (a tenth of a parse):
    # newsdesk never renders a feed's HTML, it keeps the text (_plain, which drops scripts
    # and styles), and the entry's own link is resolved against the feed (_entry).
    return feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)


def _parse_problem(body: bytes, parsed: Any) -> str:
    if _is_html(body):
        return "this is a web page, not a feed"
    exc = parsed.get("bozo_exception")
    if exc is None or type(exc).__name__ in _BENIGN:  # well-formed, or only mislabelled: not a feed
        return "no feed found in the answer"
    if hasattr(exc, "getLineNumber"):
        return f"XML syntax error at line {exc.getLineNumber()}: {exc.getMessage()}"
    return str(exc) or type(exc).__name__


def _entry(raw: Any, base: str, author: str | None) -> Entry:
    link = raw.get("link") or None
    if link:
        link = urljoin(base, link.strip())
    guid = (raw.get("id") or "").strip() or None
    title = _plain(raw.get("title", ""))
    published = _when(raw.get("published_parsed") or raw.get("updated_parsed"))
    content = ""
    if raw.get("content"):
        content = _plain(raw.content[0].get("value", ""))
    summary = _plain(raw.get("summary", ""))
    if guid:
        key = guid
    elif link:
        key = normalise_link(link)
    else:
        key = "sha1:" + hashlib.sha1(f"{title}\n{published}".encode()).hexdigest()
    return Entry(
        key=key, title=title, link=link, guid=guid, summary=summary,
        content=content if content != summary else "",
        author=_plain(raw.get("author", "")) or author, published=published,
    )


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _plain(html: str) -> str:
    """HTML (or plain text) to plain text, paragraphs kept as blank-line-separated blocks."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _tidy(html)
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(html)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _BLOCK_TAGS:
            el.tail = "\n\n" + (el.tail or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    paragraphs = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", p).strip() for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs if p)


def normalise_link(url: str) -> str:
    """One spelling per article URL: scheme and host lower-cased, default port, fragment and
    tracking parameters dropped, so the same story linked twice is recognised."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))
