"""The Store: one class made of the store's parts (see the package's docstring)."""

from __future__ import annotations

from typing import Self

from newsdesk.store._changes import _Watching
from newsdesk.store._feeds import _Feeds
from newsdesk.store._history import _History
from newsdesk.store._leases import _Leases
from newsdesk.store._matches import _Matches
from newsdesk.store._purge import _Purge
from newsdesk.store._state import _State
from newsdesk.store._stories import _Stories
from newsdesk.store._timeline import _Timeline
from newsdesk.store._views import _Views


class Store(_Feeds, _Stories, _Matches, _State, _Views, _Purge, _Leases, _Watching, _History, _Timeline):
    """A newsdesk database, opened (and created or checked) from a path or SQLAlchemy URL."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
