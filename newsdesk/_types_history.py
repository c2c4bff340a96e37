"""Values read from what is stored over time: an entry's timeline and spikes, mentions and
matches for exports and the digest, a purge's report, alerts, a feed's past downloads.
Imported through newsdesk.types, when first used (see newsdesk.types).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.types import EntityHit, MatchKind


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
