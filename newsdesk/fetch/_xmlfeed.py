"""The common feed read fast: well-formed RSS 2.0 and 0.9x, RSS 1.0 (RDF) and Atom 1.0 in
UTF-8, read with lxml into what feedparser makes of the same bytes, or declined.

feedparser spends 95% of a feed's parse in Python SAX handlers, a call per element and per
piece of text: for the feeds most sites serve, this reading in lxml gives the same entries in
a fraction of the CPU. It is only a shortcut: whatever it is not sure it reads exactly as
feedparser does (a feed that is not well-formed, a DOCTYPE or entity, an encoding other than
UTF-8 or plain ASCII, xml:base, an element whose meaning to feedparser it does not follow, a
date outside the two common forms, markup inside a text element, Atom's xhtml or base64
content, a text feedparser would repair as mis-decoded UTF-8 or as windows-1252...) makes
`read_feed` return None, and the whole feed is read by feedparser as before. So a hostile or
ill-formed feed meets exactly the code it met before, with the same messages.

Element names are compared as feedparser compares them: namespaces it reads as RSS's or
Atom's own count as no namespace, every name lower-cased, a known extension namespace by its
usual prefix, an unknown one by the prefix the feed gives it. What is kept is raw text (the
caller turns HTML into plain text for both readings alike, in _feeds).
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry's fields as feedparser reports them (texts still HTML, link not yet absolute)."""

    title: str
    link: str | None
    guid: str | None
    summary: str
    content: str
    author: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class RawFeed:
    """A feed as feedparser reports it: its title, its Atom author ("" for RSS), its entries."""

    title: str
    author: str
    entries: list[RawEntry]


class _Decline(Exception):
    """Something this reading does not follow exactly as feedparser does: feedparser reads it."""


_ATOM = "http://www.w3.org/2005/Atom"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RSS1 = "http://purl.org/rss/1.0/"
_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_RDF_ABOUT = "{" + _RDF + "}about"

# Namespaces feedparser reads as RSS's or Atom's own (their elements have no prefix for it);
# compared lower-cased, as it does, and any backend.userland.com/rss namespace too.
_CORE = {
    "", "http://backend.userland.com/rss", "http://blogs.law.harvard.edu/tech/rss", _RSS1, _RSS090,
    "http://example.com/newformat#", "http://example.com/necho", "http://purl.org/echo/", "uri/of/echo/namespace#",
    "http://purl.org/pie/", "http://purl.org/atom/ns#", _ATOM.lower(), "http://purl.org/rss/1.0/modules/rss091#",
}
# The extension namespaces whose elements feedparser gives a meaning touching an entry's
# fields, by the prefix it knows them by whatever prefix a feed uses.
_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc", "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/rss/1.0/modules/content/": "content", "http://www.w3.org/1999/xhtml": "xhtml",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes", "http://example.com/dtds/podcast-1.0.dtd": "itunes",
    "http://search.yahoo.com/mrss": "media", "http://search.yahoo.com/mrss/": "media", _RDF.lower(): "rdf",
}
# Extension elements feedparser reads as a title, summary, content, author, date or link (or
# that switch its reading to a publisher or a person), and keys it keeps parsed dates under:
# anywhere but where this reading handles them, the feed is declined.
_MEANINGFUL = {
    "dc_author", "dc_creator", "dc_date", "dc_description", "dc_title", "dc_contributor", "dcterms_issued",
    "dcterms_modified", "content_encoded", "xhtml_body", "itunes_author", "itunes_summary", "itunes_owner",
    "itunes_name", "itunes_email", "media_title", "media_description",
    "published_parsed", "updated_parsed", "date_parsed", "modified_parsed", "issued_parsed",
}
# Extension elements feedparser reads as text (Atom's rights or subtitle): markup inside one
# would be rebuilt as XHTML, and its end tags still run handlers.
_TEXTLIKE = {"dc_rights", "itunes_subtitle", "feedburner_browserfriendly"}

# What each element means where it stands (names as _name gives them).
_TITLE, _LINK, _SUMMARY, _CONTENT, _GUID, _PUBLISHED, _UPDATED, _AUTHOR, _PERSON = range(9)
_LEAF, _CONTRIBUTOR, _ITEM, _IMAGE, _TEXTINPUT, _SKIP, _ITEMS = range(9, 16)

_RSS_ITEM = {
    "title": _TITLE, "link": _LINK, "description": _SUMMARY, "guid": _GUID, "pubdate": _PUBLISHED,
    "author": _AUTHOR, "dc_creator": _AUTHOR, "dc_author": _AUTHOR, "dc_date": _UPDATED, "id": _GUID,
    "published": _PUBLISHED, "updated": _UPDATED, "content_encoded": _CONTENT, "category": _LEAF, "comments": _LEAF, "enclosure": _LEAF,
}
_ATOM_ENTRY = {
    "title": _TITLE, "link": _LINK, "summary": _SUMMARY, "content": _CONTENT, "id": _GUID, "published": _PUBLISHED,
    "updated": _UPDATED, "author": _PERSON, "dc_creator": _AUTHOR, "contributor": _CONTRIBUTOR, "category": _LEAF,
    "rights": _LEAF,
}
_RSS_CHANNEL = {
    "title": _TITLE, "item": _ITEM, "link": _LEAF, "description": _LEAF, "language": _LEAF, "copyright": _LEAF,
    "managingeditor": _LEAF, "webmaster": _LEAF, "pubdate": _LEAF, "lastbuilddate": _LEAF, "category": _LEAF,
    "generator": _LEAF, "docs": _LEAF, "cloud": _LEAF, "ttl": _LEAF, "rating": _LEAF, "image": _IMAGE,
    "textinput": _TEXTINPUT, "skiphours": _SKIP, "skipdays": _SKIP, "id": _LEAF, "updated": _LEAF, "dc_date": _LEAF,
    "dc_creator": _LEAF,
}
# An RSS 1.0 channel's author would be taken for every entry's when its document happens to
# declare Atom's namespace first (feedparser then calls it Atom): not followed, declined.
_RDF_CHANNEL = {k: v for k, v in _RSS_CHANNEL.items() if k not in ("item", "managingeditor", "webmaster", "dc_creator")} | {"items": _ITEMS}
_ATOM_FEED = {
    "title": _TITLE, "entry": _ITEM, "author": _PERSON, "link": _LEAF, "id": _LEAF, "updated": _LEAF,
    "subtitle": _LEAF, "rights": _LEAF, "generator": _LEAF, "icon": _LEAF, "logo": _LEAF, "category": _LEAF,
    "contributor": _CONTRIBUTOR,
}
_IMAGE_PARTS = {"url", "title", "link", "width", "height", "description"}
_TEXTINPUT_PARTS = {"title", "description", "name", "link"}
_SKIP_PARTS = {"hour", "day"}
_PERSON_PARTS = {"name", "email", "uri"}
_LINK_ATTRIBUTES = {"href", "url", "uri", "rel", "type"}
_TEXT_TYPES = {"text", "html", "text/plain", "text/html"}

_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_UNSAFE = re.compile(rb"<!(?i:doctype|entity)|base\s*=")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)
_UTF8 = {"utf-8", "utf8"}
_ASCII_SAFE = _UTF8 | {"us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252"}
_C1 = re.compile("[\x80-\x9f]")
_URI_SLASHES = re.compile(r"[A-Za-z][A-Za-z0-9+,.-]*:///")
_LINK_ENTITY = re.compile(r"&[A-Za-z0-9_]+;")
_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d\d:\d\d:\d\d (?:GMT|UTC?|Z|[ECMP][SD]T|[+-]\d{4})")
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")


def read_feed(body: bytes, headers: Mapping[str, str]) -> RawFeed | None:
    """The feed as feedparser would report it, or None when this reading is not sure of it.

    `headers`: the answer's headers feedparser is given (lower-case names), for the charset.
    """
    if not _utf8_agrees(body, headers) or _UNSAFE.search(body):
        return None
    # No entity is expanded, nothing is fetched, no tree deeper or texts longer than libxml2's
    # default limits: a hostile feed fails here and feedparser's reading decides what it is.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return None
    if len(parser.error_log):  # a namespace error expat would refuse
        return None
    try:
        return _Reader().feed(root)
    except _Decline:
        return None


def _utf8_agrees(body: bytes, headers: Mapping[str, str]) -> bool:
    """feedparser and lxml decode these bytes alike: as UTF-8, or as ASCII that any label reads."""
    if not body[:1].isspace() and body[:1] != b"<":  # a byte-order mark, UTF-16, junk: feedparser sniffs
        return False
    ascii_only = body.isascii()
    allowed = _ASCII_SAFE if ascii_only else _UTF8
    found = _DECLARATION.match(body.lstrip())
    declared = found.group(1).decode("ascii", "replace").lower() if found else ""
    if declared and declared not in allowed:
        return False
    content_type = headers.get("content-type")
    if content_type is None:
        # Headers without a Content-Type: feedparser assumes ISO-8859-1 when nothing is declared.
        return ascii_only or bool(declared) or not headers
    media = content_type.partition(";")[0].strip().lower()
    charsets = _CHARSET.findall(content_type)
    if len(charsets) > 1:
        return False
    if charsets:
        return charsets[0].lower() in allowed
    # text/* without a charset is US-ASCII to feedparser (RFC 3023).
    return ascii_only or not media.startswith("text/")


class _Reader:
    """One feed's reading; `_names` caches each tag's name as feedparser sees it."""

    def __init__(self) -> None:
        self._names: dict[tuple[str, str | None], str] = {}

    def feed(self, root: etree._Element) -> RawFeed:
        tag = root.tag
        if tag == "rss":
            channels = [c for c in self._children(root) if self._name(c) == "channel"]
            if len(channels) != 1 or len(channels) != sum(1 for _ in self._children(root)):
                raise _Decline
            return self._rss(channels[0], channels[0], _RSS_CHANNEL)
        if tag == "{" + _RDF + "}RDF":
            children = list(self._children(root))
            if not children or self._name(children[0]) != "channel":
                raise _Decline  # a title before the channel's would hide it from feedparser
            return self._rss(children[0], root, _RDF_CHANNEL)
        if tag == "{" + _ATOM + "}feed":
            # feedparser names a document's format after the first feed namespace it declares.
            if any((uri or "").lower() in (_RSS1, _RSS090) for uri in root.nsmap.values()):
                raise _Decline
            return self._atom(root)
        raise _Decline

    def _rss(self, channel: etree._Element, items_parent: etree._Element, allowed: dict[str, int]) -> RawFeed:
        self._no_attributes(channel, _RDF_ABOUT)
        title = self._channel(channel, allowed)
        entries: list[RawEntry] = []
        if items_parent is not channel:  # RSS 1.0: the items, image and text input beside the channel
            for child in self._children(items_parent):
                name = self._name(child)
                if child is channel:
                    continue
                if name == "item":
                    entries.append(self._entry(child, _RSS_ITEM))
                elif name == "image":
                    self._parts(child, _IMAGE_PARTS)
                elif name == "textinput":
                    self._parts(child, _TEXTINPUT_PARTS)
                else:
                    self._inert(child)
        else:
            entries = [self._entry(item, _RSS_ITEM) for item in self._children(channel) if self._name(item) == "item"]
        return RawFeed(title=title, author="", entries=entries)

    def _channel(self, channel: etree._Element, allowed: dict[str, int]) -> str:
        """The channel's title, once every element of it is known to be harmless."""
        title = None
        for child in self._children(channel):
            role = allowed.get(self._name(child))
            if role is None:
                self._inert(child)
            elif role == _TITLE:
                title = _once(title, self._text(child))
            elif role == _LEAF:
                self._leaf(child)
            elif role == _IMAGE:
                self._parts(child, _IMAGE_PARTS)
            elif role == _TEXTINPUT:
                self._parts(child, _TEXTINPUT_PARTS)
            elif role == _SKIP:
                self._parts(child, _SKIP_PARTS)
            elif role == _ITEMS:
                self._inert_children(child)
        return title or ""

    def _atom(self, root: etree._Element) -> RawFeed:
        title = None
        author = None
        entries: list[RawEntry] = []
        for child in self._children(root):
            role = _ATOM_FEED.get(self._name(child))
            if role is None:
                self._inert(child)
            elif role == _ITEM:
                entries.append(self._entry(child, _ATOM_ENTRY))
            elif role == _TITLE:
                title = _once(title, self._text(child, typed=True))
            elif role == _PERSON:
                author = _once(author, self._person(child))
            elif role == _LEAF:
                self._leaf(child)
            elif role == _CONTRIBUTOR:
                self._parts(child, _PERSON_PARTS)
        return RawFeed(title=title or "", author=author or "", entries=entries)

    def _entry(self, item: etree._Element, allowed: dict[str, int]) -> RawEntry:
        """An item or entry, following feedparser's order rules: the last link wins; a GUID
        (permalink unless it says otherwise; an Atom id always) is the link when none came
        before it; the summary is the content's when the entry has none."""
        guid = self._no_attributes(item, _RDF_ABOUT)  # RSS 1.0's rdf:about is the GUID
        seen: set[int] = set()
        title = summary = content = author = ""
        link: str | None = None
        published = updated = None
        for child in self._children(item):
            role = allowed.get(self._name(child))
            if role is None:
                self._inert(child)
                continue
            field = _AUTHOR if role == _PERSON else role
            if field in seen and field not in (_LINK, _LEAF, _CONTRIBUTOR):
                raise _Decline  # feedparser's rules for a repeated field depend on depth and order
            seen.add(field)
            if role == _TITLE:
                title = self._text(child, typed=True)
            elif role == _LINK:
                link = self._link(child, link)
            elif role == _SUMMARY:
                summary = self._text(child, typed=True)
            elif role == _CONTENT:
                content = self._text(child, typed=True)
            elif role == _GUID:
                guid, permalink = self._guid(child)
                if permalink and link is None:
                    link = guid
            elif role == _PUBLISHED:
                published = _date(self._text(child))
            elif role == _UPDATED:
                updated = _date(self._text(child))
            elif role == _AUTHOR:
                author = self._text(child)
            elif role == _PERSON:
                author = self._person(child)
            elif role == _LEAF:
                self._leaf(child)
            elif role == _CONTRIBUTOR:
                self._parts(child, _PERSON_PARTS)
        if _SUMMARY not in seen:
            summary = content
        return RawEntry(title=title, link=link, guid=guid, summary=summary, content=content, author=author,
                        published=published or updated)

    def _link(self, el: etree._Element, link: str | None) -> str | None:
        """The entry's link after this element: RSS's text link, or an href link when it is an
        alternate HTML one (rel and type defaulted as feedparser defaults them)."""
        attrs = self._attributes(el)
        if "url" in attrs or "uri" in attrs:
            raise _Decline
        if "href" not in attrs:
            value = self._text(el)
            if _LINK_ENTITY.search(value):  # feedparser rewrites "&name;" in a link
                raise _Decline
            return _uri(value)
        self._leaf(el)
        rel = attrs.get("rel", "alternate").lower()
        kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
        if rel == "alternate" and kind in ("text/html", "html", "application/xhtml+xml", "xhtml"):
            return _uri(attrs["href"])
        return link

    def _guid(self, el: etree._Element) -> tuple[str, bool]:
        permalink = "true"
        for key, value in el.attrib.items():
            if key.lower() == "ispermalink":
                permalink = value
            elif key != _XML_LANG:
                raise _Decline
        if len(el):
            raise _Decline
        value = _checked((el.text or "").strip())
        if permalink == "true":
            return _uri(value), True
        return value, False

    def _person(self, el: etree._Element) -> str:
        """An Atom person as feedparser names it: "name (email)", the name, or the email."""
        self._no_attributes(el)
        if (el.text or "").strip():
            raise _Decline
        parts: dict[str, str] = {}
        for child in self._children(el):
            name = self._name(child)
            if (child.tail or "").strip() or name in parts:
                raise _Decline
            if name in _PERSON_PARTS:
                parts[name] = self._text(child)
            else:
                self._inert(child)
        name, mail = parts.get("name", ""), parts.get("email", "")
        if name and mail:
            return f"{name} ({mail})"
        return name or mail

    def _text(self, el: etree._Element, typed: bool = False) -> str:
        """A text element's text, stripped; `typed`: it may say type="text" or "html"."""
        for key, value in el.attrib.items():
            if key == _XML_LANG or (typed and key == "type" and value.lower() in _TEXT_TYPES):
                continue
            raise _Decline  # xhtml, base64, src= content, attributes feedparser would read
        if len(el):  # markup or a comment inside: feedparser would rebuild it as XHTML
            raise _Decline
        return _checked((el.text or "").strip())

    def _leaf(self, el: etree._Element) -> None:
        """An element whose text and attributes touch no entry; markup inside it would (inside
        a text element, feedparser rebuilds it as XHTML and its end tags still run handlers)."""
        if len(el):
            raise _Decline

    def _parts(self, el: etree._Element, parts: set[str]) -> None:
        for child in self._children(el):
            if self._name(child) not in parts:
                raise _Decline
            self._leaf(child)

    def _no_attributes(self, el: etree._Element, allowed: str = _XML_LANG) -> str | None:
        """Declines on any attribute but xml:lang and `allowed`; `allowed`'s value."""
        value = None
        for key, given in el.attrib.items():
            if key == allowed:
                value = given
            elif key != _XML_LANG:
                raise _Decline
        return value

    def _attributes(self, el: etree._Element) -> dict[str, str]:
        """Plain attributes as feedparser keys them (lower-cased); a namespaced one declines."""
        attrs: dict[str, str] = {}
        for key, value in el.attrib.items():
            if key.startswith("{"):  # feedparser keys one in an unknown namespace by its local name
                if key.rpartition("}")[2].lower() in _LINK_ATTRIBUTES:
                    raise _Decline
            elif key != key.lower():
                raise _Decline
            else:
                attrs[key] = value
        return attrs

    def _inert(self, el: etree._Element) -> None:
        """An extension element feedparser keeps only under its own name: nothing in it is
        RSS's or Atom's own, nor an extension it reads as one of an entry's fields."""
        for part in el.iter():
            if isinstance(part.tag, str):
                name = self._name(part)
                if "_" not in name or name in _MEANINGFUL or (name in _TEXTLIKE and len(part)):
                    raise _Decline

    def _inert_children(self, el: etree._Element) -> None:
        for child in self._children(el):
            self._inert(child)

    def _children(self, el: etree._Element) -> list[etree._Element]:
        """Elements only: comments and processing instructions, which feedparser skips, too."""
        return [child for child in el if isinstance(child.tag, str)]

    def _name(self, el: etree._Element) -> str:
        """The name feedparser dispatches the element on: "title", "dc_creator", "foo_bar"."""
        tag = el.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            raise _Decline
        key = (tag, el.prefix)
        name = self._names.get(key)
        if name is None:
            name = _feedparser_name(tag, el.prefix)
            self._names[key] = name
        return name


def _once(before: str | None, value: str) -> str:
    """A feed's title or author, declined when given twice (which one feedparser keeps depends
    on the depth of the elements between them)."""
    if before is not None:
        raise _Decline
    return value


def _feedparser_name(tag: str, prefix: str | None) -> str:
    if not tag.startswith("{"):
        return tag.lower()
    namespace, _, local = tag[1:].partition("}")
    lowered = namespace.lower()
    if lowered in _CORE or "backend.userland.com/rss" in lowered:
        return local.lower()
    known = _PREFIXES.get(lowered)
    if known is None:
        if prefix is None:  # an unknown default namespace: feedparser reads it as RSS's own
            return local.lower()
        known = prefix.lower()
    return f"{known}_{local.lower()}"


def _checked(text: str) -> str:
    """Declines a text feedparser would change: it maps C1 controls to windows-1252 and
    decodes again, as UTF-8, a text whose characters all fit in Latin-1."""
    if not text.isascii():
        if _C1.search(text):
            raise _Decline
        try:
            text.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return text
        raise _Decline
    return text


def _uri(value: str) -> str:
    if _URI_SLASHES.match(value):  # feedparser drops the slashes after "scheme://"
        raise _Decline
    return value


def _date(text: str) -> datetime | None:
    """A date in the two forms feeds use (RFC 822 and RFC 3339), to the second as feedparser
    keeps it; any other form declines (feedparser knows a dozen more)."""
    if not text:
        return None
    if _RFC822.fullmatch(text):
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (ValueError, TypeError):
            raise _Decline from None
        if when.tzinfo is None:  # "-0000": UTC to feedparser
            when = when.replace(tzinfo=UTC)
    elif _ISO.fullmatch(text):
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise _Decline from None
    else:
        raise _Decline
    if not 1900 <= when.year <= 2999:
        raise _Decline
    return when.astimezone(UTC).replace(microsecond=0)
