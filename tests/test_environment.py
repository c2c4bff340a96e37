"""The machine around newsdesk: no HOME, directories that cannot be made or written, an output
encoding that cannot hold a title, no terminal, absurd numbers. Each one is a message that says
which directory and why, and what to set; never a traceback. Through the real commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ui_fixtures import make_store

TITLE = "Путин и Зеленский: 北京 talks 🌍"


def _run(*args: str, env: dict[str, str], stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", *args], capture_output=True, text=True, env=env, check=False,
        stdin=stdin, timeout=60,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """A folder no one may write in: read-only permissions, and immutable when the tests run as
    root (who may write anywhere else)."""
    folder.chmod(0o555)
    immutable = os.geteuid() == 0
    if immutable and (shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)], check=False).returncode):
        folder.chmod(0o755)
        pytest.skip("running as root without chattr +i: no folder is unwritable")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment whose every newsdesk directory is under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NEWSDESK_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"), COLUMNS="120")
    yield env


def test_no_home_says_what_to_set_and_creates_nothing(home: dict[str, str], tmp_path: Path) -> None:
    env = {k: v for k, v in home.items() if k not in ("HOME", "XDG_CONFIG_HOME")}
    proc = _run("status", env=env)
    assert proc.returncode == 2
    assert "HOME is not set" in proc.stderr and "XDG_CONFIG_HOME" in proc.stderr and "--config" in proc.stderr
    # With the directories given, no HOME is needed at all.
    env["XDG_CONFIG_HOME"] = home["XDG_CONFIG_HOME"]
    proc = _run("status", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "config" / "newsdesk" / "feeds.toml").is_file()
    assert not (tmp_path / "home").exists()


def test_no_home_for_the_database(home: dict[str, str]) -> None:
    env = {k: v for k, v in home.items() if k not in ("HOME", "XDG_DATA_HOME")}
    proc = _run("list", env=env)
    assert proc.returncode == 2
    assert "HOME is not set" in proc.stderr and "XDG_DATA_HOME" in proc.stderr and "--db" in proc.stderr


def test_config_home_under_a_file(home: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    home["XDG_CONFIG_HOME"] = str(tmp_path / "a-file" / "config")
    proc = _run("list", env=home)
    assert proc.returncode == 2
    assert f"{tmp_path / 'a-file'} is a file, not a directory" in proc.stderr
    assert "set XDG_CONFIG_HOME to a directory you can write" in proc.stderr


def test_data_home_under_a_file(home: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    home["XDG_DATA_HOME"] = str(tmp_path / "a-file" / "data")
    proc = _run("list", env=home)
    assert proc.returncode == 2
    assert "the folder for the database" in proc.stderr and "XDG_DATA_HOME" in proc.stderr


def test_a_postgresql_daemon_needs_no_state_directory(home: dict[str, str], tmp_path: Path) -> None:
    # Daemons sharing a PostgreSQL database claim feeds on the server (leases), not with a
    # lock file: a state directory under a file does not matter; the server's absence does.
    (tmp_path / "a-file").write_text("x")
    home["XDG_STATE_HOME"] = str(tmp_path / "a-file" / "state")
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\n')
    proc = _run("daemon", "--config", str(config), "--db", "postgresql+psycopg://127.0.0.1:1/none", env=home)
    assert proc.returncode == 1
    assert "127.0.0.1:1" in proc.stderr and "Connection refused" in proc.stderr
    assert "Traceback" not in proc.stderr and "lock" not in proc.stderr


def test_config_home_not_writable(home: dict[str, str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    home["XDG_CONFIG_HOME"] = str(locked)
    with _unwritable(locked):
        proc = _run("status", env=home)
    assert proc.returncode == 2
    assert f"no permission to write in {locked}" in proc.stderr and "XDG_CONFIG_HOME" in proc.stderr


def test_daemon_lock_beside_a_database_in_a_read_only_folder(home: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    make_store(folder / "news.db").close()
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\n')
    with _unwritable(folder):
        proc = _run("daemon", "--config", str(config), "--db", str(folder / "news.db"), env=home)
    assert proc.returncode == 2
    assert f"cannot write in {folder}" in proc.stderr and "daemon's lock" in proc.stderr
    assert "move it to a folder you can write, or give --db" in proc.stderr


@pytest.fixture
def stored(tmp_path: Path, home: dict[str, str]) -> tuple[dict[str, str], Path, Path]:
    from newsdesk.config import FeedConfig
    from newsdesk.match import Matcher
    from newsdesk.store import Store
    from tests.ui_fixtures import CONFIG, NOW, add_story

    db = tmp_path / "news.db"
    with Store(db) as store:
        store.sync_feeds([FeedConfig("World desk", "http://127.0.0.1:9/feed.xml")])
        add_story(store, store.feeds()[0].id, Matcher(CONFIG.watchlist), "k", TITLE + " Iran", "Iran and Russia.", NOW)
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n[watchlist]\ncountries = ["Iran", "Russia"]\n')
    return home, config, db


@pytest.mark.parametrize("encoding", ["latin-1", "ascii", "cp1252"])
def test_an_output_encoding_that_cannot_hold_a_title(stored: tuple[dict[str, str], Path, Path], encoding: str) -> None:
    env, config, db = stored
    env["PYTHONIOENCODING"] = encoding
    table = _run("list", "--all", "--config", str(config), "--db", str(db), env=env)
    assert table.returncode == 0, table.stderr
    assert "talks" in table.stdout and "?" in table.stdout
    as_json = _run("list", "--all", "--json", "--config", str(config), "--db", str(db), env=env)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)[0]["title"] == TITLE + " Iran"  # escaped, not replaced: nothing lost
    found = _run("search", "talks", "--json", "--config", str(config), "--db", str(db), env=env)
    assert json.loads(found.stdout)[0]["title"] == TITLE + " Iran"


def test_utf8_output_keeps_the_title_as_it_is(stored: tuple[dict[str, str], Path, Path]) -> None:
    env, config, db = stored
    env["PYTHONIOENCODING"] = "utf-8"
    as_json = _run("list", "--all", "--json", "--config", str(config), "--db", str(db), env=env)
    assert TITLE in as_json.stdout


def test_the_ui_without_a_terminal_says_so(stored: tuple[dict[str, str], Path, Path]) -> None:
    env, config, db = stored
    proc = _run("--config", str(config), "--db", str(db), env=env)
    assert proc.returncode == 2
    assert "the UI needs a terminal" in proc.stderr


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "0", "many"])
def test_numbers_on_the_command_line_are_bounded(stored: tuple[dict[str, str], Path, Path], value: str) -> None:
    env, config, db = stored
    for command in (["list"], ["search", "x"]):
        proc = _run(*command, "--limit", value, "--config", str(config), "--db", str(db), env=env)
        assert proc.returncode == 2
        assert "argument --limit" in proc.stderr
