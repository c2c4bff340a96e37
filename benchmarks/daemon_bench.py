"""Benchmark 7: the daemon left running: its memory over time, and what each story costs on disk.

    python benchmarks/daemon_bench.py [--minutes 60] [--feeds 100] [--refresh-minutes 1] [--samples FILE]

Starts ../shared/tools/newsite.py with --rotate (every feed publishes a new entry on each
request, each linking a real article page), and `newsdesk daemon` on its feeds at default
settings (extraction on; the watchlist is every country and 20 people), each feed refreshed
every --refresh-minutes. Every --every seconds it reads the daemon's resident memory (RSS of
its main process), the proportional memory of the daemon and its worker processes together
(PSS), and how many stories the database holds. At the end it stops the daemon with SIGINT,
as a person would, and reports:

- memory: RSS when the first refreshes are done (after --warmup minutes), at the end, the
  growth between them, and the largest PSS of all processes;
- size: the database's bytes per story once the write-ahead log is checkpointed, and what
  each part of a story costs: each table and index (SQLite's dbstat), and within the story
  table, its text (as stored: compressed), summary, title and the rest; and what a story
  costs in a database a year old at default settings, where only the last keep_pages_days
  (30) of 365 days of stories still have their page (everything else measured in this run,
  the pages' share scaled by 30/365).
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import DEFAULT_SHARED, _pss_kb, _rss_kb, _tree, newsite, table
from benchmarks.refresh_bench import PEOPLE
from newsdesk.config import Settings


def _config(feeds_toml: Path, refresh_minutes: float) -> str:
    people = "".join(f'\n[[watchlist.people]]\nname = "{p}"\n' for p in PEOPLE)
    return (f"[settings]\nrefresh_minutes = {refresh_minutes}\n\n" + feeds_toml.read_text()
            + '\n[watchlist]\ncountries = ["*"]\n' + people)


def _stories(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            return int(conn.execute("SELECT count(*) FROM story").fetchone()[0])
    except sqlite3.Error:
        return 0


def _parts(db: Path, stories: int) -> tuple[list[tuple[str, str, str]], int]:
    """Bytes per story of each table and index, largest first, and of the story table's
    columns; and the stored pages' bytes."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        columns = conn.execute(
            "SELECT sum(length(CAST(text AS BLOB))), sum(length(CAST(summary AS BLOB))), sum(length(CAST(title AS BLOB))), "
            "sum(length(CAST(url AS BLOB)) + length(CAST(guid AS BLOB)) + length(CAST(key AS BLOB))) FROM story"
        ).fetchone()
    total = sum(size for _, size in sizes)
    rows = [(name, f"{size / stories:,.0f}", f"{100 * size / total:.1f}%") for name, size in sizes if size / stories >= 1]
    rows += [(f"  story.{name} (payload)", f"{(value or 0) / stories:,.0f}", "")
             for name, value in zip(("text", "summary", "title", "url+guid+key"), columns, strict=True)]
    return rows, sum(size for name, size in sizes if name == "story_page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with tools/newsite.py and corpus/ (default ../shared)")
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--refresh-minutes", type=float, default=1.0, help="each feed's interval (default 1)")
    parser.add_argument("--warmup", type=float, default=5.0, help="minutes before the memory baseline (default 5)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples (default 30)")
    parser.add_argument("--samples", type=Path, help="write every sample to this CSV file")
    parser.add_argument("--db", type=Path, help="the database (default: a new one in a temporary folder)")
    args = parser.parse_args()
    newsdesk = str(Path(sys.executable).parent / "newsdesk")

    with tempfile.TemporaryDirectory(prefix="newsdesk-daemon-") as tmp:
        work = Path(tmp)
        db = args.db or work / "newsdesk.db"
        with newsite(args.shared.resolve(), work, "--feeds", str(args.feeds), "--items", "25", "--latency-ms", "50", "--rotate") as site:
            config = work / "feeds.toml"
            config.write_text(_config(site.feeds_toml, args.refresh_minutes), encoding="utf-8")
            env = dict(os.environ, XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"),
                       XDG_STATE_HOME=str(work / "state"))
            log = (work / "daemon.log").open("w")
            daemon = subprocess.Popen([newsdesk, "daemon", "--config", str(config), "--db", str(db)],
                                      stdout=log, stderr=subprocess.STDOUT, env=env)
            started = time.monotonic()
            samples: list[tuple[float, int, int, int]] = []
            try:
                while time.monotonic() - started < args.minutes * 60:
                    time.sleep(args.every)
                    if daemon.poll() is not None:
                        sys.exit(f"the daemon stopped ({daemon.returncode}): {(work / 'daemon.log').read_text()[-2000:]}")
                    pss = sum(_pss_kb(pid) for pid in _tree(daemon.pid))
                    samples.append((time.monotonic() - started, _rss_kb(daemon.pid), pss, _stories(db)))
                    minute, rss, pss, count = samples[-1]
                    print(f"{minute / 60:6.1f} min  RSS {rss / 1024:6.1f} MB  PSS (all) {pss / 1024:6.1f} MB  {count} stories",
                          file=sys.stderr, flush=True)
            finally:
                daemon.send_signal(signal.SIGINT)
                try:
                    daemon.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                log.close()
        if args.samples:
            with args.samples.open("w", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(("seconds", "rss_kb", "pss_all_kb", "stories"))
                writer.writerows(samples)
        stories = _stories(db)
        parts, pages = _parts(db, max(stories, 1))
        size = db.stat().st_size

    baseline = next((s for s in samples if s[0] >= args.warmup * 60), samples[0])
    end = samples[-1]
    table(
        f"7a. daemon memory: {args.minutes:.0f} minutes, {args.feeds} feeds every {args.refresh_minutes:g} min, extraction on",
        ("RSS at warm-up MB", "RSS at end MB", "growth MB", "largest RSS MB", "largest PSS (all) MB", "stories", "goal"),
        [(f"{baseline[1] / 1024:.1f}", f"{end[1] / 1024:.1f}", f"{(end[1] - baseline[1]) / 1024:+.1f}",
          f"{max(s[1] for s in samples) / 1024:.1f}", f"{max(s[2] for s in samples) / 1024:.1f}", stories, "growth <= 10 MB")],
    )
    # One sample falls between refreshes, the next in the middle of one (pages, trees and a
    # write's stories in hand): the end minus the warm-up depends on where each falls. The
    # lowest and highest RSS of the first and last ten minutes after the warm-up say what the
    # daemon keeps (lowest) and what it reaches while refreshing (highest), each over the run.
    first = [s[1] for s in samples if args.warmup * 60 <= s[0] < (args.warmup + 10) * 60] or [baseline[1]]
    last = [s[1] for s in samples if s[0] >= end[0] - 10 * 60] or [end[1]]
    table(
        "7a'. daemon memory between refreshes (lowest) and during them (highest), first vs last 10 minutes",
        ("lowest RSS first / last MB", "growth MB", "highest RSS first / last MB", "growth MB"),
        [(f"{min(first) / 1024:.1f} / {min(last) / 1024:.1f}", f"{(min(last) - min(first)) / 1024:+.1f}",
          f"{max(first) / 1024:.1f} / {max(last) / 1024:.1f}", f"{(max(last) - max(first)) / 1024:+.1f}")],
    )
    per = max(stories, 1)
    keep = Settings().keep_pages_days
    year = (size - pages) / per + pages / per * min(1.0, keep / 365)
    table(f"7b. database: {size / per / 1024:.1f} KiB a story ({size / 1e6:.1f} MB, {stories} stories, every page kept); "
          f"a year at default settings (pages of the last {keep} days): {year / 1024:.1f} KiB a story; goal <= 10 KB",
          ("part", "bytes a story", "share of the file"), parts)


if __name__ == "__main__":
    main()
