"""Views of the stories, written: marking a view read, and undoing it. Which stories a view
(a StoryQuery) holds, in which order and how many, is read in `_reads` (the same SQL on both
engines, and in the reading commands without SQLAlchemy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from newsdesk.store._base import _Base, session_run
from newsdesk.store._problems import busy_retried, where
from newsdesk.store._reads import CLUSTER, mark
from newsdesk.store._state import mark_read
from newsdesk.types import StoryQuery


class _Views(_Base):
    @busy_retried
    def mark_view_read(self, query: StoryQuery) -> list[int]:
        """Mark every story of a view that this reader has not read, read, in one transaction;
        the ids it marked (to undo).

        A collapsed view's row stands for its whole cluster: every copy of the events it
        shows is marked, the ones its rows hide and the ones in feeds outside the view too,
        so no copy of an event marked read turns up unread later (in another view, or with
        `collapse` off).
        """
        with self._writing() as session:
            run = session_run(session, where(self.url))
            params: dict[str, object] = {"reader": self.reader}
            joined = "FROM story LEFT OUTER JOIN story_cluster ON story_cluster.story_id = story.id"
            view = " AND ".join(self.view_filter(run, replace(query, collapse=False), params)) or "1 = 1"
            if query.collapse:
                sql = f"SELECT story.id {joined} WHERE {CLUSTER} IN (SELECT {CLUSTER} {joined} WHERE {view}) AND NOT {mark('read')}"
            else:
                sql = f"SELECT story.id FROM story WHERE {view} AND NOT {mark('read')}"
            ids = [story_id for (story_id,) in run(sql, params, query.search)]
            mark_read(session, self.reader, ids, True)
            return ids

    @busy_retried
    def set_read_many(self, story_ids: Sequence[int], read: bool) -> None:
        """Mark these stories read (or unread) for this reader in one transaction: undoing a mark-all."""
        with self._writing() as session:
            mark_read(session, self.reader, list(story_ids), read)
