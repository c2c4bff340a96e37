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

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from newsdesk.errors import (
    DatabaseBusy,
    DatabaseUnusable,
    DiskFull,
    ReadOnlyDatabase,
    StoreError,
)

log = logging.getLogger("newsdesk.store")

_F = TypeVar("_F", bound=Callable[..., Any])

BUSY_MESSAGE = "the database is busy: another newsdesk process is writing to {where}; retrying…"


def where(url: str) -> str:
    """The database as a person knows it: a file's path, or the URL without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database))
    return parsed.render_as_string(hide_password=True)


def translate(exc: DBAPIError, url: str) -> StoreError:
    """The user's one-line account of a database error (no SQL, no parameters)."""
    orig = exc.orig
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = text.lower()
    state = getattr(orig, "sqlstate", None) or ""
    place = where(url)
    if "database is locked" in low or "database is busy" in low or state in ("55P03", "40P01"):
        return DatabaseBusy(BUSY_MESSAGE.format(where=place).removesuffix("; retrying…"))
    if "readonly database" in low or "read-only" in low or state == "25006":
        return ReadOnlyDatabase(f"the database {place} is read-only ({text}): newsdesk cannot store anything in it")
    if "disk is full" in low or state == "53100" or "no space left" in low:
        return DiskFull(f"the disk holding {place} is full: free some space, then refresh again")
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
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
