"""Leases on feeds, so that several daemons on one database fetch each feed once per interval.

A daemon claims a few due feeds at a time (one transaction; on PostgreSQL `FOR UPDATE SKIP
LOCKED`, so two daemons claiming at once take different feeds and never wait on each other),
fetches them, and releases them. A claim lasts `lease_seconds` and is renewed while the fetch
runs; a daemon that dies stops renewing, its claim lapses, and the next daemon to look takes the
feed over at once (a lapsed claim that was never released is work left undone). A feed is due
one interval after it was last claimed, whoever claimed it.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update

from newsdesk.store._base import _Base
from newsdesk.store._models import Feed, table_of
from newsdesk.store._problems import busy_retried

# A feed claimed this long before its interval is up counts as due: the daemons' timers, and
# the half second a batch waits to gather feeds, never make one wait a whole extra interval.
_EARLY = timedelta(seconds=5)


class _Leases(_Base):
    _owner: str | None = None

    @property
    def lease_owner(self) -> str:
        """This process's name on the feeds it claims: host, pid and a random part."""
        if self._owner is None:
            self._owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        return self._owner

    @busy_retried
    def claim_feeds(self, due: Sequence[tuple[str, float]], *, limit: int, lease_seconds: float) -> list[str]:
        """Claim up to `limit` of these feeds (URL, interval in minutes) that are due and that no
        other daemon holds; the URLs claimed, longest-waiting first."""
        feed = table_of(Feed).c
        now = datetime.now(UTC)
        by_interval: dict[float, list[str]] = {}
        for url, minutes in due:
            by_interval.setdefault(minutes, []).append(url)
        claimed: list[str] = []
        with self._writing() as session:
            locking = session.get_bind().dialect.name == "postgresql"
            for minutes, urls in sorted(by_interval.items()):
                if len(claimed) >= limit:
                    break
                early = min(_EARLY, timedelta(minutes=minutes) / 10)
                threshold = now - timedelta(minutes=minutes) + early
                query = (
                    select(feed.id, feed.url)
                    .where(
                        feed.url.in_(urls),
                        feed.active.is_(True),
                        or_(feed.lease_until.is_(None), feed.lease_until < now),
                        or_(feed.claimed_at.is_(None), feed.claimed_at <= threshold, feed.lease_owner.is_not(None)),
                    )
                    .order_by(feed.claimed_at.nulls_first(), feed.id)
                    .limit(limit - len(claimed))
                )
                if locking:
                    query = query.with_for_update(skip_locked=True)
                rows = session.execute(query).all()
                if rows:
                    session.execute(
                        update(table_of(Feed))
                        .where(feed.id.in_([r.id for r in rows]))
                        .values(
                            lease_owner=self.lease_owner,
                            lease_until=now + timedelta(seconds=lease_seconds),
                            claimed_at=now,
                        )
                    )
                    claimed.extend(r.url for r in rows)
        return claimed

    @busy_retried
    def renew_leases(self, urls: Sequence[str], lease_seconds: float) -> None:
        """Keep holding these feeds (a long fetch): their claims last `lease_seconds` from now."""
        feed = table_of(Feed).c
        with self._writing() as session:
            session.execute(
                update(table_of(Feed))
                .where(feed.url.in_(list(urls)), feed.lease_owner == self.lease_owner)
                .values(lease_until=datetime.now(UTC) + timedelta(seconds=lease_seconds))
            )

    @busy_retried
    def release_feeds(self, urls: Sequence[str]) -> None:
        """Done with these feeds: another daemon may take them when they are next due."""
        feed = table_of(Feed).c
        with self._writing() as session:
            session.execute(
                update(table_of(Feed))
                .where(feed.url.in_(list(urls)), feed.lease_owner == self.lease_owner)
                .values(lease_owner=None, lease_until=None)
            )
