"""The worker pool: calls sent in batches come back to their own callers."""

from __future__ import annotations

import asyncio
import gc
import os
import threading

from newsdesk.workers import Workers


def _square_unless_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven")
    return n * n


def test_batched_calls_each_get_their_own_result_and_only_a_failing_call_fails() -> None:
    async def go(workers: Workers) -> list[int | BaseException]:
        return await asyncio.gather(
            *(workers.run_batched(_square_unless_seven, n) for n in range(40)), return_exceptions=True
        )

    with Workers(2, preload=()) as workers:
        results = asyncio.run(go(workers))
        again = asyncio.run(go(workers))  # the same pool, a new event loop (the UI's next refresh)
    for got in (results, again):
        assert [r for n, r in enumerate(got) if n != 7] == [n * n for n in range(40) if n != 7]
        assert isinstance(got[7], ValueError) and str(got[7]) == "seven"


def test_a_cancelled_caller_does_not_stop_the_others() -> None:
    async def go(workers: Workers) -> list[int]:
        calls = [asyncio.ensure_future(workers.run_batched(_square_unless_seven, n)) for n in range(20)]
        await asyncio.sleep(0)
        calls[3].cancel()
        done = await asyncio.gather(*calls, return_exceptions=True)
        assert isinstance(done[3], asyncio.CancelledError)
        return [r for n, r in enumerate(done) if n not in (3, 7)]

    with Workers(2, preload=()) as workers:
        assert asyncio.run(go(workers)) == [n * n for n in range(20) if n not in (3, 7)]


def _frozen_and_collecting() -> tuple[int, int]:
    """In a worker: the objects frozen at its start, and what a full collection finds of a
    cycle made now (the collector still works on the worker's own objects)."""
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    return gc.get_freeze_count(), gc.collect()


def test_a_worker_leaves_what_it_inherited_out_of_its_collections() -> None:
    # The fork server's modules are frozen in each worker: a full collection there walks
    # (and so copies) none of the memory the workers share with it.
    with Workers(1, preload=("newsdesk.workers",)) as workers:
        frozen, collected = asyncio.run(workers.run(_frozen_and_collecting))
    assert frozen > 1000  # the standard library's and newsdesk's objects, at least
    assert collected >= 1


def test_closing_while_the_pool_starts_in_the_background_leaves_no_worker() -> None:
    workers = Workers(2, preload=())
    workers.start_soon()
    workers.close()  # waits for the start under way, then stops what it started
    for thread in threading.enumerate():
        if thread.name == "newsdesk-pool-start":
            thread.join()
    # multiprocessing's fork server and resource tracker live as long as this process; the
    # workers are the fork server's children.
    assert [p for p in _descendants(os.getpid()) if not _helper(p)] == []


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:  # the process ended meanwhile
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                children = list(map(int, f.read().split()))
        except (FileNotFoundError, ProcessLookupError):  # a thread (another test's) ended meanwhile
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def _helper(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline") as f:
            command = f.read()
    except (FileNotFoundError, ProcessLookupError):  # gone meanwhile: no worker left behind
        return True
    return "forkserver" in command or "resource_tracker" in command
