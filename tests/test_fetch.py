"""Downloading and reading feeds and pages, against a real HTTP server on 127.0.0.1.

Golden pairs: each feed in tests/data/feeds has NAME.expected.json with what newsdesk must
read from it (outcome, title, entries). Regenerate after a deliberate change with
`NEWSDESK_REGEN_GOLDEN=1 python -m pytest tests/test_fetch.py` and review the diff.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from newsdesk.config import Settings
from newsdesk.errors import FetchError
from newsdesk.fetch import FeedRequest, Fetcher, normalise_link, parse_feed
from newsdesk.types import FeedOutcome, FeedResult
from tests.httpserver import LocalServer

FEEDS = Path(__file__).parent / "data" / "feeds"
FEED_FILES = sorted(p.name for p in FEEDS.iterdir() if not p.name.startswith("LICENSE") and not p.name.endswith(".json"))

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://x/</link>
<item><title>One &amp; only</title><link>/a/1?utm_source=rss</link>
<description>&lt;p&gt;First para.&lt;/p&gt;&lt;p&gt;Second &lt;b&gt;bold&lt;/b&gt; para.&lt;/p&gt;</description></item>
<item><title>Two</title><guid>urn:two</guid><link>http://x/a/2</link><pubDate>Sun, 14 Apr 2024 09:00:00 GMT</pubDate></item>
<item><title>Two again</title><guid>urn:two</guid></item>
</channel></rss>"""


def _golden(result: FeedResult) -> dict[str, object]:
    return {
        "outcome": str(result.outcome),
        "title": result.title,
        "error": result.error,
        "entries": len(result.entries),
        "first": [
            {
                "key": e.key, "title": e.title, "link": e.link, "author": e.author,
                "published": e.published.isoformat() if e.published else None,
                "summary": e.summary[:200], "content": e.content[:200],
            }
            for e in result.entries[:3]
        ],
    }


@pytest.mark.parametrize("name", FEED_FILES)
def test_real_feeds_golden(http_server: LocalServer, name: str) -> None:
    http_server.add(f"/{name}", (FEEDS / name).read_bytes(), headers={"Content-Type": "application/xml"})
    result = _fetch(http_server, f"/{name}")
    actual = _golden(result)
    expected_file = FEEDS / f"{name}.expected.json"
    if os.environ.get("NEWSDESK_REGEN_GOLDEN"):
        expected_file.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(expected_file.read_text(encoding="utf-8"))


def _fetch(server: LocalServer, path: str, req: FeedRequest | None = None, **settings: object) -> FeedResult:
    import asyncio

    async def go() -> FeedResult:
        async with Fetcher(Settings(**settings)) as fetcher:  # type: ignore[arg-type]
            return await fetcher.fetch_feed(req or FeedRequest(server.url(path)))

    return asyncio.run(go())


def _page(server: LocalServer, path: str, **settings: object) -> str | None:
    import asyncio

    async def go() -> str | None:
        async with Fetcher(Settings(**settings)) as fetcher:  # type: ignore[arg-type]
            return await fetcher.fetch_page(server.url(path))

    return asyncio.run(go())


def test_entries_are_plain_text_with_keys_links_and_dates(http_server: LocalServer) -> None:
    http_server.add("/feed.xml", RSS)
    result = _fetch(http_server, "/feed.xml")
    assert result.outcome is FeedOutcome.OK and result.title == "T"
    one, two = result.entries  # the duplicate GUID is dropped
    assert one.title == "One & only"
    assert one.summary == "First para.\n\nSecond bold para."
    assert one.link == http_server.url("/a/1?utm_source=rss")  # relative: resolved against the feed
    assert one.key == http_server.url("/a/1")  # no GUID: the normalised link
    assert two.key == "urn:two"
    assert two.published is not None and two.published.isoformat() == "2024-04-14T09:00:00+00:00"


def test_conditional_get_answers_not_modified(http_server: LocalServer) -> None:
    http_server.add("/feed.xml", RSS)
    first = _fetch(http_server, "/feed.xml")
    assert first.etag and first.last_modified
    second = _fetch(http_server, "/feed.xml", FeedRequest(http_server.url("/feed.xml"), first.etag, first.last_modified))
    assert second.outcome is FeedOutcome.NOT_MODIFIED and second.entries == []
    assert http_server.hits("/feed.xml", 304) == 1
    sent = http_server.requests[-1][1]
    assert sent["If-None-Match"] == first.etag
    assert sent["User-Agent"].startswith("newsdesk/")
    assert "gzip" in sent["Accept-Encoding"]


def test_http_errors_say_the_status(http_server: LocalServer) -> None:
    http_server.add("/gone.xml", b"gone", status=410)
    http_server.add("/boom.xml", b"boom", status=500)
    assert _fetch(http_server, "/gone.xml").outcome == FeedOutcome.GONE
    boom = _fetch(http_server, "/boom.xml")
    assert (boom.outcome, boom.http_status, boom.error) == (FeedOutcome.HTTP_ERROR, 500, "HTTP 500 Internal Server Error")


def test_connection_refused_is_a_network_error() -> None:
    import asyncio

    async def go() -> FeedResult:
        async with Fetcher(Settings()) as fetcher:
            return await fetcher.fetch_feed(FeedRequest("http://127.0.0.1:1/feed.xml"))

    result = asyncio.run(go())
    assert result.outcome is FeedOutcome.NETWORK_ERROR
    assert result.error is not None and "refused" in result.error


def test_a_stalling_server_times_out(http_server: LocalServer) -> None:
    http_server.add("/slow.xml", RSS, delay=2.0)
    result = _fetch(http_server, "/slow.xml", timeout_seconds=0.3)
    assert result.outcome is FeedOutcome.TIMEOUT
    assert result.error == "no answer within 0.3 s"


def test_redirects_are_followed(http_server: LocalServer) -> None:
    http_server.add("/old.xml", b"", status=301, headers={"Location": "/new.xml"}, conditional=False)
    http_server.add("/new.xml", RSS)
    result = _fetch(http_server, "/old.xml")
    assert result.outcome is FeedOutcome.OK
    assert result.final_url == http_server.url("/new.xml")


def test_a_body_over_the_limit_is_not_read(http_server: LocalServer) -> None:
    http_server.add("/huge.xml", b"<rss>" + b" " * 300_000, conditional=False)
    result = _fetch(http_server, "/huge.xml", max_feed_bytes=100_000)
    assert result.outcome is FeedOutcome.TOO_LARGE


def test_a_gzip_bomb_is_cut_off(http_server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)
    http_server.add("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"}, conditional=False)
    result = _fetch(http_server, "/bomb.xml", max_feed_bytes=1_000_000)
    assert result.outcome is FeedOutcome.TOO_LARGE


def test_a_web_page_is_not_a_feed(http_server: LocalServer) -> None:
    http_server.add("/index.html", b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>",
                    headers={"Content-Type": "text/html"})
    result = _fetch(http_server, "/index.html")
    assert (result.outcome, result.error) == (FeedOutcome.PARSE_ERROR, "this is a web page, not a feed")


def test_empty_and_garbage_bodies() -> None:
    assert parse_feed(b"", "http://x/f").error == "the server sent an empty answer, not a feed"
    garbage = parse_feed(b"\x00\xff<<<not xml", "http://x/f")
    assert garbage.outcome is FeedOutcome.PARSE_ERROR and garbage.error


def test_malformed_xml_still_yields_entries() -> None:
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Bad & co</title><item><title>Kept <b>story</title><link>http://x/1</link></item>'
    result = parse_feed(body, "http://x/f")
    assert result.outcome is FeedOutcome.OK
    assert [e.link for e in result.entries] == ["http://x/1"]
    assert result.error and result.error.startswith("the feed has errors but was read")


def test_an_atom_feeds_author_writes_its_entries_but_an_rss_channels_does_not() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title>
<author><name>Desk staff</name></author>
<entry><title>One</title><id>urn:1</id><link href="http://example.com/1"/></entry>
<entry><title>Two</title><id>urn:2</id><link href="http://example.com/2"/><author><name>Ann Lee</name></author></entry>
</feed>"""
    assert [e.author for e in parse_feed(atom, "http://example.com/feed").entries] == ["Desk staff", "Ann Lee"]
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>
<managingEditor>editor@example.com (The Editor)</managingEditor>
<item><title>One</title><link>http://example.com/1</link></item></channel></rss>"""
    assert [e.author for e in parse_feed(rss, "http://example.com/feed").entries] == [None]


def test_relative_links_resolve_against_the_feed(http_server: LocalServer) -> None:
    http_server.add("/news/feed.xml", RSS)
    result = _fetch(http_server, "/news/feed.xml")
    assert result.entries[0].link == http_server.url("/a/1?utm_source=rss")


def test_links_resolve_against_xml_base_and_the_feed() -> None:
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/"><title>Desk</title>
<entry><title>One</title><id>urn:1</id><link href="posts/one"/></entry>
<entry xml:base="https://cdn.example.org/"><title>Two</title><id>urn:2</id><link href="two"/></entry>
<entry><title>Three</title><id>urn:3</id><link href="https://example.net/three"/></entry>
</feed>"""
    links = [e.link for e in parse_feed(atom, "https://example.com/feeds/atom.xml").entries]
    assert links == ["https://example.com/blog/posts/one", "https://cdn.example.org/two", "https://example.net/three"]


def test_an_entry_link_urllib_cannot_read_is_no_link_and_the_feed_still_reads() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>
<item><title>Bracket</title><guid>urn:1</guid><link>http://[example.com/1</link></item>
<item><title>Port</title><guid>urn:2</guid><link>http://example.com:99999/2</link></item>
<item><title>Fine</title><guid>urn:3</guid><link>http://example.com/3</link></item>
</channel></rss>"""
    result = parse_feed(rss, "http://example.com/feed")
    assert result.outcome is FeedOutcome.OK
    assert [(e.title, e.link) for e in result.entries] == [("Bracket", None), ("Port", None), ("Fine", "http://example.com/3")]


def test_control_characters_in_an_entrys_html_do_not_stop_its_feed() -> None:
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title><item><title>T</title>'
           b"<guid>urn:1</guid><description><![CDATA[<p>one</p>\x01 two]]></description></item></channel></rss>")
    result = parse_feed(rss, "http://example.com/feed")
    assert result.outcome is FeedOutcome.OK
    assert [e.summary for e in result.entries] == ["one\n\ntwo"]


def test_only_http_urls_are_fetched() -> None:
    import asyncio

    async def go() -> tuple[FeedResult, str]:
        async with Fetcher(Settings()) as fetcher:
            feed = await fetcher.fetch_feed(FeedRequest("file:///etc/passwd"))
            try:
                await fetcher.fetch_page("file:///etc/passwd")
            except FetchError as exc:
                return feed, exc.reason
            return feed, ""

    feed, page_error = asyncio.run(go())
    assert feed.outcome is FeedOutcome.NETWORK_ERROR and "http" in (feed.error or "")
    assert "http" in page_error


def test_pages_are_decoded_by_their_charset(http_server: LocalServer) -> None:
    http_server.add("/latin.html", "<html><body><p>Café São Paulo</p></body></html>".encode("latin-1"),
                    headers={"Content-Type": "text/html; charset=iso-8859-1"})
    http_server.add("/meta.html", '<html><head><meta charset="windows-1251"></head><body>Москва</body></html>'.encode("cp1251"),
                    headers={"Content-Type": "text/html"})
    assert "Café São Paulo" in (_page(http_server, "/latin.html") or "")
    assert "Москва" in (_page(http_server, "/meta.html") or "")


def test_page_errors_name_the_problem(http_server: LocalServer) -> None:
    http_server.add("/photo.jpg", b"\xff\xd8", headers={"Content-Type": "image/jpeg"})
    with pytest.raises(FetchError, match="not a web page"):
        _page(http_server, "/photo.jpg")
    with pytest.raises(FetchError, match="HTTP 404"):
        _page(http_server, "/missing.html")


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTP://Example.COM:80/a?utm_source=x&id=3#frag", "http://example.com/a?id=3"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/a?fbclid=1", "https://example.com:8443/a"),
    ],
)
def test_normalise_link(url: str, normal: str) -> None:
    assert normalise_link(url) == normal


def test_a_page_gzip_bomb_is_cut_off_when_decoded_and_gzip_pages_decode(http_server: LocalServer) -> None:
    import zlib

    from newsdesk.errors import FetchError
    from newsdesk.fetch import decode_page
    from newsdesk.types import RawPage

    http_server.add("/bomb.html", gzip.compress(b"\0" * 20_000_000), headers={"Content-Encoding": "gzip", "Content-Type": "text/html"},
                    conditional=False)
    with pytest.raises(FetchError, match="larger than 1 MB"):
        _page(http_server, "/bomb.html", max_page_bytes=1024 * 1024)
    page = "<html><body><p>Zürich</p></body></html>".encode("latin-1")
    for coding, body in (("gzip", gzip.compress(page)), ("deflate", zlib.compress(page)), ("", page)):
        raw = RawPage("http://127.0.0.1/p", body, coding, "text/html; charset=iso-8859-1")
        assert "Zürich" in decode_page(raw, 1000)
    with pytest.raises(FetchError, match="compressed as 'br'"):
        decode_page(RawPage("http://127.0.0.1/p", b"x", "br", "text/html"), 1000)


def test_not_modified_answers_keep_the_connection_alive(http_server: LocalServer) -> None:
    import asyncio

    http_server.add("/feed.xml", b'<rss version="2.0"><channel><title>T</title></channel></rss>',
                    headers={"Content-Type": "application/rss+xml"})
    first = _fetch(http_server, "/feed.xml")

    async def go() -> list[FeedResult]:
        async with Fetcher(Settings()) as fetcher:
            request = FeedRequest(http_server.url("/feed.xml"), etag=first.etag)
            return [await fetcher.fetch_feed(request) for _ in range(5)]

    before = http_server.connections
    results = asyncio.run(go())
    assert {r.outcome for r in results} == {FeedOutcome.NOT_MODIFIED}
    assert http_server.connections - before == 1


def test_a_connection_the_server_closed_while_idle_is_not_used_again(http_server: LocalServer) -> None:
    # Servers close idle keep-alive connections (after a few seconds, say) without a word:
    # the next download must notice and open a new one, not fail on the closed one.
    import asyncio

    http_server.add("/feed.xml", RSS, headers={"Content-Type": "application/rss+xml"}, hang_up=True)

    async def go() -> list[FeedResult]:
        results = []
        async with Fetcher(Settings()) as fetcher:
            for _ in range(3):
                results.append(await fetcher.fetch_feed(FeedRequest(http_server.url("/feed.xml"))))
                await asyncio.sleep(0.05)  # the server's close arrives
        return results

    before = http_server.connections
    results = asyncio.run(go())
    assert [r.outcome for r in results] == [FeedOutcome.OK] * 3, [r.error for r in results]
    assert http_server.connections - before == 3


def test_https_feeds_and_pages_are_fetched_over_verified_tls() -> None:
    # Every real feed is https: the connection (newsdesk's asyncio stream under httpcore's pool)
    # goes through TLS, and a certificate nobody vouches for is refused.
    import asyncio
    import ssl

    import trustme

    ca = trustme.CA()
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(served)
    trusted = ssl.create_default_context()
    ca.configure_trust(trusted)
    server = LocalServer(tls=served).start()
    try:
        server.add("/feed.xml", RSS, headers={"Content-Type": "application/rss+xml"})
        server.add("/a/1", "<html><body><article><p>" + "Words of the story. " * 40 + "</p></article></body></html>",
                   headers={"Content-Type": "text/html; charset=utf-8"})

        async def go(tls: ssl.SSLContext | None) -> tuple[FeedResult, str | None]:
            async with Fetcher(Settings(), tls=tls) as fetcher:
                feed = await fetcher.fetch_feed(FeedRequest(server.url("/feed.xml")))
                page = await fetcher.fetch_page(server.url("/a/1")) if feed.outcome is FeedOutcome.OK else None
                return feed, page

        feed, page = asyncio.run(go(trusted))
        assert feed.outcome is FeedOutcome.OK and feed.entries
        assert page is not None and "Words of the story." in page
        refused, _ = asyncio.run(go(None))  # the certificates newsdesk trusts do not know the test CA
        assert refused.outcome is FeedOutcome.NETWORK_ERROR and "certificate verify failed" in (refused.error or "")

    finally:
        server.stop()

