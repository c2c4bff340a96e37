"""Servers that misbehave, through the real refresh path: each fault is recorded on its feed in
words a reader can act on, the other feeds refresh normally, and failing feeds back off."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import Config, parse_config
from newsdesk.refresh import RefreshSummary, refresh
from newsdesk.store import Store
from newsdesk.types import FeedStatus
from tests.httpserver import LocalServer
from tests.store_fixtures import feed_named

GOOD = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title>'
    b"<item><title>Israel votes</title><guid>g1</guid><description>Israelis voted today.</description></item>"
    b"</channel></rss>"
)
RSS = {"Content-Type": "application/rss+xml"}


def _config(server: LocalServer, tmp_path: Path, paths: list[str], **settings: object) -> Config:
    text = "".join(f'[[feeds]]\nname = "{p}"\nurl = "{server.url(p)}"\nextract = false\n\n' for p in ["/good.xml", *paths])
    text += '[watchlist]\ncountries = ["Israel"]\n'
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    config = parse_config(text, path)
    return dataclasses.replace(config, settings=dataclasses.replace(config.settings, **settings))


def _run(config: Config, store: Store, force: bool = False) -> RefreshSummary:
    return asyncio.run(refresh(config, store, force=force))


def _feed(store: Store, server: LocalServer, path: str) -> FeedStatus:
    return feed_named(store, server.url(path))


@pytest.fixture
def server(http_server: LocalServer) -> LocalServer:
    http_server.add("/good.xml", GOOD, headers=RSS)
    return http_server


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "news.db")


@pytest.mark.parametrize(
    ("answer", "outcome", "message"),
    [
        ({"status": 404, "body": b"nope"}, "http error", "HTTP 404 Not Found"),
        ({"status": 500, "body": b"boom"}, "http error", "HTTP 500 Internal Server Error"),
        ({"status": 200, "body": b"<?xml version='1.0'?><rss><chan"}, "parse error", "XML syntax error at line 1"),
        ({"status": 200, "body": b"\x89PNG\r\n\x1a\n\x00\x00binary"}, "parse error", "XML syntax error"),
        ({"status": 200, "body": b""}, "parse error", "the server sent an empty answer, not a feed"),
    ],
)
def test_a_bad_answer_is_recorded_and_the_other_feeds_refresh(server, store, tmp_path, answer, outcome, message) -> None:  # type: ignore[no-untyped-def]
    server.add("/bad.xml", answer["body"], status=answer["status"], headers=RSS)
    summary = _run(_config(server, tmp_path, ["/bad.xml"]), store)
    assert (summary.ok, summary.failed, summary.new_stories) == (1, 1, 1)
    bad = _feed(store, server, "/bad.xml")
    assert bad.last_outcome == outcome
    assert message in (bad.last_error or "")


def test_malformed_xml_keeps_what_parses_and_says_it_is_broken(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = b"<rss version='2.0'><channel><title>x</title><item><title>Israel &amp; Gaza</title><guid>b1</guid></item><item><title>cut"
    server.add("/broken.xml", broken, headers=RSS)
    summary = _run(_config(server, tmp_path, ["/broken.xml"]), store)
    assert summary.ok == 2
    feed = _feed(store, server, "/broken.xml")
    assert feed.last_outcome == "ok" and (feed.last_error or "").startswith("the feed has errors but was read: XML syntax error")
    assert "Israel & Gaza" in [s.title for s in store.list_stories(matched_only=False)]


def test_connection_refused_and_a_stalling_server(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.add("/stall.xml", GOOD, headers=RSS, delay=3)
    config = _config(server, tmp_path, ["/stall.xml"], timeout_seconds=0.5)
    text = config.path.read_text() + '[[feeds]]\nname = "refused"\nurl = "http://127.0.0.1:1/feed.xml"\n'  # type: ignore[union-attr]
    config = dataclasses.replace(parse_config(text, config.path), settings=config.settings)
    summary = _run(config, store)
    assert (summary.ok, summary.failed) == (1, 2)
    assert _feed(store, server, "/stall.xml").last_outcome == "timeout"
    refused = feed_named(store, "http://127.0.0.1:1/feed.xml")
    assert refused is not None and refused.last_error == "connection refused (is the server down?)"


def test_a_redirect_loop_is_named(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.add("/loop1.xml", b"", status=302, headers={"Location": "/loop2.xml"})
    server.add("/loop2.xml", b"", status=302, headers={"Location": "/loop1.xml"})
    _run(_config(server, tmp_path, ["/loop1.xml"]), store)
    assert "too many redirects" in (_feed(store, server, "/loop1.xml").last_error or "")


def test_410_gone_stops_polling_and_says_so(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.add("/gone.xml", b"gone", status=410)
    config = _config(server, tmp_path, ["/gone.xml"])
    _run(config, store)
    summary = _run(config, store, force=True)
    assert server.hits("/gone.xml") == 1
    assert summary.waiting == 1
    gone = _feed(store, server, "/gone.xml")
    assert gone.gone and "410 Gone" in (gone.last_error or "")


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_obeyed_in_seconds_and_as_a_date(server, store, tmp_path, status) -> None:  # type: ignore[no-untyped-def]
    later = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    server.add("/busy.xml", b"busy", status=status, headers={"Retry-After": "600"})
    server.add("/busy2.xml", b"busy", status=status, headers={"Retry-After": later})
    config = _config(server, tmp_path, ["/busy.xml", "/busy2.xml"])
    started = datetime.now(UTC)
    _run(config, store)
    busy, busy2 = _feed(store, server, "/busy.xml"), _feed(store, server, "/busy2.xml")
    assert busy.next_try is not None and timedelta(seconds=590) < busy.next_try - started < timedelta(seconds=620)
    assert busy2.next_try is not None and timedelta(minutes=115) < busy2.next_try - started < timedelta(minutes=125)
    assert "asked to wait 10 min" in (busy.last_error or "")
    summary = _run(config, store)
    assert summary.waiting == 2
    assert (server.hits("/busy.xml"), server.hits("/busy2.xml")) == (1, 1)


def test_repeated_failures_back_off_doubling_up_to_a_day(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.add("/down.xml", b"boom", status=500)
    config = _config(server, tmp_path, ["/down.xml"])  # refresh_minutes = 30
    waits = []
    for _ in range(8):
        _run(config, store, force=True)
        feed = _feed(store, server, "/down.xml")
        assert feed.last_checked is not None
        waits.append(round((feed.next_try - feed.last_checked).total_seconds() / 60) if feed.next_try else 0)
    assert waits == [0, 60, 120, 240, 480, 960, 1440, 1440]
    assert _feed(store, server, "/down.xml").failures == 8
    server.add("/down.xml", GOOD, headers=RSS)
    _run(config, store, force=True)
    healed = _feed(store, server, "/down.xml")
    assert (healed.failures, healed.next_try, healed.last_outcome) == (0, None, "ok")


def test_a_permanent_redirect_is_followed_remembered_and_adopted(server, store, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "250")
    server.add("/old.xml", b"", status=301, headers={"Location": "/new.xml"})
    server.add("/new.xml", GOOD.replace(b"g1", b"g2"), headers=RSS)
    config = _config(server, tmp_path, ["/old.xml"])
    summary = _run(config, store)
    assert any("moved permanently to " + server.url("/new.xml") in p.message for p in summary.problems)
    moved = _feed(store, server, "/old.xml")
    assert moved.moved_to == server.url("/new.xml") and moved.stories == 1
    _run(config, store)
    assert server.hits("/old.xml") == 1  # the next refresh goes straight to the new address
    assert main(["status", "--config", str(config.path), "--db", str(tmp_path / "news.db")]) == 0
    assert "put that URL in feeds.toml" in capsys.readouterr().out.replace("\n", " ")

    (story,) = [s for s in store.list_stories(matched_only=False) if s.feed == "/old.xml"]
    store.set_read(story.id, True)
    edited = config.path.read_text().replace(server.url("/old.xml"), server.url("/new.xml"))  # type: ignore[union-attr]
    config = dataclasses.replace(parse_config(edited, config.path), settings=config.settings)
    _run(config, store)
    adopted = _feed(store, server, "/new.xml")
    assert adopted.id == moved.id and adopted.moved_to is None and adopted.stories == 1
    assert store.story(story.id).read  # type: ignore[union-attr]


def test_a_web_page_instead_of_a_feed_offers_the_feeds_it_declares(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = (
        b"<!doctype html><html><head><title>News</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        b'<link rel="alternate" type="application/atom+xml" href="https://example.org/atom.xml">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        b"</head><body><p>Hello</p></body></html>"
    )
    server.add("/home", page, headers={"Content-Type": "text/html"})
    _run(_config(server, tmp_path, ["/home"]), store)
    error = _feed(store, server, "/home").last_error or ""
    assert error.startswith("this is a web page, not a feed")
    assert f"{server.url('/rss.xml')}, https://example.org/atom.xml" in error
    assert "javascript" not in error


def test_an_oversized_body_and_a_gzip_bomb_are_cut_off(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.add("/huge.xml", GOOD + b"<!--" + b"x" * 3_000_000 + b"-->", headers=RSS)
    bomb = gzip.compress(b"<rss>" + b" " * 200_000_000)  # 200 MB unpacked from ~200 KB
    server.add("/bomb.xml", bomb, headers={**RSS, "Content-Encoding": "gzip"})
    config = _config(server, tmp_path, ["/huge.xml", "/bomb.xml"], max_feed_bytes=1024 * 1024)
    summary = _run(config, store)
    assert (summary.ok, summary.failed) == (1, 2)
    for path in ("/huge.xml", "/bomb.xml"):
        feed = _feed(store, server, path)
        assert (feed.last_outcome, feed.last_error) == ("too large", "the feed is larger than 1 MB; it was not read")


def test_an_entity_expansion_bomb_neither_hangs_nor_expands(server, store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    lol += b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    lol += b']><rss version="2.0"><channel><title>&lol9;</title><item><title>Israel &lol9;</title><guid>x</guid></item></channel></rss>'
    server.add("/lol.xml", lol, headers=RSS)
    _run(_config(server, tmp_path, ["/lol.xml"]), store)
    feed = _feed(store, server, "/lol.xml")
    assert feed.last_outcome in ("ok", "parse error")
    for story in store.list_stories(matched_only=False):
        assert len(story.title) < 10_000  # a billion laughs never reached the database


@pytest.mark.parametrize(
    ("body", "headers", "title"),
    [
        # The header says UTF-8, the bytes are Latin-1 (and the XML says so).
        ('<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>x</title>'
         "<item><title>Café in Zürich</title><guid>c</guid></item></channel></rss>".encode("latin-1"),
         {"Content-Type": "application/xml; charset=utf-8"}, "Café in Zürich"),
        # No charset anywhere, windows-1251 bytes: feedparser guesses.
        ('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
         "<item><title>Новости</title><guid>c</guid></item></channel></rss>".encode(),
         {"Content-Type": "application/xml"}, "Новости"),
    ],
)
def test_wrong_or_missing_charsets_still_give_readable_titles(server, store, tmp_path, body, headers, title) -> None:  # type: ignore[no-untyped-def]
    server.add("/enc.xml", body, headers=headers)
    _run(_config(server, tmp_path, ["/enc.xml"]), store)
    assert title in [s.title for s in store.list_stories(matched_only=False)]
