"""Views of the stories: which stories (a StoryQuery: matched, one entry, one feed, unread,
starred, a date window, search words) in which order, how many, and marking a view read.
What the UI's story lists and `newsdesk list` read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import and_, case, false, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from newsdesk.errors import StoreError
from newsdesk.store._base import _Base, _utc
from newsdesk.store._clusters import cluster_column
from newsdesk.store._models import Feed, Story, StoryCluster, StoryMatch
from newsdesk.store._problems import busy_retried
from newsdesk.store._search import matching
from newsdesk.store._state import is_read, is_starred, mark_read
from newsdesk.store._stories import _items, _list_select
from newsdesk.types import StoryItem, StoryQuery, StorySort, ViewCount

_OrderKey = tuple[Any, bool, Callable[[StoryItem], Any]]
"""(column, descending, the value a listed story has in it)."""


_MATCHED = StoryQuery()


class _Views(_Base):
    def stories(self, query: StoryQuery = _MATCHED, *, after: StoryItem | None = None, limit: int = 100) -> list[StoryItem]:
        """A view's stories, in its order. `after`: only those that come after that story.

        Pages, and the reader's next and previous story, are found from a story's place in
        the order (its time, id, read state, matches) rather than by an offset, so stories
        marked read or stored meanwhile neither skip nor repeat a row.
        """
        with self._session() as session:
            keys = _order_keys(query, self.reader)
            statement = _list_select(self.reader).where(*_view_filter(session, query, self.reader))
            if after is not None:
                statement = statement.where(_after(keys, after))
            statement = statement.order_by(*(column.desc() if down else column.asc() for column, down, _ in keys))
            return _items(session, _run(session, statement.limit(limit), query).all())

    def count_view(self, query: StoryQuery) -> ViewCount:
        """How many stories a view holds, and how many of them are unread (the UI's header)."""
        with self._session() as session:
            statement = (
                select(func.count(), func.sum(case((is_read(self.reader).is_(False), 1), else_=0)))
                .select_from(Story)
                .outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
                .where(*_view_filter(session, query, self.reader))
            )
            stories, unread = _run(session, statement, query).one()
        return ViewCount(stories=stories, unread=int(unread or 0))

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
            if query.collapse:
                shown = (
                    sa_select(cluster_column()).select_from(Story)
                    .outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
                    .where(*_view_filter(session, replace(query, collapse=False), self.reader))
                )
                unread = (
                    sa_select(col(Story.id)).select_from(Story)
                    .outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
                    .where(cluster_column().in_(shown), is_read(self.reader).is_(False))
                )
            else:
                unread = sa_select(col(Story.id)).where(*_view_filter(session, query, self.reader), is_read(self.reader).is_(False))
            ids = list(_run(session, unread, query).scalars())
            mark_read(session, self.reader, ids, True)
            return ids

    @busy_retried
    def set_read_many(self, story_ids: Sequence[int], read: bool) -> None:
        """Mark these stories read (or unread) for this reader in one transaction: undoing a mark-all."""
        with self._writing() as session:
            mark_read(session, self.reader, list(story_ids), read)

    def latest_story_id(self) -> int:
        """The newest story's id (0: none): a query cheap enough to ask every few seconds, so a
        running UI sees the stories another process (a daemon, a `refresh`) stores."""
        with self._session() as session:
            return session.exec(select(func.max(Story.id))).one() or 0


def _run(session: Session, statement: Any, query: StoryQuery) -> Any:
    """Run a view's statement; a search the full-text index refuses is a StoreError."""
    try:
        return session.execute(statement)
    except DBAPIError as exc:
        if query.search is None:
            raise
        raise StoreError(f"search {query.search!r} failed: {exc.orig}") from None


def _view_filter(session: Session, query: StoryQuery, reader: str, story: Any = Story) -> list[Any]:
    """The WHERE clauses of a view (on `story`: the story table, or an alias of it)."""
    where: list[Any] = []
    if query.entity is not None:
        where.append(col(story.id).in_(select(StoryMatch.story_id).where(StoryMatch.entity == query.entity)))
    elif query.matched_only:
        where.append(col(story.matched).is_(True))
    if query.feed is not None:
        where.append(col(story.feed_id).in_(select(Feed.id).where(Feed.name == query.feed)))
    if query.feeds is not None:
        where.append(col(story.feed_id).in_(select(Feed.id).where(col(Feed.name).in_(query.feeds))))
    if query.unread_only:
        where.append(is_read(reader, story).is_(False))
    if query.starred_only:
        where.append(is_starred(reader, story).is_(True))
    if query.since is not None:
        where.append(col(story.sort_time) >= _utc(query.since))
    if query.search is not None and story is Story:  # (a search collapses to its first hit's cluster row)
        where.append(matching(session, query.search))
    if query.collapse and story is Story:
        where.append(~_earlier_in_cluster(session, query, reader))
    return where


def _earlier_in_cluster(session: Session, query: StoryQuery, reader: str) -> Any:
    """EXISTS: a story of the same cluster that the view also holds comes before this one
    (one row per cluster: its earliest story in the view)."""
    earlier, member = aliased(Story), aliased(StoryCluster)
    return (
        select(col(member.story_id))
        .join(earlier, col(earlier.id) == col(member.story_id))
        .where(
            col(member.cluster_id) == col(StoryCluster.cluster_id),
            or_(
                col(earlier.sort_time) < col(Story.sort_time),
                and_(col(earlier.sort_time) == col(Story.sort_time), col(earlier.id) < col(Story.id)),
            ),
            *_view_filter(session, query, reader, earlier),
        )
        .exists()
    )


def _order_keys(query: StoryQuery, reader: str) -> list[_OrderKey]:
    """A view's order, most significant key first."""
    newest: list[_OrderKey] = [
        (col(Story.sort_time), True, lambda s: _utc(s.time)),
        (col(Story.id), True, lambda s: s.id),
    ]
    keys = newest
    if query.sort == StorySort.OLDEST:
        keys = [(column, False, value) for column, _, value in newest]
    elif query.sort == StorySort.UNREAD:
        keys = [(is_read(reader), False, lambda s: s.read), *newest]
    elif query.sort == StorySort.MATCHES:
        matches = select(func.count()).where(StoryMatch.story_id == Story.id).scalar_subquery()
        keys = [(matches, True, lambda s: len(s.entities)), *newest]
    if query.reverse:
        keys = [(column, not down, value) for column, down, value in keys]
    return keys


def _after(keys: list[_OrderKey], story: StoryItem) -> Any:
    """Rows that come after `story` in the order of `keys` (a keyset condition)."""

    def equal(column: Any, value: Any) -> Any:
        return column.is_(value) if isinstance(value, bool) else column == value

    def beyond(column: Any, down: bool, value: Any) -> Any:
        if isinstance(value, bool):  # SQL compares booleans only for equality
            return column.is_(not value) if value is down else false()
        return column < value if down else column > value

    clauses = []
    for index, (column, down, value) in enumerate(keys):
        same = [equal(c, v(story)) for c, _, v in keys[:index]]
        clauses.append(and_(*same, beyond(column, down, value(story))))
    return or_(*clauses)
