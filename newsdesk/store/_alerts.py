"""Alerts in the database: recorded with the stories that cause them, claimed once to be sent.

An alert row is written in the transaction that stores its story and matches, only when no
story of the same cluster has alerted for that entry before (clusters are read through their
stories, since a merge changes a story's cluster) and the unique key (story, entry) holds, so
a story alerts once per entry however many processes store stories. Sending starts with a
claim: one UPDATE of the waiting rows that are due, which two processes cannot both win.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session, col

from newsdesk.config import AlertRules
from newsdesk.store._base import _Base
from newsdesk.store._models import Alert, Feed, Story, StoryCluster, StoryMatch, table_of
from newsdesk.types import AlertEvent, EntityHit


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record(
    session: Session, rules: AlertRules, stored: Sequence[tuple[int, Sequence[EntityHit], int]], now: datetime
) -> int:
    """Alert rows for new stories (id, matches, cluster) that the rules say alert; how many."""
    wanted = [
        (story_id, hit.entity, hit.kind, cluster)
        for story_id, hits, cluster in stored
        for hit in hits
        if rules.watches(hit.entity, hit.count)
    ]
    if not wanted:
        return 0
    clusters = sorted({cluster for *_, cluster in wanted})
    alert, member = table_of(Alert), table_of(StoryCluster)
    done: set[tuple[str, int]] = set()
    for start in range(0, len(clusters), 500):
        chunk = clusters[start : start + 500]
        done.update(
            (entity, cluster)
            for entity, cluster in session.execute(
                select(alert.c.entity, member.c.cluster_id)
                .join(member, member.c.story_id == alert.c.story_id)
                .where(member.c.cluster_id.in_(chunk))
            )
        )
    rows = []
    due = rules.due(now)
    for story_id, entity, kind, cluster in wanted:
        if (entity, cluster) in done:
            continue
        done.add((entity, cluster))
        rows.append({"story_id": story_id, "entity": entity, "kind": kind,
                     "created_at": now, "due_at": due, "sent_at": None, "outcome": "{}"})
    if rows:
        session.execute(insert(Alert), rows)
    return len(rows)


def _claim(session: Session, now: datetime) -> list[int]:
    """Mark every waiting alert that is due as sent by this process; their ids."""
    alert = table_of(Alert)
    claimed = session.execute(
        update(alert)
        .where(alert.c.sent_at.is_(None), alert.c.due_at <= now)
        .values(sent_at=now)
        .returning(alert.c.id)
    )
    return sorted(claimed.scalars().all())


def _set_outcome(session: Session, alert_id: int, outcome: dict[str, str]) -> None:
    session.execute(
        update(Alert).where(col(Alert.id) == bindparam("b_id")).values(outcome=json.dumps(outcome, ensure_ascii=False)),
        {"b_id": alert_id},
    )


def _read(session: Session, *, ids: Sequence[int] | None = None, after: int = 0, limit: int = 200) -> list[AlertEvent]:
    """Alerts by id (or the newest after id `after`), newest first, with their stories."""
    alert, story, feed = table_of(Alert), table_of(Story), table_of(Feed)
    match, member = table_of(StoryMatch), table_of(StoryCluster)
    snippet = (
        select(func.max(match.c.snippet))
        .where(match.c.story_id == alert.c.story_id, match.c.entity == alert.c.entity)
        .scalar_subquery()
    )
    query = (
        select(alert, story.c.title, story.c.url, story.c.published,
               func.coalesce(member.c.cluster_id, story.c.id).label("cluster"),
               feed.c.name.label("feed"), snippet.label("snippet"))
        .join(story, story.c.id == alert.c.story_id)
        .join(feed, feed.c.id == story.c.feed_id)
        .outerjoin(member, member.c.story_id == story.c.id)
    )
    if ids is not None:
        query = query.where(alert.c.id.in_(list(ids)))
    else:
        query = query.where(alert.c.id > after).order_by(alert.c.id.desc()).limit(limit)
    rows = session.execute(query).all()
    clusters = sorted({row.cluster for row in rows})
    sizes = dict(
        session.execute(
            select(member.c.cluster_id, func.count()).where(member.c.cluster_id.in_(clusters)).group_by(member.c.cluster_id)
        ).all()
    ) if clusters else {}
    events = [
        AlertEvent(
            id=row.id, entity=row.entity, kind=row.kind, story_id=row.story_id, title=row.title, url=row.url,
            feed=row.feed, published=_utc(row.published), snippet=row.snippet or "",
            cluster=row.cluster, sources=sizes.get(row.cluster, 1),
            created_at=_utc(row.created_at) or datetime.now(UTC),  # NOT NULL: never None
            sent_at=_utc(row.sent_at), outcome=tuple(json.loads(row.outcome or "{}").items()),
        )
        for row in rows
    ]
    return sorted(events, key=lambda e: e.id, reverse=True)


class _Alerts(_Base):
    """Alert rows: recorded with the stories that cause them, claimed to be sent, listed."""

    def __init__(self, target: str | Path, *, reader: str | None = None) -> None:
        super().__init__(target, reader=reader)
        self._alert_rules = AlertRules()

    def set_alert_rules(self, rules: AlertRules) -> None:
        """Which stories alert from now on (feeds.toml's [alerts]; none until this is called)."""
        self._alert_rules = rules

    def _record_alerts(self, session: Session, stored: Sequence[tuple[int, Sequence[EntityHit], int]]) -> None:
        """Inside the transaction that stores the stories (id, matches, cluster)."""
        if self._alert_rules.enabled:
            _record(session, self._alert_rules, stored, datetime.now(UTC))

    def claim_alerts(self, now: datetime | None = None) -> list[AlertEvent]:
        """The alerts waiting to be sent that are due, now this process's to send: no other
        process will get them."""
        with self._writing() as session:
            ids = _claim(session, _utc(now) or datetime.now(UTC))
        if not ids:
            return []
        with self._session() as session:
            return _read(session, ids=ids)

    def set_alert_outcome(self, alert_id: int, outcome: dict[str, str]) -> None:
        """Each channel's result of sending an alert ("ok", or the problem in words)."""
        with self._writing() as session:
            _set_outcome(session, alert_id, outcome)

    def alerts(self, *, after: int = 0, limit: int = 200) -> list[AlertEvent]:
        """Alerts recorded, newest first (those after id `after`), sent or waiting."""
        with self._session() as session:
            return _read(session, after=after, limit=limit)
