"""The reader's state of each story: read and starred."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from newsdesk.store._base import _Base
from newsdesk.store._models import Story


class _State(_Base):
    def set_read(self, story_id: int, read: bool = True) -> None:
        with self._writing() as session:
            session.execute(update(Story).where(col(Story.id) == story_id).values(read=read))

    def set_starred(self, story_id: int, starred: bool = True) -> None:
        with self._writing() as session:
            session.execute(update(Story).where(col(Story.id) == story_id).values(starred=starred))
