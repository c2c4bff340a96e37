"""What every part of the store shares: the engine, short sessions and one writer at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from newsdesk.errors import StoreError
from newsdesk.store._engine import database_url, open_engine
from newsdesk.store._problems import translate, where
from newsdesk.store._readers import default_reader

if TYPE_CHECKING:
    from newsdesk.store._reads import Run
from newsdesk.store._reads import Reads, failed


@overload
def _utc(value: datetime) -> datetime: ...
@overload
def _utc(value: datetime | None) -> datetime | None: ...
def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; everything newsdesk stores is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _id(value: int | None) -> int:
    """A stored row's id (None only before it is inserted)."""
    if value is None:
        raise StoreError("a row read from the database has no id")
    return value


def session_run(session: Session, place: str) -> Run:
    """The reads' SQL text (`_reads`), run in this session."""

    def run(sql: str, params: dict[str, Any], search: str | None = None) -> list[tuple[Any, ...]]:
        try:
            return [tuple(row) for row in session.execute(text(sql), params)]
        except DBAPIError as exc:
            if isinstance(exc, IntegrityError):
                raise
            raise failed(exc.orig, place, search) from None

    return run


class SessionSql:
    """SQL text shared with the sqlite3 writer (`_fetches`), run in this session."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.dialect = session.get_bind().dialect.name

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._session.execute(text(sql), params)]

    def run(self, sql: str, params: dict[str, Any] | list[dict[str, Any]]) -> None:
        self._session.execute(text(sql), params)


def dialect_insert(session: Session, model: Any) -> Any:
    """This engine's own INSERT, which can say what to do ON CONFLICT."""
    # Each dialect is imported when used: PostgreSQL's brings its drivers' modules, which a
    # SQLite database never needs (and every command that opens the store would load).
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model)


def insert_ignoring(session: Session, model: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING, in this engine's dialect: a row that would repeat a
    unique key is skipped, not an error."""
    return dialect_insert(session, model).on_conflict_do_nothing()


class _Base(Reads):
    """The engine and the ways to use it: a read session, a writing transaction, and the
    reads of `_reads` (their SQL text run in a session)."""

    on_busy: Callable[[str], object] | None = None
    """Told (in words) each time a write waits for another process's write lock; default: a
    warning on the log."""
    busy_pause = 0.5
    """Seconds between a busy write's tries (each try already waited the busy timeout)."""

    def __init__(self, target: str | Path, *, reader: str | None = None) -> None:
        self.url = database_url(target)
        self.reader = reader or default_reader()
        """Whose read and starred marks this store reads and writes."""
        self._engine = open_engine(target)
        self._write_lock = threading.Lock()

    @property
    def shared(self) -> bool:
        """A database several daemons and readers share (PostgreSQL): feeds are claimed
        before they are fetched, and readers are told of new stories."""
        return self._engine.dialect.name == "postgresql"

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[Run]:
        with self._session() as session:
            yield session_run(session, where(self.url))

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as session:
            try:
                yield session
            except DBAPIError as exc:
                if isinstance(exc, IntegrityError):
                    raise
                raise translate(exc, self.url) from None

    def _write_raced(self, write: Callable[[Session], object]) -> None:
        """One write transaction that inserts a row another process may insert at the same
        moment (a team's daemons starting together on one PostgreSQL: a new feed, the first
        watchlist fingerprint). The loser of that race gets a unique violation; its write
        reads again, finds the other's row, and is tried once more. A second violation is a
        real error and is raised."""
        try:
            with self._writing() as session:
                write(session)
        except IntegrityError:
            with self._writing() as session:
                write(session)

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        # One writer at a time inside this process: SQLite would serialise them anyway, and
        # waiting on a Python lock is cheaper than spinning on busy_timeout.
        with self._write_lock, self._session() as session:
            yield session
            try:
                session.commit()
            except DBAPIError as exc:
                if isinstance(exc, IntegrityError):
                    raise
                raise translate(exc, self.url) from None
