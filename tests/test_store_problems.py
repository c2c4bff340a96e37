"""The database busy, broken, not ours, read-only or on a full disk: through the real commands.

Each case ends in one line that names the database and says what is wrong, never a
traceback, and touches nothing it should not.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdesk.config import FeedConfig
from newsdesk.store import Store
from tests.httpserver import LocalServer
from tests.store_fixtures import write_stories
from tests.test_store import _hit, _story


def _newsdesk(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "newsdesk", *args], capture_output=True, text=True, timeout=timeout, env=env)


def _config(tmp_path: Path, url: str = "http://127.0.0.1:9/feed.xml", extra: str = "") -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(f'[settings]\nextract = false\n{extra}[[feeds]]\nname = "World"\nurl = "{url}"\n[watchlist]\ncountries = ["Russia"]\n')
    return path


def _stored(path: Path) -> Path:
    with Store(path) as store:
        store.sync_feeds([FeedConfig("World", "http://127.0.0.1:9/feed.xml")])
        write_stories(store, store.feeds()[0].id, [(_story("a", "Russia story"), [_hit("Russia")]), (_story("b", "Weather"), [])])
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name.startswith("news")}


def test_reading_commands_work_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    db = _stored(tmp_path / "news.db")
    config = _config(tmp_path)
    config.write_text(config.read_text() + '[[feeds]]\nname = "New desk"\nurl = "http://127.0.0.1:9/new.xml"\n')
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE feed SET title = 'held'")
    try:
        # A command that wrote would wait for the lock and retry for as long as it is held:
        # these end, while it is held.
        listing = _newsdesk(tmp_path, "list", "--all", "--config", str(config), "--db", str(db), timeout=60)
        status = _newsdesk(tmp_path, "status", "--config", str(config), "--db", str(db), timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert listing.returncode == 0, listing.stderr
    assert "Russia story" in listing.stdout and "Weather" in listing.stdout
    assert status.returncode == 0, status.stderr
    assert "New desk" in status.stdout and "never" in status.stdout  # from feeds.toml, not written
    assert "busy" not in listing.stderr + status.stderr
    with sqlite3.connect(db) as conn:  # status and list wrote nothing: the new feed is not stored
        assert conn.execute("select count(*) from feed").fetchone() == (1,)


def test_refresh_waits_for_a_busy_database_says_so_and_finishes(tmp_path: Path, http_server: LocalServer) -> None:
    http_server.add("/feed.xml", b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>'
                    b"<item><title>Russia today</title><guid>r1</guid></item></channel></rss>",
                    headers={"Content-Type": "application/rss+xml"})
    db = _stored(tmp_path / "news.db")
    config = _config(tmp_path, http_server.url("/feed.xml"))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE feed SET title = 'held'")
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "refresh", "--config", str(config), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stderr is not None
        said = ""
        for line in proc.stderr:  # the first write waits the busy timeout (10 s), then says so
            said += line
            if "busy" in line:
                break
        holder.execute("ROLLBACK")  # the other process is done: the retry goes through
        out, rest = proc.communicate(timeout=120)
    finally:
        holder.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, said + rest
    assert "newsdesk: the database is busy: another newsdesk process is writing to" in said
    assert str(db) in said and "retrying" in said
    assert "Traceback" not in said + rest
    assert "1 new stories" in out


@pytest.mark.parametrize("damage", ["not a database", "truncated", "corrupted"])
def test_a_damaged_file_is_named_and_left_untouched(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "news.db"
    if damage == "not a database":
        db.write_bytes(b"these are someone's notes, not a database\n" * 200)
    else:
        _stored(db)
        with Store(db) as store:  # enough pages that losing some loses stories
            fid = store.feeds()[0].id
            write_stories(store, fid, [(_story(f"k{n}", f"Story {n}", text="x" * 3000), [_hit("Russia")]) for n in range(60)])
        data = bytearray(db.read_bytes())
        if damage == "truncated":
            data = data[: len(data) // 2]
        else:
            data[len(data) // 2 : len(data) // 2 + 8192] = b"\xa5" * 8192
        db.write_bytes(bytes(data))
    before = _files(tmp_path)
    done = _newsdesk(tmp_path, "list", "--all", "--limit", "500", "--config", str(_config(tmp_path)), "--db", str(db))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"{db} is damaged or is not a database" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert _files(tmp_path) == before


@pytest.mark.parametrize(
    "schema",
    [
        "create table moz_places (id integer primary key, url text); insert into moz_places values (1, 'https://example.org')",
        "create table story (id integer primary key, body text)",
        "create table meta (key text primary key, value text); insert into meta values ('schema_version', 'four')",
    ],
    ids=["another program's", "a clashing table", "a schema_version that is no number"],
)
def test_a_database_that_is_not_newsdesks_is_refused_untouched(tmp_path: Path, schema: str) -> None:
    db = tmp_path / "news.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(schema)
    with sqlite3.connect(db) as conn:
        before = list(conn.iterdump())
    done = _newsdesk(tmp_path, "refresh", "--config", str(_config(tmp_path)), "--db", str(db))
    assert done.returncode == 2, done.stderr
    assert f"{db} is not a newsdesk database" in done.stderr and "Traceback" not in done.stderr
    with sqlite3.connect(db) as conn:
        assert list(conn.iterdump()) == before


def test_a_read_only_database_is_said_and_the_command_ends(tmp_path: Path) -> None:
    # Root may write any file, so the database is opened read-only the way SQLite allows.
    db = _stored(tmp_path / "news.db")
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    listing = _newsdesk(tmp_path, "list", "--config", str(_config(tmp_path)), "--db", url)
    assert listing.returncode == 0 and "Russia story" in listing.stdout, listing.stderr
    done = _newsdesk(tmp_path, "refresh", "--config", str(_config(tmp_path)), "--db", url)
    assert done.returncode == 1, done.stderr
    assert "is read-only" in done.stderr and str(db) in done.stderr and "Traceback" not in done.stderr


def test_a_full_disk_is_one_line_and_what_fits_is_recorded(tmp_path: Path, http_server: LocalServer) -> None:
    disk = tmp_path / "small"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("a full disk is made with a small tmpfs, which needs root and mount")
    try:
        def serve(count: int, etag: str) -> None:
            body = " ".join(["Rain fell"] * 3000)  # words no entry matches: the disk fills, the matcher idles
            items = "".join(
                f"<item><title>Russia {n}</title><guid>g{n}</guid><description>{body} {n}</description></item>"
                for n in range(count)
            )
            feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title>{items}</channel></rss>'
            http_server.add("/feed.xml", feed.encode(), headers={"Content-Type": "application/rss+xml", "ETag": etag})

        db = disk / "news.db"
        config = _config(tmp_path, http_server.url("/feed.xml"))
        serve(1, '"v1"')
        assert _newsdesk(tmp_path, "refresh", "--config", str(config), "--db", str(db)).returncode == 0
        serve(60, '"v2"')  # 60 stories of 36 KB each: more than the disk holds
        done = _newsdesk(tmp_path, "refresh", "--config", str(config), "--db", str(db))
        assert done.returncode == 1, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last == f"newsdesk: error: the disk holding {db} is full: free some space, then refresh again"
        assert "Traceback" not in done.stderr and "Rain fell" not in done.stderr + done.stdout
        assert len(done.stderr) < 500
        with sqlite3.connect(db) as conn:
            # The download is recorded as not stored when a small update still fits (after a
            # checkpoint empties the log); when not even that fits, the feed keeps its last
            # record. Either way its validator stays, so the next refresh brings the stories.
            outcome, etag = conn.execute("select last_outcome, etag from feed").fetchone()
            assert outcome in ("not stored", "ok") and etag == '"v1"', done.stderr
            assert conn.execute("select count(*) from story").fetchone() == (1,)  # what was stored stays
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_symlinked_sqlite_url_takes_the_same_daemon_lock(tmp_path: Path) -> None:
    db = _stored(tmp_path / "news.db")
    link = tmp_path / "link.db"
    link.symlink_to(db)
    config = _config(tmp_path)
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "data"))
    first = subprocess.Popen(
        [sys.executable, "-m", "newsdesk", "daemon", "--config", str(config), "--db", f"sqlite:///{link}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not Path(f"{db}.daemon.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        second = _newsdesk(tmp_path, "daemon", "--config", str(config), "--db", str(db), timeout=30)
    finally:
        first.terminate()
        first.communicate(timeout=30)
    assert second.returncode == 1
    assert "another newsdesk daemon" in second.stderr and "already refreshing" in second.stderr
