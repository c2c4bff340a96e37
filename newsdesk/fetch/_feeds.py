"""Reading a feed's bytes into plain-text entries: never fetches anything.

The common well-formed feed is read by _xmlfeed (lxml, a fraction of feedparser's CPU); any
other, and anything _xmlfeed is not sure of, by feedparser, imported only then. Both readings
give the same raw fields (RawEntry), turned into entries here alike."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newsdesk.fetch._pages import PARSE_HEADERS
from newsdesk.fetch._xmlfeed import RawEntry, RawFeed, read_feed
from newsdesk.types import Entry, FeedOutcome, FeedResult
from newsdesk.urls import absolute_link, is_web_url, normalise_link

# feedparser flags these, but they change nothing a reader sees.
_BENIGN = {"NonXMLContentType", "CharacterEncodingOverride", "CharacterEncodingUnknown"}


_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "figure",
    "figcaption", "section", "article",
}


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> FeedResult:
    """Read a feed's bytes; never fetches anything itself (no URLs given to feedparser)."""
    if not body.strip():
        return FeedResult(url, FeedOutcome.PARSE_ERROR, error="the server sent an empty answer, not a feed")
    fast = read_feed(body, _parse_headers(headers))
    if fast is not None:
        return _result(url, fast)
    return read_with_feedparser(body, url, headers)


def _parse_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items() if k.lower() in PARSE_HEADERS}


def read_with_feedparser(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> FeedResult:
    """parse_feed without its fast reading: every feed _xmlfeed declines, and what its
    reading is checked against (the two must agree on every feed _xmlfeed reads)."""
    if not body.strip():
        return FeedResult(url, FeedOutcome.PARSE_ERROR, error="the server sent an empty answer, not a feed")
    response_headers = _parse_headers(headers)
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
    # In Atom, the feed's author is the author of every entry that names none (RFC 4287,
    # 4.2.1); an RSS channel's editor is no entry's author.
    author = feed.get("author", "") if str(parsed.get("version", "")).startswith("atom") else ""
    read = RawFeed(title=feed.get("title", ""), author=author, entries=[_raw(e) for e in parsed.entries])
    warning = None
    if not benign:
        warning = f"the feed has errors but was read: {_parse_problem(body, parsed)}"
    return _result(url, read, warning)


def _result(url: str, feed: RawFeed, warning: str | None = None) -> FeedResult:
    """Entries in the feed's order, each key once (the first entry with it is kept)."""
    entries: list[Entry] = []
    seen: set[str] = set()
    author = _plain(feed.author) or None
    for raw in feed.entries:
        entry = _entry(raw, url, author)
        if entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    return FeedResult(url, FeedOutcome.OK, title=_plain(feed.title) or None, entries=entries, error=warning)


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
    import feedparser  # a second or more to import and most feeds never need it (_xmlfeed)

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


def _raw(raw: Any) -> RawEntry:
    """A feedparser entry's fields, as _xmlfeed reads them."""
    return RawEntry(
        title=raw.get("title", ""), link=raw.get("link"), guid=raw.get("id"), summary=raw.get("summary", ""),
        content=raw.content[0].get("value", "") if raw.get("content") else "", author=raw.get("author", ""),
        published=_when(raw.get("published_parsed") or raw.get("updated_parsed")),
    )


def _entry(raw: RawEntry, base: str, author: str | None) -> Entry:
    link = absolute_link(base, raw.link) if raw.link else None
    guid = (raw.guid or "").strip() or None
    title = _plain(raw.title)
    published = raw.published
    content = _plain(raw.content)
    summary = _plain(raw.summary)
    if guid:
        key = guid
    elif link:
        key = normalise_link(link)
    else:
        key = "sha1:" + hashlib.sha1(f"{title}\n{published}".encode()).hexdigest()
    return Entry(
        key=key, title=title, link=link, guid=guid, summary=summary,
        content=content if content != summary else "",
        author=_plain(raw.author) or author, published=published,
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
        # Control characters XML cannot hold: lxml parses them but refuses them back in a
        # tail it is given, and no reader sees them (the display replaces them anyway).
        root = lxml.html.fragment_fromstring(_NOT_XML.sub("", html), create_parent="div")
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


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _tidy(text: str) -> str:
    paragraphs = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", p).strip() for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs if p)
