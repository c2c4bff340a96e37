"""Commands that refresh feeds: the UI (which runs the scheduler inside it), `refresh` once,
and `daemon` on the schedule."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from newsdesk.cli._common import database_of, load_config_arg, load_reads, open_store, say_busy, sqlite_reads

TYPE_CHECKING = False  # as typing's, without importing typing at start-up (mypy reads it as true)
if TYPE_CHECKING:
    from concurrent.futures import Future

    from rich.console import Console

    from newsdesk.alerts import Outbox
    from newsdesk.config import Config, FeedConfig
    from newsdesk.refresh import RefreshProgress, RefreshSummary
    from newsdesk.store import StatusWriter, Store
    from newsdesk.types import FeedStatus



def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    sub.add_parser("ui", parents=[common], help="open the terminal UI (the default)").set_defaults(handler=cmd_ui)
    refresh_cmd = sub.add_parser("refresh", parents=[common], help="refresh every feed once and print a summary")
    refresh_cmd.add_argument("--force", action="store_true", help="also fetch feeds that are backing off after failures")
    refresh_cmd.set_defaults(handler=cmd_refresh)
    daemon = sub.add_parser("daemon", parents=[common], help="refresh feeds on their schedule until interrupted")
    daemon.set_defaults(handler=cmd_daemon)


def cmd_ui(args: argparse.Namespace) -> int:
    from newsdesk.errors import EnvironmentProblem

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise EnvironmentProblem(
            "the UI needs a terminal (its input or output is not one): run `newsdesk` in a terminal; "
            "for scripts use `newsdesk list`, `newsdesk refresh` or `newsdesk daemon`"
        )
    from newsdesk.ui import NewsdeskApp
    from newsdesk.ui.state import load_state, state_path

    # A SQLite file at this schema is read through sqlite3 until the app has shown the first
    # stories and opened its Store (newsdesk.ui.database); anything else opens as a Store here,
    # which creates, upgrades or refuses it before the UI starts. The app makes the database
    # follow feeds.toml's feeds once it is open.
    config, reads = load_reads(args)
    path = state_path()
    with reads:
        app = NewsdeskApp(reads, config, periodic=True, state=load_state(path), state_path=path)
        try:
            app.run()
        finally:
            app.database.close()
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Refresh every feed once.

    A warm refresh is mostly waiting for answers (about 1.3 s for 200 feeds at 50 ms, 8 at a
    time), and opening the Store (importing SQLAlchemy, SQLModel, pydantic) took about half a
    second before the first request. So when the database needs no write before the refresh
    (a SQLite file at this schema whose feeds follow feeds.toml, tagged with this watchlist:
    `_feeds_ahead`), the feeds are read through the sqlite3 reader, the downloads start at
    once, and the Store opens in a thread meanwhile; nothing is written before it is open.
    Opening it meanwhile still slowed the downloads (its 0.45 s of CPU beside theirs, on two
    cores), so when nothing but a feed with news needs it (no alerts, no purge of stories),
    it opens only for the first feed with news (refresh.StoreOnDemand), and a refresh whose
    every feed answers 304 writes their statuses through sqlite3 (store.StatusWriter).
    A first refresh, into a SQLite file not made yet, starts its downloads (plain GETs) while
    the Store creates the file in a thread. Anything else (a database to upgrade, feeds to
    add, PostgreSQL, a locked file) opens the Store first, as it always did.
    """
    import asyncio
    from collections.abc import Awaitable
    from concurrent.futures import Future, ThreadPoolExecutor
    from contextlib import nullcontext

    from rich.console import Console

    from newsdesk.refresh import StoreOnDemand, refresh

    config = load_config_arg(args)
    err = Console(stderr=True)
    ahead = _feeds_ahead(args, config)
    # Without alerts to send or stories to purge, nothing but a feed with news needs the
    # Store: it opens then, and a refresh whose every feed answers 304 writes their statuses
    # through sqlite3.
    lazily = (
        ahead is not None and all(f.stored for f in ahead) and not config.alerts.enabled and StoreOnDemand.suits(config.settings)
    )
    writer = _status_writer(args, config) if lazily else None
    opening: Future[tuple[Store, Outbox]] | None = None
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="newsdesk-store") as pool:
            if ahead is None:  # today's order: the Store first, its errors before anything else
                opening = Future()
                opening.set_result(_open_for_refresh(args, config, err))
            elif writer is None:
                opening = pool.submit(_open_for_refresh, args, config, err)

            def on_demand() -> Awaitable[Store]:
                nonlocal opening
                opening = pool.submit(_open_for_refresh, args, config, err)
                return _store_of(opening)

            try:
                with _progress_bar(err, len(config.feeds)) as step:
                    store: Store | Awaitable[Store] | StoreOnDemand
                    if writer is not None:
                        store = StoreOnDemand(on_demand, writer)
                    else:
                        assert opening is not None  # made above
                        store = opening.result()[0] if ahead is None else _store_of(opening)
                    summary = asyncio.run(refresh(config, store, progress=step, force=args.force, stored_ahead=ahead))
            except BaseException:
                if opening is not None and not opening.cancelled() and opening.exception() is None:  # (waits for it to open)
                    opening.result()[0].close()
                raise
    finally:
        if writer is not None:
            writer.close()
    opened, outbox = opening.result() if opening is not None else (None, None)
    with opened or nullcontext():
        _print_summary(summary)
        if outbox is not None:
            _send_alerts(outbox)
        if summary.disk_full:
            print(f"newsdesk: error: {summary.disk_full}", file=sys.stderr)
            return 1
    return 0


@contextmanager
def _progress_bar(err: Console, total: int) -> Iterator[Callable[[RefreshProgress], None] | None]:
    """The refresh's progress bar on standard error, gone when the refresh is done; None
    where standard error is no terminal: nothing would be drawn there (rich draws a live
    display on a terminal only), and its thread would lay it out ten times a second beside
    the downloads."""
    if not err.is_terminal:
        yield None
        return
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from newsdesk.display import safe

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("refreshing", total=total)

        def step(p: RefreshProgress) -> None:
            bar.update(task, completed=p.done, total=p.total, description=escape(safe(p.feed or "refreshing", 40)))

        yield step


def _feeds_ahead(args: argparse.Namespace, config: Config) -> list[FeedStatus] | None:
    """The stored feeds, read through the sqlite3 reader, when a refresh can start from them
    before the Store is open: see cmd_refresh. For a SQLite file not made yet, feeds.toml's
    feeds as not stored (every one new: nothing to send but plain GETs), while the Store
    creates the file. None: open the Store first."""
    from newsdesk.errors import StoreError
    from newsdesk.match import watchlist_fingerprint
    from newsdesk.store import new_sqlite_file
    from newsdesk.types import FeedStatus

    if new_sqlite_file(database_of(args, config)):
        return [FeedStatus.unstored(f.name, f.url) for f in config.feeds]
    try:
        reads = sqlite_reads(args, config)
        if reads is None:
            return None
        with reads:
            return reads.feeds_to_refresh(config.feeds, watchlist_fingerprint(config.watchlist))
    except StoreError:  # locked, damaged, unreadable: the Store says so in its words
        return None


def _status_writer(args: argparse.Namespace, config: Config) -> StatusWriter | None:
    """Where a refresh without news writes its feeds' statuses: a SQLite file at this schema
    through sqlite3 (store.StatusWriter); None when only a Store can."""
    from newsdesk.store import open_status_writer

    writer = open_status_writer(database_of(args, config))
    if writer is not None:
        writer.on_busy = say_busy
    return writer


def _open_for_refresh(args: argparse.Namespace, config: Config, err: Console) -> tuple[Store, Outbox]:
    """The Store a refresh writes to, following feeds.toml, its alerts' outbox, and its
    stories re-tagged if the watchlist changed."""
    from newsdesk.alerts import Outbox, terminal_bell
    from newsdesk.refresh import retag_if_needed

    store = open_store(args, config)
    try:
        outbox = Outbox(store, config.alerts, terminal_bell())
        retagged = retag_if_needed(config, store)
        if retagged:
            err.print(f"watchlist changed: re-tagged {retagged} stored stories")
    except BaseException:
        store.close()
        raise
    return store, outbox


async def _store_of(opening: Future[tuple[Store, Outbox]]) -> Store:
    import asyncio

    store, _ = await asyncio.wrap_future(opening)
    return store


def _send_alerts(outbox: Outbox) -> None:
    """The refresh's alerts, sent after its summary: the command waits for their deliveries
    (a failing webhook's retries included), since nothing would be left to send them."""
    from newsdesk.display import safe

    events = outbox.send_due()
    for event in events:
        print(safe(f"alert: {event.entity}: {event.title} ({event.feed})"))
    outbox.close(wait=120)


def _print_summary(summary: RefreshSummary) -> None:
    from rich.console import Console

    from newsdesk.display import plain

    out = Console(highlight=False)
    waiting = f", {summary.waiting} waiting (see newsdesk status)" if summary.waiting else ""
    out.print(
        f"feeds: {summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed{waiting}; "
        f"{summary.new_stories} new stories, {summary.new_matches} new matches"
        + (f"; {summary.purged} old stories removed (keep_days, max_stories_per_feed)" if summary.purged else "")
    )
    for problem in summary.problems:
        if problem.message != summary.disk_full:  # said once, at the end
            out.print(plain(f"  {problem.name} ({problem.url}): {problem.message}"))


def cmd_daemon(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from sqlalchemy.engine import make_url

    from newsdesk.config import find_db
    from newsdesk.display import SafeLogFormatter
    from newsdesk.lock import DaemonLock
    from newsdesk.store import database_url

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeLogFormatter("%(asctime)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    config = load_config_arg(args)  # a broken feeds.toml is reported before anything else
    url = database_url(find_db(args.db, config.settings.database))
    if make_url(url).get_backend_name() == "postgresql":
        # Many daemons may share a PostgreSQL database: each feed is claimed before it is
        # fetched (a lease on its row), so no lock keeps the others out.
        with open_store(args, config) as store:
            asyncio.run(_daemon(config, store, shared=True))
        return 0
    with DaemonLock(url):
        store = open_store(args, config)
        with store:
            asyncio.run(_daemon(config, store))
    return 0


async def _daemon(config: Config, store: Store, *, shared: bool = False) -> None:
    import asyncio
    import logging
    import signal

    from newsdesk.alerts import Outbox, terminal_bell
    from newsdesk.display import safe
    from newsdesk.heap import give_back
    from newsdesk.refresh import KeptWorkers, refresh, retag_if_needed
    from newsdesk.schedule import Scheduler

    log = logging.getLogger("newsdesk")
    holder = {"config": config}

    outbox = Outbox(store, config.alerts, terminal_bell())
    pool = KeptWorkers()

    async def run(feeds: Sequence[FeedConfig]) -> None:
        with pool.lent(holder["config"]) as workers:
            summary = await refresh(holder["config"], store, feeds=feeds, workers=workers)
        for event in await asyncio.to_thread(outbox.send_due):
            log.info("alert: %s: %s (%s)", event.entity, safe(event.title), event.feed)
        log.info(
            "refreshed %d feeds: %d ok, %d not modified, %d failed; %d new stories, %d new matches",
            len(feeds), summary.ok, summary.not_modified, summary.failed,
            summary.new_stories, summary.new_matches,
        )
        if summary.purged:
            log.info("removed %d old stories (keep_days, max_stories_per_feed)", summary.purged)
        for problem in summary.problems:
            log.warning("%s (%s): %s", problem.name, problem.url, problem.message)
        give_back()  # what the refresh freed, or the daemon's size grows with its busiest moments

    async def reconfigure(new: Config) -> None:
        holder["config"] = new
        pool.forget()  # the next refresh starts a pool for what the new feeds need
        outbox.reconfigure(new.alerts)
        await asyncio.to_thread(store.sync_feeds, new.feeds)
        retagged = await asyncio.to_thread(retag_if_needed, new, store)
        if retagged is not None:
            log.info("watchlist changed: re-tagged %d stored stories", retagged)

    retagged = await asyncio.to_thread(retag_if_needed, config, store)
    if retagged:
        log.info("watchlist changed: re-tagged %d stored stories", retagged)
    scheduler = Scheduler(config, run, on_config=reconfigure, leases=store if shared else None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[None]] = set()

    def reload() -> None:
        task = loop.create_task(scheduler.reload())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)
    log.info("newsdesk daemon: %d feeds, config %s, database %s", len(config.feeds), config.path, store.url)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        await scheduler.stop()
        pool.forget(wait=True)
        outbox.close(wait=5)
        log.info("stopped")

