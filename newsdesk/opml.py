"""OPML in and out: the subscription lists feed readers import and export.

Reading takes what real exporters write, not only what the OPML spec says: OPML 1.0 and 2.0,
outlines with or without `type="rss"`, `text` without `title`, folders nested at any depth
(their titles become the feed's tags), HTML entities (`&eacute;`) that XML does not define,
a bare `&` in a title (newsboat refuses the whole file for one), a byte order mark, and an
encoding declaration the bytes do not follow. Nothing in the file is fetched or resolved:
no DTD, no external entity, no network; only http and https feed addresses are taken.

Writing makes OPML 2.0 with one folder per tag, which newsboat, Miniflux, FreshRSS, Feedly,
Inoreader, NetNewsWire and Thunderbird import.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from newsdesk.errors import NotOpml
from newsdesk.schema import web_url_problem


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str | None
    tags: tuple[str, ...]
    """The titles of the folders (outlines without a feed) that hold it, outermost first."""


@dataclass(frozen=True, slots=True)
class Skipped:
    what: str
    """The outline as a person would recognise it: its title, or its address."""
    why: str


@dataclass(frozen=True, slots=True)
class OpmlList:
    feeds: tuple[OpmlFeed, ...]
    skipped: tuple[Skipped, ...]
    title: str | None = None
    repaired: str | None = None
    """What had to be repaired to read the file (bare &, unknown entities, the encoding), if anything."""


# ------------------------------------------------------------------------------ reading

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.IGNORECASE | re.DOTALL)
_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_NAMED = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_NAMED = {"amp", "lt", "gt", "quot", "apos"}
_NUMERIC = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def read_opml(data: bytes, source: str) -> OpmlList:
    """The feeds an OPML file lists, and the outlines skipped with the reason."""
    text, encoding_note = _decode(data)
    text, repairs = _repair(text)
    if encoding_note:
        repairs.insert(0, encoding_note)
    root = _parse(text, source)
    name = _local(root.tag)
    if name != "opml":
        raise NotOpml(f"{source}: not an OPML file ({_looks_like(name, root)})")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise NotOpml(f"{source}: an OPML file without a <body>, so it lists no feeds")
    head = next((child for child in root if _local(child.tag) == "head"), None)
    title_element = next((c for c in head if _local(c.tag) == "title"), None) if head is not None else None
    feeds: dict[str, OpmlFeed] = {}
    skipped: list[Skipped] = []
    for url, title, tags, kind in _outlines(body, ()):
        if kind in _NOT_FEEDS:
            skipped.append(Skipped(title or url, f'type="{kind}": a web page to scrape, not a feed'))
            continue
        if url.partition(":")[0].strip().lower() not in ("http", "https"):
            skipped.append(Skipped(title or url, f"{url}: not an http(s) feed address"))
            continue
        problem = web_url_problem(url)
        if problem is not None:
            skipped.append(Skipped(title or url, problem))
            continue
        if url in feeds:  # listed in two folders: one feed with both tags
            first = feeds[url]
            feeds[url] = OpmlFeed(first.url, first.title, _merged(first.tags, tags))
            continue
        feeds[url] = OpmlFeed(url, title, tags)
    return OpmlList(
        feeds=tuple(feeds.values()), skipped=tuple(skipped),
        title=_clean(title_element.text) if title_element is not None else None,
        repaired="; ".join(repairs) or None,
    )


def _decode(data: bytes) -> tuple[str, str | None]:
    """The file's text: by its byte order mark, else UTF-8 when the bytes are UTF-8 (whatever
    the declaration says: exporters declare what they do not write), else the declared
    encoding, else Windows-1252."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), None
            except UnicodeDecodeError:
                break
    declared_match = _DECLARED.match(data)
    declared = declared_match.group(1).decode("ascii").lower() if declared_match else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        note = None
        if declared and _codec(declared) not in (None, "utf-8") and not data.isascii():
            note = f"read as UTF-8, though it declares {declared}"
        return text, note
    if declared and _codec(declared) not in (None, "utf-8"):
        try:
            return data.decode(_codec(declared) or declared), None
        except (UnicodeDecodeError, LookupError):
            pass
    note = f"read as Windows-1252: not UTF-8{', though it says so' if declared and _codec(declared) == 'utf-8' else ''}"
    return data.decode("cp1252", errors="replace"), note


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _repair(text: str) -> tuple[str, list[str]]:
    """What real exporters write that XML refuses, made XML: a bare &, HTML's named entities,
    character references to characters XML cannot hold. No DTD is read."""
    repairs: list[str] = []
    text = _XML_DECLARATION.sub("", text, count=1)
    text, doctypes = _DOCTYPE.subn("", text)
    if doctypes:
        repairs.append("its DOCTYPE ignored")
    text, bare = _AMPERSAND.subn("&amp;", text)
    if bare:
        repairs.append(f"{bare} bare & read as &amp;")
    unknown = 0

    def named(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1)
        if name in _XML_NAMED:
            return match.group(0)
        char = html.entities.html5.get(name + ";")
        if char is None:
            unknown += 1
            return "&amp;" + name + ";"
        return _xml_escape(char)

    text = _NAMED.sub(named, text)
    if unknown:
        repairs.append(f"{unknown} unknown entities kept as text")

    def numeric(match: re.Match[str]) -> str:
        value = match.group(1)
        code = int(value[1:], 16) if value[0] in "xX" else int(value)
        ok = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
        return match.group(0) if ok else "\ufffd"

    text = _NUMERIC.sub(numeric, text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)
    return text, repairs


def _xml_escape(char: str) -> str:
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}.get(char, char)


def _parse(text: str, source: str):  # type: ignore[no-untyped-def]  # lxml's element type is imported with lxml, which this module loads when it parses
    from lxml import etree

    def parser(recover: bool) -> etree.XMLParser:
        return etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
            huge_tree=False, recover=recover, remove_comments=True, remove_pis=True,
        )

    stripped = text.strip()
    if not stripped:
        raise NotOpml(f"{source}: the file is empty")
    try:
        return etree.fromstring(stripped.encode("utf-8"), parser(False))
    except etree.XMLSyntaxError as exc:
        first = exc
    root = etree.fromstring(stripped.encode("utf-8"), parser(True))
    if root is None or _local(root.tag) != "opml":
        what = _looks_like(_local(root.tag), root) if root is not None else "not XML"
        raise NotOpml(f"{source}: not an OPML file ({what}; line {first.lineno}: {first.msg})")
    return root


def _local(tag: object) -> str:
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""


def _looks_like(name: str, root: object) -> str:
    if name in ("rss", "feed", "rdf"):
        return "it is a feed: add it with `newsdesk feeds add URL`"
    if name == "html":
        return "it is a web page"
    return f"its root element is <{name}>, not <opml>"


_NOT_FEEDS = {"html+xpath", "xml+xpath", "json+dotnotation", "html+xpath+json+dotnotation"}
"""FreshRSS's scraping sources: their xmlUrl is a web page."""
_NO_FOLDER = {"uncategorized", "uncategorised"}
"""The folder a reader puts feeds in when the user chose none (FreshRSS): not a tag."""


def _outlines(element: object, tags: tuple[str, ...]) -> Iterator[tuple[str, str | None, tuple[str, ...], str]]:
    """(xmlUrl, title, tags, type) of every feed outline under `element`, depth first."""
    for child in element:  # type: ignore[attr-defined]  # an lxml element (see _parse)
        if _local(child.tag) != "outline":
            continue
        attributes = {key.rpartition("}")[2].lower(): value for key, value in child.attrib.items() if isinstance(key, str)}
        title = _clean(attributes.get("title")) or _clean(attributes.get("text"))
        url = (attributes.get("xmlurl") or "").strip()
        if url:
            yield url, title, tags, (attributes.get("type") or "").strip().lower()
            yield from _outlines(child, tags)
        else:
            folder = title and title.casefold() not in _NO_FOLDER
            yield from _outlines(child, (*tags, title) if folder and title else tags)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split()) or None


def _merged(first: tuple[str, ...], more: Iterable[str]) -> tuple[str, ...]:
    seen = {t.casefold() for t in first}
    out = list(first)
    for tag in more:
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return tuple(out)


# ------------------------------------------------------------------------------ writing


@dataclass(frozen=True, slots=True)
class ExportFeed:
    url: str
    name: str
    tags: tuple[str, ...] = ()


def write_opml(feeds: Iterable[ExportFeed], *, title: str = "newsdesk feeds", now: datetime | None = None) -> bytes:
    """OPML 2.0: one folder per tag holding its feeds (a feed with two tags is in both), then
    the feeds without a tag."""
    from lxml import etree

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    body = etree.SubElement(root, "body")
    feeds = list(feeds)
    folders: dict[str, tuple[str, list[ExportFeed]]] = {}
    for feed in feeds:
        for tag in feed.tags:
            folders.setdefault(tag.casefold(), (tag, []))[1].append(feed)
    for tag, members in folders.values():
        folder = etree.SubElement(body, "outline", text=_xml_text(tag), title=_xml_text(tag))
        for feed in members:
            _feed_outline(folder, feed)
    for feed in feeds:
        if not feed.tags:
            _feed_outline(body, feed)
    etree.indent(root, space="  ")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def _feed_outline(parent: Any, feed: ExportFeed) -> None:
    from lxml import etree

    etree.SubElement(parent, "outline", type="rss", text=_xml_text(feed.name), title=_xml_text(feed.name), xmlUrl=feed.url)


def _xml_text(value: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: they are replaced."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", value)
