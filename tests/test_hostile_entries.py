"""Entries that feeds get wrong, and feeds that change under the reader: stored sensibly, and
the reader's read and starred state is never lost or duplicated."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.config import Config, parse_config
from newsdesk.refresh import refresh
from newsdesk.store import Store
from tests.httpserver import LocalServer

RSS = {"Content-Type": "application/rss+xml"}


def _feed(items: str) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Edge</title>{items}</channel></rss>'.encode()


def _config(server: LocalServer, tmp_path: Path) -> Config:
    text = f'[[feeds]]\nname = "Edge"\nurl = "{server.url("/feed.xml")}"\nextract = false\n\n[watchlist]\ncountries = ["Chile"]\n'
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, path)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "news.db")


def _refresh(server: LocalServer, tmp_path: Path, store: Store, items: str) -> None:
    server.add("/feed.xml", _feed(items), headers=RSS)
    asyncio.run(refresh(_config(server, tmp_path, ), store))


def test_entries_without_guid_link_date_or_title_are_stored_sensibly(http_server, tmp_path, store) -> None:  # type: ignore[no-untyped-def]
    future = (datetime.now(UTC) + timedelta(days=400)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    huge = "Chile " + "very " * 20_000 + "long"
    items = (
        "<item><title>No guid</title><link>http://127.0.0.1:9/a?utm_source=x</link></item>"
        "<item><title>No guid, same link</title><link>http://127.0.0.1:9/a</link></item>"
        "<item><title>No link, no guid</title><description>Only words.</description></item>"
        "<item><title>Twin</title><guid>dup</guid></item><item><title>Twin again</title><guid>dup</guid></item>"
        f"<item><title>From the future</title><guid>f</guid><pubDate>{future}</pubDate></item>"
        "<item><title>Ancient</title><guid>old</guid><pubDate>Mon, 01 Jan 1900 00:00:00 GMT</pubDate></item>"
        "<item><title></title><guid>empty</guid><description>No title here.</description></item>"
        f"<item><title>{huge}</title><guid>huge</guid></item>"
    )
    before = datetime.now(UTC)
    _refresh(http_server, tmp_path, store, items)
    stories = {s.title[:40]: s for s in store.list_stories(matched_only=False)}
    # The two link-only entries are one story (tracking parameters do not make a new one).
    assert sum(t.startswith("No guid") for t in stories) == 1
    assert "No link, no guid" in stories
    assert sum(t.startswith("Twin") for t in stories) == 1
    assert "No title here." in stories  # an untitled entry is named by the start of its text
    # A date in the future sorts as the time it was fetched, not forever on top.
    assert before - timedelta(seconds=5) <= stories["From the future"].time <= datetime.now(UTC)
    assert stories["Ancient"].time.year == 1900
    # An enormous title is stored whole (and still matched); display code clips it.
    (long_story,) = [s for s in stories.values() if s.title.startswith("Chile very")]
    assert len(long_story.title) > 100_000 and long_story.entities == ("Chile",)


def test_a_new_guid_for_the_same_link_is_not_a_new_story(http_server, tmp_path, store) -> None:  # type: ignore[no-untyped-def]
    _refresh(http_server, tmp_path, store, "<item><title>Chile votes</title><guid>v1</guid><link>http://127.0.0.1:9/s</link></item>")
    _refresh(http_server, tmp_path, store, "<item><title>Chile votes (updated)</title><guid>v2</guid><link>http://127.0.0.1:9/s</link></item>")
    assert [s.title for s in store.list_stories(matched_only=False)] == ["Chile votes"]


def test_read_and_starred_state_survive_the_feed_changing(http_server, tmp_path, store) -> None:  # type: ignore[no-untyped-def]
    one = "<item><title>Chile one</title><guid>1</guid></item>"
    two = "<item><title>Chile two</title><guid>2</guid></item>"
    _refresh(http_server, tmp_path, store, one + two)
    ids = {s.title: s.id for s in store.list_stories(matched_only=False)}
    store.set_read(ids["Chile one"], True)
    store.set_starred(ids["Chile one"], True)
    # The story drops out of the feed: it stays, with its state.
    _refresh(http_server, tmp_path, store, two)
    # The feed republishes it: no duplicate, state kept.
    _refresh(http_server, tmp_path, store, two + one)
    stories = store.list_stories(matched_only=False)
    assert sorted(s.title for s in stories) == ["Chile one", "Chile two"]
    kept = store.story(ids["Chile one"])
    assert kept is not None and kept.read and kept.starred
