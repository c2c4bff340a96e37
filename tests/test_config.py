"""feeds.toml: what loads, and the errors a user sees when it does not."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import (
    CONFIG_ENV,
    find_config,
    find_db,
    load_config,
    parse_config,
    user_config_path,
)
from newsdesk.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
[settings]
refresh_minutes = 30

[[feeds]]
name = "Example World"
url = "https://example.org/world/rss.xml"
refresh_minutes = 15

[watchlist]
countries = ["Russia", "IR", "Israel"]

[[watchlist.people]]
name = "Vladimir Putin"
aliases = ["Putin"]
"""


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("feeds.toml"))
    return info.value


def test_the_issue_example_loads() -> None:
    config = parse_config(GOOD)
    assert config.settings.refresh_minutes == 30
    assert [(f.name, f.url, f.refresh_minutes) for f in config.feeds] == [
        ("Example World", "https://example.org/world/rss.xml", 15)
    ]
    assert [c.code for c in config.watchlist.countries] == ["RU", "IR", "IL"]
    assert config.watchlist.people[0].name == "Vladimir Putin"
    assert config.watchlist.people[0].aliases == ("Putin",)


def test_the_shipped_default_is_the_repo_feeds_toml_and_loads() -> None:
    shipped = REPO / "newsdesk" / "default_feeds.toml"
    assert (REPO / "feeds.toml").read_text() == shipped.read_text()
    config = load_config(shipped)
    assert len(config.feeds) >= 8
    assert all(f.url.startswith("https://") for f in config.feeds)
    assert {c.code for c in config.watchlist.countries} == {"RU", "IR", "IL"}
    assert {p.name for p in config.watchlist.people} == {"Vladimir Putin", "Sergei Lavrov"}


def test_syntax_error_names_file_and_line() -> None:
    err = _error('[settings]\nrefresh_minutes = 30\n\n[[feeds]\nname = "x"\n')
    assert err.line == 4
    assert str(err).startswith("feeds.toml:4: TOML syntax error")


def test_unknown_key_suggests_the_nearest() -> None:
    err = _error('[settings]\nrefresh_minute = 30\n')
    assert (err.line, err.key) == (2, "settings.refresh_minute")
    assert "did you mean 'refresh_minutes'" in str(err)


def test_wrong_type_names_line_and_key() -> None:
    err = _error('[[feeds]]\nname = "A"\nurl = "https://a.example/rss"\nrefresh_minutes = "often"\n')
    assert (err.line, err.key) == (4, "feeds[1].refresh_minutes")
    assert "must be a number, not a string" in str(err)


def test_a_boolean_is_not_a_number() -> None:
    err = _error("[settings]\nconcurrency = true\n")
    assert err.key == "settings.concurrency"


def test_feed_without_url_points_at_its_table() -> None:
    err = _error('[[feeds]]\nname = "A"\nurl = "https://a.example/rss"\n\n[[feeds]]\nname = "B"\n')
    assert (err.line, err.key) == (5, "feeds[2]")
    assert "no url" in str(err)


def test_url_must_be_http() -> None:
    err = _error('[[feeds]]\nurl = "file:///etc/passwd"\n')
    assert err.key == "feeds[1].url" and err.line == 2


def test_duplicate_feed_url() -> None:
    err = _error('[[feeds]]\nurl = "https://a.example/rss"\n[[feeds]]\nurl = "https://a.example/rss"\n')
    assert (err.line, err.key) == (4, "feeds[2].url")
    assert "already listed" in str(err)


def test_unknown_country_names_line_and_suggests() -> None:
    err = _error('[watchlist]\ncountries = [\n  "Russia",\n  "Rusia",\n]\n')
    assert (err.line, err.key) == (4, "watchlist.countries[2]")
    assert "'Rusia' is not a country" in str(err)
    assert "Russia" in str(err).split("not a country")[1]


def test_person_without_name() -> None:
    err = _error('[watchlist]\n[[watchlist.people]]\naliases = ["x"]\n')
    assert (err.line, err.key) == (2, "watchlist.people[1]")


def test_config_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    # Nothing anywhere: the user config dir gets a copy of the default, and says so once.
    created: list[Path] = []
    first = find_config(on_create=created.append)
    assert first == user_config_path() and first.is_file()
    assert created == [first]
    assert load_config(first).feeds
    assert find_config(on_create=created.append) == first and created == [first]
    # ./feeds.toml is used only when named: which file is in use does not depend on the directory.
    (tmp_path / "feeds.toml").write_text(GOOD)
    assert find_config() == first
    assert find_config("feeds.toml") == Path("feeds.toml")
    # The environment beats the user's file, --config beats both.
    env_file = tmp_path / "env.toml"
    env_file.write_text(GOOD)
    monkeypatch.setenv(CONFIG_ENV, str(env_file))
    assert find_config() == env_file
    explicit = tmp_path / "explicit.toml"
    explicit.write_text(GOOD)
    assert find_config(explicit) == explicit
    with pytest.raises(ConfigError, match="no such file"):
        find_config(tmp_path / "missing.toml")


def test_the_first_run_says_where_it_wrote_feeds_toml(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NEWSDESK_"))}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_DATA_HOME=str(tmp_path / "d"), HOME=str(tmp_path))
    (tmp_path / "feeds.toml").write_text(GOOD)  # in the current directory: not used unless named
    run = functools.partial(subprocess.run, capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    first = run([sys.executable, "-m", "newsdesk", "config", "path"])
    written = tmp_path / "c" / "newsdesk" / "feeds.toml"
    assert f"wrote a starting feeds.toml to {written}" in first.stderr
    assert f"config:   {written}" in first.stdout
    again = run([sys.executable, "-m", "newsdesk", "config", "path", "--json"])
    assert again.stderr == ""
    assert json.loads(again.stdout) == {"config": str(written), "database": str(tmp_path / "d" / "newsdesk" / "newsdesk.db")}
    named = run([sys.executable, "-m", "newsdesk", "config", "path", "--config", "feeds.toml", "--db", "sqlite:///x.db"])
    assert f"config:   {tmp_path / 'feeds.toml'}" in named.stdout and f"database: {tmp_path / 'x.db'}" in named.stdout


def test_db_search_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSDESK_DB", raising=False)
    assert find_db().endswith("newsdesk.db")
    monkeypatch.setenv("NEWSDESK_DB", "sqlite:///x.db")
    assert find_db() == "sqlite:///x.db"
    assert find_db("y.db") == "y.db"


def test_broken_config_exits_2_and_touches_no_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "feeds.toml"
    bad.write_text('[[feeds]]\nname = "A"\nurl = "https://a.example/rss"\nrefresh_minutes = "often"\n')
    db = tmp_path / "news.db"
    assert main(["refresh", "--config", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: feeds[1].refresh_minutes: must be a number" in err
    assert "Traceback" not in err
    assert not db.exists()


def test_newsdesk_never_rewrites_the_users_feeds_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "feeds.toml"
    text = (
        "# my feeds, my comments\n[settings]\nrefresh_minutes = 5   # keep\n\n"
        '[[feeds]]\nurl = "http://127.0.0.1:1/feed.xml"  # name left out on purpose\n\n'
        '[watchlist]\ncountries = ["RU", "RU"]   # twice, and by code\n'
    )
    config.write_text(text, encoding="utf-8")
    before = config.stat().st_mtime_ns
    db = str(tmp_path / "news.db")
    for argv in (["refresh"], ["list"], ["status"], ["watchlist", "check"]):
        main([*argv, "--config", str(config), "--db", db])
    capsys.readouterr()
    assert config.read_text(encoding="utf-8") == text
    assert config.stat().st_mtime_ns == before


def test_per_host_is_a_whole_number_in_range_named_with_its_line() -> None:
    assert parse_config("[settings]\nper_host = 3\n").settings.per_host == 3
    err = _error("[settings]\nconcurrency = 8\nper_host = 0\n")
    assert (err.key, err.line) == ("settings.per_host", 3)
    assert "between 1 and 256" in str(err)


def test_status_names_the_files_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "feeds.toml").write_text('[[feeds]]\nname = "Local"\nurl = "http://127.0.0.1:9/f.xml"\n')
    assert main(["status", "--config", "feeds.toml", "--db", "news.db"]) == 0
    out = capsys.readouterr().out
    assert f"feeds.toml: {tmp_path / 'feeds.toml'}" in out and f"database:   {tmp_path / 'news.db'}" in out
    assert "Local" in out
