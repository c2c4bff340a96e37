"""The newsdesk app: state (which view, which filter) and every piece of work, in workers.

Widgets never touch the store: they ask the app, which runs the store call in a thread
worker and hands the result back on the UI thread with call_from_thread.
"""

from __future__ import annotations

import asyncio
import threading
import webbrowser
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding
from textual.widgets import ProgressBar, Static

from newsdesk.config import Config, FeedConfig
from newsdesk.countries import lookup
from newsdesk.fetch import is_web_url
from newsdesk.refresh import RefreshProgress, RefreshSummary, refresh, retag_if_needed
from newsdesk.schedule import Scheduler
from newsdesk.store import Store
from newsdesk.types import EntityCount, StoryItem
from newsdesk.ui.screens import FeedsScreen, HelpScreen, MainScreen, ReaderScreen
from newsdesk.ui.widgets import EntityPanel, StoryTable

Refresher = Callable[[Sequence[FeedConfig] | None, Callable[[RefreshProgress], None]], RefreshSummary]

_PAGE = 100
"""Rows read at a time: the list grows by a page as the cursor nears its end, so a database
of 100k stories costs what one of 100 does."""


class NewsdeskApp(App[None]):
    CSS_PATH = "newsdesk.tcss"
    TITLE = "newsdesk"
    BINDINGS = [
        Binding("question_mark", "help", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        refresher: Refresher | None = None,
        scheduler_factory: Callable[[NewsdeskApp], Scheduler] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.matched_only = True
        self.entity: str | None = None
        self.search: str | None = None
        self.clock = clock
        self._exhausted = False
        self._refresher = refresher or self._default_refresher
        self._scheduler_factory = scheduler_factory
        self._scheduler: Scheduler | None = None
        self._last_refresh = ""
        self.config_error: str | None = None
        """The last broken edit of feeds.toml, shown until a good one replaces it."""
        self._refresh_lock = threading.Lock()
        self._announce = False
        self._refreshing = False
        self._pending: dict[str, FeedConfig] | None = None

    # ------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self.push_screen(MainScreen())
        self._update_title()
        self.reload()
        self._retag()
        if self._scheduler_factory is not None:
            self._scheduler = self._scheduler_factory(self)
            self._scheduler.start()

    def on_unmount(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown()

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    # ------------------------------------------------------------ the list

    def set_filter(self, entity: str | None) -> None:
        self.entity = entity
        self.search = None
        self._update_title()
        self.reload(counts=False)

    def set_search(self, query: str | None) -> None:
        """Full-text search over every stored story (None or "" goes back to the list)."""
        self.search = query.strip() if query and query.strip() else None
        self._update_title()
        self.reload(counts=False)

    def set_matched_only(self, matched_only: bool) -> None:
        self.matched_only = matched_only
        if not matched_only:
            self.entity = None
        self.search = None
        self._update_title()
        self.reload(counts=False)

    def _update_title(self) -> None:
        if self.search:
            self.sub_title = f"search · {self.search}"
            return
        view = "matched stories" if self.matched_only else "all stories"
        self.sub_title = f"{view} · {self.entity}" if self.entity else view

    def _page(self, offset: int, limit: int = _PAGE) -> list[StoryItem]:
        """One page of the current view (blocking: called on worker threads)."""
        if self.search:
            return self.store.search(self.search, limit=limit, offset=offset)
        return self.store.list_stories(entity=self.entity, matched_only=self.matched_only, limit=limit, offset=offset)

    @work(thread=True, exclusive=True, group="load")
    def reload(self, counts: bool = True) -> None:
        """Read the first page of the list, then (when stories changed) the watchlist counts,
        off the UI thread. A new filter or search changes no count: it reads only the list."""
        self._load(0, counts=counts)

    def _load(self, offset: int, keep: int = 0, counts: bool = True) -> None:
        stories = self._page(offset, max(_PAGE, keep))
        self.call_from_thread(self._show, stories)
        if counts:
            self.call_from_thread(self._show_counts, self.store.entity_counts())

    @work(thread=True, exclusive=True, group="more")
    def load_more(self, offset: int) -> None:
        """The next page, appended when the cursor nears the end of what is loaded."""
        stories = self._page(offset)
        self.call_from_thread(self._append, offset, stories)

    def near_end(self, loaded: int) -> None:
        if not self._exhausted:
            self._exhausted = True  # until the page arrives: one request at a time
            self.load_more(loaded)

    def _append(self, offset: int, stories: list[StoryItem]) -> None:
        table = self.main.query_one(StoryTable)
        if table.row_count != offset:  # the list was reloaded meanwhile
            self._exhausted = False
            return
        table.append(stories, self.clock())
        self._exhausted = len(stories) < _PAGE

    def _show(self, stories: list[StoryItem]) -> None:
        main = self.main
        main.query_one(StoryTable).show(stories, self.clock())
        main.list_shown()
        self._exhausted = len(stories) < _PAGE
        if stories:
            main.show_empty(None)
        elif self.search:
            main.show_empty(f"No stored story matches {self.search!r}. Escape goes back to the list.")
        elif self.entity:
            main.show_empty(f"No stories mention {self.entity} yet. Escape shows all matches.")
        elif self.matched_only:
            main.show_empty("No matched stories yet — press r to refresh, a to show all stories.")
        else:
            main.show_empty("No stories yet — press r to refresh the feeds.")

    def _show_counts(self, counts: list[EntityCount]) -> None:
        self.main.query_one(EntityPanel).show(self._panel_rows(counts), self.entity)

    def _panel_rows(self, counts: list[EntityCount]) -> list[tuple[str, str, int, int]]:
        by_name = {c.entity: c for c in counts}
        watchlist = self.config.watchlist
        names: list[tuple[str, str]] = []
        if watchlist.all_countries:
            names += sorted((c.entity, "country") for c in counts if c.kind == "country")
        for entry in watchlist.countries:
            country = lookup(entry.code)
            names.append((country.name if country else entry.code, "country"))
        names += [(p.name, "person") for p in watchlist.people]
        rows = []
        for name, kind in dict.fromkeys(names):
            count = by_name.get(name)
            rows.append((name, kind, count.stories if count else 0, count.unread if count else 0))
        return rows

    # ------------------------------------------------------------ a story

    @work(thread=True, group="story")
    def load_story(self, screen: ReaderScreen, story_id: int) -> None:
        story = self.store.story(story_id)
        if story is None:
            return
        if not story.read:
            self.store.set_read(story_id, True)
        self.call_from_thread(screen.show, story)
        self._refresh_row(story_id)

    @work(thread=True, group="story")
    def toggle_read(self, story_id: int) -> None:
        story = self.store.story(story_id)
        if story is not None:
            self.store.set_read(story_id, not story.read)
            self._after_change(story_id)

    @work(thread=True, group="story")
    def toggle_star(self, story_id: int) -> None:
        story = self.store.story(story_id)
        if story is not None:
            self.store.set_starred(story_id, not story.starred)
            self._after_change(story_id)

    def _after_change(self, story_id: int) -> None:
        self._refresh_row(story_id)
        story = self.store.story(story_id)
        screen = self.screen
        if story is not None and isinstance(screen, ReaderScreen) and screen.story_id == story_id:
            self.call_from_thread(screen.show, story)

    def _refresh_row(self, story_id: int) -> None:
        """Update the rows loaded so far and the counts after a change (on a worker thread)."""
        loaded = self.call_from_thread(lambda: self.main.query_one(StoryTable).row_count)
        self._load(0, keep=loaded)

    @work(thread=True, group="story")
    def open_link(self, story_id: int) -> None:
        story = self.store.story(story_id)
        if story is None or not story.url:
            self.call_from_thread(self.notify, "This story has no link.", severity="warning")
            return
        if not is_web_url(story.url):
            self.call_from_thread(self.notify, "Only http and https links are opened.", severity="warning")
            return
        opened = webbrowser.open(story.url)
        if not opened:
            self.call_from_thread(self.notify, f"No browser found. The link is {story.url}", markup=False)

    @work(thread=True, exclusive=True, group="feeds")
    def load_feeds(self, screen: FeedsScreen) -> None:
        feeds = self.store.feeds()
        self.call_from_thread(screen.show, feeds)

    # ------------------------------------------------------------ refresh

    def request_refresh(self, feeds: Sequence[FeedConfig] | None = None, *, announce: bool = False) -> None:
        """Refresh `feeds` (None: all) now, or right after the refresh already running.

        Safe to call from any thread: the scheduler calls it, and so does the `r` key, which
        asks to `announce` the outcome; the scheduler's runs only say when new matches came.
        """
        with self._refresh_lock:
            self._announce = self._announce or announce
            if self._refreshing:
                pending = self._pending if self._pending is not None else {}
                for feed in feeds if feeds is not None else self.config.feeds:
                    pending[feed.url] = feed
                self._pending = pending
                return
            self._refreshing = True
        if threading.get_ident() == self._thread_id:
            self._run_refresh(feeds)
        else:
            self.call_from_thread(self._run_refresh, feeds)

    @work(thread=True, group="refresh")
    def _run_refresh(self, feeds: Sequence[FeedConfig] | None) -> None:
        count = len(feeds) if feeds is not None else len(self.config.feeds)
        self.call_from_thread(self._progress, RefreshProgress(0, count))
        try:
            summary = self._refresher(feeds, lambda p: self.call_from_thread(self._progress, p))
        except Exception as exc:  # a refresh bug must not take the reader down
            self.call_from_thread(self.notify, f"Refresh failed: {exc}", severity="error", markup=False)
            summary = None
        self.call_from_thread(self._refresh_done, summary)
        with self._refresh_lock:
            pending, self._pending = self._pending, None
            self._refreshing = pending is not None
        if pending is not None:
            self.call_from_thread(self._run_refresh, list(pending.values()))

    def _default_refresher(self, feeds: Sequence[FeedConfig] | None, progress: Callable[[RefreshProgress], None]) -> RefreshSummary:
        return asyncio.run(refresh(self.config, self.store, feeds=feeds, progress=progress))

    def _progress(self, progress: RefreshProgress) -> None:
        main = self.main
        bar = main.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=max(progress.total, 1), progress=progress.done)
        feed = f" · {progress.feed}" if progress.feed else ""
        main.query_one("#status", Static).update(f"Refreshing {progress.done}/{progress.total}{feed}")

    def _refresh_done(self, summary: RefreshSummary | None) -> None:
        main = self.main
        main.query_one("#progress", ProgressBar).display = False
        if summary is not None:
            waiting = f", {summary.waiting} waiting" if summary.waiting else ""
            message = (
                f"{summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed{waiting} · "
                f"{summary.new_stories} new stories, {summary.new_matches} new matches"
            )
            hint = " (f: feeds)" if summary.failed or summary.waiting else ""
            self._last_refresh = f"Last refresh {self.clock().astimezone():%H:%M}: {message}{hint}"
            self._show_status()
            if self._announce:
                self.notify(message, title="Refresh done", severity="warning" if summary.failed else "information", markup=False)
            elif summary.new_matches:
                self.notify(f"{summary.new_stories} new stories, {summary.new_matches} new matches", markup=False)
            self._announce = False
        if isinstance(self.screen, FeedsScreen):
            self.load_feeds(self.screen)
        self.reload()

    def _show_status(self) -> None:
        """The status bar: a broken feeds.toml outranks the last refresh's summary."""
        status = self.main.query_one("#status", Static)
        if self.config_error:
            status.update(Text(f"feeds.toml has an error, still using the last good one: {self.config_error}", style="bold red"))
        else:
            status.update(Text(self._last_refresh))

    # ------------------------------------------------------------ config

    def apply_config(self, config: Config) -> None:
        """feeds.toml changed (the scheduler says so): new feeds, new watchlist."""
        self.config = config
        self.config_error = None
        self._show_status()
        self.notify("feeds.toml reloaded", markup=False)
        self._retag()

    def show_config_error(self, message: str) -> None:
        self.config_error = message
        self._show_status()
        self.notify(f"{message}\nStill using the last good feeds.toml.", title="feeds.toml has an error",
                    severity="error", timeout=15, markup=False)

    @work(thread=True, exclusive=True, group="retag")
    def _retag(self) -> None:
        self.store.sync_feeds(self.config.feeds)
        done = retag_if_needed(self.config, self.store)
        if done:
            self.call_from_thread(self.notify, f"Watchlist changed: re-tagged {done} stories", markup=False)
        self.call_from_thread(self.reload)

    # ------------------------------------------------------------ misc

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def ui_scheduler(app: NewsdeskApp, watch_seconds: float = 10.0) -> Scheduler:
    """The scheduler the UI runs in its own event loop: refreshes and feeds.toml edits go to the app."""

    async def run(feeds: Sequence[FeedConfig]) -> None:
        app.request_refresh(feeds)

    return Scheduler(
        app.config,
        run,
        on_config=app.apply_config,
        on_config_error=lambda exc: app.show_config_error(str(exc)),
        watch_seconds=watch_seconds,
    )
