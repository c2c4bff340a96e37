"""The UI beside other processes on the same database: a `newsdesk refresh` in a shell, and a
`newsdesk daemon` that does the refreshing (real processes, a local feed server)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from textual.widgets import Static

from newsdesk.config import load_config
from newsdesk.store import Store
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.widgets import StoryList
from tests.ui_fixtures import settle
from tests.ui_fixtures import until as _until

WATCHLIST = '[watchlist]\ncountries = ["Iran", "Israel", "Russia"]\n'


def _rss(*titles: str) -> bytes:
    items = "".join(f"<item><title>{t}</title><guid>{t}</guid><description>{t}.</description></item>" for t in titles)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def _setup(http_server, tmp_path: Path, *titles: str, minutes: float = 30) -> Path:  # type: ignore[no-untyped-def]
    http_server.add("/feed.xml", _rss(*titles), headers={"Content-Type": "application/rss+xml"})
    path = tmp_path / "feeds.toml"
    # "Iran story 1" and "Iran story 2" are one event to the clustering: each is a row here.
    settings = f"[settings]\nextract = false\ncollapse = false\nrefresh_minutes = {minutes}\n\n"
    path.write_text(settings + f'[[feeds]]\nname = "Wire"\nurl = "{http_server.url("/feed.xml")}"\n\n' + WATCHLIST, encoding="utf-8")
    return path


def _newsdesk(*args: str, tmp_path: Path) -> list[str]:
    return [sys.executable, "-m", "newsdesk", *args]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[name] = str(tmp_path / name.lower())
    return env


def _titles(app: NewsdeskApp) -> list[str]:
    return [s.title for s in app.screen.query_one(StoryList).rows]


def _status(app: NewsdeskApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def test_stories_a_refresh_in_a_shell_stores_appear_where_the_cursor_was(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = _setup(http_server, tmp_path, *(f"Iran story {n}" for n in range(30)))
    db = tmp_path / "news.db"
    first = subprocess.run(_newsdesk("refresh", "--config", str(config), "--db", str(db), tmp_path=tmp_path),
                           env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    app = NewsdeskApp(Store(db), load_config(config), poll_seconds=0.3)
    async with app.run_test(size=(100, 24)) as pilot:
        await _until(pilot, lambda: len(_titles(app)) == 30)
        stories = app.screen.query_one(StoryList)
        for _ in range(25):
            await pilot.press("j")
        await settle(pilot)
        chosen, on_screen = stories.current, stories.cursor - round(stories.scroll_offset.y)
        assert chosen is not None
        # Three new stories, stored by another process: a refresh in a shell.
        http_server.add("/feed.xml", _rss(*(f"Israel story {n}" for n in range(3)), *(f"Iran story {n}" for n in range(30))),
                        headers={"Content-Type": "application/rss+xml"})
        again = await asyncio.to_thread(
            subprocess.run, _newsdesk("refresh", "--config", str(config), "--db", str(db), tmp_path=tmp_path),
            env=_env(tmp_path), capture_output=True, text=True, timeout=120,
        )
        assert again.returncode == 0, again.stderr
        # No key pressed. The rows come first and the header's counts after them (their own query).
        await _until(pilot, lambda: len(_titles(app)) == 33 and app.screen.sub_title == "matched — 33 stories, 33 unread", timeout=10)
        assert stories.current is not None and stories.current.id == chosen.id  # the cursor stays on its story ...
        assert stories.cursor - round(stories.scroll_offset.y) == on_screen  # ... at its place on screen


async def test_a_daemon_refreshes_the_database_and_the_ui_shows_what_it_stores(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = _setup(http_server, tmp_path, "Iran votes", minutes=0.02)  # the daemon refreshes every 1.2 s
    db = tmp_path / "news.db"
    daemon = subprocess.Popen(_newsdesk("daemon", "--config", str(config), "--db", str(db), tmp_path=tmp_path),
                              env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Until the daemon has made the database and refreshed once (two processes creating one
        # database at the very same moment is another matter).
        for _ in range(600):
            if http_server.hits("/feed.xml") or daemon.poll() is not None:
                break
            await asyncio.sleep(0.1)
        assert daemon.poll() is None, "the daemon stopped"
        # periodic: the UI would refresh the feed every 1.2 s too, if no daemon did.
        app = NewsdeskApp(Store(db), load_config(config), periodic=True, poll_seconds=0.3)
        async with app.run_test(size=(100, 24)) as pilot:
            await _until(pilot, lambda: f"refreshed by the daemon, pid {daemon.pid}" in _status(app))
            await _until(pilot, lambda: _titles(app) == ["Iran votes"])
            http_server.add("/feed.xml", _rss("Israel votes", "Iran votes"), headers={"Content-Type": "application/rss+xml"})
            await _until(pilot, lambda: _titles(app) == ["Israel votes", "Iran votes"])  # stored by the daemon
            assert "Last refresh" not in _status(app)  # the UI has refreshed nothing itself
            await pilot.press("R")  # but refreshes on demand
            await _until(pilot, lambda: "Last refresh" in _status(app))
            assert f"pid {daemon.pid}" in _status(app)
            daemon.send_signal(signal.SIGTERM)
            await asyncio.to_thread(daemon.wait, 30)
            await _until(pilot, lambda: "daemon" not in _status(app))
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()


_HOLD = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE feed SET title = 'held'")
print("held", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


async def test_the_ui_keeps_running_on_a_busy_database_says_so_and_stores_the_marks_after(tmp_path: Path) -> None:
    """Another process holds the write lock longer than the busy timeout (a refresh stopped
    with Ctrl-Z mid-write): `s` and Enter neither end the app nor hang the reader; the status
    bar says the database is busy, and the marks are stored once the lock is let go."""
    from tests.ui_fixtures import CONFIG, make_store

    db = tmp_path / "news.db"
    store = make_store(db)
    app = NewsdeskApp(store, CONFIG)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        story = app.screen.query_one(StoryList).current
        assert story is not None and not story.read and not story.starred
        holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            await pilot.press("s")
            await pilot.press("enter")

            def shown() -> str:
                return str(app.screen.query_one("#story-text", Static).render())

            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while "database is busy" not in app.status.line():  # after the busy timeout (10 s)
                assert app.is_running and loop.time() < deadline, "the busy database was not said"
                await asyncio.sleep(0.1)
            assert "Russia" in shown(), "the reader shows the story while its mark waits"
            await pilot.press("q")
            await pilot.pause()
            assert "database is busy: another newsdesk process is writing to" in _status(app)
            assert str(db) in _status(app) and "retrying" in _status(app)
            assert app.is_running
        finally:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.close()
            holder.wait(timeout=30)
        await _until(pilot, lambda: (lambda s: s is not None and s.read and s.starred)(store.story(story.id)))
        await _until(pilot, lambda: "busy" not in _status(app))
        assert app.is_running


async def test_s_twice_while_the_database_is_busy_stars_and_unstars(tmp_path: Path) -> None:
    """Marks asked for while another process holds the write lock are shown at once and
    stored as last asked: `s` twice is starred then unstarred (it was starred twice, the
    second press reading the row the first had not yet changed), and `N` marks read."""
    from tests.ui_fixtures import CONFIG, make_store

    db = tmp_path / "news.db"
    store = make_store(db)
    app = NewsdeskApp(store, CONFIG)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        rows = app.screen.query_one(StoryList)
        story = rows.current
        assert story is not None and not story.read and not story.starred
        holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            await pilot.press("s")
            await pilot.pause()
            assert rows.current is not None and rows.current.starred  # shown before it is stored
            await pilot.press("s", "N")
            await pilot.pause()
            assert rows.current is not None and not rows.current.starred and rows.current.read
        finally:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.close()
            holder.wait(timeout=30)
        await _until(pilot, lambda: (lambda s: s is not None and s.read and not s.starred)(store.story(story.id)))
        await pilot.pause(1.0)  # every worker has written by now: the last wish stands
        stored = store.story(story.id)
        assert stored is not None and stored.read and not stored.starred
        assert rows.current is not None and rows.current.read and not rows.current.starred
