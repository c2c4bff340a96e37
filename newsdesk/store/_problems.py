"""What the database's own errors mean to a person: busy, read-only, full, damaged.

SQLAlchemy's exceptions carry the statement and its parameters (a story's whole text, say);
none of that reaches a user. Every database error that leaves a store method is one of these,
naming the database, in one line.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from newsdesk.errors import (
    DatabaseBusy,
    DatabaseUnusable,
    DiskFull,
    ReadOnlyDatabase,
    StoreError,
)

TYPE_CHECKING = False  # as typing's (mypy reads it as true): the reading commands' store imports this without SQLAlchemy
if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

log = logging.getLogger("newsdesk.store")

_F = TypeVar("_F", bound=Callable[..., Any])

BUSY_MESSAGE = "the database is busy: another newsdesk process is writing to {where}; retrying…"


def where(url: str) -> str:
    """The database as a person knows it: a file's path, or the URL without its password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database))
    return parsed.render_as_string(hide_password=True)


# What the engines' own codes mean to a person, told apart by code, never by the message:
# SQLite's primary result codes (sqlite3.Error.sqlite_errorcode is the extended code, whose
# low byte is the primary one) and PostgreSQL's SQLSTATEs.
_BUSY_CODES, _BUSY_STATES = {5, 6}, {"55P03", "40P01"}  # SQLITE_BUSY, _LOCKED; lock_not_available, deadlock_detected
_READ_ONLY_CODES, _READ_ONLY_STATES = {8}, {"25006"}  # SQLITE_READONLY; read_only_sql_transaction
_FULL_CODES, _FULL_STATES = {13}, {"53100"}  # SQLITE_FULL; disk_full
_DAMAGED_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


def translate(exc: DBAPIError, url: str) -> StoreError:
    """The user's one-line account of a database error (no SQL, no parameters)."""
    return describe(exc.orig, where(url))


def describe(orig: BaseException | None, place: str) -> StoreError:
    """As `translate`, from the driver's own exception (sqlite3's or psycopg's) and the
    database as `where` names it."""
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    state = getattr(orig, "sqlstate", None) or ""
    if primary in _BUSY_CODES or state in _BUSY_STATES:
        return DatabaseBusy(BUSY_MESSAGE.format(where=place).removesuffix("; retrying…"))
    if primary in _READ_ONLY_CODES or state in _READ_ONLY_STATES:
        return ReadOnlyDatabase(f"the database {place} is read-only ({text}): newsdesk cannot store anything in it")
    if primary in _FULL_CODES or state in _FULL_STATES:
        return DiskFull(f"the disk holding {place} is full: free some space, then refresh again")
    if primary in _DAMAGED_CODES:
        return DatabaseUnusable(f"{place} is damaged or is not a database ({text}); newsdesk left it as it is")
    return StoreError(f"{place}: {text}")


def busy_retried(method: _F) -> _F:
    """A write that finds the database busy (another process holds its write lock for longer
    than the busy timeout) says so and tries again, as long as it takes; nothing half-done
    is left behind, since each try is one transaction that rolled back."""

    @functools.wraps(method)
    def retrying(self: Any, *args: Any, **kwargs: Any) -> Any:
        while True:
            try:
                return method(self, *args, **kwargs)
            except DatabaseBusy:
                message = BUSY_MESSAGE.format(where=where(self.url))
                (self.on_busy or log.warning)(message)
                time.sleep(self.busy_pause)

    return cast(_F, retrying)
