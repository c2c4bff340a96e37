"""Each command imports only what it needs, checked in a real process of its own.

Start-up is most of what `newsdesk --version` or `newsdesk list` costs a person, and an
import added at the top of a module creeps into every command. These tests run each command
in a fresh interpreter and look at the packages it has loaded once it is done.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.ui_fixtures import SEED_WATCHLIST, first_rows_in_a_fresh_process, make_store

_RUN = """
import json, sys
from newsdesk.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""

# What the extractor, the HTTP client, the scheduler, the feed parser and the UI bring.
_HEAVY = {
    "trafilatura", "lxml", "lxml_html_clean", "justext", "htmldate", "courlan",  # extraction
    "httpx", "httpcore", "h11", "h2", "anyio", "certifi", "idna",  # HTTP
    "apscheduler", "tzlocal",  # scheduling
    "feedparser", "sgmllib", "chardet",  # feeds
    "textual",  # the UI
    "psycopg",  # PostgreSQL, for a database that is not one
}


def _loaded(tmp_path: Path, *args: str) -> list[str]:
    """Every module loaded by `newsdesk ARGS` in a process of its own."""
    out = tmp_path / "modules.json"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-c", _RUN, str(out), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(out.read_text())
    return loaded


def _modules(tmp_path: Path, *args: str) -> set[str]:
    """Top-level packages loaded by `newsdesk ARGS` in a process of its own."""
    return {name.split(".")[0] for name in _loaded(tmp_path, *args)}


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_no_dependency(tmp_path: Path, option: str) -> None:
    loaded = _modules(tmp_path, option)
    outside = {m for m in loaded if m not in sys.stdlib_module_names and not m.startswith("_") and m != "newsdesk"}
    assert outside == set()
    assert "asyncio" not in loaded


def test_version_builds_no_command(tmp_path: Path) -> None:
    """`newsdesk --version` prints the version before any command's module is imported (or its
    options declared): of newsdesk, only the package and its command line's entry are loaded."""
    loaded = {m for m in _loaded(tmp_path, "--version") if m.split(".")[0] == "newsdesk"}
    assert loaded == {"newsdesk", "newsdesk.cli", "newsdesk.errors"}


# What the ORM brings: the reading commands read a SQLite file through sqlite3 alone.
_ORM = {"sqlalchemy", "sqlmodel", "pydantic", "pydantic_core", "greenlet", "typing_extensions"}


def _reading_setup(tmp_path: Path) -> list[str]:
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n' + SEED_WATCHLIST, encoding="utf-8")
    make_store(tmp_path / "news.db").close()
    return ["--config", str(config), "--db", str(tmp_path / "news.db")]


@pytest.mark.parametrize(
    "command",
    [["list"], ["list", "--entity", "Iran"], ["list", "--json", "--all"], ["search", "Iran"], ["search", "Iran", "--json"], ["status"]],
)
def test_list_search_and_status_read_sqlite_without_the_orm(tmp_path: Path, command: list[str]) -> None:
    """The three commands a person runs most often start in a fraction of the time the ORM
    would take to import: they read a SQLite file with the standard library's sqlite3."""
    loaded = _modules(tmp_path, *command, *_reading_setup(tmp_path))
    assert "sqlite3" in loaded  # the command did run: it read the database
    assert loaded & (_HEAVY | _ORM) == set()


# What rich's Console, Table and Text import: the three parts a table printed by `list`,
# `search` or `status` uses, with the Unicode width table rich reads to measure a character
# beyond ASCII. Nothing else of rich (its emoji codes, pretty-printing, tracebacks, progress
# bars, markdown).
_RICH_TABLE = "import json, sys; import rich.console, rich.table, rich.text; print(json.dumps(sorted(sys.modules)))"


@pytest.mark.parametrize(
    ("command", "tables"),
    [(["list"], True), (["list", "--entity", "Iran"], True), (["search", "Iran"], True), (["status"], True),
     (["list", "--json", "--all"], False), (["search", "Iran", "--json"], False)],
)
def test_list_search_and_status_load_what_they_print_with_and_no_more(tmp_path: Path, command: list[str], tables: bool) -> None:
    """A table needs rich's console, table and text, and nothing more of rich; JSON needs no
    rich at all. The watchlist's countries are read from newsdesk's own copy of ISO 3166-1
    (no pycountry, no importlib.metadata), the UI's key table only for a [keys] table, and none
    of the refresh's or the timeline's values are made."""
    loaded = set(_loaded(tmp_path, *command, *_reading_setup(tmp_path)))
    assert "sqlite3" in loaded  # the command did run: it read the database
    rich = {m for m in loaded if m.split(".")[0] == "rich"}
    if tables:
        done = subprocess.run([sys.executable, "-c", _RICH_TABLE], capture_output=True, text=True, timeout=120, check=True)
        widths = {m for m in rich if m.startswith("rich._unicode_data.")}
        assert rich - widths <= {m for m in json.loads(done.stdout) if m.split(".")[0] == "rich"}
        assert "rich._emoji_codes" not in rich
    else:
        assert rich == set()
    assert {m.split(".")[0] for m in loaded} & {"pycountry", "importlib_metadata"} == set()
    assert loaded & {"importlib.metadata", "importlib.resources", "newsdesk.keymap", "newsdesk._types_refresh",
                     "newsdesk._types_history"} == set()


@pytest.mark.parametrize("command", [["trends"], ["export", "matches"], ["digest"]])
def test_reading_commands_load_no_extractor_http_client_scheduler_or_ui(tmp_path: Path, command: list[str]) -> None:
    loaded = _modules(tmp_path, *command, *_reading_setup(tmp_path))
    assert "sqlalchemy" in loaded  # the command did run: it read the database
    assert loaded & _HEAVY == set()


def test_a_refresh_that_stores_nothing_new_loads_no_numpy(tmp_path: Path, http_server: LocalServer) -> None:
    """numpy (the new stories' sketches) is loaded once a feed brings entries, so a refresh
    every feed answers 304 does not pay for it."""
    items = "".join(
        f"<item><title>Story {n} about the talks in Geneva</title><link>{http_server.url(f'/{n}')}</link>"
        f"<description>What was said on day {n}.</description></item>"
        for n in range(3)
    )
    http_server.add("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>{items}</channel></rss>')
    config = tmp_path / "feeds.toml"
    feed = http_server.url("/feed.xml")
    config.write_text(f'[settings]\nextract = false\n\n[[feeds]]\nname = "Desk"\nurl = "{feed}"\n', encoding="utf-8")
    command = ("--config", str(config), "--db", str(tmp_path / "news.db"), "refresh")
    assert "numpy" in _modules(tmp_path, *command)  # the first refresh stores three stories
    assert "numpy" not in _modules(tmp_path, *command)
    assert http_server.hits("/feed.xml", 304) == 1


def test_the_ui_loads_no_extractor_http_client_scheduler_or_database_layer_before_its_first_screen() -> None:
    """The UI's first screen waits for every module imported before it: the refresh's
    extractor and HTTP client, the scheduler and SQLAlchemy load when they are first used."""
    code = "import json, sys; import newsdesk.ui; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert "textual" in loaded
    assert loaded & (_HEAVY - {"textual"}) == set()
    assert loaded & {"sqlalchemy", "sqlmodel"} == set()


def test_the_ui_shows_its_first_rows_of_a_sqlite_file_without_the_orm(tmp_path: Path) -> None:
    """The first screen reads the file through sqlite3: SQLAlchemy, SQLModel and pydantic
    (half a second) load once the first rows are shown, when the Store opens."""
    said = first_rows_in_a_fresh_process(tmp_path)
    first = {str(name).split(".")[0] for name in said["loaded"]}
    assert {"textual", "sqlite3"} <= first
    assert first & (_HEAVY | _ORM) - {"textual", "typing_extensions"} == set()  # (Textual needs typing_extensions)
    assert "sqlalchemy" in {str(name).split(".")[0] for name in said["later"]}  # the Store did open after them


def test_each_command_is_parsed_by_its_own_group_of_commands() -> None:
    """A command line is parsed with the parsers of its command's module alone
    (newsdesk.cli._COMMANDS): that table names each module's commands, every one of them."""
    import re

    from newsdesk.cli import _COMMANDS, _groups_for, _parser

    listed = re.findall(r"^    (\w+) ", _parser().format_help(), flags=re.MULTILINE)
    assert listed == [command for commands in _COMMANDS.values() for command in commands]
    for group, commands in _COMMANDS.items():
        for command in commands:
            assert _groups_for(["--config", "x.toml", command, "--db", "y.db"]) == (group,)
            with pytest.raises(SystemExit) as shown:
                _parser((group,)).parse_args([command, "--help"])
            assert shown.value.code == 0  # known to that group's parser
    assert _groups_for(["--config", "list", "status"]) == ("_stories",)  # "list" is the option's value
    assert _groups_for(["-h", "list"]) == _groups_for([]) == _groups_for(["lsit"]) == tuple(_COMMANDS)
