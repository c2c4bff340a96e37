"""The tables. On any change: bump SCHEMA_VERSION (in _version) and add the step to _migrations.MIGRATIONS."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Table, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from newsdesk.store._text import pack_text, unpack_text
from newsdesk.store._version import SCHEMA_VERSION as SCHEMA_VERSION  # where the migrations and tests read it


class PackedText(TypeDecorator[str]):
    """A text column compressed on SQLite (store._text). The column is declared TEXT there
    too, as in databases from before: SQLite keeps a BLOB put in it as it is, and the driver
    passes str and bytes both ways untouched, so one column holds plain and packed texts."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | bytes | None, dialect: Dialect) -> Any:
        # bytes: a text packed already, by the worker that composed its story (`StoryWrite.packed_text`).
        if value is None or dialect.name != "sqlite" or isinstance(value, bytes):
            return value
        return pack_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return unpack_text(value) if dialect.name == "sqlite" else value


class Meta(SQLModel, table=True):
    """Key/value facts about the database itself: schema version, watchlist fingerprint."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class Feed(SQLModel, table=True):
    __tablename__ = "feed"
    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    name: str
    active: bool = True
    """False once the feed left feeds.toml: its stories stay readable."""
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_checked: datetime | None = None
    last_outcome: str | None = None
    last_error: str | None = None
    http_status: int | None = None
    last_ok: datetime | None = None
    last_new: int = 0
    failures: int = 0
    """Failed refreshes in a row: each one doubles the wait before the next try."""
    next_try: datetime | None = None
    """No request before this time (back-off, or the server's Retry-After)."""
    gone: bool = False
    """The server answered 410 Gone: not polled again until feeds.toml changes its URL."""
    moved_to: str | None = None
    """Where a permanent redirect points: the reader should edit feeds.toml."""
    lease_owner: str | None = None
    """The daemon fetching this feed now (several daemons on one PostgreSQL), None when none is."""
    lease_until: datetime | None = None
    """When that daemon's claim lapses if it is not renewed (it died): then another takes the feed."""
    claimed_at: datetime | None = None
    """When a daemon last claimed the feed: the next claim waits one interval from it."""


class Story(SQLModel, table=True):
    __tablename__ = "story"
    __table_args__ = (
        UniqueConstraint("feed_id", "key"),
        Index("ix_story_sort", "sort_time"),
        Index("ix_story_feed_sort", "feed_id", "sort_time"),
        Index("ix_story_matched_sort", "matched", "sort_time"),
        Index("ix_story_url", "url"),
    )
    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id", ondelete="CASCADE")
    key: str
    guid: str | None = None
    url: str | None = None
    title: str
    author: str | None = None
    published: datetime | None = None
    fetched_at: datetime
    sort_time: datetime
    """published when it is believable, else fetched_at: what "newest first" orders by."""
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    text: str = Field(default="", sa_column=Column(PackedText, nullable=False, default=""))
    """Compressed on SQLite (store._text), as it is on PostgreSQL: callers see str either way."""
    text_source: str = "feed"
    """"page" when the text was extracted from the article page, "feed" when it is the feed's own."""
    text_note: str | None = None
    """Why the page's text was not used (download failed, no text found), for the reader."""
    matched: bool = False


class StoryState(SQLModel, table=True):
    """A reader's read and starred marks: each analyst on a shared database keeps their own.
    A story without a row is unread and not starred."""

    __tablename__ = "story_state"
    reader: str = Field(primary_key=True)
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE", primary_key=True, index=True)
    read: bool = False
    starred: bool = False


class StoryMatch(SQLModel, table=True):
    __tablename__ = "match"
    __table_args__ = (Index("ix_match_entity_story", "entity", "story_id"),)
    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE", index=True)
    entity: str
    kind: str
    code: str | None = None
    count: int
    snippet: str
    occurrences: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    """JSON list of [where, start, end, form]: enough to highlight and explain every hit."""


class StoryPage(SQLModel, table=True):
    """The article page a story's text was extracted from, so a better extractor can re-read
    it without downloading it again (`newsdesk reextract`).

    A table of its own, not a column: stories without a page cost nothing, and it can be
    emptied (or left out of a backup) without touching a story. The HTML is stored slimmed
    (store.slim_page: no scripts but JSON-LD, which carries author and date; no styles,
    comments or inline SVG) and compressed (Zstandard; zlib in databases from before).
    """

    __tablename__ = "story_page"
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE", primary_key=True)
    html: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    fetched_at: datetime


class StoryGone(SQLModel, table=True):
    """A story removed by the purge (keep_days, max_stories_per_feed): remembered by its key
    and link, so the feed still listing it does not bring it back as new at the next refresh.

    A table of its own, created where missing: older databases need no migration step.
    """

    __tablename__ = "story_gone"
    feed_id: int = Field(foreign_key="feed.id", ondelete="CASCADE", primary_key=True)
    key: str = Field(primary_key=True)
    url: str | None = Field(default=None, index=True)
    gone_at: datetime


class StoryCluster(SQLModel, table=True):
    """Which event each story reports (newsdesk.cluster), and what it is compared by.

    `cluster_id` is the id of the cluster's first stored story. The sketches are what each
    process rebuilds its in-memory LSH index of recent stories from, and reads as other
    processes add them: nothing but the database is shared. A story stored before clusters
    existed has no row and stands alone. (A table of its own: no step to upgrade a database.)
    """

    __tablename__ = "story_cluster"
    __table_args__ = (Index("ix_story_cluster_cluster", "cluster_id"),)
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE", primary_key=True)
    cluster_id: int
    time: datetime = Field(index=True)
    """The story's sort time: stories further apart than the cluster window never link."""
    title_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    text_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Alert(SQLModel, table=True):
    """An alert: one story, one watchlist entry, ever (the unique key), and never two for one
    cluster and entry (checked in the transaction that stores the story)."""

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("story_id", "entity"),)
    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", ondelete="CASCADE")
    entity: str
    kind: str
    created_at: datetime = Field(index=True)
    due_at: datetime
    """When it may go out: the end of the quiet hours it was stored in, else created_at."""
    sent_at: datetime | None = Field(default=None, index=True)
    """When a process claimed it to send it; None while it waits."""
    outcome: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    """JSON: each channel's result ("ok", or the problem in words)."""


class FetchLog(SQLModel, table=True):
    """The last downloads of each feed (their outcomes), for the feeds screen's detail view:
    a feed that fails now and then is told from one that has failed for a week.

    A table of its own, created where missing; only the newest few per feed are kept.
    """

    __tablename__ = "fetch_log"
    __table_args__ = (Index("ix_fetch_log_feed", "feed_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="feed.id", ondelete="CASCADE")
    checked_at: datetime
    outcome: str
    http_status: int | None = None
    error: str | None = None
    new: int = 0
    moved_to: str | None = None


def table_of(model: type[SQLModel]) -> Table:
    """A model's table, for statements on rows rather than ORM objects (SQLModel's classes
    do not declare their `__table__` to a type checker; the metadata's tables are typed)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]
