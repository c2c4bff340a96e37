"""A SQLite database that grows carries the query planner's statistics (newsdesk.store._statistics):
without them a collapsed view's count took seconds on 10,000 stories. Checked on a real file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.config import FeedConfig
from newsdesk.store import Store
from newsdesk.types import NewStory
from tests.store_fixtures import write_stories

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _stories(first: int, count: int) -> list[tuple[NewStory, list[object]]]:
    return [
        (NewStory(key=f"s{n}", title=f"Harbour {n} reopens after storm number {n * 7919 % 10007}",
                  url=f"https://news.example/{n}", guid=f"s{n}", author=None, published=NOW - timedelta(minutes=n),
                  fetched_at=NOW, summary="", text=f"Story {n}: {n * 104729 % 99991} boats returned.", text_source="feed"),
         [])
        for n in range(first, first + count)
    ]


def _statistics(path: Path) -> tuple[str | None, set[str]]:
    db = sqlite3.connect(path)
    try:
        at = db.execute("SELECT value FROM meta WHERE key = 'statistics_stories'").fetchone()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")}
        indexes = {idx for (idx,) in db.execute("SELECT idx FROM sqlite_stat1")} if tables else set()
    finally:
        db.close()
    return (at[0] if at else None, indexes)


def test_statistics_are_taken_as_the_stories_double(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    with Store(path) as store:
        store.sync_feeds([FeedConfig("World desk", "http://127.0.0.1:9/feed.xml")])
        feed_id = store.feeds()[0].id
        write_stories(store, feed_id, _stories(0, 60))  # type: ignore[arg-type]
        assert _statistics(path) == (None, set())  # a small database plans well without them

        write_stories(store, feed_id, _stories(60, 60))  # type: ignore[arg-type]
        at, indexes = _statistics(path)
        assert at == "120"
        assert {"ix_story_cluster_cluster", "ix_story_sort"} <= indexes

        write_stories(store, feed_id, _stories(120, 10))  # type: ignore[arg-type]
        assert _statistics(path)[0] == "120"  # not doubled since: not taken again

    with Store(path) as store:  # another process goes on from what the file says
        write_stories(store, store.feeds()[0].id, _stories(130, 110))  # type: ignore[arg-type]
    assert _statistics(path)[0] == "240"
