"""Feeds: following feeds.toml, and each download's outcome on its feed's row."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from newsdesk.config import FeedConfig
from newsdesk.store._base import SessionSql, _Base
from newsdesk.store._fetches import record
from newsdesk.store._models import Feed
from newsdesk.store._problems import busy_retried
from newsdesk.store._reads import follows
from newsdesk.types import FetchRecord


class _Feeds(_Base):
    @busy_retried
    def sync_feeds(self, feeds: Sequence[FeedConfig]) -> None:
        """Make the stored feeds follow feeds.toml: add new ones, rename, retire removed ones.

        A feed that leaves the config is only marked inactive, so its stories stay readable.
        """
        with self._session() as session:
            current = {url: (name, active) for url, name, active in session.execute(select(Feed.url, Feed.name, Feed.active))}
        if follows(current, feeds):
            return  # as feeds.toml says already: no write, no wait for another process's
        wanted = {f.url: f for f in feeds}
        self._write_raced(lambda session: _sync(session, wanted))

    @busy_retried
    def record_fetches(self, records: Sequence[FetchRecord]) -> None:
        """Store many downloads' outcomes in one transaction (a refresh's 304s, say).

        Each record's `failures` and `next_try` are the refresh's back-off decision; a move or
        a 410 is kept until feeds.toml names another URL.
        """
        with self._writing() as session:
            _record(session, records)


def _sync(session: Session, wanted: dict[str, FeedConfig]) -> None:
    stored = {f.url: f for f in session.exec(select(Feed))}
    moved = {f.moved_to: f for f in stored.values() if f.moved_to and f.url not in wanted}
    for url, conf in wanted.items():
        row = stored.get(url)
        if row is None and url in moved:
            # feeds.toml now names the address the feed moved to: the same feed, with
            # its stories and their read state, under its new URL.
            row = moved[url]
            row.url, row.moved_to, row.name, row.active = url, None, conf.name, True
            stored[url] = row
            session.add(row)
        elif row is None:
            session.add(Feed(url=url, name=conf.name))
        elif row.name != conf.name or not row.active:
            row.name, row.active = conf.name, True
            session.add(row)
    for url, row in stored.items():
        if url not in wanted and row.active:
            row.active = False
            session.add(row)


def _record(session: Session, records: Sequence[FetchRecord]) -> None:
    """Each download's outcome on its feed's row and in its history (`_fetches.record`)."""
    record(SessionSql(session), records)
