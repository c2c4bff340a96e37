"""What the feeds screen shows beside each feed's row: its last downloads (appended where a
download's outcome is recorded on the feed, read back for the detail view) and its unread count."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from newsdesk.store._base import _Base, _utc
from newsdesk.store._models import FetchLog, Story
from newsdesk.store._state import is_read
from newsdesk.types import FetchOutcome, FetchRecord

KEPT = 20
"""Downloads remembered per feed: the detail view shows 10; a few more cost next to nothing."""


def log_fetches(session: Session, records: Sequence[FetchRecord]) -> None:
    """Append each record to its feed's history, and forget what is older than the newest KEPT."""
    if not records:
        return
    session.execute(
        insert(FetchLog),
        [
            {
                "feed_id": r.feed_id, "checked_at": _utc(r.checked_at), "outcome": str(r.result.outcome),
                "http_status": r.result.http_status, "error": r.result.error, "new": r.new, "moved_to": r.result.moved_to,
            }
            for r in records
        ],
    )
    feeds = sorted({r.feed_id for r in records})
    for start in range(0, len(feeds), 500):
        chunk = feeds[start : start + 500]
        rank = func.row_number().over(partition_by=col(FetchLog.feed_id), order_by=col(FetchLog.id).desc())
        ranked = select(col(FetchLog.id).label("id"), rank.label("n")).where(col(FetchLog.feed_id).in_(chunk)).subquery()
        session.execute(delete(FetchLog).where(col(FetchLog.id).in_(select(ranked.c.id).where(ranked.c.n > KEPT))))


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
