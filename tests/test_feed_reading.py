"""The fast reading of feeds (lxml) gives exactly the entries feedparser's reading gives, or
declines the feed, which feedparser then reads as before.

Golden: every feed file in tests/data (real sites' feeds, the news site's, feedparser's own
well-formed RSS, RDF and Atom tests, and the hostile corpus), with no headers and with the
headers its test names, read both ways: where the fast reading takes a feed, the FeedResults
are equal. Then one test per kind of feed it declines, and the imports: feedparser is loaded
only when a feed needs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.fetch._feeds import parse_feed, read_with_feedparser
from newsdesk.fetch._xmlfeed import read_feed
from tests.feed_headers import corpus_headers

DATA = Path(__file__).parent / "data"
URL = "http://127.0.0.1:8000/feeds/news.xml"


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (DATA / folder).rglob("*") if p.is_file() and not p.name.startswith(("LICENSE", "README"))
                  and p.suffix != ".json")


def _fast(body: bytes, headers: dict[str, str] | None = None) -> bool:
    return read_feed(body, {k.lower(): v for k, v in (headers or {}).items()}) is not None


@pytest.mark.parametrize(("folder", "at_least"), [("newsite", 8), ("feeds", 15), ("feedparser_wellformed", 500), ("hostile_feeds", 15)])
def test_the_fast_reading_gives_what_feedparser_gives_or_declines(folder: str, at_least: int) -> None:
    read_fast = 0
    different = []
    for path in _files(folder):
        body = path.read_bytes()
        for headers in ({}, corpus_headers(str(path.relative_to(DATA)), body)):
            if not body.strip() or not _fast(body, headers):
                continue
            read_fast += 1
            if parse_feed(body, URL, headers) != read_with_feedparser(body, URL, headers):
                different.append(f"{path.relative_to(DATA)} {headers}")
    assert different == []
    assert read_fast >= at_least  # the comparison compared something


@pytest.mark.parametrize("name", [
    "newsite/rss.xml", "newsite/atom.xml", "newsite/rss-full-text.xml", "newsite/atom-full-text.xml",
    "feeds/rss-parser__heise.atom", "feeds/feed-rs__rss_2.0_ilgiornale.xml", "feeds/feedjira__google_alerts_atom.xml",
    "feeds/rss-parser__content-encoded.rss", "feeds/node-feedparser__category-feed.xml",
    "hostile_feeds/miniflux/parser__rdf_UTF8.xml", "hostile_feeds/miniflux/parser__large_atom.xml",
])
def test_common_feeds_are_read_fast_with_their_stories(name: str) -> None:
    body = (DATA / name).read_bytes()
    headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
    assert _fast(body, headers)
    result = parse_feed(body, URL, headers)
    assert result.title and result.entries and all(e.title and e.link for e in result.entries)
    assert result == read_with_feedparser(body, URL, headers)


def _rss(item: str = "", channel: str = "", declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (f'{declaration}\n<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
            f"<title>World desk</title>{channel}<item><title>Talks resume</title>"
            "<link>https://example.com/a/1</link><guid isPermaLink=\"false\">urn:a:1</guid>"
            f"<pubDate>Mon, 15 Apr 2024 10:00:00 GMT</pubDate><description>Both sides met.</description>{item}</item>"
            "</channel></rss>").encode()


def _atom(entry: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>World desk</title>'
            "<author><name>Desk</name></author><entry><title>Talks resume</title><id>urn:a:1</id>"
            f'<link href="https://example.com/a/1"/><updated>2024-04-15T10:00:00Z</updated>{entry}</entry></feed>').encode()


def test_a_plain_feed_is_read_fast_as_feedparser_reads_it() -> None:
    for body in (_rss(), _atom()):
        assert _fast(body)
        result = parse_feed(body, URL)
        assert result == read_with_feedparser(body, URL)
        assert [e.title for e in result.entries] == ["Talks resume"]
        published = result.entries[0].published
        assert published is not None and published.isoformat() == "2024-04-15T10:00:00+00:00"
    assert parse_feed(_atom(), URL).entries[0].author == "Desk"  # Atom: the feed's author is every entry's


DECLINED = {
    "not well-formed": _rss(item="<b>bold</description>"),
    "an unknown root": b'<?xml version="1.0"?><opml version="2.0"><body/></opml>',
    "Atom 0.3": b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title></feed>',
    "ISO-8859-1 bytes": _rss(declaration='<?xml version="1.0" encoding="iso-8859-1"?>').replace(b"Both", b"Caf\xe9"),
    "a DOCTYPE with entities": _rss(declaration='<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]>'),
    "xml:base": _rss().replace(b"<channel>", b'<channel xml:base="https://example.com/">'),
    "a date in another form": _rss().replace(b"Mon, 15 Apr 2024 10:00:00 GMT", b"Sat, Dec 16 2023 02:02:33 PM"),
    "base64 content": _atom('<content type="application/octet-stream">aGVsbG8=</content>'),
    "xhtml content": _atom('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div></content>'),
    "markup inside a description": _rss(channel="").replace(b"Both sides met.", b"<p>Both sides met.</p>"),
    "a C1 control (windows-1252 to feedparser)": _rss().replace(b"Both", "\u0093Both\u0094".encode()),
    "UTF-8 read as Latin-1 (feedparser repairs it)": _rss().replace(b"Both", "CafÃ©".encode()),
    "a repeated title": _rss(item="<title>Again</title>"),
    "media:title (a title to feedparser)": _rss(item="<media:title>Photo</media:title>"),
    "an entity-like link (rewritten by feedparser)": _rss().replace(b"/a/1</link>", b"/a/1?x=1&amp;copy;</link>"),
}


@pytest.mark.parametrize("kind", list(DECLINED))
def test_feeds_it_is_not_sure_of_are_declined_and_read_by_feedparser(kind: str) -> None:
    body = DECLINED[kind]
    assert not _fast(body)
    assert parse_feed(body, URL) == read_with_feedparser(body, URL)


def test_text_xml_without_a_charset_is_declined_unless_ascii() -> None:
    """RFC 3023: text/xml without a charset is US-ASCII to feedparser, whatever the document says."""
    text_xml = {"Content-Type": "text/xml"}
    assert _fast(_rss(), text_xml)
    accented = _rss().replace(b"Both", "Côté".encode())
    assert not _fast(accented, text_xml)
    assert _fast(accented, {"Content-Type": "text/xml; charset=utf-8"})
    assert parse_feed(accented, URL, text_xml) == read_with_feedparser(accented, URL, text_xml)


# Pieces a real feed holds, or that change how feedparser reads it, spliced into real feeds.
_PIECES = [
    b"<title>Another</title>", b"<description>Text &amp; more</description>", b"<link>https://example.com/x</link>",
    b'<link href="https://example.com/y"/>', b'<link rel="enclosure" href="https://example.com/z.mp3"/>',
    b'<guid isPermaLink="true">https://example.com/g</guid>', b"<guid>urn:g:1</guid>", b"<id>urn:x</id>",
    b"<author>desk@example.com (Desk)</author>", b"<dc:creator>Desk</dc:creator>", b"<author><name>A</name></author>",
    b"<pubDate>Tue, 16 Apr 2024 08:00:00 +0200</pubDate>", b"<updated>2024-04-16T08:00:00.5+02:00</updated>",
    b"<published>2024-04-16</published>", b"<dc:date>2024-04-16T08:00:00Z</dc:date>",
    b"<content:encoded><![CDATA[<p>Full</p>]]></content:encoded>", b'<content type="html">&lt;p&gt;Full&lt;/p&gt;</content>',
    b"<summary>Short</summary>", b"<category>World</category>", b"<media:title>Photo</media:title>",
    b'<media:content url="https://example.com/p.jpg"/>', b"<image><title>Logo</title><url>https://example.com/l.png</url></image>",
    b"<!-- a comment -->", b"<![CDATA[ raw <b> ]]>", b"&amp;copy;", b"&#147;", "é".encode(), "Ã©".encode(),
    b"\x80", "\u0093".encode(), b"<b>bold</b>", b"  ", b"<item>", b"</item>", b"<entry>", b"</entry>", b"<source>S</source>",
    b'<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">T</div></title>', b'xml:lang="fr"',
]
_FUZZED = [(DATA / name).read_bytes() for name in ("newsite/rss.xml", "newsite/atom.xml", "hostile_feeds/miniflux/parser__rdf_UTF8.xml")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(_FUZZED))),
       st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40), st.sampled_from(_PIECES)), min_size=1, max_size=6))
def test_a_feed_with_pieces_spliced_in_is_read_alike_or_declined(which: int, splices: list[tuple[float, int, bytes]]) -> None:
    body = _FUZZED[which]
    for where, cut, piece in splices:
        at = int(where * len(body))
        body = body[:at] + piece + body[at + cut:]
    if _fast(body):
        assert parse_feed(body, URL) == read_with_feedparser(body, URL)


_IMPORTS = """
import sys
from newsdesk.fetch import parse_feed
result = parse_feed(open(sys.argv[1], "rb").read(), "http://127.0.0.1/feed.xml")
print(len(result.entries), "feedparser" in sys.modules)
"""


@pytest.mark.parametrize(("name", "loaded"), [("newsite/rss.xml", False), ("feeds/feed-rs__rss_2.0_nbcny.xml", True)])
def test_feedparser_is_imported_only_for_a_feed_the_fast_reading_declines(name: str, loaded: bool) -> None:
    done = subprocess.run([sys.executable, "-c", _IMPORTS, str(DATA / name)], capture_output=True, text=True, timeout=60, check=True)
    count, imported = done.stdout.split()
    assert int(count) > 0 and imported == str(loaded)
