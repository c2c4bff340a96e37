"""What a refresh writes besides stories, as SQL text both engines run: each download's outcome
on its feed's row and in the feed's history, and the removal of stored pages past their age.

The Store runs it in its SQLAlchemy session (`_feeds`, `_purge`), on either engine. A warm
`newsdesk refresh` whose every feed answered 304 has nothing else to write, and opening the
Store (importing SQLAlchemy, SQLModel, pydantic: about 0.45 s of CPU) while its downloads run
slowed them by about a tenth on two cores, for those few statements. So there,
`StatusWriter` runs the same text through the standard library's sqlite3 on the SQLite file
(`newsdesk.refresh.StoreOnDemand`: the Store opens only when a feed has news).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from newsdesk.store._problems import busy_retried, describe
from newsdesk.store._reads import _CHUNK, _in, _time, connect_at_schema, sqlite_file, time_param
from newsdesk.store._text import register_functions

TYPE_CHECKING = False  # as typing's (mypy reads it as true)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from contextlib import AbstractContextManager
    from typing import Any, Protocol

    from newsdesk.types import FetchRecord

    class Sql(Protocol):
        """Statements in one transaction: each engine's own."""

        dialect: str

        def rows(self, sql: str, params: dict[str, Any], /) -> list[tuple[Any, ...]]: ...

        def run(self, sql: str, params: dict[str, Any] | list[dict[str, Any]], /) -> None:
            """A statement without rows; a list of parameters runs it once for each."""


BUSY_TIMEOUT_MS = 10_000
"""How long a write waits for another process's write lock before it says so and tries again."""
KEPT = 20
"""Downloads remembered per feed: the detail view shows 10; a few more cost next to nothing."""

_RECORD = (
    # A move and a 410 are kept until feeds.toml names another URL; validators, title and the
    # count of new stories change only with an answer that has a feed (200).
    "UPDATE feed SET last_checked = :b_checked, last_outcome = :b_outcome, last_error = :b_error, "
    "http_status = :b_status, failures = :b_failures, next_try = :b_next_try, gone = (gone OR :b_gone), "
    # (PostgreSQL cannot tell the type of a parameter that is only tested for NULL: hence the CAST.)
    "moved_to = CASE WHEN CAST(:b_moved AS VARCHAR) IS NOT NULL AND :b_moved <> url THEN :b_moved ELSE moved_to END, "
    "last_ok = CASE WHEN :b_answered THEN :b_checked ELSE last_ok END, "
    "etag = CASE WHEN :b_ok THEN :b_etag ELSE etag END, "
    "last_modified = CASE WHEN :b_ok THEN :b_modified ELSE last_modified END, "
    "title = CASE WHEN :b_ok THEN coalesce(:b_title, title) ELSE title END, "
    "last_new = CASE WHEN :b_ok THEN :b_new ELSE last_new END "
    "WHERE id = :b_id"
)
_LOG = (
    "INSERT INTO fetch_log (feed_id, checked_at, outcome, http_status, error, new, moved_to) "
    "VALUES (:feed_id, :checked_at, :outcome, :http_status, :error, :new, :moved_to)"
)
_FORGET = (
    # Each feed's rows older than its KEPT-th newest, found through the (feed_id, id) index: a
    # window over every recorded feed's history took 7 ms of a warm refresh's 200 feeds, this 1.
    "DELETE FROM fetch_log WHERE feed_id = :feed AND id < (SELECT kept.id FROM fetch_log AS kept "
    "WHERE kept.feed_id = :feed ORDER BY kept.id DESC LIMIT 1 OFFSET :older)"
)
_PAGES_HEAD = (
    "SELECT story_page.story_id, story.fetched_at FROM story_page JOIN story ON story.id = story_page.story_id "
    "ORDER BY story_page.story_id LIMIT :chunk"
)


def record(sql: Sql, records: Sequence[FetchRecord]) -> None:
    """Each download's outcome on its feed's row (one UPDATE, run for all the records at once:
    a warm refresh records 200 feeds in a few milliseconds), and in its feed's history, of
    which the newest KEPT are kept."""
    if not records:
        return
    rows = []
    for r in records:
        result, ok = r.result, r.result.outcome == "ok"
        checked = time_param(sql.dialect, r.checked_at)
        rows.append({
            "b_id": r.feed_id,
            "b_checked": checked,
            "b_outcome": str(result.outcome),
            "b_error": result.error,
            "b_status": result.http_status,
            "b_failures": r.failures,
            "b_next_try": None if r.next_try is None else time_param(sql.dialect, r.next_try),
            "b_gone": result.outcome == "gone",
            "b_moved": result.moved_to,
            "b_answered": result.outcome in ("ok", "not modified"),
            "b_ok": ok,
            "b_etag": result.etag,
            "b_modified": result.last_modified,
            "b_title": result.title or None,
            "b_new": r.new,
        })
    sql.run(_RECORD, rows)
    sql.run(_LOG, [
        {
            "feed_id": r.feed_id, "checked_at": row["b_checked"], "outcome": row["b_outcome"],
            "http_status": r.result.http_status, "error": r.result.error, "new": r.new, "moved_to": r.result.moved_to,
        }
        for r, row in zip(records, rows, strict=True)
    ])
    sql.run(_FORGET, [{"feed": feed, "older": KEPT - 1} for feed in sorted({r.feed_id for r in records})])


def purge_pages(reading: Callable[[], AbstractContextManager[Sql]], writing: Callable[[], AbstractContextManager[Sql]],
                keep_days: int, now: datetime) -> int:
    """Delete the stored pages of stories fetched more than `keep_days` ago (the stories
    stay; `reextract` no longer reaches them); how many pages went.

    Pages are stored in the order their stories arrive, so the oldest lead the table: each
    round reads the first chunk of it and deletes the old pages there, and a chunk that
    holds a young page is the last. A purge with nothing to do reads one chunk, however
    many pages are kept.
    """
    cut = now - timedelta(days=keep_days)
    removed = 0
    while True:
        with reading() as sql:
            head = sql.rows(_PAGES_HEAD, {"chunk": _CHUNK})
        old = [story_id for story_id, fetched_at in head if (_time(fetched_at) or cut) < cut]
        if old:
            with writing() as sql:
                params: dict[str, Any] = {}
                sql.run(f"DELETE FROM story_page WHERE story_id IN {_in('page', old, params)}", params)
            removed += len(old)
        if len(old) < _CHUNK:
            return removed


def sqlite_pragmas(connection: Any) -> None:
    """What every SQLite connection that writes sets, the Store's (a DB-API connection) as
    this module's: WAL lets the UI read while a refresh writes; busy_timeout makes a second
    writer wait instead of failing with "database is locked"; the full-text index's triggers
    unpack texts with newsdesk's SQL function."""
    cursor = connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    if isinstance(connection, sqlite3.Connection):
        register_functions(connection)


_WRITES = {"meta", "feed", "fetch_log", "story", "story_page"}
"""The tables StatusWriter writes or reads."""


class _SqliteSql:
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return self._connection.execute(sql, params).fetchall()

    def run(self, sql: str, params: dict[str, Any] | list[dict[str, Any]]) -> None:
        if isinstance(params, list):
            self._connection.executemany(sql, params)
        else:
            self._connection.execute(sql, params)


class StatusWriter:
    """A refresh's statuses and its purge of old pages, written to a SQLite file at this
    schema through sqlite3 (`record_fetches` and `purge_pages`, as the Store's): the writes of
    a refresh whose every feed answered 304 or failed, without the Store."""

    on_busy: Callable[[str], object] | None = None
    """As the Store's: told each time a write waits for another process's write lock."""
    busy_pause = 0.5

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._connection = connection
        self._place = str(path)
        self.url = f"sqlite:///{path}"  # as store.database_url names a file

    @classmethod
    def open(cls, path: Path) -> StatusWriter | None:
        """The file, if it is a newsdesk database at this schema with the tables written here;
        None for anything else (a Store opens it, and upgrades or refuses it)."""
        connection = connect_at_schema(path, _WRITES)
        if connection is None:
            return None
        try:
            sqlite_pragmas(connection)
        except sqlite3.Error:
            connection.close()
            return None
        return cls(connection, path)

    def close(self) -> None:
        self._connection.close()

    @busy_retried
    def record_fetches(self, records: Sequence[FetchRecord]) -> None:
        """As Store.record_fetches: the downloads' outcomes in one transaction."""
        with self._transaction(write=True) as sql:
            record(sql, records)

    def purge_pages(self, *, keep_days: int, now: datetime) -> int:
        """As Store.purge_pages."""
        return purge_pages(self._transaction, lambda: self._transaction(write=True), keep_days, now)

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[Sql]:
        try:
            self._connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        except sqlite3.Error as exc:
            raise describe(exc, self._place) from None
        try:
            yield _SqliteSql(self._connection)
            self._connection.execute("COMMIT")
        except BaseException as exc:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise describe(exc, self._place) from None
            raise


def open_status_writer(target: str | Path) -> StatusWriter | None:
    """A StatusWriter on the database `target` names, if it is a SQLite file at this schema;
    None for anything a Store must open."""
    path = sqlite_file(target)
    return None if path is None else StatusWriter.open(path)
