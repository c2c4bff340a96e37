"""Upgrading a database written by an older newsdesk, one numbered step at a time.

Step N takes a database from schema N-1 to N inside one transaction: a step that fails
leaves the database as it was. Before the first step runs, a SQLite file is copied beside
itself (`newsdesk.db.schema-N.bak`), so an upgrade can never lose what a reader kept.
New tables need no step (they are created on open); new columns and changed data do.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlmodel import SQLModel

from newsdesk.store import _fulltext
from newsdesk.store._models import StoryPage, StoryState, table_of
from newsdesk.store._readers import default_reader


def _add_columns(conn: Connection, table: str, columns: dict[str, str]) -> None:
    """Add the columns a table lacks; `ddl` is what follows the type, which is the model's own
    column type as this engine spells it."""
    present = {c["name"] for c in inspect(conn).get_columns(table)}
    model = SQLModel.metadata.tables[table]
    for name, ddl in columns.items():
        if name not in present:
            kind = model.c[name].type.compile(conn.dialect)
            conn.execute(text(f'ALTER TABLE "{table}" ADD COLUMN {name} {kind} {ddl}'))


def _v2_feed_health(conn: Connection) -> None:
    """Per-feed failure count and back-off, 410 Gone, and where a feed has moved."""
    _add_columns(
        conn,
        "feed",
        {
            "failures": "NOT NULL DEFAULT 0",
            "next_try": "",
            "gone": "NOT NULL DEFAULT false",
            "moved_to": "",
        },
    )


def _v3_story_page(conn: Connection) -> None:
    """The article pages kept for re-extraction: a new table, created here so the step is
    explicit; stories stored before it have no page and keep their text."""
    SQLModel.metadata.tables[StoryPage.__tablename__].create(conn, checkfirst=True)


def _v4_search_and_list_indexes(conn: Connection) -> None:
    """Full-text search (FTS5) over the stories already stored, and indexes for the unread
    list and for finding a page already extracted by its URL."""
    conn.execute(text('CREATE INDEX IF NOT EXISTS ix_story_unread_sort ON story ("read", sort_time)'))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_story_url ON story (url)"))
    if conn.dialect.name == "sqlite":  # PostgreSQL's index came with schema 5
        _fulltext.install(conn)
        _fulltext.rebuild(conn)


def _v5_search_on_postgresql(conn: Connection) -> None:
    """Full-text search on PostgreSQL (a tsvector column kept by a trigger, a GIN index,
    unaccent), filled for the stories already stored; SQLite has had its index since 4."""
    if conn.dialect.name == "postgresql":
        _fulltext.install(conn)
        _fulltext.rebuild(conn)


def _v6_readers_and_leases(conn: Connection) -> None:
    """Read and starred marks move to story_state, one row per reader and story (the marks
    kept so far become those of the person running the upgrade); feeds get the columns of
    the daemons' leases."""
    table_of(StoryState).create(conn, checkfirst=True)
    columns = {c["name"] for c in inspect(conn).get_columns("story")}
    if "read" in columns:
        conn.execute(
            text(
                'INSERT INTO story_state (reader, story_id, "read", starred) '
                'SELECT :reader, id, "read", starred FROM story WHERE "read" OR starred'
            ),
            {"reader": default_reader()},
        )
        conn.execute(text("DROP INDEX IF EXISTS ix_story_unread_sort"))
        conn.execute(text('ALTER TABLE story DROP COLUMN "read"'))
        conn.execute(text("ALTER TABLE story DROP COLUMN starred"))
    _add_columns(conn, "feed", {"lease_owner": "", "lease_until": "", "claimed_at": ""})


def _v7_packed_texts(conn: Connection) -> None:
    """Stories' texts are stored compressed on SQLite (store._text): the search index reads
    them through a view that unpacks them, so it is made again. The texts already stored
    stay as they are (plain text, read as before); new and re-extracted ones are packed."""
    _fulltext.reinstall(conn)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _v2_feed_health,
    3: _v3_story_page,
    4: _v4_search_and_list_indexes,
    5: _v5_search_on_postgresql,
    6: _v6_readers_and_leases,
    7: _v7_packed_texts,
}


def backup(database: str | None, version: int) -> Path | None:
    """A copy of a SQLite file before it is upgraded; None for other databases."""
    if not database or database == ":memory:":
        return None
    path = Path(database)
    if not path.exists():
        return None
    target = path.with_name(f"{path.name}.schema-{version}.bak")
    shutil.copy2(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.copy2(side, target.with_name(target.name + suffix))
    return target
