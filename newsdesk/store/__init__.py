"""The only module that talks to the database.

Everything goes through `Store`, whose methods take and return the plain values of
`newsdesk.types`, so callers never hold a session or a lazy-loading row. Each method is
its own short transaction: the UI reads while a refresh writes (SQLite WAL), and a process
killed at any moment leaves either a whole story with its matches or none of it.

The store is one class made of one part per concern, each in its own module: feeds
(`_feeds`), stories (`_stories`), matches and the watchlist (`_matches`), search
(`_search`), the reader's state (`_state`), views of the stories (`_views`), removing old
stories (`_purge`), each feed's last downloads (`_history`), the watchlist's timelines (`_timeline`);
opening and upgrading a database is `_engine`
and `_migrations`, the tables `_models`, stored pages `_pages`.
"""

from __future__ import annotations

from typing import Self

from newsdesk.store._changes import Changes, _Watching
from newsdesk.store._engine import database_url
from newsdesk.store._feeds import _Feeds
from newsdesk.store._history import _History
from newsdesk.store._leases import _Leases
from newsdesk.store._matches import _Matches
from newsdesk.store._pages import (
    MAX_STORED_PAGE_BYTES,
    pack_page,
    slim_page,
    unpack_page,
)
from newsdesk.store._purge import _Purge
from newsdesk.store._search import _Search, fts_query, search_terms
from newsdesk.store._state import _State
from newsdesk.store._stories import _Stories
from newsdesk.store._timeline import _Timeline
from newsdesk.store._views import _Views
from newsdesk.types import FeedWrite, FetchRecord

__all__ = [
    "MAX_STORED_PAGE_BYTES",
    "Changes",
    "FeedWrite",
    "FetchRecord",
    "Store",
    "database_url",
    "fts_query",
    "search_terms",
    "pack_page",
    "slim_page",
    "unpack_page",
]


class Store(_Feeds, _Stories, _Matches, _Search, _State, _Views, _Purge, _Leases, _Watching, _History, _Timeline):
    """A newsdesk database, opened (and created or checked) from a path or SQLAlchemy URL."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
