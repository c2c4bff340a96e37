"""The entity screen and the watchlist panel's trends, driven through the real app on a real
database holding 30 days of stories and a spike for Iran on the last day."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import OptionList, Static

from newsdesk.keymap import ACTIONS
from newsdesk.store import Store
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.screens import EntityScreen, HelpScreen, ReaderScreen, StoryListScreen
from newsdesk.ui.widgets import DayChart, EntityPanel, StoryList
from tests.test_ui import _text
from tests.ui_fixtures import CONFIG, NOW, SPIKE_DAY_STORIES, add_history, make_store, settle


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = make_store(tmp_path / "news.db")
    add_history(store, NOW)
    return store


def _app(store: Store) -> NewsdeskApp:
    return NewsdeskApp(store, CONFIG, clock=lambda: NOW)


async def _press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def _panel_labels(app: NewsdeskApp) -> dict[str, str]:
    panel = app.screen.query_one(EntityPanel)
    return {str(o.id): o.prompt.plain for o in panel.options if o.id and isinstance(o.prompt, Text)}


async def _choose(pilot, app: NewsdeskApp, entity: str) -> None:  # type: ignore[no-untyped-def]
    """Enter on an entry of the watchlist panel."""
    panel = app.screen.query_one(EntityPanel)
    panel.focus()
    panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == entity)
    await _press(pilot, "enter")


def _shown(app: NewsdeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_enter_on_a_panel_entry_opens_its_chart_co_mentions_and_stories(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _choose(pilot, app, "Iran")
        screen = app.screen
        assert isinstance(screen, EntityScreen)
        assert screen.sub_title == "Iran — last 30 days"
        # The chart: a bar a day for 30 days, the last (the spike) the highest, and said above it.
        chart = screen.query_one(DayChart)
        assert len(chart.days) == 30 and chart.days[-1].day == NOW.date()
        assert chart.days[-1].count == max(d.count for d in chart.days) >= SPIKE_DAY_STORIES
        drawn = chart.render().plain.splitlines()
        assert len(drawn) == chart.content_region.height
        assert drawn[0].lstrip().startswith(str(chart.days[-1].count)) and drawn[-1].rstrip().endswith("Apr 14")
        title = _shown(app, "#chart-title")
        assert title.startswith("Clusters a day, last 30 days: ") and "× usual today" in title
        # Mentioned with it: Israel (in every third story) first, then Russia.
        mentioned = [o.id for o in screen.query_one("#mentioned", OptionList).options]
        assert mentioned[:2] == ["Israel", "Russia"]
        # Its latest stories, newest first; Enter opens one in the reader, q comes back.
        stories = screen.query_one(StoryList)
        assert stories.has_focus and stories.rows[0].title.startswith("Iran and Russia:")
        assert all("Iran" in s.entities for s in stories.rows)
        first = stories.rows[0].title
        await _press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        assert str(app.screen.query_one("#story-head", Static).render()).startswith(first)
        await _press(pilot, "q")
        assert app.screen is screen
        # d: 90 days, and back to 30.
        await _press(pilot, "d")
        assert screen.sub_title == "Iran — last 90 days" and len(chart.days) == 90
        assert _shown(app, "#chart-title").startswith("Clusters a day, last 90 days: ")
        await _press(pilot, "d")
        assert len(chart.days) == 30
        # Enter on an entity mentioned with it opens that one's screen.
        mentions = screen.query_one("#mentioned", OptionList)
        mentions.focus()
        mentions.highlighted = 1
        await _press(pilot, "enter")
        assert isinstance(app.screen, EntityScreen) and app.screen.entity == "Russia"
        # ? names the screen's keys.
        await _press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = _text(app, "#help-keys")
        for action in ACTIONS:
            if "entity" in action.scopes or "app" in action.scopes:
                assert action.help in help_text, action.name
        await _press(pilot, "question_mark", "q", "q")
        # Back on the list: it shows the entry's stories; e opens the entry's screen again.
        assert isinstance(app.screen, StoryListScreen)
        assert app.screen.sub_title.startswith("Iran — ")
        await _press(pilot, "e")
        assert isinstance(app.screen, EntityScreen) and app.screen.entity == "Iran"


async def test_the_panel_shows_each_entrys_last_14_days_and_marks_a_spike(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        labels = _panel_labels(app)
        name_line, spark_line = labels["Iran"].split("\n")
        assert name_line.startswith("Iran  ")
        sparkline, mark = spark_line[:14], spark_line[14:]
        assert sparkline[-1] == "█" and "█" not in sparkline[:-1] and " " not in sparkline  # a story every day
        assert mark.startswith(" ▲ ") and mark.endswith("× usual")
        for other in ("Israel", "Vladimir Putin", "Sergei Lavrov"):
            assert "▲" not in labels[other], other
            assert len(labels[other].split("\n")[1].rstrip()) == 14  # the last day has stories


async def test_W_sorts_the_panel_by_spike_and_back(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)

        def order() -> list[str]:
            return [str(o.id) for o in app.screen.query_one(EntityPanel).options if o.id][1:]

        assert order() == ["Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov"]  # feeds.toml's
        await _press(pilot, "W")
        assert order() == ["Iran", "Russia", "Israel", "Vladimir Putin", "Sergei Lavrov"]
        await _press(pilot, "W")
        assert order()[0] == "Russia"
