"""Every feed's health, grouped by tag: what the last refresh got, and what to do about a
problem. Enter shows a feed's stories (on a tag's heading: the tag's), i the feed in full;
r refreshes the selected feed, F forces it past its back-off, R refreshes every feed."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static

from newsdesk.config import FeedConfig
from newsdesk.display import health, safe
from newsdesk.keymap import Scope
from newsdesk.types import FeedStatus, FetchOutcome, StoryQuery
from newsdesk.ui.keys import bindings
from newsdesk.ui.messages import ConfigChanged, FeedsLoaded, StoriesChanged
from newsdesk.ui.screens.base import NewsdeskScreen
from newsdesk.ui.widgets import FeedLine, FeedList, FeedProblem, RowList, StatusBar, TagLine
from newsdesk.ui.widgets.feeds import feed_lines


class _FeedScreen(NewsdeskScreen[None]):
    """A screen about one feed at a time (the feeds screen's selected one, the detail view's
    own): r refreshes it, F forces it past its back-off, R refreshes every feed."""

    def the_feed(self) -> FeedStatus | None:
        raise NotImplementedError

    def _refresh(self, *, force: bool) -> None:
        feed = self.the_feed()
        if feed is None:
            return
        listed = self.app.feed_with_url(feed.url)
        if not listed:
            self.notify(f"{feed.name} is no longer in feeds.toml.", severity="warning", markup=False)
            return
        now = self.app.clock()
        if not force and feed.next_try is not None and feed.next_try > now and not feed.gone:
            self.notify(f"{feed.name} is backing off until {feed.next_try.astimezone():%H:%M}: F refreshes it now.", markup=False)
            return
        self.app.refresh_feeds(listed, force=force)

    def action_refresh_feed(self) -> None:
        self._refresh(force=False)

    def action_force_refresh(self) -> None:
        self._refresh(force=True)

    def action_refresh_all(self) -> None:
        self.app.refresh_feeds()


class FeedsScreen(_FeedScreen):
    SCOPE: ClassVar[Scope] = "feeds"
    BINDINGS = bindings("feeds")

    DEFAULT_CSS = """
    FeedsScreen {
        & > #titles {
            height: 1;
            padding: 0 0;
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="titles")
        yield FeedList(self.app.clock(), id="feeds")
        yield FeedProblem(id="problem")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "feeds"
        self.query_one(FeedList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(FeedsLoaded(self.store.feeds(), self.store.unread_by_feed()))

    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        feeds = self.query_one(FeedList)
        now = feeds.now = self.app.clock()
        feeds.set_rows(feed_lines(message.feeds, message.unread, self.app.config, now), key=_key)
        failing = sum(1 for f in message.feeds if f.failures or f.gone)
        count = len(message.feeds)
        self.sub_title = f"feeds — {count} feed{'s' if count != 1 else ''}, {failing} with a problem"
        self._show_titles()
        self._show_problem()

    def on_resize(self) -> None:
        self._show_titles()

    def _show_titles(self) -> None:
        feeds = self.query_one(FeedList)
        self.query_one("#titles", Static).update(feeds.column_titles(feeds.size.width or self.size.width))

    def on_row_list_highlighted(self, message: RowList.Highlighted) -> None:
        self._show_problem()

    def _show_problem(self) -> None:
        feeds = self.query_one(FeedList)
        self.query_one(FeedProblem).show(feeds.current, feeds.now)

    def on_stories_changed(self, message: StoriesChanged) -> None:
        self._load()

    def on_config_changed(self, message: ConfigChanged) -> None:
        self._load()

    def the_feed(self) -> FeedStatus | None:
        line = self.query_one(FeedList).current
        return line.feed if isinstance(line, FeedLine) else None

    def action_open(self) -> None:
        self.query_one(FeedList).action_choose()

    def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        from newsdesk.ui.screens.stories import StoryListScreen

        line = self.query_one(FeedList).current
        if isinstance(line, FeedLine):
            self.app.push_screen(StoryListScreen(StoryQuery(matched_only=False, feed=line.feed.name)))
        elif isinstance(line, TagLine):
            tag = line.tag if line.tag is not None else "no tag"
            self.app.push_screen(StoryListScreen(StoryQuery(matched_only=False, feeds=line.names, tag=tag)))

    def action_feed_details(self) -> None:
        line = self.query_one(FeedList).current
        if isinstance(line, FeedLine):
            self.app.push_screen(FeedDetailScreen(line.feed.id, line.config))

def _key(line: FeedLine | TagLine) -> object:
    if isinstance(line, TagLine):
        return ("tag", line.tag)
    return ("feed", line.feed.id, line.grouped and line.tags)


class FeedDetailLoaded(Message):
    def __init__(self, feed: FeedStatus | None, history: list[FetchOutcome]) -> None:
        super().__init__()
        self.feed = feed
        self.history = history


class FeedDetailScreen(_FeedScreen):
    """One feed in full: where it is and where it moved, the whole problem in words, the HTTP
    status and validators of its last answer, its last 10 downloads, its back-off."""

    SCOPE: ClassVar[Scope] = "feed"
    BINDINGS = bindings("feed")
    DEFAULT_CSS = """
    FeedDetailScreen {
        & > VerticalScroll {
            height: 1fr;
            padding: 0 1;
        }
    }
    """

    def __init__(self, feed_id: int, config: FeedConfig | None) -> None:
        super().__init__()
        self.feed_id = feed_id
        self.config = config
        self.feed: FeedStatus | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static("", id="detail")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
        self._load()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load(self) -> None:
        feed = next((f for f in self.store.feeds(active_only=False) if f.id == self.feed_id), None)
        self.post_message(FeedDetailLoaded(feed, self.store.fetch_history(self.feed_id, 10)))

    def on_feed_detail_loaded(self, message: FeedDetailLoaded) -> None:
        self.feed = message.feed
        if message.feed is None:
            self.query_one("#detail", Static).update(Text("This feed is no longer stored."))
            return
        self.sub_title = f"feed — {message.feed.name}"
        self.query_one("#detail", Static).update(detail_table(message.feed, self.config, message.history, self.app.clock()))

    def on_stories_changed(self, message: StoriesChanged) -> None:
        self._load()

    def the_feed(self) -> FeedStatus | None:
        return self.feed

    def action_open(self) -> None:
        from newsdesk.ui.screens.stories import StoryListScreen

        if self.feed is not None:
            self.app.push_screen(StoryListScreen(StoryQuery(matched_only=False, feed=self.feed.name)))


def detail_table(feed: FeedStatus, config: FeedConfig | None, history: list[FetchOutcome], now: datetime) -> Table:
    """The detail view's text: one labelled line per fact, the problem whole, then the history."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)

    def row(label: str, value: str | Text, style: str = "") -> None:
        table.add_row(label, value if isinstance(value, Text) else Text(safe(value), style=style))

    row("Name", feed.name)
    row("Address", feed.url)
    if feed.moved_to:
        row("Moved to", f"{feed.moved_to} (permanently: put this address in feeds.toml)", "yellow")
    if config is None:
        row("feeds.toml", "no longer lists this feed; its stories stay readable", "dim")
    elif config.tags:
        row("Tags", ", ".join(config.tags))
    row("Health", health(feed, now))
    row("Problem", feed.problem(now) or "none", "red" if feed.failures or feed.gone else "")
    row("HTTP status", str(feed.http_status) if feed.http_status is not None else "-")
    row("ETag", feed.etag or "-")
    row("Last-Modified", feed.last_modified or "-")
    row("Last check", _at(feed.last_checked))
    row("Last good answer", _at(feed.last_ok))
    if feed.gone:
        row("Back-off", "the server said 410 Gone: not fetched again until feeds.toml gives it another address", "red")
    elif feed.failures:
        until = feed.next_try
        waiting = f", until {_at(until)}" if until is not None and until > now else ", over: fetched at the next refresh"
        row("Back-off", f"{feed.failures} failures in a row{waiting} (F refreshes it now)", "yellow")
    elif feed.next_try is not None and feed.next_try > now:
        row("Back-off", f"the server asked to wait until {_at(feed.next_try)}", "yellow")
    else:
        row("Back-off", "none")
    row("Stories", str(feed.stories))
    table.add_row("", "")
    table.add_row(Text("Last downloads", style="bold"), "")
    if not history:
        table.add_row("", Text("none recorded yet", style="dim"))
    for past in history:
        words = past.outcome
        if past.http_status is not None and str(past.http_status) not in (past.error or ""):
            words += f" (HTTP {past.http_status})"
        if past.outcome == "ok":
            words += f", {past.new} new"
        if past.error:
            words += f": {past.error}"
        good = past.outcome in ("ok", "not modified")
        table.add_row(Text(_at(past.checked_at), style="dim"), Text(safe(words), style="" if good else "red"))
    return table


def _at(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else "never"
