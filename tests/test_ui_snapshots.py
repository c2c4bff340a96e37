"""What the screens look like at 60×20, 80×24 and 120×40 (SVG snapshots in tests/__snapshots__;
`--snapshot-update` accepts a change after looking at it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from newsdesk.match import Matcher
from newsdesk.store import Store
from newsdesk.types import FeedOutcome, FeedResult, FetchRecord
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.widgets import EntityPanel
from tests.ui_fixtures import CONFIG, NOW, add_history, add_story, make_store, pressing, settle

SIZES = [(60, 20), (80, 24), (120, 40)]


pytestmark = pytest.mark.usefixtures("utc_home")


def _store(path: Path) -> Store:
    """The UI fixture, with a few more stories of the lengths real feeds send."""
    store = make_store(path)
    feed_id = store.feeds()[0].id
    matcher = Matcher(CONFIG.watchlist)
    titles = (
        "Iran and Israel trade strikes as Russia calls for calm in the region",
        "Putin says Moscow will keep talking to Tehran",
        "Markets steady after a week of swings",
    )
    for n, title in enumerate(titles):
        add_story(store, feed_id, matcher, f"more-{n}", title, f"{title}. Vladimir Putin spoke.", NOW - timedelta(minutes=10 + n))
    store.record_fetches([FetchRecord(store.feeds()[0].id, FeedResult(CONFIG.feeds[0].url, FeedOutcome.OK, http_status=200), NOW)])
    return store


def _app(tmp_path: Path) -> NewsdeskApp:
    return NewsdeskApp(_store(tmp_path / "news.db"), CONFIG, clock=lambda: NOW)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_story_list(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reader(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=pressing("enter"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feeds(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=pressing("f"))


def test_help(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), run_before=pressing("question_mark"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_entity(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Iran's screen: 30 days of stories and a spike on the last day."""
    store = _store(tmp_path / "news.db")
    add_history(store, NOW)

    async def entity(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        panel = pilot.app.screen.query_one(EntityPanel)
        panel.focus()
        panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == "Iran")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(NewsdeskApp(store, CONFIG, clock=lambda: NOW), terminal_size=size, run_before=entity)
