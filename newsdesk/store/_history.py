"""What the feeds screen shows beside each feed's row: its last downloads (appended where a
download's outcome is recorded on the feed, `_fetches.record`; read back here for the detail
view) and its unread count."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from newsdesk.store._base import _Base, _utc
from newsdesk.store._models import FetchLog, Story
from newsdesk.store._state import is_read
from newsdesk.types import FetchOutcome


class _History(_Base):
    def fetch_history(self, feed_id: int, limit: int = 10) -> list[FetchOutcome]:
        """The feed's last downloads, newest first: by when each was made, as several processes
        (a daemon, a UI, a `refresh` in a shell) record theirs when they are done, not in order."""
        with self._session() as session:
            rows = session.exec(
                select(FetchLog).where(FetchLog.feed_id == feed_id)
                .order_by(col(FetchLog.checked_at).desc(), col(FetchLog.id).desc()).limit(limit)
            ).all()
        return [
            FetchOutcome(
                checked_at=_utc(row.checked_at) or row.checked_at, outcome=row.outcome, http_status=row.http_status,
                error=row.error, new=row.new, moved_to=row.moved_to,
            )
            for row in rows
        ]

    def unread_by_feed(self) -> dict[int, int]:
        """Each feed's stories this reader has not read (feeds with none are left out), in one query."""
        with self._session() as session:
            rows = session.execute(
                select(Story.feed_id, func.count()).where(is_read(self.reader).is_(False)).group_by(col(Story.feed_id))
            ).all()
        return {int(feed_id): int(count) for feed_id, count in rows}
