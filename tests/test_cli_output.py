"""What `list`, `search` and `status` print, byte for byte, pinned by golden files.

A person's scripts and eyes rely on the layout of these three commands; a change made for
speed (what is imported, how the table is laid out) must not move a single character. Each
command runs in a process of its own, its output a pipe (and, for the tables at width 80,
styled as a terminal gets them: FORCE_COLOR), on a small real SQLite database with the
stories that test a table's layout: titles that wrap, a word longer than its column, wide
(CJK) characters, combining accents, right-to-left text, a non-breaking space, a feed name
longer than its column, markup and escape sequences from a hostile feed, an event with two
sources, read and starred marks, feeds that failed.

tests/data/commands/ holds one file per command and width. After a deliberate change,
regenerate them with `NEWSDESK_REGEN_GOLDEN=1 python -m pytest tests/test_cli_output.py` and
review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from newsdesk.config import parse_config
from newsdesk.match import Matcher, watchlist_fingerprint
from newsdesk.store import Store
from newsdesk.types import FeedOutcome, FeedResult, FetchRecord
from tests.ui_fixtures import NOW, SEED_WATCHLIST, STORIES, add_story

GOLDEN = Path(__file__).parent / "data" / "commands"

_FEEDS = (
    ("World desk", "http://127.0.0.1:9/world.xml"),
    ("Europe desk", "http://127.0.0.1:9/europe.xml"),
    ("The International Broadcasting Corporation's Evening Bulletin", "http://127.0.0.1:9/long.xml"),
    ("Broken feed", "http://127.0.0.1:9/broken.xml"),
)
_NEVER = ("Added since the last refresh", "http://127.0.0.1:9/new.xml")
"""In feeds.toml, not yet in the database: status shows it as never fetched."""

_CONFIG = "".join(f'[[feeds]]\nname = "{name}"\nurl = "{url}"\n\n' for name, url in (*_FEEDS, _NEVER)) + SEED_WATCHLIST

_MORE = (
    # (feed, key, title, text, hours ago)
    (0, "long", "Iran and Israel trade accusations at the United Nations as Russia calls for an emergency session of the "
     "Security Council, while Vladimir Putin speaks to reporters in Moscow about the region",
     "Iran, Israel and Russia. Vladimir Putin spoke.", 6),
    (0, "word", "Putin's https://news.example/a/very/long/address/that/no/column/holds/whole/ever?query=yes&more=1 link",
     "Vladimir Putin.", 7),
    (2, "cjk", "俄罗斯外交部长拉夫罗夫与伊朗外长会谈讨论地区局势和能源合作问题", "Russia and Iran. Sergei Lavrov.", 8),
    (2, "accents", "Moscow’s café: Lavrov\u00a0arrives — Iran’s de\u0301le\u0301gation “welcomes” him…", "Sergei Lavrov, Iran.", 9),
    (1, "rtl", "Israel: \u05d9\u05e9\u05e8\u05d0\u05dc \u05d5\u05d0\u05d9\u05e8\u05d0\u05df and Iran \u202eevil\u202c",
     "Israel and Iran.", 10),
    (0, "event", "Russia and Iran sign an energy pact", "Russia and Iran signed an energy pact in Tehran.", 11),
    (1, "event-copy", "Russia and Iran sign an energy pact", "Russia and Iran signed an energy pact in Tehran.", 11.5),
    (1, "tabs", "Lavrov\tsays\t\tlittle  in   Riyadh", "Sergei Lavrov in Riyadh.", 12),
    (0, "unmatched", "Storms close schools along the coast", "Heavy rain.", 13),
)

_COMMANDS = {
    "list": ["list"],
    "list-all": ["list", "--all"],
    "list-entity": ["list", "--entity", "lavrov"],
    "list-none": ["list", "--unread", "--feed", "Broken feed"],
    "search": ["search", "Iran"],
    "search-none": ["search", "nowhere"],
    "status": ["status"],
}
_JSON = {
    "list-json": ["list", "--json", "--all"],
    "list-json-text": ["list", "--json", "--with-text", "--limit", "3"],
    "search-json": ["search", "Iran", "--json"],
}
_WIDTHS = (80, 50, 132, 24)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("commands")
    config_path = folder / "feeds.toml"
    config_path.write_text(_CONFIG, encoding="utf-8")
    config = parse_config(_CONFIG)
    with Store(folder / "news.db") as store:
        store.sync_feeds(config.feeds[: len(_FEEDS)])
        ids = [next(f.id for f in store.feeds() if f.url == url) for _, url in _FEEDS]
        matcher = Matcher(config.watchlist)
        for key, title, text, hours in STORIES:
            add_story(store, ids[0], matcher, key, title, text, NOW - timedelta(hours=hours))
        for feed, key, title, text, ago in _MORE:
            add_story(store, ids[feed], matcher, key, title, text, NOW - timedelta(hours=ago))
        store.set_watchlist_fingerprint(watchlist_fingerprint(config.watchlist))
        stories = {s.title: s.id for s in store.list_stories(limit=100, matched_only=False)}
        store.set_read(stories["Lavrov meets Gulf ministers"])
        store.set_starred(stories["Storms close schools along the coast"])
        store.set_read(stories["Storms expected across the north"])
        broken = "http://127.0.0.1:9/broken.xml"
        store.record_fetches([
            FetchRecord(ids[0], FeedResult(_FEEDS[0][1], FeedOutcome.OK, http_status=200), NOW - timedelta(minutes=5), new=9),
            FetchRecord(ids[1], FeedResult(_FEEDS[1][1], FeedOutcome.NOT_MODIFIED, http_status=304), NOW - timedelta(minutes=6)),
            FetchRecord(ids[2], FeedResult(_FEEDS[2][1], FeedOutcome.OK, http_status=200), NOW - timedelta(minutes=7), new=2),
            FetchRecord(
                ids[3],
                FeedResult(broken, FeedOutcome.HTTP_ERROR, http_status=503,
                           error="HTTP 503 Service Unavailable; the server asked to wait 1.0 h before trying again"),
                NOW - timedelta(minutes=20), failures=2, next_try=NOW + timedelta(minutes=40),
            ),
        ])
    return config_path, folder / "news.db"


def _run(database: tuple[Path, Path], args: list[str], width: int, *, styled: bool = False) -> str:
    config, db = database
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(db.parent), "TZ": "UTC", "LANG": "C.UTF-8",
           "COLUMNS": str(width)}
    if styled:  # as on a terminal: rich's styles (FORCE_COLOR is rich's documented switch)
        env |= {"FORCE_COLOR": "1", "TERM": "xterm-256color"}
    done = subprocess.run(
        [sys.executable, "-m", "newsdesk", *args, "--config", str(config), "--db", str(db)],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    # The paths differ from run to run; the rest of status's head is pinned.
    return done.stdout.decode().replace(str(config), "FEEDS.TOML").replace(str(db), "NEWS.DB")


def _check(name: str, output: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("NEWSDESK_REGEN_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8"), f"{name}: the output differs from {golden.name}"


@pytest.mark.parametrize("width", _WIDTHS)
@pytest.mark.parametrize("name", list(_COMMANDS))
def test_tables_print_as_before(database: tuple[Path, Path], name: str, width: int) -> None:
    _check(f"{name}-{width}", _run(database, _COMMANDS[name], width))


@pytest.mark.parametrize("name", ["list", "list-all", "search", "status"])
def test_tables_print_as_before_on_a_terminal(database: tuple[Path, Path], name: str) -> None:
    """The same tables with the styles a terminal gets (the header bold, a feed's health in colour)."""
    _check(f"{name}-styled", _run(database, _COMMANDS[name], 80, styled=True))


@pytest.mark.parametrize("name", list(_JSON))
def test_json_prints_as_before(database: tuple[Path, Path], name: str) -> None:
    _check(name, _run(database, _JSON[name], 80))
