"""store._rows.insert_rows: on SQLite the rows go to the driver as the values SQLite stores;
the bytes stored must be the ones SQLAlchemy's own executemany stores. On PostgreSQL it is
that executemany (the refresh's tests run on both)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert
from sqlmodel import SQLModel

from newsdesk.store._models import Feed, Story, StoryCluster, StoryMatch, StoryPage, table_of
from newsdesk.store._rows import insert_rows
from newsdesk.store._text import pack_text

_LONG = "The ministers met in Geneva and talked about the ceasefire for a long time. " * 8
_EAST = timezone(timedelta(hours=5, minutes=30))


def _stories() -> list[dict[str, Any]]:
    whole = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)
    fraction = datetime(2026, 12, 8, 8, 31, 7, 120034, tzinfo=_EAST)  # stored in UTC
    rows = []
    for n, (published, text) in enumerate([(whole, "short"), (fraction, _LONG), (None, pack_text(_LONG + " packed")), (whole, "")]):
        rows.append({
            "feed_id": 1, "key": f"k{n}", "guid": None if n % 2 else f"g{n}", "url": f"https://example.org/{n}",
            "title": f"Title {n}", "author": None, "published": published, "fetched_at": fraction,
            "sort_time": published or fraction, "summary": "", "text": text, "text_source": "feed",
            "text_note": None, "matched": bool(n % 2),
        })
    return rows


_ROWS: dict[Any, list[dict[str, Any]]] = {
    StoryCluster: [
        {"story_id": 1, "cluster_id": 1, "time": datetime(2026, 12, 8, 3, 0, 0, 5, tzinfo=UTC),
         "title_hash": b"\x00\x01\xff" * 8, "text_hash": None},
        {"story_id": 2, "cluster_id": 1, "time": datetime(2026, 12, 8, 9, 0, tzinfo=_EAST), "title_hash": None,
         "text_hash": b"\x10" * 16},
    ],
    StoryMatch: [
        {"story_id": 1, "entity": "Ukraine", "kind": "country", "code": "UA", "count": 2, "snippet": "…Kyiv…",
         "occurrences": "[[\"title\", 0, 4, \"Kyiv\"]]"},
        {"story_id": 2, "entity": "Geneva", "kind": "place", "code": None, "count": 1, "snippet": "", "occurrences": "[]"},
    ],
    StoryPage: [{"story_id": 1, "html": b"\x28\xb5\x2f\xfd page", "fetched_at": datetime(2026, 12, 8, 3, 0, tzinfo=UTC)}],
}


def _stored(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        names = [row[1] for row in conn.execute(f'pragma table_info("{table}")')]
        each = ", ".join(f'typeof("{n}"), quote("{n}")' for n in names)
        return conn.execute(f'select {each} from "{table}" order by rowid').fetchall()


def test_rows_given_to_sqlite_are_stored_as_sqlalchemy_stores_them(tmp_path: Path) -> None:
    stored: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    for way in ("core", "driver"):
        path = tmp_path / f"{way}.db"
        engine = create_engine(f"sqlite:///{path}")
        SQLModel.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(table_of(Feed)).values(url="https://example.org/feed", name="Feed"))
            for model, rows in [(Story, _stories()), *_ROWS.items()]:
                table = table_of(model)
                if way == "core":
                    conn.execute(insert(table), rows)
                else:
                    insert_rows(conn, table, rows)
        engine.dispose()
        stored[way] = {t: _stored(path, t) for t in ("story", "story_cluster", "match", "story_page")}
    assert stored["driver"] == stored["core"]
    assert all(stored["core"].values())
    with sqlite3.connect(tmp_path / "driver.db") as conn:  # a plain text and packed ones
        assert {kind for (kind,) in conn.execute("select typeof(text) from story")} == {"text", "blob"}


def test_rows_that_repeat_a_key_are_skipped_and_the_inserted_ones_returned(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    SQLModel.metadata.create_all(engine)
    rows = _stories()
    with engine.begin() as conn:
        conn.execute(insert(table_of(Feed)).values(url="https://example.org/feed", name="Feed"))
        first = insert_rows(conn, table_of(Story), rows[:2], ignore_conflicts=True, returning=("id", "key"))
        again = insert_rows(conn, table_of(Story), rows, ignore_conflicts=True, returning=("id", "key"))
    engine.dispose()
    assert sorted(first) == [(1, "k0"), (2, "k1")]
    assert sorted(again) == [(3, "k2"), (4, "k3")]
