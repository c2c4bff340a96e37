"""The only module that talks to the database.

Everything goes through `Store`, whose methods take and return the plain values of
`newsdesk.types`, so callers never hold a session or a lazy-loading row. Each method is
its own short transaction: the UI reads while a refresh writes (SQLite WAL), and a process
killed at any moment leaves either a whole story with its matches or none of it.

The store is one class (`_store`) made of one part per concern, each in its own module: feeds
(`_feeds`), stories (`_stories`), matches and the watchlist (`_matches`), the reader's state
(`_state`), marking views read (`_views`), removing old stories (`_purge`), each feed's last
downloads (`_history`), the watchlist's timelines (`_timeline`); opening and upgrading a
database is `_engine` and `_migrations`, the tables `_models`, stored pages `_pages`.

What `newsdesk list`, `search` and `status` read (the views of stories, search, feeds) is SQL
text in `_reads`, which the Store runs through SQLAlchemy and `open_reader` runs through the
standard library's sqlite3 on a SQLite file: those commands start without loading
SQLAlchemy. What a refresh writes besides stories (each download's outcome, the purge of
old pages) is SQL text too, in `_fetches`: the Store runs it, and `StatusWriter` runs it
through sqlite3 for a `newsdesk refresh` whose every feed answered 304. So this package
loads each name when it is first asked for (PEP 562), and `from newsdesk.store import
open_reader` loads no more than the reads.
"""

from __future__ import annotations

from newsdesk import _lazy

TYPE_CHECKING = False  # as typing's (mypy reads it as true)
if TYPE_CHECKING:
    from newsdesk.store._changes import Changes
    from newsdesk.store._engine import database_url
    from newsdesk.store._fetches import StatusWriter, open_status_writer
    from newsdesk.store._pages import MAX_STORED_PAGE_BYTES, pack_page, slim_page, unpack_page
    from newsdesk.store._reads import Reads, SqliteReader, new_sqlite_file, open_reader, open_sqlite_reader
    from newsdesk.store._search import fts_query, search_terms
    from newsdesk.store._store import Store
    from newsdesk.store._text import pack_text, register_functions
    from newsdesk.types import FeedWrite, FetchRecord

_WHERE = {
    "MAX_STORED_PAGE_BYTES": "_pages",
    "Changes": "_changes",
    "FeedWrite": "newsdesk.types",
    "FetchRecord": "newsdesk.types",
    "Reads": "_reads",
    "SqliteReader": "_reads",
    "StatusWriter": "_fetches",
    "Store": "_store",
    "database_url": "_engine",
    "fts_query": "_search",
    "new_sqlite_file": "_reads",
    "open_reader": "_reads",
    "open_sqlite_reader": "_reads",
    "open_status_writer": "_fetches",
    "search_terms": "_search",
    "pack_page": "_pages",
    "pack_text": "_text",
    "register_functions": "_text",
    "slim_page": "_pages",
    "unpack_page": "_pages",
}

__all__ = [
    "MAX_STORED_PAGE_BYTES",
    "Changes",
    "FeedWrite",
    "FetchRecord",
    "Reads",
    "SqliteReader",
    "StatusWriter",
    "Store",
    "database_url",
    "fts_query",
    "new_sqlite_file",
    "open_reader",
    "open_sqlite_reader",
    "open_status_writer",
    "pack_page",
    "pack_text",
    "register_functions",
    "search_terms",
    "slim_page",
    "unpack_page",
]


def __getattr__(name: str) -> object:
    return _lazy.load(globals(), __name__, _WHERE, name)
