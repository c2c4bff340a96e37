"""Benchmarks 1 and 2: a cold refresh against the extraction floor, then a warm one.

    python benchmarks/refresh_bench.py [--shared ../shared] [--feeds 200] [--items 25] [--latency-ms 50]

Starts ../shared/tools/newsite.py on 127.0.0.1 (a free port) serving `--feeds` feeds of
`--items` entries that link to real article pages, answering each request after
`--latency-ms`, and asks for every feed once (the site renders a feed on its first request
and keeps it). Then, at newsdesk's default settings (unless --concurrency / --per-host):

1. Cold refresh into an empty database: wall time, against the extraction floor measured in
   the same run (the CPU time of `trafilatura.extract()` with its default options over the
   very pages the refresh extracted, divided by the cores), with the peak memory of the
   refresh and its extraction workers.
2. Warm refresh of the same feeds, nothing changed: wall time and what the server saw
   (every feed should be one conditional GET answered 304, no article downloaded).

Each refresh runs in a fresh process (as `newsdesk refresh` would); its wall time starts
after the imports and covers opening the database, the refresh and closing it. `--profile
FILE` writes a cProfile of the cold refresh's main process, every thread of it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gzip
import json
import pstats
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    TreeMemory,
    add_site_options,
    cores,
    machine_busy_seconds,
    newsite,
    process_cpu_seconds,
    site_options,
    table,
)

# 20 people often in the news, and every country: a realistic, heavy watchlist.
PEOPLE = (
    "Vladimir Putin", "Sergei Lavrov", "Joe Biden", "Donald Trump", "Xi Jinping", "Volodymyr Zelensky",
    "Benjamin Netanyahu", "Ali Khamenei", "Emmanuel Macron", "Olaf Scholz", "Rishi Sunak", "Narendra Modi",
    "Recep Tayyip Erdogan", "Antony Blinken", "Kamala Harris", "Ursula von der Leyen", "Elon Musk",
    "Jens Stoltenberg", "Mohammed bin Salman", "Luiz Inacio Lula da Silva",
)


def config_text(feeds_toml: Path, concurrency: int | None, per_host: int | None) -> str:
    settings = []
    if concurrency is not None:
        settings.append(f"concurrency = {concurrency}")
    if per_host is not None:
        settings.append(f"per_host = {per_host}")
    people = "".join(f'\n[[watchlist.people]]\nname = "{p}"\n' for p in PEOPLE)
    head = ("[settings]\n" + "\n".join(settings) + "\n\n") if settings else ""
    return head + feeds_toml.read_text() + '\n[watchlist]\ncountries = ["*"]\n' + people


# ------------------------------------------------------------ one refresh, in a child


def child(config_path: str, db: str, profile: str | None, memory_samples: bool = True, call_only: bool = False) -> None:
    from newsdesk.config import load_config
    from newsdesk.refresh import refresh, retag_if_needed
    from newsdesk.store import Store

    config = load_config(config_path)
    profiler = cProfile.Profile() if profile else None
    # Every thread the refresh starts is profiled too (each its own profiler, merged at the
    # end): the writes and the clustering run in threads, where the main one never looks.
    threads: list[cProfile.Profile] = []
    if profiler:
        threading.setprofile(lambda *_: _profile_thread(threads))
    # Without samples, the tree is read once, at the end, outside the timing.
    with TreeMemory(every=0.25 if memory_samples else 1e9) as memory:
        started = time.perf_counter()
        cpu = time.process_time()
        main_thread_cpu = time.thread_time()
        if profiler:
            profiler.enable()
        with Store(db) as store:
            retag_if_needed(config, store)
            if call_only:
                started = time.perf_counter()
            summary = asyncio.run(refresh(config, store))
            if call_only:
                wall = time.perf_counter() - started
        if profiler:
            profiler.disable()
        if not call_only:
            wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        main_thread_cpu = time.thread_time() - main_thread_cpu
    if profiler and profile:
        threading.setprofile(None)
        stats = pstats.Stats(profiler)
        for one in threads:
            one.create_stats()
            stats.add(one)
        stats.dump_stats(profile)
    print(json.dumps({
        "wall": wall, "main_cpu": cpu, "main_thread_cpu": main_thread_cpu, "tree_cpu": memory.cpu_seconds, "ok": summary.ok,
        "not_modified": summary.not_modified,
        "failed": summary.failed, "new_stories": summary.new_stories, "new_matches": summary.new_matches,
        "peak_main_rss_mb": memory.peak_main_rss_kb / 1024, "peak_tree_rss_mb": memory.peak_rss_kb / 1024,
        "peak_tree_pss_mb": memory.peak_pss_kb / 1024,
    }))


def _profile_thread(threads: list[cProfile.Profile]) -> None:
    """A new thread's first event: it gets a profiler of its own, which then replaces this hook."""
    profiler = cProfile.Profile()
    threads.append(profiler)
    profiler.enable()


def run_child(
    config: Path, db: Path, profile: str | None = None, *, memory_samples: bool = True, call_only: bool = False
) -> dict[str, float]:
    """One refresh in a fresh process. `memory_samples=False`: no /proc sampling during it
    (its thread competes for the refresh's CPU), for a comparison of wall times alone.
    `call_only`: the wall time is the `refresh()` call on the opened store, as a library's
    update call is timed, not the database's opening and closing around it."""
    command = [sys.executable, __file__, "--child", str(config), str(db)]
    if profile:
        command += ["--profile", profile]
    if not memory_samples:
        command += ["--no-memory-samples"]
    if call_only:
        command += ["--call-only"]
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# ------------------------------------------------------------ the extraction floor


def _warm_worker() -> None:
    import trafilatura  # noqa: F401  (the import is not part of the floor)


def _extract_cpu(pages: list[tuple[str, str]]) -> float:
    """CPU seconds `trafilatura.extract()`, default options, spends on these pages."""
    import trafilatura

    spent = 0.0
    for html, url in pages:
        start = time.process_time()
        trafilatura.extract(html, url=url)
        spent += time.process_time() - start
    return spent


def extraction_floor(shared: Path, db: Path) -> tuple[float, int, float]:
    """(floor seconds, pages, CPU seconds): the cold refresh's own pages, extracted again.

    Each stored story that was read from its page names the corpus page it came from; the
    pages are decoded as the fetcher decodes them and extracted on every core at once.
    """
    import sqlite3

    from newsdesk.fetch import decode_page
    from newsdesk.types import RawPage

    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM story WHERE text_source = 'page'")]
    raw: dict[str, str] = {}
    pages: list[tuple[str, str]] = []
    for url in urls:
        key = re.sub(r"\.html$", "", urlsplit(url).path.rsplit("/", 1)[-1])
        if key not in raw:
            body = gzip.decompress((shared / "corpus" / "articles" / "html" / f"{key}.html.gz").read_bytes())
            raw[key] = decode_page(RawPage(url, body, "", "text/html"), len(body))
        pages.append((raw[key], url))
    n = cores()
    chunks = [pages[i::n] for i in range(n)]
    with ProcessPoolExecutor(n, initializer=_warm_worker) as pool:
        cpu = sum(pool.map(_extract_cpu, chunks))
    return cpu / n, len(pages), cpu


# ------------------------------------------------------------ the benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_options(parser, "folder with tools/newsite.py and corpus/ (default ../shared)")
    parser.add_argument("--concurrency", type=int, help="settings.concurrency (default: newsdesk's default)")
    parser.add_argument("--per-host", type=int, help="settings.per_host (default: newsdesk's default)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the cold refresh here")
    parser.add_argument("--child", nargs=2, metavar=("CONFIG", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--no-memory-samples", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--call-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.profile, not args.no_memory_samples, args.call_only)
        return

    from newsdesk.config import Settings

    defaults = Settings()
    concurrency = args.concurrency or defaults.concurrency
    per_host = args.per_host or defaults.per_host
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        work = Path(tmp)
        with newsite(args.shared.resolve(), work, *site_options(args)) as site:
            config = work / "feeds.toml"
            config.write_text(config_text(site.feeds_toml, args.concurrency, args.per_host))
            db = work / "newsdesk.db"
            print(f"{args.feeds} feeds x {args.items} items, {args.latency_ms:g} ms latency, "
                  f"concurrency {concurrency}, per_host {per_host}, {cores()} cores")

            site.prime(args.feeds)  # the site's feeds rendered once, before any refresh
            busy, server = machine_busy_seconds(), process_cpu_seconds(site.process.pid)
            cold = run_child(config, db, args.profile)
            busy, server = machine_busy_seconds() - busy, process_cpu_seconds(site.process.pid) - server
            cold_stats = site.stats()
            floor, pages, cpu = extraction_floor(args.shared.resolve(), db)

            site.reset()
            warm = run_child(config, db)
            warm_stats = site.stats()

    ratio = cold["wall"] / floor
    # Issue 16's goals for the whole cold refresh: the extraction floor itself, and the memory
    # of all its processes together.
    goal_ratio, goal_pss_mb = 1.0, 250
    table(
        "1. cold refresh",
        ("wall s", "floor s", "ratio", "goal", "stories", "pages extracted", "trafilatura CPU s",
         "main CPU s (event loop)", "refresh CPU s (all procs)", "peak RSS main MB", "peak PSS all MB", "peak RSS all MB"),
        [(f"{cold['wall']:.2f}", f"{floor:.2f}", f"{ratio:.2f}", f"<= {goal_ratio:.2f}, PSS <= {goal_pss_mb}",
          cold["new_stories"], pages,
          f"{cpu:.1f}", f"{cold['main_cpu']:.1f} ({cold['main_thread_cpu']:.1f})", f"{cold['tree_cpu']:.1f}",
          f"{cold['peak_main_rss_mb']:.0f}", f"{cold['peak_tree_pss_mb']:.0f}", f"{cold['peak_tree_rss_mb']:.0f}")],
    )
    table(
        "   server counters (cold)",
        ("requests", "feed 200", "article 200", "gzip answers", "machine CPU busy s", "of which the server s"),
        [(cold_stats.get("requests", 0), cold_stats.get("feed.200", 0), cold_stats.get("article.200", 0),
          cold_stats.get("gzip", 0), f"{busy:.1f}", f"{server:.1f}")],
    )
    articles = sum(v for k, v in warm_stats.items() if k.startswith("article."))
    table(
        "2. warm refresh (nothing changed)",
        ("wall s", "goal", "requests", "feed 304", "conditional", "article downloads", "new stories", "peak RSS MB"),
        [(f"{warm['wall']:.2f}", "<= 1 s", warm_stats.get("requests", 0), warm_stats.get("feed.304", 0),
          warm_stats.get("conditional", 0), articles, warm["new_stories"], f"{warm['peak_tree_rss_mb']:.0f}")],
    )
    print(f"\ncold/floor ratio {ratio:.2f} (goal <= {goal_ratio:.2f}), peak PSS {cold['peak_tree_pss_mb']:.0f} MB "
          f"(goal <= {goal_pss_mb}); warm {warm['wall']:.2f} s (goal <= 1 s), "
          f"{warm_stats.get('feed.304', 0)}/{args.feeds} answered 304, {articles} article downloads")


if __name__ == "__main__":
    main()
