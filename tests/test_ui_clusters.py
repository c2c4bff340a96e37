"""One row per event: copies of a story from three feeds are one row of the list (with its
sources), the reader lists and opens the others, and marking reads whole events."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from newsdesk.cli import main
from newsdesk.config import Config, parse_config
from newsdesk.match import Matcher, summarize
from newsdesk.store import Store
from newsdesk.types import NewStory, StoryQuery
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.screens import ConfirmScreen, ReaderScreen, SourcesScreen
from newsdesk.ui.widgets import StoryList
from tests.store_fixtures import write_stories
from tests.ui_fixtures import NOW, SEED_WATCHLIST, settle

FEEDS = ("Wire", "Paper", "Radio")
FEEDS_TOML = "".join(f'[[feeds]]\nname = "{n}"\nurl = "http://127.0.0.1:9/{n.lower()}.xml"\n' for n in FEEDS) + SEED_WATCHLIST
WIRE = (
    "Russia's foreign minister Sergei Lavrov said on Monday that Moscow would not accept any settlement "
    "that ignored its security interests, speaking after talks in Ankara with his Turkish counterpart that "
    "lasted more than four hours and ended without a joint statement from either side. Officials said "
    "further meetings were planned for next month in Geneva."
)
# The event, as each feed titled it, and how many hours before NOW it published it.
COPIES = (
    ("Wire", "Lavrov rejects any deal that ignores Russia's interests", 5),
    ("Paper", "Lavrov rejects any deal that ignores Russia's interests", 4),
    ("Radio", "Lavrov: no deal that ignores Russia's interests, talks in Ankara end", 3),
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "news.db")
    config = parse_config(FEEDS_TOML)
    store.sync_feeds(list(config.feeds))
    ids = {f.name: f.id for f in store.feeds()}
    matcher = Matcher(config.watchlist)
    stories = [*COPIES, ("Paper", "Storms expected across Iran's north", 1)]
    for n, (feed, title, hours) in enumerate(stories):
        text = WIRE if "Lavrov" in title else "Iran expects heavy rain and wind for the weekend."
        story = NewStory(
            key=f"s{n}", title=title, url=f"https://news.example/{feed.lower()}/{n}", guid=f"s{n}", author=None,
            published=NOW - timedelta(hours=hours), fetched_at=NOW, summary="", text=text, text_source="feed",
        )
        write_stories(store, ids[feed], [(story, summarize(matcher.find(title, text)))])
    return store


def _config(collapse: bool = True) -> Config:
    config = parse_config(FEEDS_TOML)
    return dataclasses.replace(config, settings=dataclasses.replace(config.settings, collapse=collapse))


def _app(store: Store, collapse: bool = True) -> NewsdeskApp:
    return NewsdeskApp(store, _config(collapse), clock=lambda: NOW)


def _list(app: NewsdeskApp) -> StoryList:
    return app.screen.query_one(StoryList)


def _unread(store: Store) -> int:
    return store.count_view(StoryQuery(matched_only=False)).unread


async def test_copies_in_three_feeds_are_one_row_with_its_sources_count(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = _list(app).rows
        assert [(r.title, r.feed, r.sources) for r in rows] == [
            ("Storms expected across Iran's north", "Paper", 1),
            ("Lavrov rejects any deal that ignores Russia's interests", "Wire", 3),
        ]
        line = _list(app).render_row(rows[1], 78).plain
        assert "×3" in line and "Lavrov rejects" in line
        assert "×" not in _list(app).render_row(rows[0], 78).plain
        assert app.screen.sub_title == "matched — 2 stories, 2 unread"


async def test_with_collapse_off_every_copy_is_a_row(store: Store) -> None:
    app = _app(store, collapse=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert [r.feed for r in _list(app).rows] == ["Paper", "Radio", "Paper", "Wire"]


async def test_marking_all_read_over_a_collapsed_view_leaves_no_unread_copy(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert _unread(store) == 0
        await pilot.press("z")  # undo: every copy is unread again
        await settle(pilot)
        assert _unread(store) == 4


async def test_N_on_a_row_marks_its_whole_event(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "N")
        await settle(pilot)
        assert _unread(store) == 1
        await pilot.press("N")
        await settle(pilot)
        assert _unread(store) == 4


def _json(capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Store, *options: str) -> list[dict[str, object]]:
    config = tmp_path / "feeds.toml"
    config.write_text(FEEDS_TOML, encoding="utf-8")
    assert main(["list", "--config", str(config), "--db", str(tmp_path / "news.db"), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_list_json_gives_each_story_its_cluster_and_sources(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Store
) -> None:
    rows = _json(capsys, tmp_path, store)
    assert [(r["feed"], r["sources"]) for r in rows] == [("Paper", 1), ("Wire", 3)]
    copies = _json(capsys, tmp_path, store, "--all-copies")
    assert [(r["feed"], r["sources"]) for r in copies] == [("Paper", 1), ("Radio", 3), ("Paper", 3), ("Wire", 3)]
    assert len({r["cluster"] for r in copies[1:]}) == 1 and copies[0]["cluster"] != copies[1]["cluster"]
    assert rows[1]["cluster"] == rows[1]["id"]


async def test_the_reader_lists_the_other_sources_opens_one_and_reads_the_whole_event(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        sources = str(app.screen.query_one("#sources", Static).render())
        lines = sources.splitlines()
        assert lines[0] == "Also reported by 2 other sources (c: read one)"
        assert lines[1].strip().startswith("Paper · ") and "Lavrov" not in lines[1]  # the same title is not repeated
        assert lines[2].strip().startswith("Radio · ") and lines[2].endswith("talks in Ankara end")
        assert _unread(store) == 1, "opening the row read every copy"
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, SourcesScreen)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        head = str(app.screen.query_one("#story-head", Static).render())
        assert head.startswith("Lavrov: no deal that ignores Russia's interests") and "Feed: Radio" in head
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert _list(app).rows[1].read
