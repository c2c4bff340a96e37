"""An entry's page can do anything (redirect anywhere, send any header, claim any charset,
close the connection): it costs that entry its page and nothing else. The other entries of
its feed are stored, that entry keeps the feed's text with the reason in words, and the feed's
outcome is recorded. Real refreshes against a real local HTTP server."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsdesk.config import Config, parse_config
from newsdesk.refresh import refresh
from newsdesk.store import Store
from newsdesk.types import StoryDetail
from newsdesk.workers import Workers
from tests.httpserver import LocalServer

PAGE = (
    "<html><head><title>Good</title></head><body><article>"
    + "<p>The minister spoke about the harvest and the rain in the valley for a long time.</p>" * 12
    + "</article></body></html>"
).encode()
SUMMARY = "The feed's own words about the story, written for the feed."


def _feed(server: LocalServer, prefix: str, bad_link: str) -> bytes:
    items = (
        f"<item><title>Good</title><guid>{prefix}-good</guid><link>{server.url(f'/{prefix}/good.html')}</link>"
        f"<description>{SUMMARY}</description></item>"
        f"<item><title>Bad</title><guid>{prefix}-bad</guid><link>{escape(bad_link)}</link>"
        f"<description>{SUMMARY}</description></item>"
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()


def _config(server: LocalServer, prefix: str, tmp: Path, settings_toml: str = "") -> Config:
    path = tmp / f"{prefix}.toml"
    path.write_text(
        f"[settings]\ntimeout_seconds = 2\n{settings_toml}\n"
        f'[[feeds]]\nname = "F"\nurl = "{server.url(f"/{prefix}/feed.xml")}"\n',
        encoding="utf-8",
    )
    return parse_config(path.read_text(encoding="utf-8"), path)


def _refresh(server: LocalServer, prefix: str, bad_link: str, tmp: Path, workers: Workers | None = None) -> dict[str, StoryDetail]:
    """Refresh a feed of a good entry and a bad one; its stories by title, checked for what
    every hostile page must leave: both stored, the feed recorded as fetched."""
    server.add(f"/{prefix}/feed.xml", _feed(server, prefix, bad_link), headers={"Content-Type": "application/rss+xml"})
    server.add(f"/{prefix}/good.html", PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    config = _config(server, prefix, tmp)
    with Store(tmp / f"{prefix}.db") as store:
        store.sync_feeds(config.feeds)
        summary = asyncio.run(refresh(config, store, workers=workers))
        assert (summary.ok, summary.failed) == (1, 0), summary.problems
        [feed] = store.feeds()
        assert feed.last_outcome == "ok" and feed.failures == 0
        stories = {s.title: store.story(s.id) for s in store.list_stories(matched_only=False)}
    assert set(stories) == {"Good", "Bad"}
    good = stories["Good"]
    assert good is not None and good.text_source == "page" and "harvest" in good.text
    return {k: v for k, v in stories.items() if v is not None}


def _fell_back(story: StoryDetail, *words: str) -> None:
    assert story.text_source == "feed" and story.text == SUMMARY
    assert story.text_note, "the reason is said"
    for word in words:
        assert word in story.text_note, story.text_note


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ("javascript:alert(1)", ["javascript:", "not an http"]),
        ("mailto:editor@example.com", ["mailto:", "not an http"]),
        ("http:foo", ["HTTP 404"]),  # a relative reference of the same scheme (RFC 3986 5.2.2, as browsers read it)
        ("http://127.0.0.1:70000/x", ["port"]),
        ("http://[::1/x", ["address"]),
        ("http://exa mple.com/", ["host name"]),
        ("http://127.0.0.1:1/refused", ["connection refused"]),
        ("http://" + "a" * 20_000 + ".example/", ["longer than"]),
    ],
)
def test_a_page_redirecting_where_newsdesk_will_not_go_costs_that_entry_its_page_alone(
    http_server: LocalServer, tmp_path: Path, location: str, words: list[str]
) -> None:
    http_server.add("/r/bad.html", b"", status=302, headers={"Location": location}, conditional=False)
    stories = _refresh(http_server, "r", http_server.url("/r/bad.html"), tmp_path)
    _fell_back(stories["Bad"], "could not be downloaded", *words)


def test_an_entry_link_too_long_to_send_costs_that_entry_its_page_alone(http_server: LocalServer, tmp_path: Path) -> None:
    stories = _refresh(http_server, "long", http_server.url("/long/" + "x" * 70_000), tmp_path)
    _fell_back(stories["Bad"], "longer than")


@pytest.mark.parametrize("charset", ["idna", "undefined", "base64", "zlib_codec", "rot13", "no-such-charset"])
def test_a_page_in_a_charset_that_is_no_charset_is_read_as_utf8(http_server: LocalServer, tmp_path: Path, charset: str) -> None:
    http_server.add("/c/bad.html", PAGE.replace(b"harvest", b"olive grove"), headers={"Content-Type": f"text/html; charset={charset}"})
    stories = _refresh(http_server, "c", http_server.url("/c/bad.html"), tmp_path)
    bad = stories["Bad"]
    assert bad.text_source == "page" and "olive grove" in bad.text


@pytest.mark.parametrize(
    ("headers", "body", "words"),
    [
        ({"Content-Encoding": "br", "Content-Type": "text/html"}, b"\x00\x01", ["compressed as 'br'"]),
        ({"Content-Encoding": "gzip", "Content-Type": "text/html"}, b"not gzip at all", ["corrupt"]),
        (
            {"Content-Encoding": "gzip, gzip", "Content-Type": "text/html"},
            gzip.compress(gzip.compress(PAGE, mtime=0), mtime=0),
            ["compressed as"],
        ),
        ({"Content-Type": "image/png"}, b"\x89PNG", ["not a web page"]),
    ],
    ids=["br", "corrupt-gzip", "gzip-twice", "png"],
)
def test_a_page_that_cannot_be_decoded_says_why(
    http_server: LocalServer, tmp_path: Path, headers: dict[str, str], body: bytes, words: list[str]
) -> None:
    http_server.add("/d/bad.html", body, headers=headers, conditional=False)
    stories = _refresh(http_server, "d", http_server.url("/d/bad.html"), tmp_path)
    _fell_back(stories["Bad"], *words)


def test_match_on_hostile_urls_reports_each_and_never_crashes(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add("/js.html", b"", status=302, headers={"Location": "javascript:alert(1)"}, conditional=False)
    http_server.add("/idna.html", PAGE, headers={"Content-Type": "text/html; charset=idna"})
    config = tmp_path / "feeds.toml"
    config.write_text('[watchlist]\ncountries = ["France"]\n', encoding="utf-8")
    urls = [http_server.url("/js.html"), http_server.url("/idna.html"), "http://127.0.0.1:99999/", "http://[::1/",
            "http://127.0.0.1/" + "x" * 70_000]
    out = subprocess.run([sys.executable, "-m", "newsdesk", "match", "--config", str(config), *urls],
                         check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr  # some sources failed, and each is named
    assert "Traceback" not in out.stderr, out.stderr
    assert "javascript:" in out.stderr and "port" in out.stderr
    assert f"{http_server.url('/idna.html')}: no matches" in out.stdout


# ---------------------------------------------------------------- any page at all

_LOCATIONS = st.one_of(
    st.sampled_from([
        "javascript:alert(1)", "mailto:a@b.c", "http:foo", "https:", "//", "///x", "http://127.0.0.1:99999/",
        "http://[::1", "http://[fe80::1%eth0]/", "ftp://127.0.0.1/", "data:text/html,<b>x</b>", "file:///etc/passwd",
        "http://127.0.0.1:0/", "http://127.0.0.1:1/", "http://-x-.example/", "http://xn--/", "http://\u00e9\u00e9.\u00e9/",
        "/loop.html", "?q=\u00ff", "#frag", "http://user:pass@127.0.0.1:1/", "http://127.0.0.1:65536/",
    ]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\r\n"), max_size=80),
)
_CHARSETS = st.one_of(
    st.sampled_from(["idna", "undefined", "base64", "hex", "bz2", "zlib", "rot13", "uu", "quopri", "punycode", "utf-7",
                     "utf-16", "utf-32", "unicode_escape", "raw_unicode_escape", "mbcs", "cp65001", "x-user-defined",
                     "utf-8", "latin-1", "", "\"utf-8\"", "utf_8_sig", "shift_jis", "iso-2022-jp"]),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters=";\"'"), max_size=12),
)
_HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\r\n"), max_size=40)
_ANSWERS = st.fixed_dictionaries({
    "status": st.one_of(st.sampled_from([200, 301, 302, 303, 307, 308, 204, 304, 404, 410, 500, 999]), st.integers(100, 599)),
    "location": st.none() | _LOCATIONS,
    "charset": _CHARSETS,
    "content_type": st.sampled_from(["text/html", "application/xhtml+xml", "text/plain", "image/png", "", "text/html;;"]),
    "encoding": st.one_of(st.sampled_from(["", "gzip", "deflate", "identity", "br", "gzip, gzip", "x-gzip", "compress"]), _HEADER_TEXT),
    "extra": st.dictionaries(st.sampled_from(["Content-Length", "Transfer-Encoding", "Connection", "Content-Range", "X-A"]),
                             _HEADER_TEXT, max_size=2),
    "body": st.sampled_from(["page", "gzip", "deflate", "empty", "garbage", "huge"]) ,
    "link": st.sampled_from(["page", "redirect"]) | _LOCATIONS,
})


def _body(kind: str) -> bytes:
    import zlib

    return {
        "page": PAGE, "gzip": gzip.compress(PAGE, mtime=0), "deflate": zlib.compress(PAGE), "empty": b"",
        "garbage": bytes(range(256)) * 4, "huge": b"<p>" + b"x" * 3_000_000,
    }[kind]


@pytest.fixture(scope="module")
def page_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_workers() -> Iterator[Workers]:
    with Workers(1) as workers:
        yield workers


_PREFIXES = itertools.count()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_ANSWERS)
@example({"status": 302, "location": "javascript:alert(1)", "charset": "utf-8", "content_type": "text/html", "encoding": "",
          "extra": {}, "body": "empty", "link": "redirect"})
@example({"status": 200, "location": None, "charset": "idna", "content_type": "text/html", "encoding": "gzip",
          "extra": {}, "body": "gzip", "link": "page"})
@example({"status": 101, "location": None, "charset": "undefined", "content_type": "text/html", "encoding": "",
          "extra": {"Connection": "Upgrade"}, "body": "page", "link": "page"})
@example({"status": 200, "location": None, "charset": "utf-8", "content_type": "text/html", "encoding": "",
          "extra": {"Content-Length": "-1"}, "body": "page", "link": "page"})
def test_whatever_a_page_does_the_other_entries_are_stored_and_the_feed_recorded(
    page_server: LocalServer, shared_workers: Workers, answer: dict  # type: ignore[type-arg]
) -> None:
    prefix = f"p{next(_PREFIXES)}"
    headers = dict(answer["extra"])
    if answer["content_type"]:
        headers["Content-Type"] = f"{answer['content_type']}; charset={answer['charset']}"
    if answer["encoding"]:
        headers["Content-Encoding"] = answer["encoding"]
    if answer["location"] is not None:
        headers["Location"] = answer["location"]
    page_server.add(f"/{prefix}/bad.html", _body(answer["body"]), status=answer["status"], headers=headers, conditional=False)
    link = {"page": page_server.url(f"/{prefix}/bad.html")}.get(answer["link"], answer["link"])
    if answer["link"] == "redirect":
        page_server.add(f"/{prefix}/hop.html", b"", status=302, headers={"Location": f"/{prefix}/bad.html"}, conditional=False)
        link = page_server.url(f"/{prefix}/hop.html")
    with tempfile.TemporaryDirectory() as tmp:
        stories = _refresh(page_server, prefix, link, Path(tmp), shared_workers)
    bad = stories["Bad"]
    if bad.text_source == "feed":
        assert bad.text_note  # and the reason is said
