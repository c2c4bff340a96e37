"""Stories: writing a refresh's new stories with their matches and pages, and reading them back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from newsdesk.cluster import sort_time
from newsdesk.errors import DiskFull, StoreError
from newsdesk.store._base import _id, _utc, insert_ignoring
from newsdesk.store._changes import notify_stored
from newsdesk.store._clusters import _Clusters, sketches
from newsdesk.store._feeds import _record
from newsdesk.store._matches import _match_values, _replace_matches
from newsdesk.store._models import Feed, Story, StoryGone, StoryMatch, StoryPage, table_of
from newsdesk.store._pages import unpack_page
from newsdesk.store._problems import busy_retried
from newsdesk.store._reads import _text_source
from newsdesk.store._statistics import analysed_at, keep_statistics
from newsdesk.store._text import being_written
from newsdesk.types import (
    Article,
    EntityHit,
    FeedOutcome,
    FeedWrite,
    StoredPage,
    StoryItem,
    StoryQuery,
    StoryWrite,
    TextSource,
)

NOT_STORED = "downloaded, but the disk holding the database is full: its new stories were not stored"


class _Stories(_Clusters):
    _analysed: int | None = None
    """The stories the planner's statistics stand for (None: not read yet; _statistics)."""

    @busy_retried
    def write_feeds(self, writes: Sequence[FeedWrite]) -> list[list[int | None]]:
        """Several feeds' new stories, with their matches and pages, then the feeds' download
        records, in one transaction; each feed's story ids (None: one it already has).

        A refresh hands over whatever feeds are ready at once (group commit): a commit, and
        the full-text index's flush that comes with it, is paid once per batch rather than
        once per feed. Each record's `new` is counted here, from what went in. The new
        stories' clusters, and the alerts they cause, go in the same transaction.
        """
        try:
            return self._write_feeds(writes)
        except DiskFull:
            # What can be recorded is: each feed's download, as not stored (its validators
            # stay where they were, so the next refresh downloads the stories again).
            self._record_unstored(writes)
            raise

    def _record_unstored(self, writes: Sequence[FeedWrite]) -> None:
        records = [
            replace(w.record, new=0, result=replace(w.record.result, outcome=FeedOutcome.NOT_STORED, error=NOT_STORED))
            for w in writes
            if w.record is not None
        ]
        try:
            if self._engine.dialect.name == "sqlite":
                # The failed transaction's pages fill the write-ahead log: a checkpoint on
                # fresh connections (the pooled ones may still hold the failed statement)
                # lets SQLite empty the log, which frees the room a few small updates need.
                self._engine.dispose()
                with self._engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            with self._writing() as session:
                _record(session, records)
        except (StoreError, DBAPIError):
            pass  # not even that fits

    def _write_feeds(self, writes: Sequence[FeedWrite]) -> list[list[int | None]]:
        stories = [s for w in writes for s in w.stories]
        drawn = sketches(stories)
        with self._storing() as session:
            ids = [
                _insert_stories(session, w.feed_id, w.stories)
                for w in writes
            ]
            self._stored(session, list(zip([i for got in ids for i in got], stories, drawn, strict=True)))
            notify_stored(session.connection(), sum(i is not None for got in ids for i in got))
            if self._engine.dialect.name == "sqlite":
                if self._analysed is None:
                    self._analysed = analysed_at(session.connection())
                self._analysed = keep_statistics(session.connection(), self._analysed)
            _record(
                session,
                [
                    replace(w.record, new=sum(i is not None for i in got))
                    for w, got in zip(writes, ids, strict=True)
                    if w.record is not None
                ],
            )
        return ids

    def known_keys(self, feed_id: int, keys: Iterable[str], urls: Iterable[str] = ()) -> set[str]:
        """Which of `keys` this feed already has, and which of `urls` its stories link to.

        The links catch feeds that give the same story a new GUID on every edit. Stories the
        purge removed count as known: the feed may list them still.
        """
        found: set[str] = set()
        keys, urls = list(keys), list(urls)
        with self._session() as session:
            for table, column, values in (
                (Story, Story.key, keys), (Story, Story.url, urls), (StoryGone, StoryGone.key, keys), (StoryGone, StoryGone.url, urls),
            ):
                for start in range(0, len(values), 500):
                    chunk = values[start : start + 500]
                    found.update(
                        v for v in session.exec(
                            select(column).where(table.feed_id == feed_id, col(column).in_(chunk))
                        ) if v is not None
                    )
        return found

    def extracted_pages(self, urls: Iterable[str]) -> dict[str, Article]:
        """Articles already extracted from these page URLs (for another feed): not fetched again."""
        urls = list(dict.fromkeys(urls))
        found: dict[str, Article] = {}
        with self._session() as session:
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                for url, title, author, published, body in session.execute(
                    sa_select(col(Story.url), col(Story.title), col(Story.author), col(Story.published), col(Story.text))
                    .where(col(Story.url).in_(chunk), col(Story.text_source) == "page")
                ):
                    found.setdefault(url, Article(text=body, title=title, author=author, published=_utc(published)))
        return found

    def list_stories(
        self,
        *,
        entity: str | None = None,
        matched_only: bool = True,
        unread_only: bool = False,
        collapse: bool = False,
        limit: int = 200,
    ) -> list[StoryItem]:
        """Newest first. `entity` narrows to one watchlist entry (and implies matched).
        (`stories` reads any view: this is its common case.)"""
        view = StoryQuery(matched_only=matched_only, entity=entity, unread_only=unread_only, collapse=collapse)
        return self.stories(view, limit=limit)

    def stored_pages(
        self, *, feed: str | None = None, since: datetime | None = None, batch: int = 100
    ) -> Iterator[StoredPage]:
        """Every story with a stored page (of the feed named `feed`, fetched since `since`), oldest first.

        Read in batches, each its own short transaction, so a long re-extraction never
        holds the database.
        """
        last_id = 0
        while True:
            with self._session() as session:
                query = (
                    select(Story, Feed.name, StoryPage.html)
                    .join(Feed, col(Feed.id) == col(Story.feed_id))
                    .join(StoryPage, col(StoryPage.story_id) == col(Story.id))
                    .where(col(Story.id) > last_id)
                )
                if feed is not None:
                    query = query.where(Feed.name == feed)
                if since is not None:
                    query = query.where(col(StoryPage.fetched_at) >= _utc(since))
                rows = session.exec(query.order_by(col(Story.id)).limit(batch)).all()
            if not rows:
                return
            for story, feed_name, html in rows:
                last_id = _id(story.id)
                yield StoredPage(
                    story_id=last_id,
                    feed=feed_name,
                    url=story.url,
                    title=story.title,
                    summary=story.summary,
                    text=story.text,
                    text_source=_text_source(story.text_source),
                    html=unpack_page(html),
                )

    @busy_retried
    def set_text(
        self, story_id: int, text: str, source: TextSource, note: str | None, hits: Sequence[EntityHit]
    ) -> None:
        """Replace a story's text and its matches in one transaction (re-extraction)."""
        with self._writing() as session:
            session.execute(
                update(Story).where(col(Story.id) == story_id).values(text=text, text_source=source, text_note=note)
            )
            _replace_matches(session, [(story_id, hits)])


def _insert_stories(session: Session, feed_id: int, writes: Sequence[StoryWrite]) -> list[int | None]:
    connection = session.connection()
    # A text its worker packed goes in as it is (on SQLite: PostgreSQL stores the text).
    packed = connection.dialect.name == "sqlite"
    rows = [
        {
            "feed_id": feed_id,
            "key": w.story.key,
            "guid": w.story.guid,
            "url": w.story.url,
            "title": w.story.title,
            "author": w.story.author,
            "published": _utc(w.story.published),
            "fetched_at": _utc(w.story.fetched_at),
            "sort_time": _utc(sort_time(w.story.published, w.story.fetched_at)),
            "summary": w.story.summary,
            "text": w.packed_text if packed and w.packed_text is not None else w.story.text,
            "text_source": w.story.text_source,
            "text_note": w.story.text_note,
            "matched": bool(w.hits),
        }
        for w in writes
    ]
    if not rows:
        return []
    # ON CONFLICT DO NOTHING skips a key the feed already has (or one another daemon stored
    # meanwhile); RETURNING says which went in. Rows go to the tables through the connection
    # (Core executemany), not through the ORM's bulk insert: its per-row bookkeeping cost
    # more than the statements, and no ORM object is wanted back.
    story_table = table_of(Story)
    statement = insert_ignoring(session, story_table).returning(story_table.c.id, story_table.c.key)
    with being_written((w.packed_text, w.story.text) for w in writes if packed and isinstance(w.packed_text, bytes)):
        inserted = {key: story_id for story_id, key in connection.execute(statement, rows)}
    ids = [inserted.get(w.story.key) for w in writes]
    matches = [
        _match_values(story_id, hit)
        for story_id, w in zip(ids, writes, strict=True)
        if story_id is not None
        for hit in w.hits
    ]
    if matches:
        connection.execute(insert(table_of(StoryMatch)), matches)
    kept = [
        {"story_id": story_id, "html": w.page, "fetched_at": _utc(w.story.fetched_at)}
        for story_id, w in zip(ids, writes, strict=True)
        if story_id is not None and w.page is not None
    ]
    if kept:
        connection.execute(insert(table_of(StoryPage)), kept)
    return ids
