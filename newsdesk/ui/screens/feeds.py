"""Every feed's health: what the last refresh got, and what to do about a problem. Enter shows
a feed's stories; r refreshes the selected feed, R all of them."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.widgets import Footer, Header

from newsdesk.keymap import Scope
from newsdesk.types import StoryQuery
from newsdesk.ui.keys import bindings
from newsdesk.ui.messages import FeedsLoaded, StoriesChanged
from newsdesk.ui.screens.base import NewsdeskScreen
from newsdesk.ui.widgets import FeedList, RowList, StatusBar


class FeedsScreen(NewsdeskScreen[None]):
    SCOPE: ClassVar[Scope] = "feeds"
    BINDINGS = bindings("feeds")

    def compose(self) -> ComposeResult:
        yield Header()
        yield FeedList(self.app.clock(), id="feeds")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "feeds"
        self.query_one(FeedList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(FeedsLoaded(self.store.feeds()))

    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        feeds = self.query_one(FeedList)
        feeds.now = self.app.clock()
        feeds.set_rows(message.feeds, key=lambda f: f.id)
        failing = sum(1 for f in message.feeds if f.failures or f.gone)
        self.sub_title = f"feeds — {len(message.feeds)} feeds, {failing} with a problem"

    def on_stories_changed(self, message: StoriesChanged) -> None:
        self._load()

    def action_open(self) -> None:
        self.query_one(FeedList).action_choose()

    def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        from newsdesk.ui.screens.stories import StoryListScreen

        feed = self.query_one(FeedList).current
        if feed is not None:
            self.app.push_screen(StoryListScreen(StoryQuery(matched_only=False, feed=feed.name)))

    def action_refresh_feed(self) -> None:
        feed = self.query_one(FeedList).current
        if feed is None:
            return
        feeds = self.app.feed_with_url(feed.url)
        if not feeds:
            self.notify(f"{feed.name} is no longer in feeds.toml.", severity="warning", markup=False)
            return
        self.app.refresh_feeds(feeds, force=True)

    def action_refresh_all(self) -> None:
        self.app.refresh_feeds()
