"""Keeping the database a sensible size: [settings] keep_days and max_stories_per_feed, on
both engines; starred stories stay; a purged story's matches, page and search entry go with
it, and the feed that still lists it does not bring it back; `newsdesk purge --dry-run`; the
purge after a refresh."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import FeedConfig, parse_config
from newsdesk.match import Matcher, summarize
from newsdesk.refresh import refresh
from newsdesk.store import Store, pack_page
from newsdesk.types import NewStory
from tests.httpserver import LocalServer
from tests.store_fixtures import write_stories

NOW = datetime.now(UTC).replace(microsecond=0)
WATCH = parse_config('[watchlist]\ncountries = ["Iran"]\n').watchlist


def _story(key: str, days_ago: float, url: str | None = None) -> NewStory:
    when = NOW - timedelta(days=days_ago)
    return NewStory(
        key=key,
        title=f"Iran story {key}",
        url=url or f"https://news.example/{key}",
        guid=key,
        author=None,
        published=when,
        fetched_at=when,
        summary="",
        text=f"Iran said {key}.",
        text_source="page",
    )


def _fill(store: Store) -> dict[str, int]:
    """Feed A: 6 stories, 0..50 days old; feed B: 3 stories, 1..3 days old. Ids by key."""
    store.sync_feeds([FeedConfig("A", "http://127.0.0.1:9/a.xml"), FeedConfig("B", "http://127.0.0.1:9/b.xml")])
    feeds = {f.name: f.id for f in store.feeds()}
    matcher = Matcher(WATCH)
    ids = {}
    for feed, key, days in [
        ("A", "a0", 0),
        ("A", "a1", 1),
        ("A", "a10", 10),
        ("A", "a20", 20),
        ("A", "a40", 40),
        ("A", "a50", 50),
        ("B", "b1", 1),
        ("B", "b2", 2),
        ("B", "b3", 3),
    ]:
        story = _story(key, days)
        (story_id,) = write_stories(
            store, feeds[feed], [(story, summarize(matcher.find(story.title, story.text)))], [pack_page(f"<html><p>{key}</p></html>")]
        )
        assert story_id is not None
        ids[key] = story_id
    return ids


def _keys(store: Store) -> set[str]:
    return {s.title.removeprefix("Iran story ") for s in store.list_stories(matched_only=False, limit=100)}


def test_keep_days_and_max_per_feed_with_starred_kept(db_url: str) -> None:
    with Store(db_url) as store:
        ids = _fill(store)
        store.set_starred(ids["a50"])
        dry = store.purge(keep_days=30, max_per_feed=None, now=NOW, dry_run=True)
        assert (dry.dry_run, dry.stories, [(f.feed, f.too_old) for f in dry.feeds]) == (True, 1, [("A", 1)])
        assert len(_keys(store)) == 9  # a dry run removes nothing
        report = store.purge(keep_days=30, max_per_feed=2, now=NOW)
        # A: a40 too old; beyond its newest 2 (a0, a1): a10, a20 (a50 is starred). B: b3.
        assert [(f.feed, f.too_old, f.beyond_newest) for f in report.feeds] == [("A", 1, 2), ("B", 0, 1)]
        assert _keys(store) == {"a0", "a1", "a50", "b1", "b2"}
        # Matches, pages and search entries went with the stories.
        assert store.search("a40") == [] and store.search("a10") == []
        assert len(store.list_stories(entity="Iran", limit=100)) == 5  # (entity_counts counts clusters: these titles are one)
        assert len(list(store.stored_pages())) == 5
        assert store.story(ids["a40"]) is None
        # The feed still lists the purged stories: they are known, not new.
        feed_a = next(f.id for f in store.feeds() if f.name == "A")
        assert store.known_keys(feed_a, ["a40", "a10", "new"], ["https://news.example/a20"]) == {"a40", "a10", "https://news.example/a20"}
        # Nothing more to do a second time.
        assert store.purge(keep_days=30, max_per_feed=2, now=NOW).stories == 0


def test_purge_command_and_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    with Store(db) as store:
        _fill(store)
    config = tmp_path / "feeds.toml"
    config.write_text(
        '[settings]\nkeep_days = 15\nmax_stories_per_feed = 100\n[[feeds]]\nname = "A"\nurl = "http://127.0.0.1:9/a.xml"\n'
        '[[feeds]]\nname = "B"\nurl = "http://127.0.0.1:9/b.xml"\n'
    )
    assert main(["purge", "--dry-run", "--config", str(config), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "would delete 3 stories (older than 15 days or beyond each feed's newest 100; starred stories are kept)" in out
    assert "  A: 3 (3 too old)" in out
    with Store(db) as store:
        assert len(_keys(store)) == 9
    assert main(["purge", "--config", str(config), "--db", str(db)]) == 0
    assert "deleted 3 stories" in capsys.readouterr().out
    with Store(db) as store:
        assert _keys(store) == {"a0", "a1", "a10", "b1", "b2", "b3"}
    off = tmp_path / "off.toml"
    off.write_text('[[feeds]]\nurl = "http://127.0.0.1:9/a.xml"\n')
    assert main(["purge", "--config", str(off), "--db", str(db)]) == 0
    assert "nothing to do: set keep_days or max_stories_per_feed" in capsys.readouterr().out


def _rss(server: LocalServer, count: int) -> bytes:
    items = "".join(
        f"<item><title>Iran story {n}</title><guid>g{n}</guid><link>{server.url(f'/p{n}')}</link>"
        f"<description>Iran said {n}.</description>"
        f"<pubDate>{(NOW - timedelta(days=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for n in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()


def test_the_purge_runs_after_a_refresh_and_purged_stories_do_not_come_back(http_server: LocalServer, tmp_path: Path) -> None:
    http_server.add("/f.xml", _rss(http_server, 6), headers={"Content-Type": "application/rss+xml"}, conditional=False)
    text = (
        f'[settings]\nextract = false\nkeep_days = 3\n[[feeds]]\nname = "F"\nurl = "{http_server.url("/f.xml")}"\n'
        '[watchlist]\ncountries = ["Iran"]\n'
    )
    config = parse_config(text)
    with Store(tmp_path / "news.db") as store:
        first = asyncio.run(refresh(config, store))
        assert (first.new_stories, first.purged) == (6, 3)  # stories 3, 4, 5 days old went at once
        assert len(store.list_stories(matched_only=False)) == 3
        second = asyncio.run(refresh(config, store))
        assert (second.new_stories, second.purged) == (0, 0)  # the feed still lists them: not new
        assert len(store.list_stories(matched_only=False)) == 3
