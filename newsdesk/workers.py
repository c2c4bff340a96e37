"""The worker processes of a refresh: feed parsing and article extraction, off the event loop.

Nothing here imports trafilatura or feedparser: a refresh that reads no page starts its
workers with the feed parser alone, and the process that hands out the work loads neither.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TypeVar, cast

from newsdesk.types import FeedOutcome, FeedResult

_T = TypeVar("_T")


def cores() -> int:
    """The CPUs this process may run on (a container's limit, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Workers:
    """A pool of processes, one per core, started on first use: feed parsing and article
    extraction, which are CPU-bound, overlap the downloads there.

    trafilatura and feedparser hold the GIL for a whole page or feed, so threads would not
    overlap them with the downloads; processes do. Workers are forked from a server that
    has already imported `preload` (the extraction modules when pages will be read, only
    the feed parser when not: about half the start-up), so starting one costs milliseconds,
    not an import each. As with any multiprocessing pool, a script that refreshes must do so
    under `if __name__ == "__main__":` (workers import the main module).
    """

    def __init__(
        self, workers: int | None = None, preload: Sequence[str] = ("newsdesk.refresh", "newsdesk.extract")
    ) -> None:
        self.workers = workers or cores()
        self._preload = list(preload)
        self._pool: Executor | None = None
        self._starting = threading.Lock()
        self._batches: dict[Callable[..., Any], _Batches] = {}

    async def run(self, function: Callable[..., _T], *args: Any) -> _T:
        """function(*args) in a worker; both must be picklable (module-level, plain values)."""
        pool = self._pool or await asyncio.to_thread(self._start)
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, function, *args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory, a crash in lxml): the next call starts a
            # new pool, and this story keeps the feed's text.
            broken, self._pool = self._pool, None
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            raise

    def map(self, function: Callable[..., _T], *iterables: Iterable[Any]) -> list[_T]:
        """function over the iterables in the workers, for a caller with no event loop (the
        `match` command); blocking, results in order."""
        return list(self._start().map(function, *iterables, chunksize=4))

    def start_soon(self) -> None:
        """Start the pool now, in the background, for a caller that knows work is coming:
        the work then does not wait for the pool's start (a tenth of a second or more)."""
        if self._pool is None and self._starting.acquire(blocking=False):  # else: under way
            threading.Thread(target=self._start_in_background, name="newsdesk-pool-start", daemon=True).start()

    def _start_in_background(self) -> None:
        """(The caller holds `_starting` for this thread, so `close` waits for the start.)"""
        try:
            self._start_pool()
        except Exception:  # the first call that needs the pool starts it again, and says why
            pass
        finally:
            self._starting.release()

    async def run_batched(self, function: Callable[..., _T], *args: Any) -> _T:
        """function(*args) in a worker, sent together with the other calls of `function`
        waiting at that moment: many small calls (one a page) then cost a few messages.

        Each call to a process pool is a round of pickling, pipe writes and thread wake-ups
        in this process, on a core the workers need. Batches are as large as the queue, up to
        `_BATCH`, split over the workers so that none idles at the end while another works
        through a long batch. A call that raises raises alone; the others' results stand.
        """
        batches = self._batches.get(function)
        if batches is None:
            batches = self._batches[function] = _Batches(self, function)
        # The batches are keyed by function, so their results are what `function` returns.
        return cast(_T, await batches.call(args))

    def _start(self) -> Executor:
        """Start the pool and every worker, off the event loop: the first start launches the
        fork server, which imports trafilatura (about a second the downloads need not wait)."""
        with self._starting:
            return self._start_pool()

    def _start_pool(self) -> Executor:
        if self._pool is None:
            quiet = not _real_stderr()
            with _real_std_streams():
                pool = ProcessPoolExecutor(
                    self.workers, mp_context=_pool_context(self._preload), initializer=_worker_start,
                    initargs=(os.getpid(), quiet),
                )
                for started in [pool.submit(os.getpid) for _ in range(self.workers)]:
                    started.result()
            self._pool = pool
        return self._pool

    async def parse_feed(self, body: bytes, url: str, headers: dict[str, str]) -> FeedResult:
        """A feed's parse in a worker: it then overlaps the other feeds' downloads."""
        try:
            return await self.run(_parse_feed, body, url, headers)
        except BrokenProcessPool:
            return FeedResult(url, FeedOutcome.PARSE_ERROR, error="the feed could not be read (the parsing process stopped)")

    def close(self) -> None:
        with self._starting:  # a start under way (start_soon) ends first, then is undone
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


_BATCH = 8
"""The most calls sent to a worker at once: a few pages' extraction."""


class _Batches:
    """The calls of one function waiting for a worker, and the batches under way."""

    def __init__(self, workers: Workers, function: Callable[..., Any]) -> None:
        self._workers = workers
        self._function = function
        self._waiting: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._running: set[asyncio.Future[None]] = set()

    async def call(self, args: tuple[Any, ...]) -> Any:
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.append((args, done))
        self._send()
        return await done

    def _send(self) -> None:
        # One batch more than there are workers: a worker that finishes one finds the next
        # already waiting in the pool's queue.
        while self._waiting and len(self._running) <= self._workers.workers:
            size = min(_BATCH, -(-len(self._waiting) // self._workers.workers))
            batch, self._waiting = self._waiting[:size], self._waiting[size:]
            running = asyncio.ensure_future(self._run(batch))
            self._running.add(running)
            running.add_done_callback(self._finished)

    def _finished(self, running: asyncio.Future[None]) -> None:
        self._running.discard(running)
        if not running.cancelled():
            self._send()

    async def _run(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        try:
            results = await self._workers.run(_each, self._function, [args for args, _ in batch])
        except asyncio.CancelledError:
            for _, done in batch:
                done.cancel()
            raise
        except Exception as exc:  # the pool broke: every call of the batch says so
            results = [(False, exc)] * len(batch)
        for (_, done), (ok, value) in zip(batch, results, strict=True):
            if not done.done():  # its caller was cancelled
                if ok:
                    done.set_result(value)
                else:
                    done.set_exception(value)


def _parse_feed(body: bytes, url: str, headers: dict[str, str]) -> FeedResult:
    """In a worker: fetch.parse_feed (imported there: the process that hands out the feeds
    never needs feedparser), each entry sketched for clustering while it is at hand (see
    newsdesk.feedstory)."""
    from newsdesk.feedstory import sketched
    from newsdesk.fetch._feeds import parse_feed

    return sketched(parse_feed(body, url, headers))


def _each(function: Callable[..., _T], calls: list[tuple[Any, ...]]) -> list[tuple[bool, Any]]:
    """In a worker: each call's result, or the exception it raised."""
    results: list[tuple[bool, Any]] = []
    for args in calls:
        try:
            results.append((True, function(*args)))
        except Exception as exc:
            results.append((False, exc))
    return results


def _worker_start(pid: int, quiet: bool) -> None:
    """In each worker: leave the fork server's objects to the garbage collector's permanent
    generation, exit when the process that started the pool is gone, and keep quiet under a
    terminal UI.

    A worker shares the fork server's memory (trafilatura, lxml, numpy: about 30 MB) until it
    writes to a page. A full collection writes to every object it walks, so without the
    freeze each worker soon held its own copy of most of that memory; frozen, those objects
    are never walked (`gc.freeze`, documented for exactly this: a process that forks). Their
    cycles are never collected either, and the fork server makes none worth collecting.

    A pool's workers never notice their parent dying (killed with SIGKILL, say): they hold
    their own end of its queue, and the fork server waits for them. Without the watch they
    would stay behind, idle, for ever. Under the UI, the terminal is the screen: a library's
    warning printed by a worker would scribble over it, so workers' output goes nowhere.
    """
    gc.freeze()  # first: before anything here allocates (and might start a collection)
    if quiet:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # alive, someone else's (the pid was reused): keep going
                pass

    threading.Thread(target=watch, name="newsdesk-parent-watch", daemon=True).start()


def _real_stderr() -> bool:
    """Whether sys.stderr is a real file (not a terminal UI's capture of prints)."""
    try:
        return sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        return False


@contextmanager
def _real_std_streams() -> Iterator[None]:
    """The process's own stdout and stderr while the pool starts.

    multiprocessing hands sys.stderr's file descriptor to the processes it starts; under
    Textual, sys.stderr is a capture object whose fileno() is -1, and the start fails.
    """
    if _real_stderr():
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _pool_context(preload: list[str]) -> multiprocessing.context.BaseContext:
    # fork would copy the caller's threads' locks (the UI's, the scheduler's) in whatever
    # state they are; a fork server is a clean single-threaded parent.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(preload)
        return context
    return multiprocessing.get_context("spawn")
