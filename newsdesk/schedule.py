"""Keeping feeds fresh: one APScheduler job per feed, and a watch on feeds.toml.

The same Scheduler runs headless in `newsdesk daemon` and inside the UI's event loop; only
the `run` coroutine it is given differs. Feeds that fall due together are refreshed as one
batch (one HTTP client, one pass), and batches never overlap.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from newsdesk.config import Config, FeedConfig, load_config
from newsdesk.errors import ConfigError

log = logging.getLogger(__name__)

_WATCH_SECONDS = 10.0
_BATCH_WAIT_SECONDS = 0.5


class FeedLeases(Protocol):
    """Claims on feeds shared by several daemons (the store on PostgreSQL)."""

    def claim_feeds(self, due: Sequence[tuple[str, float]], *, limit: int, lease_seconds: float) -> list[str]: ...
    def renew_leases(self, urls: Sequence[str], lease_seconds: float) -> None: ...
    def release_feeds(self, urls: Sequence[str]) -> None: ...


class Scheduler:
    def __init__(
        self,
        config: Config,
        run: Callable[[Sequence[FeedConfig]], Awaitable[object]],
        *,
        on_config: Callable[[Config], object] | None = None,
        on_config_error: Callable[[ConfigError], object] | None = None,
        watch_seconds: float = _WATCH_SECONDS,
        refresh_on_start: bool = True,
        periodic: bool = True,
        leases: FeedLeases | None = None,
    ) -> None:
        """`leases`: this scheduler is one of several daemons sharing the feeds: each batch is
        fetched a few feeds at a time, each claimed first, so a feed another daemon holds or
        fetched within its interval is left alone, and the work spreads over the daemons."""
        self.config = config
        self._run = run
        self._on_config = on_config
        self._on_config_error = on_config_error
        self._watch_seconds = watch_seconds
        self._refresh_on_start = refresh_on_start
        self._periodic = periodic
        self._scheduler = AsyncIOScheduler()
        self._pending: dict[str, FeedConfig] = {}
        self._wake: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._stamp = _file_stamp(config.path)
        self._last_error: str | None = None
        self._leases = leases

    def start(self) -> None:
        """Start the jobs on the running event loop."""
        self._wake = asyncio.Event()
        self._runner = asyncio.get_running_loop().create_task(self._drain(), name="newsdesk-refresh")
        self._scheduler.start()
        self._sync_jobs(self.config, first=True)
        if self._leases is not None:
            # Every feed is offered again every so often: one that a dead daemon held is taken
            # over soon after its claim lapses, not an interval later.
            self._scheduler.add_job(
                self._sweep, IntervalTrigger(seconds=self._sweep_seconds()), id="lease-sweep",
                max_instances=1, coalesce=True,
            )
        if self.config.path is not None:
            self._scheduler.add_job(
                self._check_config, IntervalTrigger(seconds=self._watch_seconds), id="config-watch",
                max_instances=1, coalesce=True,
            )

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._runner is not None:
            self._runner.cancel()

    async def stop(self, wait: float = 10.0) -> None:
        """`shutdown`, then wait (up to `wait` seconds) for the refresh under way to wind up:
        its feeds' claims are given back on the way out. A process that exits straight after
        `shutdown` may end before that, and the feeds then wait for their leases to run out
        (another daemon sharing the database skips them until then)."""
        self.shutdown()
        if self._runner is not None:
            await asyncio.wait({self._runner}, timeout=wait)

    async def reload(self) -> None:
        """Re-read feeds.toml now, changed or not (`kill -HUP` on the daemon): the same path
        as a change the watch notices, so a broken file keeps the last good config."""
        self._stamp = None
        await self._check_config(asked=True)

    @property
    def periodic(self) -> bool:
        return self._periodic

    def set_periodic(self, periodic: bool, *, start_now: bool = False) -> None:
        """Refresh each feed on its interval, or only the feeds `due` is given.

        The UI turns its schedule off while a daemon refreshes the database, and on again when
        the daemon stops; feeds.toml is watched either way. Unless `start_now`, the first
        refreshes come an interval later (taking over from a daemon, which has just done them).
        """
        if periodic == self._periodic:
            return
        self._periodic = periodic
        if self._scheduler.running:
            self._sync_jobs(self.config, first=True, start_now=start_now)

    def due(self, feeds: Sequence[FeedConfig]) -> None:
        """Queue feeds for the next batch: the schedule's, and the UI's `r` and `R`."""
        for feed in feeds:
            self._pending[feed.url] = feed
        if self._wake is not None:
            self._wake.set()

    # -------------------------------------------------------------- internals

    async def _drain(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            await asyncio.sleep(_BATCH_WAIT_SECONDS)  # let feeds due at the same moment join
            self._wake.clear()
            batch = list(self._pending.values())
            self._pending.clear()
            if not batch:
                continue
            try:
                if self._leases is None:
                    await self._run(batch)
                else:
                    await self._run_leased(batch, self._leases)
            except asyncio.CancelledError:
                raise
            except Exception:  # a refresh bug must not stop the schedule
                log.exception("refresh of %d feeds failed", len(batch))

    async def _run_leased(self, batch: Sequence[FeedConfig], leases: FeedLeases) -> None:
        remaining = {f.url: f for f in batch}
        settings = self.config.settings
        chunk = max(2 * settings.concurrency, 4)  # a few at a time: the others take the rest
        while remaining:
            due = [(f.url, settings.interval(f)) for f in remaining.values()]
            claiming = asyncio.ensure_future(asyncio.to_thread(
                leases.claim_feeds, due, limit=chunk, lease_seconds=settings.lease_seconds
            ))
            try:
                urls = await asyncio.shield(claiming)
            except asyncio.CancelledError:
                # Stopped while claiming: the claim commits all the same, so give it back
                # rather than leave the feeds to wait for the lease to run out.
                await asyncio.to_thread(leases.release_feeds, await claiming)
                raise
            if not urls:
                return  # the rest are another daemon's, or not due
            feeds = [remaining.pop(url) for url in urls]
            renewing = asyncio.create_task(self._renew(leases, urls))
            try:
                await self._run(feeds)
            finally:
                renewing.cancel()
                await asyncio.to_thread(leases.release_feeds, urls)

    async def _renew(self, leases: FeedLeases, urls: Sequence[str]) -> None:
        seconds = self.config.settings.lease_seconds
        while True:
            await asyncio.sleep(seconds / 3)
            try:
                await asyncio.to_thread(leases.renew_leases, urls, seconds)
            except Exception:  # the database is away for a moment: the next renewal may work
                log.warning("renewing the claim on %d feeds failed", len(urls), exc_info=True)

    def _sweep_seconds(self) -> float:
        return max(1.0, self.config.settings.lease_seconds / 4)

    async def _sweep(self) -> None:
        self.due(self.config.feeds)

    def _sync_jobs(self, config: Config, *, first: bool = False, start_now: bool | None = None) -> None:
        wanted = {f"feed:{f.url}": f for f in config.feeds} if self._periodic else {}
        for job in self._scheduler.get_jobs():
            if job.id.startswith("feed:") and job.id not in wanted:
                job.remove()
                log.info("stopped watching %s", job.id[5:])
        for job_id, feed in wanted.items():
            minutes = config.settings.interval(feed)
            job = self._scheduler.get_job(job_id)
            if job is not None:
                if job.trigger.interval != timedelta(minutes=minutes):
                    job.reschedule(IntervalTrigger(minutes=minutes))
                job.modify(args=[feed])
                continue
            now = (self._refresh_on_start or not first) if start_now is None else start_now
            # Without next_run_time the first run comes one interval from now.
            first_run = {"next_run_time": datetime.now().astimezone()} if now else {}
            self._scheduler.add_job(
                self._feed_due, IntervalTrigger(minutes=minutes), args=[feed], id=job_id,
                max_instances=1, coalesce=True, misfire_grace_time=None, **first_run,
            )
            if not first:
                log.info("now watching %s (%s)", feed.name, feed.url)

    async def _feed_due(self, feed: FeedConfig) -> None:
        self.due([feed])

    async def _check_config(self, *, asked: bool = False) -> None:
        """`asked`: a reload someone asked for, which says its error again."""
        path = self.config.path
        stamp = _file_stamp(path)
        if path is None or stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            config = await asyncio.to_thread(load_config, path)
        except ConfigError as exc:
            message = str(exc)
            if message != self._last_error or asked:
                log.error("%s (still using the last good config)", message)
                self._last_error = message
            if self._on_config_error:
                self._on_config_error(exc)
            return
        # A fix that restores the last good config changes nothing to run, but the error shown
        # must go: on_config is told all the same.
        recovered, self._last_error = self._last_error is not None, None
        if config == self.config and not recovered:
            return
        log.info("%s changed: reloaded", path)
        self.config = config
        self._sync_jobs(config)
        if self._on_config:
            result = self._on_config(config)
            if asyncio.iscoroutine(result):
                await result


def _file_stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)
