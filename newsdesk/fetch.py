"""Downloading feeds and article pages (httpx), and reading feeds (feedparser).

Nothing here raises for a server's misbehaviour while fetching a feed: every outcome becomes
a FeedResult with a sentence the user can act on, so one bad feed never stops a refresh.
Bodies are streamed and counted after decompression, so an oversized answer or a gzip bomb
is cut off without being held in memory.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import re
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
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


class _TooLarge(Exception):
    pass


class Fetcher:
    """One httpx.AsyncClient shared by every download of a refresh (keep-alive, pooling).

    The caller bounds how many downloads run at once; the client's pool is sized to match.
    """

    def __init__(self, settings: Settings, parse: FeedParser | None = None) -> None:
        self.settings = settings
        self._parse = parse or _parse_here
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_seconds),
            follow_redirects=True,
            max_redirects=10,
            headers={"User-Agent": settings.user_agent or _USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=settings.concurrency * 2, max_keepalive_connections=settings.concurrency * 2),
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        await self._client.aclose()

    async def fetch_feed(self, req: FeedRequest) -> FeedResult:
        if urlsplit(req.url).scheme not in ("http", "https"):
            return FeedResult(req.url, FeedOutcome.NETWORK_ERROR, error="only http:// and https:// feeds can be fetched")
        headers = {"Accept": _FEED_ACCEPT}
        if req.etag:
            headers["If-None-Match"] = req.etag
        if req.last_modified:
            headers["If-Modified-Since"] = req.last_modified
        try:
            status, reason, final_url, resp_headers, body = await self._get(req.url, headers, self.settings.max_feed_bytes)
        except _TooLarge:
            limit = self.settings.max_feed_bytes // (1024 * 1024)
            return FeedResult(req.url, FeedOutcome.TOO_LARGE, error=f"the feed is larger than {limit} MB; it was not read")
        except FetchError as exc:
            outcome = FeedOutcome.TIMEOUT if exc.reason.startswith("no answer") else FeedOutcome.NETWORK_ERROR
            return FeedResult(req.url, outcome, error=exc.reason)
        if status == 304:
            return FeedResult(
                req.url, FeedOutcome.NOT_MODIFIED, http_status=304,
                etag=resp_headers.get("etag") or req.etag,
                last_modified=resp_headers.get("last-modified") or req.last_modified,
                final_url=final_url,
            )
        if status >= 400:
            return FeedResult(req.url, FeedOutcome.HTTP_ERROR, http_status=status, final_url=final_url, error=f"HTTP {status} {reason}".strip())
        result = await self._parse(body, final_url, {k: v for k, v in resp_headers.items() if k.lower() in _PARSE_HEADERS})
        result.url = req.url
        result.http_status = status
        result.final_url = final_url
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
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(url, "only http:// and https:// pages are downloaded")
        try:
            status, reason, _, headers, body = await self._get(
                url, {"Accept": _PAGE_ACCEPT}, self.settings.max_page_bytes, decompress=False
            )
        except _TooLarge:
            raise FetchError(url, _page_too_large(self.settings.max_page_bytes)) from None
        if status >= 400:
            raise FetchError(url, f"HTTP {status} {reason}".strip())
        ctype = headers.get("content-type", "").lower()
        if ctype and "html" not in ctype and "xml" not in ctype and "text/plain" not in ctype:
            raise FetchError(url, f"not a web page ({ctype.split(';')[0]})")
        return RawPage(url, body, headers.get("content-encoding", "").lower(), ctype)

    async def _get(
        self, url: str, headers: dict[str, str], limit: int, *, decompress: bool = True
    ) -> tuple[int, str, str, Mapping[str, str], bytes]:
        # httpx's timeout is per socket operation; a server dripping bytes forever is stopped
        # by the overall deadline.
        deadline = self.settings.timeout_seconds * 3
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
                    return (
                        response.status_code,
                        response.reason_phrase,
                        str(response.url),
                        response.headers,
                        b"".join(chunks),
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
    response_headers["content-location"] = url
    parsed = feedparser.parse(body, response_headers=response_headers, sanitize_html=True, resolve_relative_uris=True)
    feed = parsed.get("feed", {})
    if not parsed.entries and not feed.get("title") and (parsed.bozo or not parsed.get("version")):
        return FeedResult(url, FeedOutcome.PARSE_ERROR, error=_parse_problem(body, parsed))
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in parsed.entries:
        entry = _entry(raw, url)
        if entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    warning = None
    if parsed.bozo and type(parsed.get("bozo_exception")).__name__ not in _BENIGN:
        warning = f"the feed has errors but was read: {_parse_problem(body, parsed)}"
    return FeedResult(url, FeedOutcome.OK, title=_plain(feed.get("title", "")) or None, entries=entries, error=warning)


def _parse_problem(body: bytes, parsed: Any) -> str:
    head = body[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return "this is a web page, not a feed"
    exc = parsed.get("bozo_exception")
    if exc is None:
        return "no feed found in the answer"
    if hasattr(exc, "getLineNumber"):
        return f"XML syntax error at line {exc.getLineNumber()}: {exc.getMessage()}"
    name = type(exc).__name__
    if name == "CharacterEncodingOverride":
        return "the declared character encoding was wrong; read as " + str(parsed.get("encoding") or "another encoding")
    if name == "NonXMLContentType":
        return "the server did not say this is XML"
    return str(exc) or name


def _entry(raw: Any, base: str) -> Entry:
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
        author=_plain(raw.get("author", "")) or None, published=published,
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
