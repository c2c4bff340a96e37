"""The app's database: read through the standard library's sqlite3 until the Store is open.

Opening the Store imports SQLAlchemy, its ORM and SQLModel, about half a second of CPU: half
of what a person waited for the first stories (benchmarks/README.md, the UI's first paint).
A SQLite file at this newsdesk's schema is read first as `newsdesk list` reads it (the
store's SqliteReader): the first page of stories, its count, the newest story. The Store is
opened by the first worker that needs it (the app asks for it as soon as the first rows are
shown), and every read goes through it from then on. A write waits for it on its worker, so
a story opened, read or starred in the first second is stored like any other, never lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from newsdesk.store import Reads, SqliteReader

TYPE_CHECKING = False  # as typing's (mypy reads it as true)
if TYPE_CHECKING:
    from newsdesk.store import Store  # loads SQLAlchemy: opened on a worker, when first needed


class Database:
    """The Store, or until it is open the reader that stands in for it in reads."""

    def __init__(self, given: Reads) -> None:
        """`given`: as store.open_reader opens a database: a SqliteReader, with whose file and
        reader the Store is opened later, or the Store, open (a database the reader does not
        read: PostgreSQL, or one to create or upgrade, which the command opened and checked).
        The caller closes what it gave."""
        self._given = given
        self._store: Store | None = None
        self._opened: Store | None = None
        """The Store, once `on_open` has run for it: what every read and write goes through."""
        self._lock = threading.Lock()
        self.on_open: Callable[[Store], None] | None = None
        """Run once, on the thread that opens the Store, before anyone else may use it: what
        must hold before the first write (the alert rules a refresh stores stories under)."""
        self.ui_thread: int | None = None
        """The UI's thread, on which the Store is never waited for (the screen would freeze)."""

    @property
    def url(self) -> str:
        return self._given.url

    @property
    def reads(self) -> Reads:
        """What to read through now: any thread, at once."""
        return self._opened or self._given

    @property
    def opened(self) -> Store | None:
        """The Store if it is open (on the UI's thread: what may be used without waiting)."""
        return self._opened

    def shared(self) -> Store | None:
        """The Store of a database several processes share (PostgreSQL: given open, never
        read through sqlite3), at once: the UI claims feeds on it as the daemons do."""
        if isinstance(self._given, SqliteReader):
            return None
        store = self._open()
        return store if store.shared else None

    def store(self) -> Store:
        """The Store, opened by the first worker to ask (the others wait for it); an error
        opening it is raised in each worker that asks, and the next one tries again."""
        opened = self._opened
        if opened is not None:
            return opened
        if threading.get_ident() == self.ui_thread:
            raise RuntimeError("the Store is waited for on a worker, never on the UI's thread")
        with self._lock:
            if self._opened is None:
                if self._store is None:
                    self._store = self._open()
                if self.on_open is not None:
                    self.on_open(self._store)
                self._opened = self._store
            return self._opened

    def _open(self) -> Store:
        from newsdesk.store import Store

        given = self._given
        if isinstance(given, SqliteReader):
            return Store(given.url, reader=given.reader)
        assert isinstance(given, Store)  # what open_reader opens, if not a SqliteReader
        return given

    def close(self) -> None:
        """Close the Store if this opened it (the one given is its giver's to close): once
        the app has ended and its workers are done (App.run waits for them), so that a mark
        made just before `q` is stored, not refused."""
        with self._lock:
            store, self._store, self._opened = self._store, None, None
        if store is not None and store is not self._given:
            store.close()
