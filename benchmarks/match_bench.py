"""Benchmark 4: matcher throughput on real article text, and re-tagging 100k stored stories.

    python benchmarks/match_bench.py [--shared ../shared] [--stories 100000] [--db PATH]

The watchlist holds every country (`countries = ["*"]`) and 200 people: 20 often in the news
and 180 two-word names that occur in the corpus's articles, so the people patterns really hit.
1. MB/s of UTF-8 article text (corpus/articles/ground-truth.json) through Matcher.find, with
   the matcher compiled once (its compile time is printed apart).
2. A watchlist edit over a database of `--stories` stories (benchmarks/_bigdb.py, built once
   and kept at --db): the time Store.retag takes to re-tag every story, as the UI and the
   daemon do in the background after feeds.toml changes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._bigdb import articles, build
from benchmarks._common import DEFAULT_SHARED, cores, table
from benchmarks.refresh_bench import PEOPLE
from newsdesk.config import parse_config
from newsdesk.match import Matcher, summarize, watchlist_fingerprint
from newsdesk.store import Store
from newsdesk.types import StoryQuery

_NAME = re.compile(r"\b([A-Z][a-z]{2,}) ([A-Z][a-z]{3,})\b")
_NOT_NAMES = {"The", "This", "That", "But", "And", "New", "North", "South", "East", "West", "United", "When", "With", "For"}


def people(texts: list[str], wanted: int = 200) -> list[str]:
    """PEOPLE, then the commonest two-capitalised-word names of the texts, up to `wanted`."""
    found = Counter(m.group(0) for t in texts for m in _NAME.finditer(t) if m.group(1) not in _NOT_NAMES)
    names = list(PEOPLE)
    for name, _ in found.most_common():
        if len(names) >= wanted:
            break
        if name not in names:
            names.append(name)
    return names


def watchlist_toml(names: list[str]) -> str:
    return '[watchlist]\ncountries = ["*"]\n' + "".join(f'\n[[watchlist.people]]\nname = "{n}"\n' for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with corpus/ (default ../shared)")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="where to build (and keep) the large database (default: a temporary folder)")
    parser.add_argument("--seconds", type=float, default=3.0, help="run the throughput test at least this long")
    args = parser.parse_args()
    shared = args.shared.resolve()

    texts = articles(shared)
    names = people(texts)
    config = parse_config(watchlist_toml(names))
    started = time.perf_counter()
    matcher = Matcher(config.watchlist)
    compile_s = time.perf_counter() - started
    size = sum(len(t.encode()) for t in texts)
    passes, hits, started = 0, 0, time.perf_counter()
    while passes == 0 or time.perf_counter() - started < args.seconds:
        for text in texts:
            hits += len(matcher.find("", text))
        passes += 1
    elapsed = time.perf_counter() - started
    mb_s = size * passes / elapsed / 1e6
    table(
        "4a. matcher throughput (every country + 200 people)",
        ("articles", "MB per pass", "passes", "matches per pass", "compile s", "MB/s", "goal"),
        [(len(texts), f"{size / 1e6:.2f}", passes, hits // passes, f"{compile_s:.2f}", f"{mb_s:.1f}", ">= 10")],
    )

    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        source = args.db or Path(tmp) / "big.db"
        built = build(source, shared, args.stories)
        db = Path(tmp) / "retag.db"
        shutil.copy(source, db)  # re-tagging rewrites the tags: the kept database stays as built
        with Store(db) as store:
            fingerprint = watchlist_fingerprint(config.watchlist)
            started = time.perf_counter()
            done = store.retag(lambda title, text, summary: summarize(matcher.find(title, text, summary)), fingerprint)
            retag_s = time.perf_counter() - started
            matched = store.count_view(StoryQuery()).stories
        with sqlite3.connect(db) as conn:
            (chars,) = conn.execute("SELECT sum(length(title) + length(summary) + length(text)) FROM story").fetchone()
    table(
        f"4b. re-tag after a watchlist edit ({cores()} cores)",
        ("stories", "text M chars", "re-tag s", "stories/s", "matched after", "goal", "database built in s"),
        [
            (
                done,
                f"{chars / 1e6:.0f}",
                f"{retag_s:.1f}",
                f"{done / retag_s:.0f}",
                matched,
                "<= 20 s",
                f"{built:.0f}" if built else "reused",
            )
        ],
    )
    print(f"\nmatcher {mb_s:.1f} MB/s (goal >= 10); re-tag of {done} stories {retag_s:.1f} s (goal <= 20 s)")


if __name__ == "__main__":
    main()
