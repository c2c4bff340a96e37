"""Feeds: following feeds.toml, and each download's outcome on its feed's row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, Update, and_, bindparam, case, func, or_, update
from sqlmodel import Session, select

from newsdesk.config import FeedConfig
from newsdesk.store._base import _Base, _utc
from newsdesk.store._history import log_fetches
from newsdesk.store._models import Feed, table_of
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
    """Each download's outcome on its feed's row: one UPDATE, run for all the records at once
    (a warm refresh records 200 feeds in a few milliseconds)."""
    if not records:
        return
    rows = []
    for record in records:
        result, ok = record.result, record.result.outcome == "ok"
        rows.append({
            "b_id": record.feed_id,
            "b_checked": _utc(record.checked_at),
            "b_outcome": str(result.outcome),
            "b_error": result.error,
            "b_status": result.http_status,
            "b_failures": record.failures,
            "b_next_try": _utc(record.next_try),
            "b_gone": result.outcome == "gone",
            "b_moved": result.moved_to,
            "b_answered": result.outcome in ("ok", "not modified"),
            "b_ok": ok,
            "b_etag": result.etag,
            "b_modified": result.last_modified,
            "b_title": result.title or None,
            "b_new": record.new,
        })
    session.connection().execute(_RECORD, rows)
    log_fetches(session, records)


def _record_statement() -> Update:
    """UPDATE feed for one download: a move and a 410 are kept until feeds.toml names another
    URL; validators, title and the count of new stories change only with an answer that has
    a feed (200)."""
    feed = table_of(Feed)
    c = feed.c

    def param(name: str, column: Any) -> Any:
        return bindparam(name, type_=column.type)

    ok = bindparam("b_ok", type_=Boolean())
    moved = param("b_moved", c.moved_to)
    return (
        update(feed)
        .where(c.id == bindparam("b_id"))
        .values(
            last_checked=param("b_checked", c.last_checked),
            last_outcome=param("b_outcome", c.last_outcome),
            last_error=param("b_error", c.last_error),
            http_status=param("b_status", c.http_status),
            failures=param("b_failures", c.failures),
            next_try=param("b_next_try", c.next_try),
            gone=or_(c.gone, bindparam("b_gone", type_=Boolean())),
            moved_to=case((and_(moved.is_not(None), moved != c.url), moved), else_=c.moved_to),
            last_ok=case((bindparam("b_answered", type_=Boolean()), param("b_checked", c.last_ok)), else_=c.last_ok),
            etag=case((ok, param("b_etag", c.etag)), else_=c.etag),
            last_modified=case((ok, param("b_modified", c.last_modified)), else_=c.last_modified),
            title=case((ok, func.coalesce(param("b_title", c.title), c.title)), else_=c.title),
            last_new=case((ok, param("b_new", c.last_new)), else_=c.last_new),
        )
    )


_RECORD = _record_statement()
