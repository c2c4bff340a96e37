"""Processes killed, interrupted, and run side by side on one database: nothing half-written,
nothing lost, no "database is locked". These run the real `newsdesk` command in subprocesses."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from newsdesk.store import Store
from tests.httpserver import LocalServer
from tests.terminal import AS_FROM_A_TERMINAL

SEED_PAGE = (Path(__file__).parent / "data" / "pages" / "russia-defends-iran-attack.html").read_bytes()
FEEDS, ITEMS = 4, 12


def _rss(server: LocalServer, feed: int, first: int = 0, count: int = ITEMS) -> bytes:
    items = "".join(
        f"<item><title>Story {feed}-{n}</title><guid>s{feed}-{n}</guid>"
        f"<link>{server.url(f'/p/{feed}-{n}.html')}</link><description>Iran and Israel.</description></item>"
        for n in range(first, first + count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{feed}</title>{items}</channel></rss>'.encode()


@pytest.fixture
def site(http_server: LocalServer, tmp_path: Path) -> tuple[LocalServer, Path, Path]:
    for feed in range(FEEDS):
        http_server.add(f"/f{feed}.xml", _rss(http_server, feed), headers={"Content-Type": "application/rss+xml"})
        for n in range(ITEMS):
            http_server.add(f"/p/{feed}-{n}.html", SEED_PAGE, headers={"Content-Type": "text/html"}, delay=0.05)
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[settings]\nconcurrency = 4\nrefresh_minutes = 0.02\n\n"
        + "".join(f'[[feeds]]\nname = "F{i}"\nurl = "{http_server.url(f"/f{i}.xml")}"\n\n' for i in range(FEEDS))
        + '[watchlist]\ncountries = ["Russia", "Iran", "Israel"]\n',
        encoding="utf-8",
    )
    return http_server, config, tmp_path / "news.db"


def _newsdesk(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsdesk", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _consistent(db: Path) -> int:
    """The database is whole: integrity ok, every matched story has its matches and no match is orphaned."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select count(*) from story where matched and id not in (select story_id from match)").fetchone() == (0,)
        assert conn.execute("select count(*) from story where not matched and id in (select story_id from match)").fetchone() == (0,)
        assert conn.execute("select count(*) from match where story_id not in (select id from story)").fetchone() == (0,)
        return conn.execute("select count(*) from story").fetchone()[0]


def _descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc), e.g. a refresh's extraction workers."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _stories(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return conn.execute("select count(*) from story").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def _wait_for_stories(proc: subprocess.Popen[str], db: Path, at_least: int) -> None:
    """Until the refresh has stored `at_least` stories (or ended): a moment inside its work,
    however slow the machine is today."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and _stories(db) < at_least and time.monotonic() < deadline:
        time.sleep(0.02)


def test_sigkill_at_any_moment_leaves_a_whole_database_and_the_next_refresh_finishes(site) -> None:  # type: ignore[no-untyped-def]
    _, config, db = site
    seen = []
    left_behind: set[int] = set()
    for target in (1, 8, 20, 35):
        proc = _newsdesk("refresh", "--config", str(config), "--db", str(db))
        _wait_for_stories(proc, db, target)
        helpers = _descendants(proc.pid)
        proc.kill()
        proc.wait()
        left_behind |= helpers
        seen.append(_consistent(db))
    # Its extraction workers and their fork server notice and go too.
    deadline = time.monotonic() + 15
    while {p for p in left_behind if Path(f"/proc/{p}").exists()} and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not {p for p in left_behind if Path(f"/proc/{p}").exists()}
    done = _newsdesk("refresh", "--config", str(config), "--db", str(db))
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert _consistent(db) == FEEDS * ITEMS
    assert min(seen) < FEEDS * ITEMS  # the kills did land half-way


def test_ctrl_c_stops_a_refresh_cleanly_and_keeps_what_was_stored(site) -> None:  # type: ignore[no-untyped-def]
    _, config, db = site
    proc = subprocess.Popen(
        [*AS_FROM_A_TERMINAL, "refresh", "--config", str(config), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"},
    )
    _wait_for_stories(proc, db, 1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; everything stored so far is kept" in err
    assert "Traceback" not in err, err
    _consistent(db)


def test_ui_and_daemon_share_the_database_and_a_second_daemon_refuses(site) -> None:  # type: ignore[no-untyped-def]
    server, config, db = site
    Store(db).close()
    daemon = _newsdesk("daemon", "--config", str(config), "--db", str(db))
    try:
        # New stories keep arriving while the daemon refreshes every ~1 s.
        stop = threading.Event()

        def publish() -> None:
            first = ITEMS
            while not stop.is_set():
                for feed in range(FEEDS):
                    server.add(f"/f{feed}.xml", _rss(server, feed, first, 3), headers={"Content-Type": "application/rss+xml"})
                first += 3
                stop.wait(0.7)

        publisher = threading.Thread(target=publish, daemon=True)
        publisher.start()
        started = time.monotonic()
        # Meanwhile the reader reads and stars stories, as the UI does, on the same file, until
        # at least two more rounds of new stories have come in (and for 4 s at least).
        marked: set[int] = set()
        with Store(db) as reader:
            while time.monotonic() - started < 60 and (
                time.monotonic() - started < 4 or len(marked) < FEEDS * ITEMS + 2 * FEEDS * 3
            ):
                for story in reader.list_stories(matched_only=False, limit=50):
                    if story.id not in marked:
                        reader.set_read(story.id, True)
                        reader.set_starred(story.id, True)
                        marked.add(story.id)
                reader.entity_counts()
                time.sleep(0.05)
            second = _newsdesk("daemon", "--config", str(config), "--db", str(db))
            _, err2 = second.communicate(timeout=30)
            assert second.returncode == 1
            assert "another newsdesk daemon (pid " in err2 and "is already refreshing" in err2
            stop.set()
            assert len(marked) >= FEEDS * ITEMS + 2 * FEEDS * 3  # the daemon kept adding stories
            kept = [reader.story(i) for i in marked]
            assert all(s is not None and s.read and s.starred for s in kept)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert "locked" not in err.lower() and "Traceback" not in err
    assert "refreshed" in err
    _consistent(db)
