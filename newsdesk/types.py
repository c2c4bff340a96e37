"""Plain values the stages hand each other: fetch → extract → match → store.

They carry no behaviour and no I/O, so any stage can be tested by building them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal


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


MatchKind = Literal["country", "person"]
MatchWhere = Literal["title", "summary", "text"]


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence of a watchlist entry in a story: the evidence shown to the reader."""

    entity: str
    """The watchlist name: the country's common English name or the person's name as configured."""
    kind: MatchKind
    code: str | None
    """ISO 3166-1 alpha-2 code for a country, None for a person."""
    form: str
    """The exact text found, e.g. "Russians" or "Mr Putin"."""
    where: MatchWhere
    start: int
    end: int
    """Character offsets into the field named by `where` (end exclusive)."""
    snippet: str


@dataclass(frozen=True, slots=True)
class EntityHit:
    """All occurrences of one entity in one story, summed up for lists and counts."""

    entity: str
    kind: MatchKind
    code: str | None
    count: int
    snippet: str
    occurrences: tuple[Match, ...] = ()


TextSource = Literal["page", "feed"]


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


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A feed as stored, with its last outcome: what `newsdesk status` and the UI show."""

    id: int
    name: str
    url: str
    active: bool
    title: str | None
    last_checked: datetime | None
    last_outcome: str | None
    last_error: str | None
    http_status: int | None
    last_ok: datetime | None
    stories: int
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    """Failed refreshes in a row."""
    next_try: datetime | None = None
    """Not fetched before this time: backing off after failures, or as the server asked."""
    gone: bool = False
    moved_to: str | None = None

    @property
    def fetch_url(self) -> str:
        """Where to fetch it: its new address once it has moved permanently."""
        return self.moved_to or self.url

    def health(self, now: datetime) -> str:
        """One word a glance can read: ok, not modified, failing, waiting, gone, moved, never fetched."""
        if self.gone:
            return "gone"
        if self.last_outcome is None:
            return "never fetched"
        if self.failures:
            word = "waiting" if self.next_try and self.next_try > now else "failing"
            return f"{word} ({self.failures}×)"
        if self.moved_to:
            return "moved"
        return self.last_outcome

    def problem(self, now: datetime) -> str:
        """What is wrong and what to do, in one line; empty when nothing is."""
        parts = []
        if self.last_error:
            parts.append(self.last_error)
        if self.moved_to:
            parts.append(f"moved permanently to {self.moved_to}: put that URL in feeds.toml")
        if self.next_try and self.next_try > now and not self.gone:
            parts.append(f"next try {self.next_try.astimezone():%Y-%m-%d %H:%M}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class StoryItem:
    """One row of the story list."""

    id: int
    title: str
    feed: str
    time: datetime
    read: bool
    starred: bool
    entities: tuple[str, ...]
    url: str | None = None
    published: datetime | None = None
    tags: tuple[str, ...] = ()
    """The entities in a few letters, for a narrow list: a country's ISO code, a person's surname."""
    cluster: int | None = None
    """The story's event (newsdesk.cluster): the id of its cluster's first stored story."""
    sources: int = 1
    """How many stored stories its cluster holds, this one included."""


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """Everything the reader view shows for one story."""

    id: int
    title: str
    feed: str
    url: str | None
    author: str | None
    published: datetime | None
    fetched_at: datetime
    summary: str
    text: str
    text_source: TextSource
    text_note: str | None
    read: bool
    starred: bool
    hits: tuple[EntityHit, ...]


@dataclass(frozen=True, slots=True)
class EntityCount:
    """A watchlist entry with how many stored stories mention it (for the side panel)."""

    entity: str
    kind: MatchKind
    code: str | None
    stories: int
    unread: int


@dataclass(frozen=True, slots=True)
class EntityDay:
    """How many events named one watchlist entry on one day: a point of its timeline
    (Store.entity_days). Days without any are not stored values: callers fill them with 0."""

    kind: MatchKind
    """"country" or "person"."""
    name: str
    """The entry's name as stored ("Russia", "Vladimir Putin")."""
    day: date
    """The UTC day of the cluster's earliest story naming the entry (its published time,
    else when it was fetched)."""
    clusters: int
    """Distinct clusters (events, not copies of one event) that name the entry that day."""


@dataclass(frozen=True, slots=True)
class Spike:
    """A day on which an entry was named well above its own usual (newsdesk.trends.spike)."""

    day: date
    """The day that is unusual."""
    count: int
    """Its count of clusters."""
    baseline: float
    """The entry's usual count: the mean of the trailing days before `day`."""
    ratio: float
    """count / baseline, the baseline floored (a rarely named entry's usual is taken as at
    least one a day): what the reader sees as "▲ 4× usual"."""


@dataclass(frozen=True, slots=True)
class TrendPeriod:
    """An entry's count over a stretch of days (`newsdesk trends`): one day, or a week."""

    start: date
    end: date
    """The period's last day, included."""
    count: int
    """Clusters naming the entry in it (the sum of its days)."""
    spike: Spike | None = None
    """The day's spike; for a week, its day with the highest ratio of those that are spikes."""


@dataclass(frozen=True, slots=True)
class Mention:
    """One stored story naming one watchlist entry, with its event: what exports and the
    digest read (Store.mentions)."""

    story_id: int
    cluster: int
    """The story's cluster (newsdesk.cluster): the id of its first stored story."""
    title: str
    feed: str
    """The feed's name."""
    url: str | None
    published: datetime | None
    time: datetime
    """Its published time, else when it was fetched (what lists sort by), in UTC."""
    hit: EntityHit
    """The entry's occurrences in the story (their snippets empty: see `hit.snippet`)."""
    summary: str = ""
    text: str = ""
    """The fields the occurrences' offsets point into ("title" is `title`); empty unless asked for."""


@dataclass(frozen=True, slots=True)
class MatchRow:
    """One occurrence of a watchlist entry in a stored story: a row of `newsdesk export matches`."""

    entity: str
    kind: MatchKind
    story_id: int
    cluster: int
    title: str
    feed: str
    published: datetime | None
    time: datetime
    url: str | None
    form: str
    """The exact text found ("Russians", "Mr Putin")."""
    where: str
    """"title", "summary" or "text" (empty for a match stored without its occurrences)."""
    snippet: str
    """The words around this occurrence."""


class StorySort(StrEnum):
    """The orders a list of stories comes in."""

    NEWEST = "newest first"
    OLDEST = "oldest first"
    UNREAD = "unread first"
    MATCHES = "most matches"


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """Which stories, in which order: a view of the UI, and the filters of `newsdesk list`.

    The filters add up: matched stories of one feed, unread, in the last 7 days, holding a
    search's words, say.
    """

    matched_only: bool = True
    entity: str | None = None
    """One watchlist entry's stories (its name as stored: "Russia", "Vladimir Putin")."""
    feed: str | None = None
    """One feed's stories, by its name in feeds.toml."""
    feeds: tuple[str, ...] | None = None
    """Only these feeds' stories, by their names (the feeds of one tag)."""
    tag: str | None = None
    """The tag `feeds` share, to name the view; the store filters by `feeds` alone."""
    unread_only: bool = False
    starred_only: bool = False
    since: datetime | None = None
    """Stories of this moment and later (their published time, else when they were fetched)."""
    search: str | None = None
    """Words every story must hold in its title or text (the `search` command's syntax)."""
    sort: StorySort = StorySort.NEWEST
    reverse: bool = False
    collapse: bool = False
    """One row per cluster (copies of one event from several feeds): its earliest story in the view."""


@dataclass(frozen=True, slots=True)
class ViewCount:
    """How many stories a view holds, and how many of them are unread."""

    stories: int
    unread: int


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One word or "quoted phrase" of a search, as both the store and the reader's highlights read it."""

    text: str
    prefix: bool = False
    """Written `word*`: any word that starts so matches."""

@dataclass(frozen=True, slots=True)
class PurgedFeed:
    """How many of one feed's stories a purge removes, and why."""

    feed: str
    """The feed's name."""
    url: str
    too_old: int
    """Older than keep_days."""
    beyond_newest: int
    """Not among the feed's newest max_stories_per_feed (and not too old already)."""

    @property
    def stories(self) -> int:
        return self.too_old + self.beyond_newest


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a purge removed (or, dry, would remove); starred stories are never among them."""

    feeds: tuple[PurgedFeed, ...] = ()
    dry_run: bool = False

    @property
    def stories(self) -> int:
        return sum(f.stories for f in self.feeds)


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """An alert: a watchlist entry appeared in a story (newsdesk.alerts), as stored."""

    id: int
    entity: str
    kind: MatchKind
    story_id: int
    title: str
    url: str | None
    feed: str
    published: datetime | None
    snippet: str
    cluster: int
    sources: int
    """How many stories the story's cluster holds now."""
    created_at: datetime
    sent_at: datetime | None = None
    """When a process claimed it to send it; None while it waits for the end of quiet hours."""
    outcome: tuple[tuple[str, str], ...] = ()
    """Each channel's result: ("webhook", "ok"), ("desktop", "notify-send is not installed")."""


@dataclass(frozen=True, slots=True)
class ClusterSource:
    """One story of a cluster, as the reader lists the sources of an event."""

    id: int
    title: str
    feed: str
    url: str | None
    time: datetime
    read: bool


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """One past download of a feed, as the feeds screen's detail view lists them."""

    checked_at: datetime
    outcome: str
    """A FeedOutcome's value: "ok", "not modified", "timeout", ..."""
    http_status: int | None
    error: str | None
    """What went wrong, in words (or a parse warning on a good answer)."""
    new: int
    """Stories that were new."""
    moved_to: str | None = None
