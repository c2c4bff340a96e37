"""The refresh's values: a feed's download, its entries, the pages read and the stories to
store (fetch → extract → match → store). Imported through newsdesk.types, when first used:
the reading commands never make them (see newsdesk.types).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.cluster import Sketch
    from newsdesk.types import EntityHit, TextSource


class FeedOutcome(StrEnum):
    """How a feed's last download ended; stored on the feed and shown to the user."""

    OK = "ok"
    NOT_MODIFIED = "not modified"
    HTTP_ERROR = "http error"
    TIMEOUT = "timeout"
    NETWORK_ERROR = "network error"
    TOO_LARGE = "too large"
    PARSE_ERROR = "parse error"
    GONE = "gone"
    """HTTP 410: the server says the feed will not come back; it is not polled again."""
    NOT_STORED = "not stored"
    """Downloaded, but the database could not take its stories (a full disk): tried again next time."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed, as the feed describes it (texts are plain text, not HTML)."""

    key: str
    """Identity used to tell new entries from known ones: the GUID, else the normalised link."""
    title: str
    link: str | None = None
    guid: str | None = None
    summary: str = ""
    content: str = ""
    """The feed's own full text of the entry, when it carries one (content:encoded, Atom content)."""
    author: str | None = None
    published: datetime | None = None
    sketch: Sketch | None = field(default=None, compare=False, repr=False)
    """What the story the feed's own text makes of this entry is clustered by, made in the
    parse worker (newsdesk.feedstory) so the process that stores it does not; timed by the
    entry's date alone, until the refresh knows the story's (`Sketch.at`). None: not made."""
    packed_text: str | bytes | None = field(default=None, compare=False, repr=False)
    """That story's text as SQLite stores it (store.pack_text), packed in the parse worker
    for the same reason. None: not packed."""


@dataclass(frozen=True, slots=True)
class FeedResult:
    """What one download of one feed produced: the refresh's step between a feed's download
    and its stories."""

    url: str
    outcome: FeedOutcome
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None
    title: str | None = None
    entries: list[Entry] = field(default_factory=list)
    error: str | None = None
    """A sentence for the user when outcome is not OK/NOT_MODIFIED, or a parse warning."""
    retry_after: float | None = None
    """Seconds the server asked us to wait (Retry-After on 429 or 503)."""
    moved_to: str | None = None
    """Where the feed has moved for good (301/308 redirects): fetch there, tell the user."""
    alternates: list[str] = field(default_factory=list)
    """Feeds a web page declares with <link rel="alternate">, when a page came instead of a feed."""


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One feed's download to record: which feed, what came back, when, how many stories were new."""

    feed_id: int
    result: FeedResult
    checked_at: datetime
    new: int = 0
    failures: int = 0
    """Failed refreshes in a row, after this one."""
    next_try: datetime | None = None
    """Not before this time: back-off after failures, or the server's Retry-After."""


@dataclass(frozen=True, slots=True)
class RawPage:
    """An article page as it came over the wire, still compressed: decoding it is CPU work
    that belongs with extraction, in a worker process, not on the download loop."""

    url: str
    body: bytes
    content_encoding: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Article:
    """What extraction made of an article page."""

    text: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    standfirst: bool = False
    """The feed's opening sentence is no part of the story: the page shows it only as a
    standfirst, subtitle or heading, or not at all (a summary written for the feed). It stays
    the story's summary and is never put in the text."""


@dataclass(frozen=True, slots=True)
class NewStory:
    """A story ready to store: the entry, plus what extraction made of its page."""

    key: str
    title: str
    url: str | None
    guid: str | None
    author: str | None
    published: datetime | None
    fetched_at: datetime
    summary: str
    text: str
    text_source: TextSource
    text_note: str | None = None


@dataclass(frozen=True, slots=True)
class PageReading:
    """What reading an entry's article page gave: the refresh's step between a page's
    download and its story."""

    article: Article | None
    """The page's article, or None: the story keeps the feed's own text."""
    note: str | None = None
    """Why the feed's text stands (the page could not be downloaded, decoded or read, or
    held too little), in words for the reader; or a remark on the page's text."""
    page: str | None = None
    """The page as kept for `newsdesk reextract` (what its text was read from), when it was
    read; the extraction worker packs it (store.pack_page) and sends the reading on without it."""


@dataclass(frozen=True, slots=True)
class StoryWrite:
    """A new story ready to store, with what goes in with it: the refresh's step between
    extraction and the store."""

    story: NewStory
    hits: tuple[EntityHit, ...]
    """The watchlist entries the story names."""
    page: bytes | None = None
    """The page its text came from as pack_page keeps it (for `reextract`), None for none."""
    sketch: Sketch | None = field(default=None, compare=False, repr=False)
    """What the story is clustered by, made by the worker that composed it (the entry's
    parse worker, or its page's extraction worker): the store then only looks it up and
    writes it. None: the store makes it."""
    packed_text: str | bytes | None = field(default=None, compare=False, repr=False)
    """The story's text as SQLite stores it (store.pack_text), packed by that same worker:
    compressing is CPU work the storing process would otherwise do. None: packed as stored."""


@dataclass(frozen=True, slots=True)
class PageStory:
    """What an extraction worker makes of one new story's article page: the refresh's step
    from a downloaded page to a story ready to store."""

    reading: PageReading
    """The page's reading, kept for other entries of the refresh that link the same page."""
    write: StoryWrite
    """The story, with the feed's text and the reason when the page gave none."""


@dataclass(frozen=True, slots=True)
class FeedWrite:
    """One feed's share of a `Store.write_feeds` transaction: its new stories and the
    download that brought them (validators move with the stories, in one transaction)."""

    feed_id: int
    stories: tuple[StoryWrite, ...]
    record: FetchRecord | None
    """The download; its `new` is set by the store from what the feed did not have. None
    for stories that came without one (an import, a test's fixture)."""


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A stored story with the page its text came from: what re-extraction works on."""

    story_id: int
    feed: str
    url: str | None
    title: str
    summary: str
    text: str
    text_source: TextSource
    html: str
