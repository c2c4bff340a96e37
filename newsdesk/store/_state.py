"""The reader's state of each story: read and starred, per reader (story_state).

A story has a row only once its reader marked it; no row is unread and not starred, so a new
story costs nothing here and two analysts on one database never see each other's marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from newsdesk.store._base import _Base, dialect_insert
from newsdesk.store._models import Story, StoryState
from newsdesk.store._problems import busy_retried


def _mark(reader: str, column: Any, story: Any = Story) -> Any:
    """Whether `reader` set this mark on the story of the enclosing query (`story`: the story
    table or an alias of it; false without a row)."""
    return exists(
        select(1).where(
            and_(
                col(StoryState.story_id) == col(story.id),
                col(StoryState.reader) == reader,
                column.is_(True),
            )
        )
    )


def is_read(reader: str, story: Any = Story) -> Any:
    return _mark(reader, col(StoryState.read), story)


def is_starred(reader: str, story: Any = Story) -> Any:
    return _mark(reader, col(StoryState.starred), story)


def mark_read(session: Session, reader: str, story_ids: Sequence[int], read: bool) -> None:
    """Mark stories read (or unread) for `reader`, inside the caller's transaction."""
    for start in range(0, len(story_ids), 500):
        rows = [{"reader": reader, "story_id": sid, "read": read, "starred": False} for sid in story_ids[start : start + 500]]
        if rows:
            statement = dialect_insert(session, StoryState)
            session.execute(statement.on_conflict_do_update(index_elements=["reader", "story_id"], set_={"read": read}), rows)


class _State(_Base):
    def set_read(self, story_id: int, read: bool = True) -> None:
        self._set_mark(story_id, read=read)

    def set_starred(self, story_id: int, starred: bool = True) -> None:
        self._set_mark(story_id, starred=starred)

    @busy_retried
    def _set_mark(self, story_id: int, **mark: bool) -> None:
        row = {"reader": self.reader, "story_id": story_id, "read": False, "starred": False, **mark}
        try:
            with self._writing() as session:
                statement = dialect_insert(session, StoryState).values(row)
                session.execute(statement.on_conflict_do_update(index_elements=["reader", "story_id"], set_=mark))
        except IntegrityError:  # the story is gone (purged meanwhile): nothing to mark
            return
