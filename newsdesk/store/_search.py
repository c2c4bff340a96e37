"""Full-text search over stories' titles and texts."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from newsdesk.errors import StoreError
from newsdesk.store._base import _Base
from newsdesk.store._models import Story
from newsdesk.store._stories import _items, _list_select
from newsdesk.types import StoryItem

# A search word: a "quoted phrase" or a run of anything else; FTS5's own syntax is not exposed.
_SEARCH_TERM = re.compile(r'"([^"]*)"|(\S+)')


class _Search(_Base):
    def search(self, query: str, *, limit: int = 200, offset: int = 0) -> list[StoryItem]:
        """Stories whose title or text hold every word of `query`, best match first.

        Words match whole tokens regardless of case and accents; `word*` matches a prefix and
        "a phrase" the words in a row. Anything else FTS5 would read as syntax is taken as text.
        """
        match = fts_query(query)
        if not match:
            return []
        with self._session() as session:
            try:
                ranked = session.execute(
                    text(
                        "SELECT rowid FROM story_fts WHERE story_fts MATCH :match "
                        "ORDER BY bm25(story_fts, 4.0, 1.0) LIMIT :limit OFFSET :offset"
                    ),
                    {"match": match, "limit": limit, "offset": offset},
                ).scalars().all()
            except OperationalError as exc:
                raise StoreError(f"search {query!r} failed: {exc.orig}") from None
            rows = session.exec(_list_select().where(col(Story.id).in_(ranked))).all()
            order = {story_id: index for index, story_id in enumerate(ranked)}
            return _items(session, sorted(rows, key=lambda row: order[row.id]))


def fts_query(query: str) -> str:
    """A user's search words as an FTS5 query: every word required, each quoted as a string."""
    terms = []
    for phrase, word in _SEARCH_TERM.findall(query):
        value = phrase if phrase else word
        prefix = bool(word) and value.endswith("*")
        value = value.rstrip("*").replace('"', '""').strip()
        if value:
            terms.append(f'"{value}"' + ("*" if prefix else ""))
    return " ".join(terms)
