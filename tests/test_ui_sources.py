"""The UI's side of the sources (issue 13), through the real app (Pilot): the files in use in the
status bar and `?`, `E` and its error with a line, the feeds screen grouped by tag with its
columns, a tag's stories, the detail view, r and F, and a change by `newsdesk feeds add` or
`watchlist add` picked up while the app runs."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import FeedConfig, load_config
from newsdesk.refresh import RefreshProgress, RefreshSummary
from newsdesk.store import Store
from newsdesk.types import FeedOutcome, FeedResult, FetchRecord
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.screens.edit import ConfigErrorScreen
from newsdesk.ui.screens.feeds import FeedDetailScreen, FeedsScreen
from newsdesk.ui.screens.help import HelpScreen
from newsdesk.ui.screens.stories import StoryListScreen
from newsdesk.ui.widgets import FeedLine, FeedList, StoryList, TagLine
from tests.test_ui import _press, _status, _text, _until
from tests.ui_fixtures import NOW, SEED_WATCHLIST, add_story, settle

FEEDS = """\
# my feeds
[[feeds]]
name = "World desk"
url = "http://127.0.0.1:9/world.xml"
tags = ["world"]

[[feeds]]
name = "Europe desk"
url = "http://127.0.0.1:9/europe.xml"
tags = ["world", "europe"]

[[feeds]]
name = "Broken feed"
url = "http://127.0.0.1:9/broken.xml"

"""


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Store]:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = tmp_path / "feeds.toml"
    config.write_text(FEEDS + SEED_WATCHLIST, encoding="utf-8")
    store = Store(tmp_path / "news.db")
    loaded = load_config(config)
    store.sync_feeds(loaded.feeds)
    ids = {f.name: f.id for f in store.feeds()}
    from newsdesk.match import Matcher

    matcher = Matcher(loaded.watchlist)
    for n, (feed, title) in enumerate(
        [("World desk", "Putin visits Tehran"), ("Europe desk", "Israel and Iran talk"), ("Europe desk", "Weather")]
    ):
        add_story(store, ids[feed], matcher, f"s{n}", title, f"{title}. Vladimir Putin spoke.", NOW - timedelta(hours=n))
    broken = FeedResult("http://127.0.0.1:9/broken.xml", FeedOutcome.HTTP_ERROR, http_status=500, error="HTTP 500 Internal Server Error")
    store.record_fetches(
        [
            FetchRecord(ids["Broken feed"], broken, NOW - timedelta(hours=2), failures=1, next_try=NOW - timedelta(hours=1)),
            FetchRecord(ids["Broken feed"], broken, NOW - timedelta(minutes=30), failures=2, next_try=NOW + timedelta(hours=3)),
            FetchRecord(
                ids["World desk"], FeedResult("http://127.0.0.1:9/world.xml", FeedOutcome.OK, http_status=200, etag='"abc"'), NOW, new=1
            ),
        ]
    )
    return config, store


def _app(config: Path, store: Store, **options) -> NewsdeskApp:  # type: ignore[no-untyped-def]
    return NewsdeskApp(store, load_config(config), clock=lambda: NOW, **options)


def _refresher(
    calls: list[tuple[list[str], bool]],
) -> Callable[[Sequence[FeedConfig], Callable[[RefreshProgress], None], bool], RefreshSummary]:
    def refresh(feeds: Sequence[FeedConfig], progress: Callable[[RefreshProgress], None], force: bool) -> RefreshSummary:
        calls.append(([f.name for f in feeds], force))
        progress(RefreshProgress(1, 1, feeds[0].name))
        return RefreshSummary(ok=1)

    return refresh


async def test_the_status_bar_at_start_and_the_help_name_the_files_in_use(setup: tuple[Path, Store]) -> None:
    config, store = setup
    app = _app(config, store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert _status(app) == "feeds.toml: ~/feeds.toml · database: ~/news.db"
        await _press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert _text(app, "#help-files") == "feeds.toml: ~/feeds.toml · database: ~/news.db"


async def test_the_feeds_screen_groups_by_tag_with_its_columns(setup: tuple[Path, Store]) -> None:
    config, store = setup
    app = _app(config, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await _press(pilot, "f")
        assert isinstance(app.screen, FeedsScreen)
        feeds = app.screen.query_one(FeedList)
        shape = [(r.tag,) if isinstance(r, TagLine) else r.feed.name for r in feeds.rows]
        assert shape == [("europe",), "Europe desk", ("world",), "Europe desk", "World desk", (None,), "Broken feed"]
        assert _text(app, "#titles").split() == ["name", "tags", "health", "unread/all", "last", "next"]
        rows = [feeds.render_row(r, 100).plain for r in feeds.rows]
        assert rows[0].startswith("#europe  1 feed") and rows[0].rstrip().endswith("2/2")
        world = rows[4]
        assert world.startswith("  World desk") and "world" in world and "ok" in world and "1/1" in world
        assert "12:00" in world and "12:30" in world  # checked at noon; next in its 30 minutes
        broken = rows[6]
        assert "failing (2×)" not in broken and "waiting (2×)" in broken and "0/0" in broken and "15:00" in broken
        # The selected feed's problem, whole, under the list.
        await _press(pilot, "end")
        assert "HTTP 500 Internal Server Error; next try" in _text(app, "#problem")
        await _press(pilot, "home")
        assert "Enter: the stories of the 1 feed with tag 'europe'" in _text(app, "#problem")


async def test_enter_on_a_tag_shows_its_stories_and_on_a_feed_the_feeds(setup: tuple[Path, Store]) -> None:
    config, store = setup
    app = _app(config, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await _press(pilot, "f", "j", "j", "enter")  # the heading #world
        assert isinstance(app.screen, StoryListScreen)
        titles = [s.title for s in app.screen.query_one(StoryList).rows]
        assert titles == ["Putin visits Tehran", "Israel and Iran talk", "Weather"]
        assert app.screen.sub_title.startswith("#world — 3 stories")
        await _press(pilot, "q", "home", "enter")  # #europe
        assert [s.title for s in app.screen.query_one(StoryList).rows] == ["Israel and Iran talk", "Weather"]
        await _press(pilot, "q", "j", "enter")  # the feed Europe desk
        assert app.screen.sub_title.startswith("Europe desk — 2 stories")


async def test_the_detail_view_of_a_failing_feed(setup: tuple[Path, Store]) -> None:
    config, store = setup
    app = _app(config, store)
    async with app.run_test(size=(100, 40)) as pilot:
        await _press(pilot, "f", "end", "i")
        assert isinstance(app.screen, FeedDetailScreen)
        await settle(pilot)
        shown = _text(app, "#detail")
        facts = _facts(shown)
        assert facts["Address"] == "http://127.0.0.1:9/broken.xml"
        assert facts["Problem"].startswith("HTTP 500 Internal Server Error; next try")
        assert facts["HTTP status"] == "500"
        assert facts["Back-off"].startswith("2 failures in a row, until") and "(F refreshes it now)" in " ".join(shown.split())
        footer = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"Refresh feed", "Force refresh"} <= footer  # the key the back-off line names is in the footer
        history = [line for line in shown.splitlines() if "http error: HTTP 500 Internal Server Error" in line]
        assert len(history) == 2 and history[0] > history[1]  # newest first, with their times
        await _press(pilot, "escape")
        assert isinstance(app.screen, FeedsScreen)
        await _press(pilot, "home", "j", "j", "j", "j", "i")  # World desk: fine
        facts = _facts(_text(app, "#detail"))
        assert (facts["Name"], facts["ETag"], facts["Back-off"]) == ("World desk", '"abc"', "none")
        assert "ok (HTTP 200), 1 new" in _text(app, "#detail")


def _facts(shown: str) -> dict[str, str]:
    """The detail view's labelled lines: {label: value}."""
    labels = ("Name", "Address", "Tags", "Health", "Problem", "HTTP status", "ETag", "Back-off", "Stories")
    out = {}
    for line in shown.splitlines():
        for label in labels:
            if line.startswith(label + " "):
                out[label] = line[len(label) :].strip()
    return out


async def test_r_waits_for_the_back_off_and_F_forces_it(setup: tuple[Path, Store]) -> None:
    config, store = setup
    calls: list[tuple[list[str], bool]] = []
    app = _app(config, store, refresher=_refresher(calls))
    async with app.run_test(size=(100, 30)) as pilot:
        await _press(pilot, "f", "end", "r")
        assert calls == []  # backing off: r says so instead
        await _press(pilot, "F")
        await _until(pilot, lambda: calls == [(["Broken feed"], True)])
        await _press(pilot, "i", "F")
        await _until(pilot, lambda: len(calls) == 2 and calls[1] == (["Broken feed"], True))
        await _press(pilot, "escape", "home", "j", "r")  # Europe desk: no back-off
        await _until(pilot, lambda: len(calls) == 3 and calls[2] == (["Europe desk"], False))


EDITOR = textwrap.dedent(
    """\
    import sys, pathlib
    here = pathlib.Path(__file__).parent
    log = here / "editor.log"
    log.write_text(log.read_text() + " ".join(sys.argv[1:]) + "\\n" if log.exists() else " ".join(sys.argv[1:]) + "\\n")
    turns = sorted(here.glob("turn-*.toml"))
    path = pathlib.Path(sys.argv[-1])
    if turns:
        path.write_text(turns[0].read_text())
        turns[0].unlink()
    """
)


async def test_E_edits_feeds_toml_shows_the_error_with_its_line_and_reopens_there(
    setup: tuple[Path, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, store = setup
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    good = config.read_text()
    (tmp_path / "turn-1.toml").write_text(good.replace('name = "Broken feed"', 'name = "Broken feed"\nrefresh_minutes = "often"'))
    app = _app(config, store, watch_seconds=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await _press(pilot, "E")
        await _until(pilot, lambda: isinstance(app.screen, ConfigErrorScreen))
        error = _text(app, "#error")
        assert error.startswith(f"{config}:14: feeds[3].refresh_minutes: must be a number, not a string")
        assert "Open the editor again at line 14?" in _text(app, "#question")
        assert app.status.config_error is not None and "feeds[3].refresh_minutes" in app.status.config_error
        assert app.config.feeds[2].refresh_minutes is None  # the last good config runs
        # y: the editor again, at that line when it takes one (vi: +15), and the fix is read at once.
        (tmp_path / "turn-2.toml").write_text(good.replace('name = "Broken feed"', 'name = "Broken feed"\nrefresh_minutes = 15'))
        await _press(pilot, "y")
        await _until(pilot, lambda: app.config.feeds[2].refresh_minutes == 15.0)
        assert not isinstance(app.screen, ConfigErrorScreen)
        assert app.status.config_error is None
        # Saved without a change: nothing to apply, nothing asked.
        await _press(pilot, "E")
        assert isinstance(app.screen, StoryListScreen) and app.config.feeds[2].refresh_minutes == 15.0
    assert (tmp_path / "editor.log").read_text().splitlines() == [str(config)] * 3


@pytest.mark.parametrize(
    ("editor", "expected"),
    [
        ("vi", ["vi", "+15", "F"]),
        ("nano -w", ["nano", "-w", "+15", "F"]),
        ("code", ["code", "--wait", "--goto", "F:15"]),
        ("hx", ["hx", "F:15"]),
        ("my-editor --flag", ["my-editor", "--flag", "F"]),
    ],
)
def test_the_editor_is_told_the_line_when_it_takes_one(editor: str, expected: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.ui.editor import editor_command

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    assert editor_command(Path("F"), 15) == expected
    assert editor_command(Path("F"))[-1] == "F"
    monkeypatch.setenv("VISUAL", "emacs")
    assert editor_command(Path("F"), 3) == ["emacs", "+3", "F"]


async def test_an_editor_that_is_not_installed_is_said_not_run(setup: tuple[Path, Store], monkeypatch: pytest.MonkeyPatch) -> None:
    config, store = setup
    monkeypatch.setenv("VISUAL", "no-such-editor-anywhere")
    app = _app(config, store)
    async with app.run_test(size=(100, 30)) as pilot:
        await _press(pilot, "E")
        assert isinstance(app.screen, StoryListScreen)  # the app runs on, not suspended
        assert app.config.path == config


async def test_the_running_app_picks_up_feeds_add_and_watchlist_add(setup: tuple[Path, Store], capsys: pytest.CaptureFixture[str]) -> None:
    config, store = setup
    app = _app(config, store, watch_seconds=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert main(["watchlist", "add", "country", "France", "--config", str(config)]) == 0
        assert main(["feeds", "remove", "Broken feed", "--config", str(config)]) == 0
        await _until(pilot, lambda: [c.code for c in app.config.watchlist.countries][-1:] == ["FR"])
        await _until(pilot, lambda: [f.name for f in app.config.feeds] == ["World desk", "Europe desk"])
        await _press(pilot, "f")
        names = [r.feed.name for r in app.screen.query_one(FeedList).rows if isinstance(r, FeedLine) and r.config is not None]
        assert "Broken feed" not in names
    capsys.readouterr()
