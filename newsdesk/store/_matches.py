"""Matches: each story's watchlist hits, their counts, and re-tagging after a watchlist edit."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, col, select

from newsdesk.store._base import _Base, _id
from newsdesk.store._models import Meta, Story, StoryMatch
from newsdesk.store._problems import busy_retried
from newsdesk.store._reads import WATCHLIST_KEY
from newsdesk.types import EntityHit


class _Matches(_Base):
    # The watchlist's fingerprint is read by Reads.watchlist_fingerprint (SQL text both
    # engines and the sqlite3 reader run); it is written here.
    @busy_retried
    def retag(
        self,
        tag: Callable[[str, str, str], Sequence[EntityHit]],
        fingerprint: str,
        *,
        batch: int = 500,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Re-run the matcher over every stored story: `tag(title, text, summary)`, the order of
        Matcher.find.

        Works in batches, each its own transaction, so the UI keeps reading meanwhile; the
        fingerprint is stored last, so an interrupted re-tag is simply done again.
        """
        with self._session() as session:
            total = session.exec(select(func.count()).select_from(Story)).one()
        done = 0
        last_id = 0
        while True:
            with self._session() as session:
                rows = session.exec(
                    select(Story.id, Story.title, Story.summary, Story.text)
                    .where(col(Story.id) > last_id)
                    .order_by(col(Story.id))
                    .limit(batch)
                ).all()
            if not rows:
                break
            with self._writing() as session:
                _replace_matches(session, [(_id(sid), tag(title, text, summary)) for sid, title, summary, text in rows])
            last_id = _id(rows[-1][0])
            done += len(rows)
            if progress:
                progress(done, total)
        self.set_watchlist_fingerprint(fingerprint)
        return done

    @busy_retried
    def set_watchlist_fingerprint(self, fingerprint: str) -> None:
        self._write_raced(lambda session: session.merge(Meta(key=WATCHLIST_KEY, value=fingerprint)))


def _replace_matches(session: Session, tagged: Sequence[tuple[int, Sequence[EntityHit]]]) -> None:
    """These stories' matches, and their `matched` flags, replaced by the ones given (re-tagging,
    re-extraction): a few statements for a whole batch, not some per story."""
    ids = [sid for sid, _ in tagged]
    session.execute(delete(StoryMatch).where(col(StoryMatch.story_id).in_(ids)))
    matches = [_match_values(sid, hit) for sid, hits in tagged for hit in hits]
    if matches:
        session.execute(insert(StoryMatch), matches)
    for flag in (True, False):
        chosen = [sid for sid, hits in tagged if bool(hits) is flag]
        if chosen:
            session.execute(update(Story).where(col(Story.id).in_(chosen)).values(matched=flag))


def _match_values(story_id: int, hit: EntityHit) -> dict[str, Any]:
    return {
        "story_id": story_id,
        "entity": hit.entity,
        "kind": hit.kind,
        "code": hit.code,
        "count": hit.count,
        "snippet": hit.snippet,
        "occurrences": json.dumps([[m.where, m.start, m.end, m.form] for m in hit.occurrences]),
    }


