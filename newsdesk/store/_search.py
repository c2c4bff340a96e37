"""Full-text search over stories' titles and texts: a user's words as each engine's query.

SQL text and the standard library only: the reading commands run it without SQLAlchemy
(`_reads`).
"""

from __future__ import annotations

import re

from newsdesk.types import SearchTerm

TYPE_CHECKING = False  # as typing's (mypy reads it as true)
if TYPE_CHECKING:
    from newsdesk.store._reads import Run

# A search word: a "quoted phrase" or a run of anything else; FTS5's own syntax is not exposed.
_SEARCH_TERM = re.compile(r'"([^"]*)"|(\S+)')

NOTHING = "1 = 0"
"""A WHERE clause no row meets, in both engines' SQL."""


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


def matching(run: Run, dialect: str, query: str, params: dict[str, object]) -> str:
    """A WHERE clause on `story`: the stories whose title or text hold every word of `query`
    (unranked: for a view that has its own order); its parameters go into `params`. Nothing
    matches a query without words."""
    terms = _terms(query)
    if not terms:
        return NOTHING
    if dialect == "postgresql":
        tsquery = _tsquery(run, terms)
        if tsquery is None:
            return NOTHING
        params["view_q"] = tsquery
        return "story.search @@ CAST(:view_q AS tsquery)"
    params["view_match"] = _fts5(terms)
    return "story.id IN (SELECT rowid FROM story_fts WHERE story_fts MATCH :view_match)"


def ranked(run: Run, dialect: str, query: str, limit: int, offset: int) -> list[int]:
    """The ids of the stories holding every word of `query`, best match first."""
    terms = _terms(query)
    if not terms:
        return []
    if dialect == "postgresql":
        return _ranked_postgresql(run, query, terms, limit, offset)
    return [
        story_id
        for (story_id,) in run(
            "SELECT rowid FROM story_fts WHERE story_fts MATCH :match "
            "ORDER BY bm25(story_fts, 4.0, 1.0) LIMIT :limit OFFSET :offset",
            {"match": _fts5(terms), "limit": limit, "offset": offset},
            query,
        )
    ]


def fts_query(query: str) -> str:
    """A user's search words as an FTS5 query: every word required, each quoted as a string."""
    return _fts5(_terms(query))


def _fts5(terms: list[tuple[str, bool]]) -> str:
    return " ".join('"' + value.replace('"', '""') + '"' + ("*" if prefix else "") for value, prefix in terms)


def _tsquery(run: Run, terms: list[tuple[str, bool]]) -> str | None:
    # Each term's words, made by the very function that made the stories' (newsdesk_words),
    # become a tsquery of exact lexemes: a phrase's words in a row (<->), the last a prefix
    # (:*) when the term ended in *. A term with no word in it asks for nothing, as in FTS5.
    words = [
        found
        for (found,) in run(
            "SELECT newsdesk_words(t) FROM unnest(CAST(:terms AS text[])) WITH ORDINALITY AS u(t, n) ORDER BY n",
            {"terms": [value for value, _ in terms]},
        )
    ]
    parts = []
    for found, (_, prefix) in zip(words, terms, strict=True):
        lexemes = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in found.split()]
        if lexemes:
            parts.append("(" + " <-> ".join(lexemes) + (":*" if prefix else "") + ")")
    return " & ".join(parts) if parts else None


def _ranked_postgresql(run: Run, query: str, terms: list[tuple[str, bool]], limit: int, offset: int) -> list[int]:
    tsquery = _tsquery(run, terms)
    if tsquery is None:
        return []
    return [
        story_id
        for (story_id,) in run(
            "SELECT id FROM story WHERE search @@ CAST(:q AS tsquery) "
            "ORDER BY ts_rank('{0, 0, 0.25, 1}', search, CAST(:q AS tsquery)) DESC, sort_time DESC, id DESC "
            "LIMIT :limit OFFSET :offset",
            {"q": tsquery, "limit": limit, "offset": offset},
            query,
        )
    ]
