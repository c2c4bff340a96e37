"""Keeping the database a sensible size: removing old stories (keep_days), stories beyond a
feed's newest N (max_stories_per_feed), and a removed feed's stories (`feeds remove --purge`).

A story goes with its matches, its page and its search entry (foreign keys cascade; the
search index follows by trigger), and leaves its key and link behind in `story_gone`, so a
feed that still lists it does not bring it back as new. Starred stories are never purged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func
from sqlmodel import Session, col, select

from newsdesk.store._base import SessionSql, _Base, _utc, insert_ignoring
from newsdesk.store._fetches import purge_pages
from newsdesk.store._models import Feed, Story, StoryGone, StoryState
from newsdesk.types import PurgedFeed, PurgeReport

_CHUNK = 500
_TOMBSTONE_DAYS = 400
"""A removed story's key is remembered this long: far longer than a feed lists an entry."""


def _kept() -> Any:
    """The stories a purge never touches: starred by any reader."""
    return exists(select(StoryState.story_id).where(col(StoryState.story_id) == col(Story.id), col(StoryState.starred).is_(True)))


class _Purge(_Base):
    def purge(
        self,
        *,
        keep_days: int | None,
        max_per_feed: int | None,
        now: datetime,
        dry_run: bool = False,
    ) -> PurgeReport:
        """Remove (or with `dry_run`, count) the stories the two limits let go, per feed."""
        with self._session() as session:
            old = _too_old(session, keep_days, now) if keep_days else {}
            many = _beyond_newest(session, max_per_feed) if max_per_feed else {}
            names = {row.id: (row.name, row.url) for row in session.exec(select(Feed))}
        too_old_ids = {i for ids in old.values() for i in ids}
        by_feed: dict[int, tuple[list[int], list[int]]] = {}
        for feed_id, ids in old.items():
            by_feed.setdefault(feed_id, ([], []))[0].extend(ids)
        for feed_id, ids in many.items():
            by_feed.setdefault(feed_id, ([], []))[1].extend(i for i in ids if i not in too_old_ids)
        report = PurgeReport(
            feeds=tuple(
                PurgedFeed(feed=names[f][0], url=names[f][1], too_old=len(a), beyond_newest=len(b))
                for f, (a, b) in sorted(by_feed.items(), key=lambda item: names[item[0]][0].casefold())
                if a or b
            ),
            dry_run=dry_run,
        )
        if not dry_run and report.stories:
            with self._writing() as session:
                ids = [i for a, b in by_feed.values() for i in (*a, *b)]
                _remove(session, ids, now)
                session.execute(delete(StoryGone).where(col(StoryGone.gone_at) < _utc(now - timedelta(days=_TOMBSTONE_DAYS))))
        return report

    def purge_pages(self, *, keep_days: int, now: datetime) -> int:
        """Delete the stored pages of stories fetched more than `keep_days` ago (the stories
        stay; `reextract` no longer reaches them); how many pages went (`_fetches.purge_pages`)."""
        return purge_pages(self._in_session, self._in_writing, keep_days, now)

    @contextmanager
    def _in_session(self) -> Iterator[SessionSql]:
        with self._session() as session:
            yield SessionSql(session)

    @contextmanager
    def _in_writing(self) -> Iterator[SessionSql]:
        with self._writing() as session:
            yield SessionSql(session)

    def delete_feed(self, url: str) -> int:
        """Delete a feed that left feeds.toml with all its stories (starred ones too: the reader
        asked for this feed to go); how many stories went."""
        with self._writing() as session:
            feed = session.exec(select(Feed).where(Feed.url == url)).first()
            if feed is None:
                return 0
            count = 0
            while ids := list(session.exec(select(Story.id).where(Story.feed_id == feed.id).limit(_CHUNK))):
                session.execute(delete(Story).where(col(Story.id).in_(ids)))
                count += len(ids)
            session.execute(delete(StoryGone).where(col(StoryGone.feed_id) == feed.id))
            session.delete(feed)
        return count


def _too_old(session: Session, days: int, now: datetime) -> dict[int, list[int]]:
    cutoff = _utc(now - timedelta(days=days))
    rows = session.exec(select(Story.feed_id, Story.id).where(col(Story.sort_time) < cutoff, ~_kept()))
    return _grouped(rows)


def _beyond_newest(session: Session, newest: int) -> dict[int, list[int]]:
    rank = func.row_number().over(partition_by=col(Story.feed_id), order_by=(col(Story.sort_time).desc(), col(Story.id).desc()))
    ranked = select(Story.feed_id, Story.id, rank.label("rank"), _kept().label("kept")).subquery()
    rows = session.exec(select(ranked.c.feed_id, ranked.c.id).where(ranked.c.rank > newest, ~ranked.c.kept))
    return _grouped(rows)


def _grouped(rows: Any) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for feed_id, story_id in rows:
        out.setdefault(feed_id, []).append(story_id)
    return out


def _remove(session: Session, ids: list[int], now: datetime) -> None:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        gone = session.exec(select(Story.feed_id, Story.key, Story.url).where(col(Story.id).in_(chunk))).all()
        session.execute(
            insert_ignoring(session, StoryGone),
            [{"feed_id": f, "key": k, "url": u, "gone_at": _utc(now)} for f, k, u in gone],
        )
        session.execute(delete(Story).where(col(Story.id).in_(chunk)))
