"""Benchmark: a newsroom's fetchers, several `newsdesk daemon` processes on one PostgreSQL.

1,000 feeds of the local news site (../shared/tools/newsite.py, 50 ms latency by default),
feeds only (extract = false: the coordination is measured, not trafilatura). For 1, 2 and 4
daemons sharing one PostgreSQL database, and the single daemon a SQLite file allows beside
them, each run starts the daemons as real processes on a new, empty database and measures:

- time to refresh everything: from the daemons' start until every feed has been fetched
  and recorded (polled in the database every 50 ms), the whole commands included;
- requests per feed: the site's count of feed requests over the number of feeds; with every
  feed recorded, 1.00 means each feed was fetched exactly once (no feed twice);
- stories stored, and how many were stored twice (must be 0);
- CPU seconds: the daemons' (their process trees), and the database server's (every
  `postgres` process of the machine, read from /proc; SQLite's work is in the daemons').

Run: .venv/bin/python benchmarks/newsroom_bench.py [--feeds 1000] [--pg postgresql://postgres@127.0.0.1:5432]
(the role must be allowed to create databases). Compare ratios within one run only.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks._common import add_site_options, newsite, process_cpu_seconds, site_options, table

DAEMONS = (1, 2, 4)


def _postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL server process now alive (the postmaster's children)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            total += process_cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total


def _tree_cpu(pid: int) -> float:
    from benchmarks._common import _tree

    total = 0.0
    for child in _tree(pid):
        try:
            total += process_cpu_seconds(child)
        except OSError:
            pass
    return total


def _count(db: str, sql: str) -> int:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def _run(label: str, daemons: int, db: str, config: Path, feeds: int, site, work: Path) -> list[object]:  # type: ignore[no-untyped-def]
    from newsdesk.store import Store

    Store(db).close()  # the schema, made before the daemons start (as a newsroom's set-up does)
    site.reset()
    env = dict(os.environ, XDG_STATE_HOME=str(work / "state"), XDG_DATA_HOME=str(work / "data"))
    pg_before = _postgres_cpu() if db.startswith("postgresql") else 0.0
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "newsdesk", "daemon", "--config", str(config), "--db", db],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )
        for _ in range(daemons)
    ]
    cpu = dict.fromkeys((p.pid for p in procs), 0.0)
    try:
        while _count(db, "select count(*) from feed where last_checked is not null") < feeds:
            for p in procs:
                cpu[p.pid] = max(cpu[p.pid], _tree_cpu(p.pid))
            if time.monotonic() - started > 600:
                raise SystemExit(f"{label}: not done after 10 minutes")
            time.sleep(0.05)
        took = time.monotonic() - started
        for p in procs:
            cpu[p.pid] = max(cpu[p.pid], _tree_cpu(p.pid))
        pg_cpu = _postgres_cpu() - pg_before if db.startswith("postgresql") else None
        time.sleep(1.0)  # a second more of every daemon's sweeps: nothing may be fetched again
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    requests = site.stats().get("feed.200", 0) + site.stats().get("feed.304", 0)
    stories = _count(db, "select count(*) from story")
    twice = stories - _count(db, "select count(*) from (select distinct feed_id, key from story) s")
    return [
        label, daemons, f"{took:.2f}", f"{requests / feeds:.2f}", stories, twice,
        f"{sum(cpu.values()):.1f}", "-" if pg_cpu is None else f"{pg_cpu:.1f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_site_options(parser, "the folder holding tools/newsite.py (default: ../shared)")
    parser.set_defaults(feeds=1000, items=10)
    parser.add_argument("--pg", default=os.environ.get("NEWSDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432"),
                        help="the PostgreSQL server (a role that may create databases)")
    parser.add_argument("--daemons", type=int, nargs="+", default=list(DAEMONS),
                        help="how many daemons to run on PostgreSQL, one run each (default: 1 2 4)")
    args = parser.parse_args()
    server = make_url(args.pg.replace("postgresql://", "postgresql+psycopg://", 1))
    import psycopg

    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp, newsite(args.shared, Path(tmp), *site_options(args)) as site:
        work = Path(tmp)
        site.prime(args.feeds)
        body = site.feeds_toml.read_text()
        config = work / "feeds.toml"
        config.write_text("[settings]\nextract = false\nrefresh_minutes = 600\n" + body.replace("[settings]\n", ""))
        rows.append(_run("SQLite", 1, f"sqlite:///{work / 'news.db'}", config, args.feeds, site, work))
        for n in args.daemons:
            name = f"newsdesk_bench_{secrets.token_hex(3)}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                db = server.set(database=name).render_as_string(hide_password=False)
                rows.append(_run("PostgreSQL", n, db, config, args.feeds, site, work))
            finally:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    table(
        f"newsroom: {args.feeds} feeds x {args.items} entries, {args.latency_ms:g} ms latency, feeds only",
        ["database", "daemons", "refresh all (s)", "requests/feed", "stories", "stored twice", "daemons CPU (s)",
         "server CPU (s)"],
        rows,
    )


if __name__ == "__main__":
    main()
