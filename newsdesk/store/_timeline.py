"""Timelines of the watchlist: how many events named each entry day by day, and what else
those events named.

Counts are of clusters (newsdesk.cluster), not stories: an event reported by five feeds is one
event, or every count would follow how many feeds copy a wire story rather than the news. They
count every stored story, whoever has read it: a timeline is a fact about the news, not about
one reader's marks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, case, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col

from newsdesk.cluster import WINDOW
from newsdesk.store._base import _Base, _utc
from newsdesk.store._models import Feed, Story, StoryCluster, StoryMatch
from newsdesk.store._reads import _kind, hit
from newsdesk.store._state import is_read
from newsdesk.types import EntityCount, EntityDay, EntityHit, Mention


def _start(day: date) -> datetime:
    """The first moment of a UTC day."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def _cluster(story: Any, cluster: Any) -> Any:
    """A story's cluster (tables or aliases of story and story_cluster, the latter outer
    joined): a story stored before clusters existed is its own."""
    return func.coalesce(col(cluster.cluster_id), col(story.id))


class _Timeline(_Base):
    def mentions(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        entity: str | None = None,
        *,
        texts: bool = False,
    ) -> list[Mention]:
        """Every stored story naming a watchlist entry (or the one entry named, by its stored
        name), once per entry it names, newest first: stories of `since` and later and before
        `until` by their published time, else when they were fetched (as `list --since`).
        `texts`: with each story's summary and text, which the occurrences' offsets point into."""
        where = []
        if since is not None:
            where.append(col(Story.sort_time) >= _utc(since))
        if until is not None:
            where.append(col(Story.sort_time) < _utc(until))
        if entity is not None:
            where.append(col(StoryMatch.entity) == entity)
        fields = [col(Story.summary), col(Story.text)] if texts else []
        query = (
            sa_select(
                StoryMatch, col(Story.id), _cluster(Story, StoryCluster), col(Story.title), col(Feed.name),
                col(Story.url), col(Story.published), col(Story.sort_time), *fields,
            )
            .join(Story, col(Story.id) == col(StoryMatch.story_id))
            .join(Feed, col(Feed.id) == col(Story.feed_id))
            .outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
            .where(*where)
            .order_by(col(Story.sort_time).desc(), col(Story.id).desc(), col(StoryMatch.id))
        )
        with self._session() as session:
            rows = session.execute(query).all()
        return [
            Mention(
                story_id=row[1], cluster=row[2], title=row[3], feed=row[4], url=row[5], published=_utc(row[6]),
                time=_utc(row[7]), hit=_hit(row[0]), summary=row[8] if texts else "", text=row[9] if texts else "",
            )
            for row in rows
        ]

    def entity_days(self, since: date, until: date | None = None, entity: str | None = None) -> list[EntityDay]:
        """Each entry's count of clusters per UTC day from `since` to `until` (both included;
        no end: up to the newest story), for one entry (its stored name) or all of them.

        A story's time is its published time, else when it was fetched (the time lists sort
        by: a date far in the future is taken as the fetch time). A cluster counts once per
        entry, on the day of its earliest story naming the entry, so copies arriving the next
        day do not count the event twice; clusters whose earliest such story is before
        `since` (looking back one clustering window) are left out. Days with none are not
        returned: callers fill them with 0 (newsdesk.trends.daily_series). Ordered by name, then day.
        """
        cluster = _cluster(Story, StoryCluster)
        where = [col(Story.sort_time) >= _start(since) - WINDOW]
        if until is not None:
            where.append(col(Story.sort_time) < _start(until + timedelta(days=1)))
        if entity is not None:
            where.append(col(StoryMatch.entity) == entity)
        first = (
            sa_select(
                col(StoryMatch.entity).label("entity"),
                col(StoryMatch.kind).label("kind"),
                func.min(Story.sort_time).label("first"),
            )
            .join(Story, col(Story.id) == col(StoryMatch.story_id))
            .outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
            .where(*where)
            .group_by(col(StoryMatch.entity), col(StoryMatch.kind), cluster)
            .subquery()
        )
        # date() is a function on SQLite and a cast in PostgreSQL's function syntax: both give
        # the day of a UTC time stored without a zone.
        day = func.date(first.c.first, type_=Date)
        query = (
            sa_select(first.c.entity, first.c.kind, day, func.count())
            .where(first.c.first >= _start(since))
            .group_by(first.c.entity, first.c.kind, day)
            .order_by(first.c.entity, day)
        )
        with self._session() as session:
            rows = session.execute(query).all()
        return [EntityDay(kind=_kind(kind), name=name, day=_day(when), clusters=n) for name, kind, when, n in rows]

    def co_mentioned(self, entity: str, since: date, limit: int = 10) -> list[EntityCount]:
        """The entries most often named in the same clusters as `entity` (its stored name) since
        the start of the UTC day `since`, most shared clusters first (then by name).

        "The same cluster" means any of its stories: one feed naming Putin and another naming
        Iran in their reports of one event make the two co-mentioned. `stories` is the number
        of shared clusters, `unread` of those with a story this reader has not read.
        """
        start = _start(since)
        story, cluster_row, match = aliased(Story), aliased(StoryCluster), aliased(StoryMatch)
        shared = (
            sa_select(_cluster(story, cluster_row))
            .select_from(match)
            .join(story, col(story.id) == col(match.story_id))
            .outerjoin(cluster_row, col(cluster_row.story_id) == col(story.id))
            .where(col(match.entity) == entity, col(story.sort_time) >= start)
        )
        cluster = _cluster(Story, StoryCluster)
        clusters = func.count(func.distinct(cluster))
        query = (
            sa_select(
                col(StoryMatch.entity),
                col(StoryMatch.kind),
                func.max(StoryMatch.code),
                clusters,
                func.count(func.distinct(case((is_read(self.reader).is_(False), cluster)))),
            )
            .join(Story, col(Story.id) == col(StoryMatch.story_id))
            .outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
            .where(cluster.in_(shared), col(StoryMatch.entity) != entity, col(Story.sort_time) >= start)
            .group_by(col(StoryMatch.entity), col(StoryMatch.kind))
            .order_by(clusters.desc(), col(StoryMatch.entity))
            .limit(limit)
        )
        with self._session() as session:
            rows = session.execute(query).all()
        return [
            EntityCount(entity=e, kind=_kind(k), code=c, stories=n, unread=int(u or 0))
            for e, k, c, n, u in rows
        ]


def _day(value: date | str) -> date:
    """A day as the engine gives it back (a date; text from a driver that does not convert)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _hit(row: StoryMatch) -> EntityHit:
    return hit(row.entity, row.kind, row.code, row.count, row.snippet, row.occurrences)
