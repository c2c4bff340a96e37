"""The worker pool: calls sent in batches come back to their own callers."""

from __future__ import annotations

import asyncio

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

