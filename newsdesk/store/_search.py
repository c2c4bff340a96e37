"""Full-text search over stories' titles and texts."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import false, literal_column, text
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from newsdesk.errors import StoreError
from newsdesk.store._base import _Base
from newsdesk.store._models import Story
from newsdesk.store._stories import _items, _list_select
from newsdesk.types import SearchTerm, StoryItem

# A search word: a "quoted phrase" or a run of anything else; FTS5's own syntax is not exposed.
_SEARCH_TERM = re.compile(r'"([^"]*)"|(\S+)')


class _Search(_Base):
    def search(self, query: str, *, limit: int = 200, offset: int = 0) -> list[StoryItem]:
        """Stories whose title or text hold every word of `query`, best match first.

        Words match whole tokens regardless of case and accents; `word*` matches a prefix and
        "a phrase" the words in a row. Anything else FTS5 would read as syntax is taken as text.
        """
        terms = _terms(query)
        if not terms:
            return []
        with self._session() as session:
            try:
                if session.get_bind().dialect.name == "postgresql":
                    ranked = _ranked_postgresql(session, terms, limit, offset)
                else:
                    ranked = _ranked_sqlite(session, terms, limit, offset)
            except DBAPIError as exc:
                raise StoreError(f"search {query!r} failed: {exc.orig}") from None
            if not ranked:
                return []
            rows = session.execute(_list_select(self.reader).where(col(Story.id).in_(ranked))).all()
            order = {story_id: index for index, story_id in enumerate(ranked)}
            return _items(session, sorted(rows, key=lambda row: order[row.id]))


def search_terms(query: str) -> tuple[SearchTerm, ...]:
    """A user's search words: each a word or "a phrase", `word*` a prefix (also what the
    reader highlights)."""
    terms = []
    for phrase, word in _SEARCH_TERM.findall(query):
        value = phrase if phrase else word
        prefix = bool(word) and value.endswith("*")
        value = value.rstrip("*").strip()
        if value:
            terms.append(SearchTerm(value, prefix))
    return tuple(terms)


def _terms(query: str) -> list[tuple[str, bool]]:
    return [(t.text, t.prefix) for t in search_terms(query)]


def matching(session: Session, query: str) -> Any:
    """A WHERE clause: the stories whose title or text hold every word of `query` (unranked:
    for a view that has its own order). Nothing matches a query without words."""
    terms = _terms(query)
    if not terms:
        return false()
    if session.get_bind().dialect.name == "postgresql":
        tsquery = _tsquery(session, terms)
        if tsquery is None:
            return false()
        return text("story.search @@ CAST(:view_q AS tsquery)").bindparams(view_q=tsquery)
    return col(Story.id).in_(
        sa_select(literal_column("rowid")).select_from(text("story_fts"))
        .where(text("story_fts MATCH :view_match").bindparams(view_match=_fts5(terms)))
    )


def fts_query(query: str) -> str:
    """A user's search words as an FTS5 query: every word required, each quoted as a string."""
    return _fts5(_terms(query))


def _fts5(terms: list[tuple[str, bool]]) -> str:
    return " ".join('"' + value.replace('"', '""') + '"' + ("*" if prefix else "") for value, prefix in terms)


def _ranked_sqlite(session: Session, terms: list[tuple[str, bool]], limit: int, offset: int) -> list[int]:
    return list(
        session.execute(
            text(
                "SELECT rowid FROM story_fts WHERE story_fts MATCH :match "
                "ORDER BY bm25(story_fts, 4.0, 1.0) LIMIT :limit OFFSET :offset"
            ),
            {"match": _fts5(terms), "limit": limit, "offset": offset},
        ).scalars()
    )


def _tsquery(session: Session, terms: list[tuple[str, bool]]) -> str | None:
    # Each term's words, made by the very function that made the stories' (newsdesk_words),
    # become a tsquery of exact lexemes: a phrase's words in a row (<->), the last a prefix
    # (:*) when the term ended in *. A term with no word in it asks for nothing, as in FTS5.
    words = session.execute(
        text("SELECT newsdesk_words(t) FROM unnest(CAST(:terms AS text[])) WITH ORDINALITY AS u(t, n) ORDER BY n"),
        {"terms": [value for value, _ in terms]},
    ).scalars().all()
    parts = []
    for found, (_, prefix) in zip(words, terms, strict=True):
        lexemes = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in found.split()]
        if lexemes:
            parts.append("(" + " <-> ".join(lexemes) + (":*" if prefix else "") + ")")
    return " & ".join(parts) if parts else None


def _ranked_postgresql(session: Session, terms: list[tuple[str, bool]], limit: int, offset: int) -> list[int]:
    tsquery = _tsquery(session, terms)
    if tsquery is None:
        return []
    return list(
        session.execute(
            text(
                "SELECT id FROM story WHERE search @@ CAST(:q AS tsquery) "
                "ORDER BY ts_rank('{0, 0, 0.25, 1}', search, CAST(:q AS tsquery)) DESC, sort_time DESC, id DESC "
                "LIMIT :limit OFFSET :offset"
            ),
            {"q": tsquery, "limit": limit, "offset": offset},
        ).scalars()
    )
