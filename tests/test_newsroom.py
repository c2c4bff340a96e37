"""A newsroom on one PostgreSQL: several `newsdesk daemon` processes share the feeds, readers
keep their own marks. Real processes, a real PostgreSQL server, feeds from a local server."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.httpserver import LocalServer

FEEDS = 12
ITEMS = 3


def _rss(n: int) -> bytes:
    items = "".join(
        f"<item><title>Story {n}-{i} from Iran</title><link>http://127.0.0.1:9/{n}/{i}.html</link>"
        f"<guid>feed{n}-{i}</guid><description>Iran and Israel, story {i}.</description></item>"
        for i in range(ITEMS)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'.encode()


def _config(server: LocalServer, tmp_path: Path, delay: float, minutes: float = 30) -> Path:
    for n in range(FEEDS):
        server.add(f"/feeds/{n}.xml", _rss(n), headers={"Content-Type": "application/rss+xml"}, delay=delay)
    feeds = "".join(f'[[feeds]]\nname = "Feed {n}"\nurl = "{server.url(f"/feeds/{n}.xml")}"\n' for n in range(FEEDS))
    config = tmp_path / "feeds.toml"
    config.write_text(
        f"[settings]\nextract = false\nconcurrency = 2\nlease_seconds = 3\nrefresh_minutes = {minutes}\n"
        + feeds + '[watchlist]\ncountries = ["Iran"]\n'
    )
    return config


def _daemon(config: Path, db: str, tmp_path: Path, name: str) -> subprocess.Popen[str]:
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "data"))
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "daemon", "--config", str(config), "--db", db],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"{name}.log", "w"), text=True, env=env,
    )


def _query(db: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(db.replace("postgresql+psycopg", "postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _stop(*procs: subprocess.Popen[str]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_three_daemons_fetch_each_feed_once_an_interval_and_store_each_story_once(
    http_server: LocalServer, pg_url: str, tmp_path: Path
) -> None:
    interval = 6.0
    config = _config(http_server, tmp_path, delay=0.4, minutes=interval / 60)
    from newsdesk.store import Store

    Store(pg_url).close()  # the schema, made once before the daemons race to it
    paths = [f"/feeds/{n}.xml" for n in range(FEEDS)]
    daemons = [_daemon(config, pg_url, tmp_path, f"d{i}") for i in range(3)]

    def refreshed() -> list[int]:
        """Each daemon's feeds refreshed so far, as its log says (a refresh is logged when done)."""
        logs = [(tmp_path / f"d{i}.log").read_text() for i in range(3)]
        return [sum(int(line.split("refreshed ")[1].split()[0]) for line in log.splitlines() if " refreshed " in line) for log in logs]

    try:
        assert _wait(lambda: _query(pg_url, "select count(*) from story")[0][0] == FEEDS * ITEMS, 60)
        # A second interval: every daemon sweeps several times meanwhile, and each feed is
        # fetched once more, by one of them (asked of the server, then done: a refresh the
        # stop cancels after the server saw its request is in no log).
        assert _wait(lambda: all(http_server.hits(p) >= 2 for p in paths), 60)
        assert _wait(lambda: sum(refreshed()) >= 2 * FEEDS, 60)
    finally:
        _stop(*daemons)
    for path in paths:
        times = http_server.times[path]
        # Never twice in one interval (a feed is due again 0.9 interval after its last claim).
        assert min(b - a for a, b in itertools.pairwise(times)) > interval / 2, (path, times)
    assert _query(pg_url, "select count(*), count(distinct (feed_id, key)) from story") == [(FEEDS * ITEMS, FEEDS * ITEMS)]
    assert _query(pg_url, "select count(*) from feed where lease_owner is not null") == [(0,)]
    fetched = refreshed()
    assert sum(1 for n in fetched if n) >= 2, f"the work did not spread: {fetched}"


def test_a_killed_daemons_feeds_are_taken_over_when_its_lease_ends(http_server: LocalServer, pg_url: str, tmp_path: Path) -> None:
    config = _config(http_server, tmp_path, delay=30)  # A never gets an answer before it dies
    from newsdesk.store import Store

    Store(pg_url).close()
    first = _daemon(config, pg_url, tmp_path, "first")
    try:
        assert _wait(lambda: _query(pg_url, "select count(*) from feed where lease_owner is not null")[0][0] > 0, 30)
        held = {r[0] for r in _query(pg_url, "select url from feed where lease_owner is not null")}
        first.send_signal(signal.SIGKILL)
        first.wait()
        killed_at = time.monotonic()
    finally:
        _stop(first)
    for n in range(FEEDS):  # the server answers at once from now on
        http_server.add(f"/feeds/{n}.xml", _rss(n), headers={"Content-Type": "application/rss+xml"})
    second = _daemon(config, pg_url, tmp_path, "second")
    try:
        assert _wait(lambda: _query(pg_url, "select count(*) from story")[0][0] == FEEDS * ITEMS, 60)
        taken_over = time.monotonic() - killed_at
    finally:
        _stop(second)
    assert held
    assert taken_over >= 2.5  # not before the dead daemon's 3-second claim lapsed
    assert _query(pg_url, "select count(*), count(distinct (feed_id, key)) from story") == [(FEEDS * ITEMS, FEEDS * ITEMS)]
    # Nothing half-written: every story whose title names Iran has its match.
    assert _query(pg_url, "select count(*) from story s where not exists (select 1 from match m where m.story_id = s.id)") == [(0,)]
    assert _query(pg_url, "select count(*) from feed where lease_owner is not null or last_checked is null") == [(0,)]


async def test_a_reader_ui_on_postgresql_shows_a_daemons_story_within_a_second(
    http_server: LocalServer, pg_url: str, tmp_path: Path
) -> None:
    import asyncio

    from newsdesk.config import load_config
    from newsdesk.store import Store
    from newsdesk.ui import NewsdeskApp
    from newsdesk.ui.widgets import StoryList
    from tests.ui_fixtures import settle

    http_server.add("/feeds/0.xml", _rss(0), headers={"Content-Type": "application/rss+xml"})
    config = tmp_path / "feeds.toml"
    # (collapse off: the three stories' titles differ by a number only, which reads as one event)
    config.write_text(f'[settings]\nextract = false\ncollapse = false\n'
                      f'[[feeds]]\nname = "Feed 0"\nurl = "{http_server.url("/feeds/0.xml")}"\n'
                      '[watchlist]\ncountries = ["Iran"]\n')
    store = Store(pg_url, reader="ana")
    # The reader polls only once a minute here: the story can only reach it that fast by NOTIFY.
    app = NewsdeskApp(store, load_config(config), poll_seconds=60)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(StoryList).rows == []
        daemon = _daemon(config, pg_url, tmp_path, "daemon")
        try:
            stored_at = shown_at = None
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while shown_at is None and loop.time() < deadline:
                if stored_at is None and _query(pg_url, "select count(*) from story")[0][0]:
                    stored_at = loop.time()
                if app.screen.query_one(StoryList).rows:
                    shown_at = loop.time()
                await asyncio.sleep(0.05)
        finally:
            _stop(daemon)
        assert shown_at is not None and stored_at is not None
        # Polling would take up to a minute: only the notification explains a story shown within
        # seconds (a second on an idle machine; the margin is for a loaded test machine).
        assert shown_at - stored_at < 10.0
        assert sorted(s.title for s in app.screen.query_one(StoryList).rows) == [f"Story 0-{i} from Iran" for i in range(ITEMS)]
    store.close()
