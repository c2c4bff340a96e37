"""Noticing, from a reader, that stories were stored by another process (a daemon).

SQLite: `PRAGMA data_version` on a connection kept for the purpose changes whenever another
connection commits. PostgreSQL: the transaction that stores stories sends `NOTIFY
newsdesk_stories`, and a connection of the reader's LISTENs: a new story is known the moment
it is committed, on any machine, without polling the tables.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from newsdesk.errors import StoreError
from newsdesk.store._base import _Base
from newsdesk.store._problems import where

CHANNEL = "newsdesk_stories"
_SQLITE_POLL_SECONDS = 0.25


def notify_stored(conn: Connection, count: int) -> None:
    """Tell every listening reader, when this transaction commits, that stories were stored."""
    if count and conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, :count)"), {"channel": CHANNEL, "count": str(count)})


class Changes:
    """A reader's watch on the database. `changed()` never blocks; `wait(seconds)` returns as
    soon as something was stored (True) or after `seconds` (False). One thread at a time."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.Lock()
        self._pg: Any = None
        self._sqlite: Connection | None = None
        self._version: int | None = None
        self._where = where(engine.url.render_as_string(hide_password=False))
        if engine.dialect.name == "postgresql":
            import psycopg

            url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._pg = psycopg.connect(url, autocommit=True)
            self._pg.execute(f"LISTEN {CHANNEL}")
        else:
            self._sqlite = engine.connect()
            self._version = self._data_version()

    def _data_version(self) -> int:
        assert self._sqlite is not None
        version = self._sqlite.exec_driver_sql("PRAGMA data_version").scalar_one()
        self._sqlite.rollback()  # no read transaction left open
        return int(version)

    def changed(self) -> bool:
        return self.wait(0)

    def wait(self, seconds: float) -> bool:
        with self._lock:
            if self._pg is not None:
                import psycopg

                try:
                    told = bool(list(self._pg.notifies(timeout=seconds, stop_after=1)))
                    if told:
                        list(self._pg.notifies(timeout=0))  # and any more sent meanwhile
                except psycopg.Error as exc:
                    raise StoreError(f"{self._where}: no longer told of new stories ({exc})".splitlines()[0]) from None
                return told
            deadline = time.monotonic() + seconds
            while True:
                version = self._data_version()
                if version != self._version:
                    self._version = version
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                time.sleep(min(_SQLITE_POLL_SECONDS, left))

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None


class _Watching(_Base):
    def changes(self) -> Changes:
        """A watch on this database for stories stored by anyone (close it when done)."""
        return Changes(self._engine)
