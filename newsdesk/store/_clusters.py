"""Clusters in the database: assigning new stories to events as they are stored, and reading
clusters back.

Every process that stores stories keeps a `Clusterer`: a `ClusterIndex` (newsdesk.cluster) of
recent stories, rebuilt from the `story_cluster` rows the first time it needs one and caught
up with the rows other processes added before each write. Stories are written behind the
cluster lock (the schema row of `meta`, which every transaction that stores stories updates
first), so two processes storing copies of one event, one after the other, see each other's
stories; which cluster a story is in is read inside the transaction that changes it, since
another process may have merged clusters since.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, bindparam, func, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from newsdesk.cluster import WINDOW, ClusterIndex, Groups, Sketch, preload, sort_time
from newsdesk.store._alerts import _Alerts
from newsdesk.store._models import Meta, Story, StoryCluster, table_of
from newsdesk.store._problems import busy_retried
from newsdesk.store._state import is_read, mark_read
from newsdesk.types import StoryWrite

# The row every transaction that stores stories updates first: it always exists.
_LOCK_KEY = "schema_version"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Clusterer:
    """One process's cluster index and the steps that keep it true to the database."""

    def __init__(self) -> None:
        self._index: ClusterIndex | None = None
        self._loaded_from: datetime | None = None
        """The index holds every stored sketch from this time on (up to its newest id)."""
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the index (a write failed half-way): it is rebuilt from the database."""
        with self._lock:
            self._index = None
            self._loaded_from = None

    def assign(self, session: Session, stories: Sequence[tuple[int, Sketch]]) -> dict[int, int]:
        """Cluster newly inserted stories (ids, sketches) inside the transaction that stored
        them; returns each new story's cluster id. The caller must have taken the cluster
        lock (`take_lock`) before inserting them."""
        if not stories:
            return {}
        with self._lock:
            index = self._catch_up(session, min(s.time for _, s in stories) - WINDOW, {i for i, _ in stories})
            linked = index.link_each(stories)
            new_ids = {i for i, _ in stories}
            old = sorted({o for found in linked.values() for o in found if o not in new_ids})
            current = clusters_of(session, old)
            # Groups of cluster ids: an old story stands for its cluster, a new one for itself.
            groups = Groups()
            for story_id, found in linked.items():
                for other in found:
                    groups.join(story_id, current.get(other, other))
            assigned = {story_id: groups.root(story_id) for story_id in new_ids}
            merged = {cluster: groups.root(cluster) for cluster in set(current.values()) if groups.root(cluster) != cluster}
            connection = session.connection()
            if merged:
                connection.execute(
                    update(StoryCluster)
                    .where(col(StoryCluster.cluster_id) == bindparam("b_old"))
                    .values(cluster_id=bindparam("b_new")),
                    [{"b_old": o, "b_new": n} for o, n in merged.items()],
                )
            rows = []
            for story_id, sketch in stories:
                rows.append({
                    "story_id": story_id, "cluster_id": assigned[story_id], "time": _utc(sketch.time),
                    "title_hash": sketch.stored_title, "text_hash": sketch.stored_text,
                })
            connection.execute(insert(StoryCluster), rows)
            return assigned

    def _catch_up(self, session: Session, since: datetime, mine: set[int]) -> ClusterIndex:
        """The index, with every stored sketch from `since` on that it does not hold yet."""
        since = _utc(since)
        if self._index is None:
            self._index = ClusterIndex()
        index = self._index
        sketch = table_of(StoryCluster)
        story = table_of(Story)
        query = sa_select(sketch.c.story_id, sketch.c.time, sketch.c.title_hash, sketch.c.text_hash, story.c.title).join(
            story, story.c.id == sketch.c.story_id
        )
        parts = [query.where(sketch.c.story_id > index.newest_id, sketch.c.time >= since)]
        if self._loaded_from is None or since < self._loaded_from:
            # Older stories than the index holds: a feed brought old stories, or this is the first write.
            upper = self._loaded_from
            part = query.where(sketch.c.time >= since, sketch.c.story_id <= index.newest_id)
            parts.append(part if upper is None else part.where(sketch.c.time < upper))
            self._loaded_from = since
        for part in parts:
            index.add([
                (story_id, Sketch.unpack(title, _utc(time), title_hash, text_hash))
                for story_id, time, title_hash, text_hash, title in session.execute(part)
                if story_id not in mine
            ])
        # Stories a window older than any this batch can link to are let go (kept a window
        # more, so a feed that brings a day-old story does not make them read back at once),
        # an hour's worth at a time: the look through the index is not paid on every write.
        keep_from = since - WINDOW
        if self._loaded_from is not None and self._loaded_from < keep_from - _PRUNE_STEP:
            index.forget_before(keep_from)
            self._loaded_from = keep_from
        return index


def take_lock(session: Session) -> None:
    """Queue behind any other process that is storing stories (see the module's docstring)."""
    session.connection().execute(update(Meta).where(col(Meta.key) == _LOCK_KEY).values(value=Meta.value))


_PRUNE_STEP = timedelta(hours=1)


def sketches(writes: Sequence[StoryWrite]) -> list[Sketch]:
    """What each story is clustered by: the sketch the worker that composed it made (a
    refresh's parse or extraction worker), else made here, together (before the transaction:
    it is CPU work, and hashing many stories at once costs a fraction of one by one)."""
    missing = [w.story for w in writes if w.sketch is None]
    made = iter(Sketch.many([(s.title, s.text, s.summary, sort_time(s.published, s.fetched_at)) for s in missing]))
    return [w.sketch if w.sketch is not None else next(made) for w in writes]


def cluster_column() -> ColumnElement[int]:
    """A story's cluster in a query joined (outer) to story_cluster: a story stored before
    clusters existed is its own."""
    return func.coalesce(col(StoryCluster.cluster_id), col(Story.id))


def clusters_of(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Each story's cluster."""
    found = {i: i for i in ids}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        found.update(session.execute(
            sa_select(col(StoryCluster.story_id), col(StoryCluster.cluster_id)).where(col(StoryCluster.story_id).in_(chunk))
        ).all())
    return found


class _Clusters(_Alerts):
    """Clustering the stories a transaction stores, and reading clusters: a story's sources,
    every story's cluster. (Alerts are recorded in the same transaction: `_Alerts`.)"""

    def __init__(self, target: str | Path, *, reader: str | None = None) -> None:
        super().__init__(target, reader=reader)
        self._clusterer = Clusterer()
        self._preloading: threading.Thread | None = None

    def prepare_clustering(self) -> None:
        """A feed answered with entries: import numpy for the sketches in the background now
        (once per process), so the first write of new stories does not wait for it."""
        if self._preloading is None:
            self._preloading = threading.Thread(target=preload, name="newsdesk-cluster-preload", daemon=True)
            self._preloading.start()

    @contextmanager
    def _storing(self) -> Iterator[Session]:
        """A transaction that stores stories: behind the cluster lock, and this process's
        cluster index forgotten if it fails (it may hold stories that were rolled back)."""
        try:
            with self._writing() as session:
                take_lock(session)
                yield session
        except BaseException:
            self._clusterer.reset()
            raise

    def _stored(self, session: Session, stored: Sequence[tuple[int | None, StoryWrite, Sketch]]) -> None:
        """What goes in with new stories (id, None for one not stored; the story; its sketch),
        inside `_storing`'s transaction: their clusters, then the alerts they cause."""
        new = [(story_id, write, sketch) for story_id, write, sketch in stored if story_id is not None]
        assigned = self._clusterer.assign(session, [(story_id, sketch) for story_id, _, sketch in new])
        self._record_alerts(session, [(story_id, write.hits, assigned[story_id]) for story_id, write, _ in new])


    @busy_retried
    def set_cluster_read(self, story_id: int, read: bool = True) -> list[int]:
        """Mark every story of this story's cluster read (or unread), in one transaction: one
        row of a collapsed list is the whole event. The ids whose mark changed."""
        with self._writing() as session:
            cluster = clusters_of(session, [story_id])[story_id]
            changed = list(session.execute(
                sa_select(col(Story.id))
                .outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
                .where(cluster_column() == cluster, is_read(self.reader).is_(not read))
            ).scalars())
            mark_read(session, self.reader, changed, read)
        return changed

    def story_clusters(self) -> dict[str, int]:
        """Every stored story's cluster, by its key (the feed's GUID): for measuring clusters."""
        with self._session() as session:
            return dict(session.execute(
                sa_select(col(Story.key), cluster_column()).outerjoin(StoryCluster, col(StoryCluster.story_id) == col(Story.id))
            ).all())
