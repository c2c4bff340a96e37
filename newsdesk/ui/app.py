"""The newsdesk app: what every screen shares, and nothing a screen can own.

The app holds the database (newsdesk.ui.database: the Store, opened after the first rows are
shown) and the config, runs the one refresh queue (the Scheduler's: the
feeds' own schedule, and `r`/`R`), watches the database for stories other processes store and
for a daemon that refreshes it, keeps the status line, applies feeds.toml's [keys], and
remembers the theme. Each screen owns its view and its workers; the app tells the screens
what happened with messages (newsdesk.ui.messages).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import webbrowser
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeAlias

from textual import work
from textual.app import App, SuspendNotSupported, SystemCommand
from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from newsdesk.config import Config, FeedConfig
from newsdesk.errors import ConfigError, StoreError
from newsdesk.keymap import Bound, Scope, bound, in_scope
from newsdesk.places import shown_database, shown_path
from newsdesk.types import AlertEvent, StoryItem, StoryQuery
from newsdesk.ui.browser import DESKTOP, browser_for
from newsdesk.ui.database import Database
from newsdesk.ui.editor import editor_command
from newsdesk.ui.keys import bindings, keymap, shown_keys
from newsdesk.ui.marks import Marks
from newsdesk.ui.messages import (
    ConfigChanged,
    FirstListed,
    Marked,
    Polled,
    RefreshFinished,
    RefreshProgressed,
    Status,
    StoreOpened,
    StoriesChanged,
    StoryUpdated,
    WriteWaiting,
)
from newsdesk.ui.screens.help import HelpScreen
from newsdesk.ui.screens.stories import StoryListScreen
from newsdesk.ui.state import UiState, save_state
from newsdesk.urls import is_web_url

TYPE_CHECKING = False  # as typing's (mypy reads it as true)
if TYPE_CHECKING:
    # What the first screen does not need is imported when it is (the refresh's HTTP client
    # and extractor, the scheduler, the alerts' senders): the first paint waits for every
    # module imported before it (benchmarks/README.md, the UI's first paint).
    from newsdesk.alerts import Outbox
    from newsdesk.refresh import RefreshProgress, RefreshSummary
    from newsdesk.schedule import Scheduler
    from newsdesk.store import Reads, Store

_ALERT_POLL_SECONDS = 2.0
"""How often the UI looks for alerts another process (a daemon) sent."""
_FIRST_ALERTS = 50
"""Alerts read at the first look, newest first, to find the last one from before the UI started."""
_FILES_SECONDS = 10.0
"""How long the status bar names feeds.toml and the database at start, before refresh news."""
_BUSY_SAID_SECONDS = 15.0
"""How long a busy database is said after the store last said so: the store says it again on
every try (one each busy timeout, 10 s), and a write that goes through clears it at once."""

Refresher: TypeAlias = "Callable[[Sequence[FeedConfig], Callable[[RefreshProgress], None], bool], RefreshSummary]"
"""Runs one refresh (feeds, progress callback, force) on a worker thread."""


class NewsdeskApp(App[None]):
    TITLE = "newsdesk"
    BINDINGS = bindings("app")

    def __init__(
        self,
        store: Reads,
        config: Config,
        *,
        periodic: bool = False,
        watch_seconds: float = 10.0,
        poll_seconds: float = 4.0,
        refresher: Refresher | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        state: UiState | None = None,
        state_path: Path | None = None,
    ) -> None:
        """`store`: the database as store.open_reader opens it: a Store, or (a SQLite file at
        this newsdesk's schema) the reader the first screen reads through while the Store
        opens (newsdesk.ui.database).
        `periodic`: refresh each feed on its interval (unless a daemon refreshes the database);
        without it, only `r` and `R` refresh. `state_path`: where the theme is remembered."""
        super().__init__()
        self.database = Database(store)
        self.marks = Marks()
        self.database.on_open = self._store_opening
        self.config = config
        self.clock = clock
        self.keys: tuple[Bound, ...] = bound(config.keys)
        self.status = Status()
        self.status_signal: Signal[Status] = Signal(self, "status")
        self._periodic = periodic
        self._watch_seconds = watch_seconds
        self._poll_seconds = poll_seconds
        self._listening = threading.Event()
        """Set when the app ends: the thread listening for new stories stops."""
        self._refresher = refresher or self._refresh_with
        self._state = state or UiState()
        self._state_path = state_path
        self._scheduler: Scheduler | None = None
        self._latest: int | None = None
        self._polled = False
        self._forced: set[str] = set()
        self._announce = False
        # Alerts: this process sends the ones its refreshes store (bell aside: the UI rings as
        # it shows an alert), and shows every alert sent, by itself or a daemon. Made with the
        # schedule, after the first paint (main_view_shown).
        self._outbox: Outbox | None = None
        self._alert_seen: int | None = None
        self._started = datetime.now(UTC)
        """When the UI started: alerts recorded before it are not shown."""
        self.last_alert: AlertEvent | None = None
        self._editing = False
        self._config_changes = 0
        self._busy_timer: Timer | None = None
        self._background = False

    # ------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self.database.ui_thread = threading.get_ident()
        if self._state.theme in self.available_themes:
            self.theme = self._state.theme
        self.theme_changed_signal.subscribe(self, lambda theme: self._remember(replace(self._state, theme=theme.name)))
        self.set_keymap(keymap(self.config.keys))
        self._set_status(replace(self.status, files=self.files_in_use(), files_first=True))
        self.set_timer(_FILES_SECONDS, lambda: self._set_status(replace(self.status, files_first=False)))
        self.push_screen(StoryListScreen(main=True))

    def main_view_shown(self) -> None:
        """The main list has drawn its first stories (or could not read them): the work the
        app does in the background starts now, so that the first screen a person waits for
        does not share the two cores with opening the Store (SQLAlchemy's imports), a refresh
        of every feed (the first poll starts the schedule), a re-tag or the alerts' reads.
        Called by the main list; once is enough."""
        if self._background:
            return
        self._background = True
        from newsdesk.schedule import Scheduler

        # The schedule starts once the first poll has said whether a daemon refreshes the
        # database; a refresh asked for before then (r, R) waits for the Store on its worker.
        self._scheduler = Scheduler(
            self.config, self._refresh_batch, on_config=self._config_changed,
            on_config_error=self._config_failed, watch_seconds=self._watch_seconds, periodic=False,
            # On a shared PostgreSQL database the UI claims feeds as the daemons do.
            leases=self.database.shared(),
        )
        self._scheduler.start()
        self._open_store()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_store(self) -> None:
        self.database.store()
        self.post_message(StoreOpened())

    def _store_opening(self, store: Store) -> None:
        """The Store is open (on the worker that opened it), and nothing has used it yet: a
        write that waits for another process's lock is said on this app's thread, and the
        alert rules are set before any refresh stores a story."""
        from newsdesk.alerts import Outbox

        store.on_busy = lambda text: self.post_message(WriteWaiting(text))
        self._outbox = Outbox(store, self.config.alerts)

    def on_store_opened(self, _message: StoreOpened) -> None:
        """What reads the Store again and again starts once it is open: the re-tag, the polls
        for other processes' stories and alerts, the watch of a shared database."""
        self._retag()
        self._poll()
        self.set_interval(self._poll_seconds, self._poll)
        self._poll_alerts()
        self.set_interval(_ALERT_POLL_SECONDS, self._poll_alerts)
        shared = self.database.shared()
        if shared is not None:
            threading.Thread(target=self._listen, args=(shared,), name="newsdesk-listen", daemon=True).start()

    def on_unmount(self) -> None:
        store = self.database.opened
        if store is not None:
            store.on_busy = None
        self._listening.set()
        if self._scheduler is not None:
            self._scheduler.shutdown()
        if self._outbox is not None:
            self._outbox.close()

    # ------------------------------------------------------------ alerts

    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False)
    def _poll_alerts(self) -> None:
        """Alerts sent since the last look (by this process or another on the database)."""
        store = self.database.store()
        if self._alert_seen is None:
            # The first look (once the Store is open, after the first rows): what was recorded
            # before the UI started is old news, what came since is not.
            newest = store.alerts(limit=_FIRST_ALERTS)
            self._alert_seen = next((e.id for e in newest if e.created_at < self._started), 0)
        for event in sorted(store.alerts(after=self._alert_seen), key=lambda e: e.id):
            if event.sent_at is None:
                break  # waiting for the end of quiet hours: shown once it is sent
            self._alert_seen = event.id
            self.call_from_thread(self._show_alert, event)

    def _show_alert(self, event: AlertEvent) -> None:
        self.last_alert = event
        sources = f" · {event.sources} sources" if event.sources > 1 else ""
        self.notify(
            f"{event.title}\n{event.feed}{sources} · ! opens it", title=f"Alert: {event.entity}", timeout=20, markup=False
        )
        if self.config.alerts.bell:
            self.bell()

    def action_open_alert(self) -> None:
        """The last alert's story, in the reader."""
        if self.last_alert is None:
            self.notify("No alert yet.", markup=False)
            return
        from newsdesk.ui.screens.reader import ReaderScreen

        event = self.last_alert
        story = StoryItem(
            id=event.story_id, title=event.title, feed=event.feed, time=event.published or event.created_at,
            read=False, starred=False, entities=(event.entity,), url=event.url, published=event.published,
        )
        self.push_screen(ReaderScreen(StoryQuery(entity=event.entity), story))

    def broadcast(self, make: Callable[[], Message]) -> None:
        """Tell every screen (each gets its own message)."""
        for screen in self.screen_stack:
            screen.post_message(make())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Workers run with exit_on_error=False: a busy or broken database is said, not fatal.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(str(event.worker.error), title="That did not work", severity="error", markup=False)

    # ------------------------------------------------------------ status

    def _set_status(self, status: Status) -> None:
        self.status = status
        self.status_signal.publish(status)

    def on_write_waiting(self, message: WriteWaiting) -> None:
        """A busy database: said in the status bar for as long as it lasts, and once in a
        notification (the reader has no status bar); the store tries again meanwhile."""
        if self.status.busy is None:
            self.notify(message.text, title="Waiting for the database", severity="warning", markup=False)
        self._set_status(replace(self.status, busy=message.text))
        if self._busy_timer is not None:
            self._busy_timer.stop()
        self._busy_timer = self.set_timer(_BUSY_SAID_SECONDS, self._write_done)

    def _write_done(self) -> None:
        if self.status.busy is not None:
            self._set_status(replace(self.status, busy=None))

    def on_story_updated(self, message: StoryUpdated) -> None:
        """A mark was stored (by a screen's worker): every screen shows it."""
        self._write_done()
        self.broadcast(partial(StoryUpdated, message.story))

    def on_marked(self, _message: Marked) -> None:
        self._write_done()

    # ------------------------------------------------------------ refresh: one queue

    def refresh_feeds(self, feeds: Sequence[FeedConfig] | None = None, *, force: bool = False) -> None:
        """Refresh `feeds` (None: all) as soon as the refresh under way, if any, is done; the
        outcome is announced. `force`: also feeds that are backing off after failures."""
        chosen = list(self.config.feeds if feeds is None else feeds)
        if not chosen:
            self.notify("No feed to refresh: add one to feeds.toml.", severity="warning")
            return
        self.main_view_shown()  # asked for before the first stories were shown: the schedule starts now
        assert self._scheduler is not None
        if force:
            self._forced.update(f.url for f in chosen)
        self._announce = True
        if self.status.files_first:  # the refresh asked for is news now, not the files in use
            self._set_status(replace(self.status, files_first=False))
        self._scheduler.due(chosen)

    def feeds_named(self, name: str) -> list[FeedConfig]:
        return [f for f in self.config.feeds if f.name == name]

    def feed_with_url(self, url: str) -> list[FeedConfig]:
        return [f for f in self.config.feeds if f.url == url]

    async def _refresh_batch(self, feeds: Sequence[FeedConfig]) -> None:
        """The Scheduler's run: one batch at a time, on a worker thread."""
        force = any(f.url in self._forced for f in feeds)
        self._forced.difference_update(f.url for f in feeds)
        worker = self.run_worker(partial(self._refresh_thread, feeds, force), thread=True, group="refresh", exit_on_error=False)
        await worker.wait()

    def _refresh_thread(self, feeds: Sequence[FeedConfig], force: bool) -> None:
        from newsdesk.refresh import RefreshProgress

        def progress(step: RefreshProgress) -> None:
            self.post_message(RefreshProgressed(step))

        progress(RefreshProgress(0, len(feeds)))
        try:
            summary = self._refresher(feeds, progress, force)
        except Exception as exc:
            self.post_message(RefreshFinished(None, str(exc)))
            return
        self.post_message(RefreshFinished(summary))

    def _refresh_with(self, feeds: Sequence[FeedConfig], progress: Callable[[RefreshProgress], None], force: bool) -> RefreshSummary:
        from newsdesk.heap import give_back
        from newsdesk.refresh import refresh

        summary = asyncio.run(refresh(self.config, self.database.store(), feeds=feeds, progress=progress, force=force))
        if self._outbox is not None:
            self._outbox.send_due()
        give_back()  # the UI runs for days, as the daemon does (newsdesk.heap)
        return summary

    def on_refresh_progressed(self, message: RefreshProgressed) -> None:
        self._set_status(replace(self.status, progress=message.progress))

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        summary, announce = message.summary, self._announce
        self._announce = False
        self._write_done()
        if summary is None:
            self._set_status(replace(self.status, progress=None))
            self.notify(f"Refresh failed: {message.error}", severity="error", markup=False)
            return
        waiting = f", {summary.waiting} waiting" if summary.waiting else ""
        words = (
            f"{summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed{waiting} · "
            f"{summary.new_stories} new stories, {summary.new_matches} new matches"
        )
        hint = " (f: feeds)" if summary.failed or summary.waiting else ""
        line = f"Last refresh {self.clock().astimezone():%H:%M}: {words}{hint}"
        self._set_status(replace(self.status, progress=None, last_refresh=line))
        if announce:
            self.notify(words, title="Refresh done", severity="warning" if summary.failed else "information", markup=False)
        elif summary.new_matches:
            self.notify(f"{summary.new_stories} new stories, {summary.new_matches} new matches", markup=False)
        self.broadcast(StoriesChanged)

    # ------------------------------------------------------------ other processes

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll(self) -> None:
        """The newest story id and the daemon's pid: a couple of cheap reads, a few times a minute."""
        from newsdesk.lock import holder

        self.post_message(Polled(self.database.reads.latest_story_id(), holder(self.database.url)))

    def _listen(self, store: Store) -> None:
        """On PostgreSQL the database says when stories are stored (LISTEN/NOTIFY): the list
        hears of a daemon's story the moment it is committed, not at the next poll. A thread
        of its own for as long as the app runs (not a worker: workers are waited for)."""
        try:
            watch = store.changes()
        except StoreError as exc:  # the next poll says the same; a watch is a nicety
            self.call_from_thread(self.notify, f"Not told of new stories at once: {exc}", markup=False)
            return
        try:
            while not self._listening.is_set():
                if watch.wait(0.5) and not self._listening.is_set():
                    self.call_from_thread(self._poll)
        except (RuntimeError, StoreError):  # the app has stopped, or the server went away
            pass
        finally:
            watch.close()

    def on_first_listed(self, message: FirstListed) -> None:
        if self._latest is None:
            self._latest = message.latest

    def on_polled(self, message: Polled) -> None:
        first, self._polled = not self._polled, True
        if message.daemon != self.status.daemon:
            self._set_status(replace(self.status, daemon=message.daemon))
        if self._scheduler is not None:
            self._scheduler.set_periodic(self._periodic and message.daemon is None, start_now=first)
        if self._latest is not None and message.latest != self._latest:
            self.broadcast(StoriesChanged)
        self._latest = message.latest

    # ------------------------------------------------------------ config

    def _config_changed(self, config: Config) -> None:
        """feeds.toml changed (the Scheduler says so, on this loop): new feeds, watchlist, keys."""
        self._config_changes += 1
        self.config = config
        if self._outbox is not None:
            self._outbox.reconfigure(config.alerts)
        self.keys = bound(config.keys)
        self.set_keymap(keymap(config.keys))
        self._set_status(replace(self.status, config_error=None))
        self.notify("feeds.toml reloaded", markup=False)
        self.broadcast(lambda: ConfigChanged(config))
        self._retag()

    def _config_failed(self, error: ConfigError) -> None:
        self._set_status(replace(self.status, config_error=str(error)))
        if self._editing:
            self._offer_editor(error)
            return
        self.notify(f"{error}\nStill using the last good feeds.toml.", title="feeds.toml has an error",
                    severity="error", timeout=15, markup=False)

    @work(thread=True, exclusive=True, group="retag", exit_on_error=False)
    def _retag(self) -> None:
        from newsdesk.refresh import retag_if_needed

        store = self.database.store()
        store.sync_feeds(self.config.feeds)
        done = retag_if_needed(self.config, store)
        if done:
            self.notify(f"Watchlist changed: re-tagged {done} stories", markup=False)
            self.call_from_thread(self.broadcast, StoriesChanged)

    # ------------------------------------------------------------ E: feeds.toml in the editor

    async def action_edit_config(self, line: int | None = None) -> None:
        """Open feeds.toml in the reader's editor; read it again the moment the editor exits.
        A mistake is shown with its line, and the editor can be opened again at that line."""
        path = self.config.path
        self.main_view_shown()  # the schedule, which reads feeds.toml again, may not have started yet
        if path is None or self._scheduler is None:
            self.notify("This configuration is not from a feeds.toml file.", severity="warning")
            return
        command = editor_command(path, line)
        if shutil.which(command[0]) is None:
            self.notify(f"The editor {command[0]!r} is not installed: set $VISUAL or $EDITOR.",
                        severity="error", markup=False, timeout=15)
            return
        before = _stamp(path)
        failed: OSError | None = None
        try:
            with self.suspend():
                # Inside the block nothing may raise: the app would stay suspended.
                try:
                    subprocess.run(command, check=False)
                except OSError as exc:
                    failed = exc
        except SuspendNotSupported:  # no terminal to give (a headless run): run it all the same
            try:
                subprocess.run(command, check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError as exc:
                failed = exc
        if failed is not None:
            self.notify(f"Cannot run the editor {command[0]!r} ({failed.strerror or failed}): set $VISUAL or $EDITOR.",
                        severity="error", markup=False, timeout=15)
            return
        self.refresh()
        if _stamp(path) == before and self.status.config_error is None:
            self.notify("feeds.toml unchanged.", markup=False)
            return
        changes = self._config_changes
        self._editing = True
        try:
            await self._scheduler.reload()
        finally:
            self._editing = False
        if self._config_changes == changes and self.status.config_error is None:
            self.notify("feeds.toml saved: nothing to apply (comments or layout only).", markup=False)

    def _offer_editor(self, error: ConfigError) -> None:
        from newsdesk.ui.screens.edit import ConfigErrorScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self.action_edit_config(error.line), group="edit", exit_on_error=False)

        self.push_screen(ConfigErrorScreen(error), callback=answered)

    # ------------------------------------------------------------ links

    def open_numbered_link(self, links: Sequence[str], number: int, missing: str) -> None:
        """Open link `number` (from 1) of `links`, as `u` numbers them; `missing` says why not."""
        if 1 <= number <= len(links):
            self.open_link(links[number - 1])
        else:
            self.notify(missing, severity="warning")

    def open_link(self, url: str | None) -> bool:
        """Open a story's link in the browser; a console browser gets the terminal meanwhile.
        False (and a word to the reader) when it cannot be opened."""
        if not url:
            self.notify("This story has no link.", severity="warning")
            return False
        if not is_web_url(url):
            self.notify("Only http and https links are opened.", severity="warning")
            return False
        command = browser_for(url)
        if command is None:
            self.notify(f"No browser found (set $BROWSER). The link is {url}", markup=False, timeout=15)
            return False
        if command is DESKTOP:
            self._open_on_desktop(url)
        elif command.console:
            try:
                with self.suspend():
                    subprocess.run(command.argv, check=False)
            except SuspendNotSupported:  # no terminal to give (a headless run): run it all the same
                subprocess.run(command.argv, check=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.refresh()
        else:
            quiet = subprocess.DEVNULL
            subprocess.Popen(command.argv, stdin=quiet, stdout=quiet, stderr=quiet, start_new_session=True)
        return True

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_on_desktop(self, url: str) -> None:
        if not webbrowser.open(url):
            self.notify(f"No browser found. The link is {url}", markup=False, timeout=15)

    # ------------------------------------------------------------ theme

    def _remember(self, state: UiState) -> None:
        self._state = state or UiState()
        if self._state_path is not None:
            self._save_state(self._state_path, state)

    @work(thread=True, exclusive=True, group="state", exit_on_error=False)
    def _save_state(self, path: Path, state: UiState) -> None:
        save_state(path, state)

    # ------------------------------------------------------------ help and commands

    def scope_of(self, screen: Screen[object]) -> Scope:
        return getattr(screen, "SCOPE", "app")

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        elif not isinstance(self.screen, CommandPalette):
            self.push_screen(HelpScreen(self.keys, self.scope_of(self.screen), self.files_in_use()))

    def files_in_use(self) -> str:
        """The feeds.toml and the database this app reads, as the status bar and `?` say them."""
        config = shown_path(self.config.path) if self.config.path is not None else "none (built in)"
        return f"feeds.toml: {config} · database: {shown_database(self.database.url, home=True)}"

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """newsdesk's actions for the screen (from the keymap), then Textual's own."""
        ours: set[str] = set()
        for part in (self.scope_of(screen), "app"):
            for item in in_scope(self.keys, part):
                action = item.action
                if not action.palette or action.title in ours:
                    continue
                ours.add(action.title)
                target = self if part == "app" else screen
                keys = f" ({shown_keys(item)})" if item.keys else ""
                yield SystemCommand(action.title, f"{action.help}{keys}", partial(self.run_action, action.command, target))
        for command in super().get_system_commands(screen):
            if command.title not in ours and command.title not in ("Keys", "Theme", "Quit"):
                yield command


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
