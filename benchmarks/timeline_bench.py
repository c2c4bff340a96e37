"""Benchmark: how long the watchlist's timelines take to read from a large database.

    python benchmarks/timeline_bench.py [--stories 100000] [--db PATH] [--rounds 5]

A database of `--stories` stories (benchmarks/_bigdb.py: real article texts, 200 feeds, one
story every five minutes back from 2024-04-14, 20% tagged with one or two of ten entries) is
built once and kept at `--db`. Each read is the store's call as its callers make it, timed
round after round (after one untimed round) and reported as the median and the best:

- the panel's sparklines: every entry's counts over 14 days (Store.entity_days, with the two
  days the clustering window looks back);
- `newsdesk trends --days 90`: every entry's counts over 90 + 14 days;
- one entry's 90 days (the entity screen's chart), and its co-mentioned entries;
- the digest's week of mentions, and an export's 30 days of mentions with their texts.

Baseline, in the same run: Store.entity_counts (the panel's counts, which every list
refresh reads already), and the matched stories of the same 90 days counted by `list`'s own
query (Store.count_view).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._bigdb import NOW, build
from benchmarks._common import DEFAULT_SHARED
from newsdesk.store import Store
from newsdesk.types import StoryQuery


def _time(call: Callable[[], object], rounds: int) -> tuple[float, float, object]:
    result = call()
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        took.append(time.perf_counter() - started)
    return statistics.median(took), min(took), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "newsdesk-timeline-bench.db")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the folder holding corpus/ (default ../shared)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    built = build(args.db, args.shared, args.stories)
    print(f"database: {args.db} ({args.stories:,} stories; built in {built:.0f} s)" if built else f"database: {args.db} (reused)")
    today = NOW.date()
    with Store(args.db) as store:
        reads: list[tuple[str, Callable[[], object]]] = [
            ("baseline: entity_counts (the panel's counts)", store.entity_counts),
            ("baseline: count_view, matched stories of 90 days",
             lambda: store.count_view(StoryQuery(since=NOW - timedelta(days=90)))),
            ("entity_days, every entry, 14 days (sparklines)", lambda: store.entity_days(today - timedelta(days=13), today)),
            ("entity_days, every entry, 104 days (trends --days 90)", lambda: store.entity_days(today - timedelta(days=103), today)),
            ("entity_days, one entry, 90 days (its chart)", lambda: store.entity_days(today - timedelta(days=89), today, "Russia")),
            ("co_mentioned, one entry, 90 days", lambda: store.co_mentioned("Russia", today - timedelta(days=89))),
            ("mentions, 7 days (digest)", lambda: store.mentions(since=NOW - timedelta(days=7), until=NOW)),
            ("mentions with texts, 30 days (export)", lambda: store.mentions(since=NOW - timedelta(days=30), texts=True)),
        ]
        print(f"{'read':56} {'median':>9} {'best':>9}  rows")
        for name, call in reads:
            median, best, result = _time(call, args.rounds)
            rows = len(result) if isinstance(result, list) else "-"
            print(f"{name:56} {median * 1000:7.1f}ms {best * 1000:7.1f}ms  {rows}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
