"""Plain values the stages hand each other: fetch → extract → match → store.

They carry no behaviour and no I/O, so any stage can be tested by building them by hand.

This module holds what the reading commands and the UI's lists read; the refresh's values
(newsdesk._types_refresh) and the timeline's, the alerts' and the purge's
(newsdesk._types_history) are defined in modules of their own and found here when first
asked for (`from newsdesk.types import NewStory` works as before). Making a dataclass costs
about 0.7 ms (Python writes and compiles each of its methods), so the twenty a reading command
never uses cost `newsdesk list` about 0.015 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from newsdesk._types_history import (
        AlertEvent,
        EntityDay,
        FetchOutcome,
        MatchRow,
        Mention,
        PurgedFeed,
        PurgeReport,
        Spike,
        TrendPeriod,
    )
    from newsdesk._types_refresh import (
        Article,
        Entry,
        FeedOutcome,
        FeedResult,
        FeedWrite,
        FetchRecord,
        NewStory,
        PageReading,
        PageStory,
        RawPage,
        StoredPage,
        StoryWrite,
    )


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

    @classmethod
    def unstored(cls, name: str, url: str) -> FeedStatus:
        """A feed of feeds.toml the database does not hold yet: never fetched, id 0."""
        return cls(0, name, url, True, None, None, None, None, None, None, 0)

    @property
    def stored(self) -> bool:
        """Whether the database holds this feed (a feed made by `unstored` does not)."""
        return self.id != 0

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
class ClusterSource:
    """One story of a cluster, as the reader lists the sources of an event."""

    id: int
    title: str
    feed: str
    url: str | None
    time: datetime
    read: bool


_ELSEWHERE: dict[str, str] = {
    "FeedOutcome": "newsdesk._types_refresh",
    "Entry": "newsdesk._types_refresh",
    "FeedResult": "newsdesk._types_refresh",
    "FetchRecord": "newsdesk._types_refresh",
    "RawPage": "newsdesk._types_refresh",
    "Article": "newsdesk._types_refresh",
    "NewStory": "newsdesk._types_refresh",
    "PageReading": "newsdesk._types_refresh",
    "StoryWrite": "newsdesk._types_refresh",
    "PageStory": "newsdesk._types_refresh",
    "FeedWrite": "newsdesk._types_refresh",
    "StoredPage": "newsdesk._types_refresh",
    "EntityDay": "newsdesk._types_history",
    "Spike": "newsdesk._types_history",
    "TrendPeriod": "newsdesk._types_history",
    "Mention": "newsdesk._types_history",
    "MatchRow": "newsdesk._types_history",
    "PurgedFeed": "newsdesk._types_history",
    "PurgeReport": "newsdesk._types_history",
    "AlertEvent": "newsdesk._types_history",
    "FetchOutcome": "newsdesk._types_history",
}
"""The values defined in another module, by name, with that module."""

__all__ = [
    "AlertEvent",
    "Article",
    "ClusterSource",
    "EntityCount",
    "EntityDay",
    "EntityHit",
    "Entry",
    "FeedOutcome",
    "FeedResult",
    "FeedStatus",
    "FeedWrite",
    "FetchOutcome",
    "FetchRecord",
    "Match",
    "MatchKind",
    "MatchRow",
    "MatchWhere",
    "Mention",
    "NewStory",
    "PageReading",
    "PageStory",
    "PurgeReport",
    "PurgedFeed",
    "RawPage",
    "SearchTerm",
    "Spike",
    "StoredPage",
    "StoryDetail",
    "StoryItem",
    "StoryQuery",
    "StorySort",
    "StoryWrite",
    "TextSource",
    "TrendPeriod",
    "ViewCount",
]


def __getattr__(name: str) -> object:
    """A value of _ELSEWHERE, its module imported on the first ask (PEP 562)."""
    from newsdesk import _lazy

    return _lazy.load(globals(), __name__, _ELSEWHERE, name)
