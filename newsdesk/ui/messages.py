"""What the UI's workers and the app tell the screens: the results of work done off the UI
thread, and the events every screen may care about (new stories, a refresh, a new feeds.toml).

Workers never touch a widget: they post one of these to the screen that started them, and
the screen's handler, on the UI thread, updates its widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from newsdesk.config import Config
from newsdesk.types import (
    ClusterSource,
    EntityCount,
    FeedStatus,
    Spike,
    StoryDetail,
    StoryItem,
    StoryQuery,
    ViewCount,
)

if TYPE_CHECKING:
    from newsdesk.refresh import RefreshProgress, RefreshSummary  # the refresh's modules load when it first runs
    from newsdesk.ui.widgets.chart import DayCount
    from newsdesk.ui.widgets.panel import PanelRow


@dataclass(frozen=True, slots=True)
class Status:
    """What the status bar says."""

    last_refresh: str = ""
    progress: RefreshProgress | None = None
    """A refresh under way in this process."""
    daemon: int | None = None
    """The pid of the `newsdesk daemon` refreshing the database, when one is."""
    config_error: str | None = None
    """The last broken edit of feeds.toml, shown until a good one replaces it."""
    files: str = ""
    """The feeds.toml and database in use."""
    files_first: bool = False
    """Said before anything else (the first seconds after start), else when nothing else is."""
    busy: str | None = None
    """A write of this process waits for another process's write lock (the store's words):
    said first, until the write goes through."""

    def line(self) -> str:
        if self.files_first and self.files and not self.busy:
            return self.files
        parts = [self.busy] if self.busy else []
        if self.progress is not None:
            feed = f" · {self.progress.feed}" if self.progress.feed else ""
            parts.append(f"Refreshing {self.progress.done}/{self.progress.total}{feed}")
        if self.daemon is not None:
            parts.append(f"refreshed by the daemon, pid {self.daemon}")
        if self.last_refresh and self.progress is None:
            parts.append(self.last_refresh)
        if not parts:
            parts.append(self.files)
        return " · ".join(parts)


# ---------------------------------------------------------------- to every screen


class StoriesChanged(Message, bubble=False):
    """Stories were stored or re-tagged (by this process or another): views read again,
    keeping their cursor and scroll."""


class ConfigChanged(Message, bubble=False):
    """feeds.toml changed: a new watchlist, new feeds."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config


# ---------------------------------------------------------------- the app's own


class RefreshProgressed(Message):
    def __init__(self, progress: RefreshProgress) -> None:
        super().__init__()
        self.progress = progress


class RefreshFinished(Message):
    def __init__(self, summary: RefreshSummary | None, error: str | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.error = error


class WriteWaiting(Message):
    """The store's write waits for another process's write lock, and will try again."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class StoreOpened(Message):
    """The Store is open (after the first rows were shown, read without it): the app's
    background work that reads it again and again starts."""


class Polled(Message):
    """The store's newest story id and the daemon's pid, read a few times a minute."""

    def __init__(self, latest: int, daemon: int | None) -> None:
        super().__init__()
        self.latest = latest
        self.daemon = daemon


class FirstListed(Message):
    """The store's newest story id just before the main list was first read: where noticing
    other processes' stories starts (a story stored between that read and the first poll
    would otherwise be missed)."""

    def __init__(self, latest: int) -> None:
        super().__init__()
        self.latest = latest


# ---------------------------------------------------------------- a screen's workers


class ViewLoaded(Message):
    """A story list's rows (the first `limit` of its view); its counts follow in a ViewCounted."""

    def __init__(self, query: StoryQuery, stories: Sequence[StoryItem], complete: bool) -> None:
        super().__init__()
        self.query = query
        self.stories = stories
        self.complete = complete
        """Every story of the view is in `stories`."""


class PageLoaded(Message):
    """The next page of a story list, after its last row."""

    def __init__(self, query: StoryQuery, after: StoryItem, stories: Sequence[StoryItem], complete: bool) -> None:
        super().__init__()
        self.query = query
        self.after = after
        self.stories = stories
        self.complete = complete


class ViewCounted(Message):
    def __init__(self, query: StoryQuery, count: ViewCount) -> None:
        super().__init__()
        self.query = query
        self.count = count


class MarkAsked(Message):
    """What a mark-all would mark: the question to ask first."""

    def __init__(self, query: StoryQuery, count: ViewCount, where: str) -> None:
        super().__init__()
        self.query = query
        self.count = count
        self.where = where


class PanelLoaded(Message):
    def __init__(self, rows: Sequence[PanelRow], matched: ViewCount) -> None:
        super().__init__()
        self.rows = rows
        self.matched = matched


class Found(Message):
    """The story a move (next unread, next story) found, or None: there is none."""

    def __init__(self, story: StoryItem | None, what: str) -> None:
        super().__init__()
        self.story = story
        self.what = what


class StoryLoaded(Message):
    def __init__(self, story: StoryDetail, links: tuple[str, ...], sources: tuple[ClusterSource, ...] = ()) -> None:
        super().__init__()
        self.story = story
        self.links = links
        """Its links as `u` lists them (newsdesk.links.story_links)."""
        self.sources = sources
        """Every story of its event (itself included), earliest first."""


class StoryUpdated(Message, bubble=False):
    """A story's read or starred state was stored: every screen that shows the story shows it.
    Posted to the app, which tells every screen: the one that asked may be gone by the time
    the mark is stored (the reader closed before the Store had opened)."""

    def __init__(self, story: StoryItem) -> None:
        super().__init__()
        self.story = story


class Marked(Message):
    """A mark-all (or its undo) is done: `ids` are the stories it changed."""

    def __init__(self, ids: Sequence[int], read: bool) -> None:
        super().__init__()
        self.ids = ids
        self.read = read


class FeedsLoaded(Message):
    def __init__(self, feeds: Sequence[FeedStatus], unread: dict[int, int]) -> None:
        super().__init__()
        self.feeds = feeds
        self.unread = unread
        """Each feed's unread stories, by feed id (none: 0)."""


class LinksLoaded(Message):
    def __init__(self, links: Sequence[str]) -> None:
        super().__init__()
        self.links = links


class EntityLoaded(Message):
    """What the entity screen shows of one entity over a window of days."""

    def __init__(
        self,
        entity: str,
        days: int,
        chart: Sequence[DayCount],
        spike: Spike | None,
        mentioned_with: Sequence[EntityCount],
        stories: Sequence[StoryItem],
    ) -> None:
        super().__init__()
        self.entity = entity
        self.days = days
        """The window: the last 30 or 90 days, today included."""
        self.chart = chart
        """Every day of the window, oldest first, days without a story included."""
        self.spike = spike
        self.mentioned_with = mentioned_with
        self.stories = stories
