"""The only module that talks to the database.

Everything goes through `Store`, whose methods take and return the plain values of
`newsdesk.types`, so callers never hold a session or a lazy-loading row. Each method is
its own short transaction: the UI reads while a refresh writes (SQLite WAL), and a process
killed at any moment leaves either a whole story with its matches or none of it.
"""

from __future__ import annotations

import json
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    text,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from newsdesk.config import FeedConfig
from newsdesk.errors import StoreError
from newsdesk.store._engine import database_url, open_engine
from newsdesk.store._models import Feed, Meta, Story, StoryMatch, StoryPage
from newsdesk.types import (
    Article,
    EntityCount,
    EntityHit,
    FeedResult,
    FeedStatus,
    FetchRecord,
    Match,
    NewStory,
    StoredPage,
    StoryDetail,
    StoryItem,
    TextSource,
)

__all__ = ["FeedWrite", "FetchRecord", "Store", "database_url"]

@dataclass(frozen=True, slots=True)
class FeedWrite:
    """One feed's share of a `write_feeds` transaction."""

    feed_id: int
    stories: Sequence[tuple[NewStory, Sequence[EntityHit]]]
    pages: Sequence[bytes | None]
    """Each story's page as pack_page made it, None for none."""
    record: FetchRecord
    """The download that brought them; its `new` is set from what the feed did not have."""


_FUTURE_SLACK = timedelta(hours=2)
# A page still larger than this once slimmed and compressed is not kept (its story is).
MAX_STORED_PAGE_BYTES = 512 * 1024
# Scripts (but JSON-LD, which carries author and date), styles, comments and inline SVG
# (icons and logos, 7% of a page once its scripts are gone) are no article.
_PAGE_FAT = re.compile(
    r"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>|<!--.*?-->|<svg\b.*?</svg\s*>",
    re.IGNORECASE | re.DOTALL,
)
_WATCHLIST_KEY = "watchlist_fingerprint"
# A search word: a "quoted phrase" or a run of anything else; FTS5's own syntax is not exposed.
_SEARCH_TERM = re.compile(r'"([^"]*)"|(\S+)')


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; everything newsdesk stores is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)




class Store:
    """A newsdesk database, opened (and created or checked) from a path or SQLAlchemy URL."""

    def __init__(self, target: str | Path) -> None:
        self.url = database_url(target)
        self._engine = open_engine(target)
        self._write_lock = threading.Lock()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        # One writer at a time inside this process: SQLite would serialise them anyway, and
        # waiting on a Python lock is cheaper than spinning on busy_timeout.
        with self._write_lock, self._session() as session:
            yield session
            session.commit()

    # ----------------------------------------------------------------- feeds

    def sync_feeds(self, feeds: Sequence[FeedConfig]) -> None:
        """Make the stored feeds follow feeds.toml: add new ones, rename, retire removed ones.

        A feed that leaves the config is only marked inactive, so its stories stay readable.
        """
        wanted = {f.url: f for f in feeds}
        with self._session() as session:
            current = {url: (name, active) for url, name, active in session.execute(select(Feed.url, Feed.name, Feed.active))}
        if all(current.get(url) == (conf.name, True) for url, conf in wanted.items()) and not any(
            active and url not in wanted for url, (_, active) in current.items()
        ):
            return  # as feeds.toml says already: no write, no wait for another process's
        with self._writing() as session:
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

    def feeds(self, *, active_only: bool = True) -> list[FeedStatus]:
        # Rows of the table, not ORM objects: every refresh starts here, and the first ORM
        # load in a process costs several milliseconds more (a warm refresh is 1.3 s).
        feed, story = Feed.__table__, Story.__table__  # type: ignore[attr-defined]
        with self._session() as session:
            counts = dict(session.execute(select(story.c.feed_id, func.count()).group_by(story.c.feed_id)).all())
            query = select(feed).order_by(feed.c.name)
            if active_only:
                query = query.where(feed.c.active.is_(True))
            return [_feed_status(row, counts.get(row.id, 0)) for row in session.execute(query)]

    def feed(self, url: str) -> FeedStatus | None:
        return next((f for f in self.feeds(active_only=False) if f.url == url), None)

    def record_fetch(
        self,
        feed_id: int,
        result: FeedResult,
        checked_at: datetime,
        new: int = 0,
        *,
        failures: int = 0,
        next_try: datetime | None = None,
    ) -> None:
        """Store a download's outcome; validators only move forward on a usable answer."""
        self.record_fetches([FetchRecord(feed_id, result, checked_at, new, failures, next_try)])

    def record_fetches(self, records: Sequence[FetchRecord]) -> None:
        """Store many downloads' outcomes in one transaction (a refresh's 304s, say).

        Each record's `failures` and `next_try` are the refresh's back-off decision; a move or
        a 410 is kept until feeds.toml names another URL.
        """
        with self._writing() as session:
            _record(session, records)

    def write_feeds(self, writes: Sequence[FeedWrite]) -> list[list[int | None]]:
        """Several feeds' new stories, with their matches and pages, then the feeds' download
        records, in one transaction; each feed's story ids (None: one it already has).

        A refresh hands over whatever feeds are ready at once (group commit): a commit, and
        the full-text index's flush that comes with it, is paid once per batch rather than
        once per feed. Each record's `new` is counted here, from what went in.
        """
        with self._writing() as session:
            ids = [_insert_stories(session, w.feed_id, w.stories, w.pages) for w in writes]
            _record(
                session,
                [replace(w.record, new=sum(i is not None for i in got)) for w, got in zip(writes, ids, strict=True)],
            )
        return ids

    # --------------------------------------------------------------- stories

    def known_keys(self, feed_id: int, keys: Iterable[str], urls: Iterable[str] = ()) -> set[str]:
        """Which of `keys` this feed already has, and which of `urls` its stories link to.

        The links catch feeds that give the same story a new GUID on every edit.
        """
        found: set[str] = set()
        with self._session() as session:
            for column, values in ((Story.key, list(keys)), (Story.url, list(urls))):
                for start in range(0, len(values), 500):
                    chunk = values[start : start + 500]
                    found.update(
                        v for v in session.exec(
                            select(column).where(Story.feed_id == feed_id, col(column).in_(chunk))
                        ) if v is not None
                    )
        return found

    def add_story(
        self, feed_id: int, story: NewStory, hits: Sequence[EntityHit], page: str | None = None
    ) -> int | None:
        """Store a story, its matches and its page in one transaction; None if the feed already has it."""
        return self.add_stories(feed_id, [(story, hits)], [pack_page(page) if page else None])[0]

    def add_stories(
        self,
        feed_id: int,
        stories: Sequence[tuple[NewStory, Sequence[EntityHit]]],
        pages: Sequence[bytes | None] | None = None,
    ) -> list[int | None]:
        """Store a feed's new stories with their matches and pages in one transaction.

        `pages` are the stories' pages as pack_page made them (None: no page kept). Returns
        each story's id, or None for one the feed already has. A crash leaves each story
        whole with its matches and page, or absent. (A refresh writes with `write_feeds`.)
        """
        with self._writing() as session:
            return _insert_stories(session, feed_id, stories, pages)

    def extracted_pages(self, urls: Iterable[str]) -> dict[str, Article]:
        """Articles already extracted from these page URLs (for another feed): not fetched again."""
        urls = list(dict.fromkeys(urls))
        found: dict[str, Article] = {}
        with self._session() as session:
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                for url, title, author, published, body in session.exec(
                    select(Story.url, Story.title, Story.author, Story.published, Story.text)
                    .where(col(Story.url).in_(chunk), Story.text_source == "page")
                ):
                    found.setdefault(url, Article(text=body, title=title, author=author, published=_utc(published)))  # type: ignore[index]
        return found

    def list_stories(
        self,
        *,
        entity: str | None = None,
        matched_only: bool = True,
        unread_only: bool = False,
        feed_id: int | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> list[StoryItem]:
        """Newest first. `entity` narrows to one watchlist entry (and implies matched)."""
        with self._session() as session:
            query = _list_select()
            if entity is not None:
                query = query.where(
                    col(Story.id).in_(select(StoryMatch.story_id).where(StoryMatch.entity == entity))
                )
            elif matched_only:
                query = query.where(col(Story.matched).is_(True))
            if unread_only:
                query = query.where(col(Story.read).is_(False))
            if feed_id is not None:
                query = query.where(Story.feed_id == feed_id)
            query = query.order_by(col(Story.sort_time).desc(), col(Story.id).desc())
            return _items(session, session.exec(query.offset(offset).limit(limit)).all())

    def search(self, query: str, *, limit: int = 200, offset: int = 0) -> list[StoryItem]:
        """Stories whose title or text hold every word of `query`, best match first.

        Words match whole tokens regardless of case and accents; `word*` matches a prefix and
        "a phrase" the words in a row. Anything else FTS5 would read as syntax is taken as text.
        """
        match = fts_query(query)
        if not match:
            return []
        with self._session() as session:
            try:
                ranked = session.execute(
                    text(
                        "SELECT rowid FROM story_fts WHERE story_fts MATCH :match "
                        "ORDER BY bm25(story_fts, 4.0, 1.0) LIMIT :limit OFFSET :offset"
                    ),
                    {"match": match, "limit": limit, "offset": offset},
                ).scalars().all()
            except OperationalError as exc:
                raise StoreError(f"search {query!r} failed: {exc.orig}") from None
            rows = session.exec(_list_select().where(col(Story.id).in_(ranked))).all()
            order = {story_id: index for index, story_id in enumerate(ranked)}
            return _items(session, sorted(rows, key=lambda row: order[row.id]))

    def count_stories(self, *, matched_only: bool = False) -> int:
        with self._session() as session:
            query = select(func.count()).select_from(Story)
            if matched_only:
                query = query.where(col(Story.matched).is_(True))
            return session.exec(query).one()

    def entity_counts(self) -> list[EntityCount]:
        with self._session() as session:
            rows = session.exec(
                select(
                    StoryMatch.entity,
                    StoryMatch.kind,
                    func.max(StoryMatch.code),
                    func.count(),
                    func.sum(func.iif(col(Story.read).is_(False), 1, 0)),
                )
                .join(Story, col(Story.id) == col(StoryMatch.story_id))
                .group_by(StoryMatch.entity, StoryMatch.kind)
            ).all()
        return [
            EntityCount(entity=e, kind=k, code=c, stories=n, unread=int(u or 0))  # type: ignore[arg-type]
            for e, k, c, n, u in rows
        ]

    def story(self, story_id: int) -> StoryDetail | None:
        with self._session() as session:
            row = session.exec(
                select(Story, Feed.name)
                .join(Feed, col(Feed.id) == col(Story.feed_id))
                .where(Story.id == story_id)
            ).first()
            if row is None:
                return None
            story, feed_name = row
            matches = session.exec(
                select(StoryMatch).where(StoryMatch.story_id == story_id).order_by(col(StoryMatch.id))
            ).all()
        return StoryDetail(
            id=story_id,
            title=story.title,
            feed=feed_name,
            url=story.url,
            author=story.author,
            published=_utc(story.published),
            fetched_at=_utc(story.fetched_at),  # type: ignore[arg-type]
            summary=story.summary,
            text=story.text,
            text_source=story.text_source,  # type: ignore[arg-type]
            text_note=story.text_note,
            read=story.read,
            starred=story.starred,
            hits=tuple(_hit_from_row(m) for m in matches),
        )

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
                yield StoredPage(
                    story_id=story.id,  # type: ignore[arg-type]
                    feed=feed_name,
                    url=story.url,
                    title=story.title,
                    summary=story.summary,
                    text=story.text,
                    text_source=story.text_source,  # type: ignore[arg-type]
                    html=unpack_page(html),
                )
            last_id = rows[-1][0].id  # type: ignore[assignment]

    def count_pages(self) -> tuple[int, int]:
        """How many pages are stored, and their compressed size in bytes."""
        with self._session() as session:
            n, size = session.exec(select(func.count(), func.sum(func.length(StoryPage.html)))).one()
        return n, int(size or 0)

    def set_text(
        self, story_id: int, text: str, source: TextSource, note: str | None, hits: Sequence[EntityHit]
    ) -> None:
        """Replace a story's text and its matches in one transaction (re-extraction)."""
        with self._writing() as session:
            session.exec(  # type: ignore[call-overload]
                update(Story).where(col(Story.id) == story_id).values(text=text, text_source=source, text_note=note)
            )
            _replace_matches(session, [(story_id, hits)])

    def set_read(self, story_id: int, read: bool = True) -> None:
        with self._writing() as session:
            session.exec(update(Story).where(col(Story.id) == story_id).values(read=read))  # type: ignore[call-overload]

    def set_starred(self, story_id: int, starred: bool = True) -> None:
        with self._writing() as session:
            session.exec(update(Story).where(col(Story.id) == story_id).values(starred=starred))  # type: ignore[call-overload]

    # -------------------------------------------------------------- watchlist

    def watchlist_fingerprint(self) -> str | None:
        with self._session() as session:
            row = session.get(Meta, _WATCHLIST_KEY)
            return row.value if row else None

    def retag(
        self,
        tag: Callable[[str, str, str], Sequence[EntityHit]],
        fingerprint: str,
        *,
        batch: int = 500,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Re-run the matcher (`tag(title, summary, text)`) over every stored story.

        Works in batches, each its own transaction, so the UI keeps reading meanwhile; the
        fingerprint is stored last, so an interrupted re-tag is simply done again.
        """
        total = self.count_stories()
        done = 0
        last_id = 0
        while True:
            with self._session() as session:
                rows = session.exec(
                    select(Story.id, Story.title, Story.summary, Story.text)
                    .where(col(Story.id) > last_id)
                    .order_by(col(Story.id))
                    .limit(batch)
                ).all()
            if not rows:
                break
            with self._writing() as session:
                _replace_matches(session, [(sid, tag(title, summary, text)) for sid, title, summary, text in rows])
            last_id = rows[-1][0]
            done += len(rows)
            if progress:
                progress(done, total)
        self.set_watchlist_fingerprint(fingerprint)
        return done

    def set_watchlist_fingerprint(self, fingerprint: str) -> None:
        with self._writing() as session:
            session.merge(Meta(key=_WATCHLIST_KEY, value=fingerprint))


def slim_page(html: str) -> str:
    """A page without what is never article text (scripts, styles, comments, SVG): half the bytes
    to parse and to keep. The refresh reads the slimmed page, so `reextract`, which reads
    the stored one, starts from the very same input."""
    return _PAGE_FAT.sub("", html)


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


def _record_statement():  # type: ignore[no-untyped-def]
    """UPDATE feed for one download: a move and a 410 are kept until feeds.toml names another
    URL; validators, title and the count of new stories change only with an answer that has
    a feed (200)."""
    feed = Feed.__table__
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


def _insert_stories(
    session: Session,
    feed_id: int,
    stories: Sequence[tuple[NewStory, Sequence[EntityHit]]],
    pages: Sequence[bytes | None] | None,
) -> list[int | None]:
    rows = [
        {
            "feed_id": feed_id,
            "key": story.key,
            "guid": story.guid,
            "url": story.url,
            "title": story.title,
            "author": story.author,
            "published": _utc(story.published),
            "fetched_at": _utc(story.fetched_at),
            "sort_time": _utc(_sort_time(story.published, story.fetched_at)),
            "summary": story.summary,
            "text": story.text,
            "text_source": story.text_source,
            "text_note": story.text_note,
            "matched": bool(hits),
            "read": False,
            "starred": False,
        }
        for story, hits in stories
    ]
    if not rows:
        return []
    # INSERT OR IGNORE skips a key the feed already has; RETURNING says which went in.
    inserted = dict(
        (key, story_id)
        for story_id, key in session.execute(
            insert(Story).prefix_with("OR IGNORE").returning(col(Story.id), col(Story.key)),
            rows,
        )
    )
    ids = [inserted.get(story.key) for story, _ in stories]
    matches = [
        _match_values(story_id, hit)
        for story_id, (_, hits) in zip(ids, stories, strict=True)
        if story_id is not None
        for hit in hits
    ]
    if matches:
        session.execute(insert(StoryMatch), matches)
    kept = [
        {"story_id": story_id, "html": packed, "fetched_at": _utc(story.fetched_at)}
        for story_id, packed, (story, _) in zip(ids, pages or [None] * len(ids), stories, strict=True)
        if story_id is not None and packed is not None
    ]
    if kept:
        session.execute(insert(StoryPage), kept)
    return ids


def pack_page(html: str, *, slimmed: bool = False) -> bytes | None:
    """A page as stored: slimmed and compressed; None when it is too large to keep."""
    # Level 3: within a tenth of level 6's size at half its CPU, which every new story pays.
    packed = zlib.compress((html if slimmed else slim_page(html)).encode("utf-8"), 3)
    return packed if len(packed) <= MAX_STORED_PAGE_BYTES else None


def unpack_page(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8")


def fts_query(query: str) -> str:
    """A user's search words as an FTS5 query: every word required, each quoted as a string."""
    terms = []
    for phrase, word in _SEARCH_TERM.findall(query):
        value = phrase if phrase else word
        prefix = bool(word) and value.endswith("*")
        value = value.rstrip("*").replace('"', '""').strip()
        if value:
            terms.append(f'"{value}"' + ("*" if prefix else ""))
    return " ".join(terms)


def _list_select():  # type: ignore[no-untyped-def]
    """Only what a list row shows: a story's text never leaves the database for a list."""
    return select(
        Story.id, Story.title, Story.sort_time, Story.read, Story.starred, Story.url, Story.published,
        col(Feed.name).label("feed"),
    ).join(Feed, col(Feed.id) == col(Story.feed_id))


def _items(session: Session, rows: Sequence[Any]) -> list[StoryItem]:
    """List rows (of _list_select) with each story's matched entities, in one query."""
    ids = [row.id for row in rows]
    entities: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for story_id, name in session.exec(
            select(StoryMatch.story_id, StoryMatch.entity)
            .where(col(StoryMatch.story_id).in_(ids))
            .order_by(col(StoryMatch.id))
        ):
            entities[story_id].append(name)
    return [
        StoryItem(
            id=row.id,
            title=row.title,
            feed=row.feed,
            time=_utc(row.sort_time),  # type: ignore[arg-type]
            read=row.read,
            starred=row.starred,
            entities=tuple(entities[row.id]),
            url=row.url,
            published=_utc(row.published),
        )
        for row in rows
    ]


def _sort_time(published: datetime | None, fetched_at: datetime) -> datetime:
    # A date in the future is a feed's mistake; it must not pin a story to the top forever.
    if published is None or published > fetched_at + _FUTURE_SLACK:
        return fetched_at
    return published


def _replace_matches(session: Session, tagged: Sequence[tuple[int, Sequence[EntityHit]]]) -> None:
    """These stories' matches, and their `matched` flags, replaced by the ones given (re-tagging,
    re-extraction): a few statements for a whole batch, not some per story."""
    ids = [sid for sid, _ in tagged]
    session.exec(delete(StoryMatch).where(col(StoryMatch.story_id).in_(ids)))  # type: ignore[call-overload]
    matches = [_match_values(sid, hit) for sid, hits in tagged for hit in hits]
    if matches:
        session.execute(insert(StoryMatch), matches)
    for flag in (True, False):
        chosen = [sid for sid, hits in tagged if bool(hits) is flag]
        if chosen:
            session.exec(update(Story).where(col(Story.id).in_(chosen)).values(matched=flag))  # type: ignore[call-overload]


def _match_values(story_id: int, hit: EntityHit) -> dict[str, Any]:
    return {
        "story_id": story_id,
        "entity": hit.entity,
        "kind": hit.kind,
        "code": hit.code,
        "count": hit.count,
        "snippet": hit.snippet,
        "occurrences": json.dumps([[m.where, m.start, m.end, m.form] for m in hit.occurrences]),
    }


def _hit_from_row(row: StoryMatch) -> EntityHit:
    occurrences = tuple(
        Match(
            entity=row.entity,
            kind=row.kind,  # type: ignore[arg-type]
            code=row.code,
            form=form,
            where=where,
            start=start,
            end=end,
            snippet="",
        )
        for where, start, end, form in json.loads(row.occurrences)
    )
    return EntityHit(
        entity=row.entity,
        kind=row.kind,  # type: ignore[arg-type]
        code=row.code,
        count=row.count,
        snippet=row.snippet,
        occurrences=occurrences,
    )


def _feed_status(row: Any, stories: int) -> FeedStatus:
    """(`row`: a row of the feed table.)"""
    return FeedStatus(
        id=row.id,  # type: ignore[arg-type]
        name=row.name,
        url=row.url,
        active=row.active,
        title=row.title,
        last_checked=_utc(row.last_checked),
        last_outcome=row.last_outcome,
        last_error=row.last_error,
        http_status=row.http_status,
        last_ok=_utc(row.last_ok),
        stories=stories,
        etag=row.etag,
        last_modified=row.last_modified,
        failures=row.failures,
        next_try=_utc(row.next_try),
        gone=row.gone,
        moved_to=row.moved_to,
    )
