"""One watchlist entry over time: a chart of its clusters a day (the last 30 days, or 90),
the entities most often mentioned with it in that window, and its latest stories.

Enter on a story opens it in the reader (J/K go through the entry's stories); Enter on an
entity mentioned with it opens that entity's screen; d switches between 30 and 90 days.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from newsdesk.display import plain
from newsdesk.keymap import Scope
from newsdesk.trends import RULE, daily_series, days_between, spike, spike_words
from newsdesk.types import StoryItem, StoryQuery
from newsdesk.ui.keys import bindings
from newsdesk.ui.messages import ConfigChanged, EntityLoaded, StoriesChanged, StoryUpdated
from newsdesk.ui.screens.base import StoryScreen
from newsdesk.ui.widgets import RowList, StatusBar, StoryList
from newsdesk.ui.widgets.chart import DayChart, DayCount

WINDOWS = (30, 90)
"""The chart's windows, in days, today included: d steps through them."""
LATEST = 50
"""The latest stories listed (the reader's J/K go on through all of them)."""
MENTIONED = 10
"""The entities mentioned with it that are listed."""


class EntityScreen(StoryScreen[None]):
    SCOPE: ClassVar[Scope] = "entity"
    BINDINGS = bindings("entity")
    DEFAULT_CSS = """
    EntityScreen {
        & #chart-title {
            height: 1;
            padding: 0 1;
            text-style: bold;
        }
        & #lower {
            height: 1fr;
        }
        & #mentioned {
            width: 28;
            height: 1fr;
            border: round $primary-darken-2;
            border-title-color: $text-muted;
            &:focus {
                border: round $accent;
            }
        }
        & #latest {
            width: 1fr;
            height: 1fr;
            border: round $primary-darken-2;
            border-title-color: $text-muted;
            &:focus-within {
                border: round $accent;
            }
        }
    }
    """

    def __init__(self, entity: str) -> None:
        super().__init__()
        self.entity = entity
        self.days = WINDOWS[0]
        self.loaded: EntityLoaded | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Loading…"), id="chart-title")
        yield DayChart(id="chart")
        with Horizontal(id="lower"):
            yield OptionList(id="mentioned")
            with Vertical(id="latest"):
                yield StoryList(self.app.clock(), id="stories")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#mentioned").border_title = "Mentioned with it"
        self.query_one("#latest").border_title = "Latest stories"
        self.stories.focus()
        self._show_title()
        self._load(self.days)

    @property
    def stories(self) -> StoryList:
        return self.query_one(StoryList)

    def the_story(self) -> StoryItem | None:
        return self.stories.current

    def _view(self) -> StoryQuery:
        return self.shown(StoryQuery(entity=self.entity))

    def _show_title(self) -> None:
        self.sub_title = f"{self.entity} — last {self.days} days"

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="entity", exit_on_error=False)
    def _load(self, days: int) -> None:
        today = self.app.clock().astimezone(UTC).date()
        start = today - timedelta(days=days - 1)
        # The spike is judged against the days before it: read at least the baseline's.
        first = min(start, today - timedelta(days=RULE.window))
        series = daily_series(self.store.entity_days(first, entity=self.entity), first, today)
        counts = series.get(self.entity) or [0] * ((today - first).days + 1)
        chart = [DayCount(day, count) for day, count in zip(days_between(first, today), counts, strict=True) if day >= start]
        self.post_message(EntityLoaded(
            self.entity, days, chart, spike(counts, today),
            self.store.co_mentioned(self.entity, start, limit=MENTIONED),
            self.store.stories(self._view(), limit=LATEST),
        ))

    def on_entity_loaded(self, message: EntityLoaded) -> None:
        if message.entity != self.entity or message.days != self.days:
            return  # a window left meanwhile
        self.loaded = message
        self.query_one("#chart-title", Static).update(chart_title(message))
        self.query_one(DayChart).show(message.chart, message.spike)
        mentioned = self.query_one("#mentioned", OptionList)
        highlighted = mentioned.highlighted
        mentioned.clear_options()
        mentioned.add_options([Option(_mention(m.entity, m.stories), id=m.entity) for m in message.mentioned_with])
        if not message.mentioned_with:
            mentioned.add_option(Option(Text("nobody else yet", style="dim"), disabled=True))
        elif highlighted is not None:
            mentioned.highlighted = min(highlighted, len(message.mentioned_with) - 1)
        self.stories.now = self.app.clock()
        self.stories.set_rows(message.stories)

    def on_stories_changed(self, message: StoriesChanged) -> None:
        self._load(self.days)

    def on_config_changed(self, message: ConfigChanged) -> None:
        self._load(self.days)

    def on_story_updated(self, message: StoryUpdated) -> None:
        self.stories.show_story(message.story)

    # ------------------------------------------------------------ keys

    def action_chart_days(self) -> None:
        self.days = WINDOWS[(WINDOWS.index(self.days) + 1) % len(WINDOWS)]
        self._show_title()
        self._load(self.days)

    def action_open(self) -> None:
        if self.stories.has_focus:
            self.stories.action_choose()

    def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        from newsdesk.ui.screens.reader import ReaderScreen

        story = self.stories.current
        if story is not None:
            self.app.push_screen(ReaderScreen(self._view(), story), callback=self._reader_closed)

    def _reader_closed(self, story: StoryItem | None) -> None:
        self._load(self.days)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.app.push_screen(EntityScreen(event.option.id))


def chart_title(loaded: EntityLoaded) -> Text:
    """"Clusters a day, last 30 days: 42 in all · ▲ 4× usual today"."""
    total = sum(d.count for d in loaded.chart)
    text = Text(f"Clusters a day, last {loaded.days} days: {total} in all")
    if loaded.spike is not None:
        text.append(" · ")
        text.append(f"{spike_words(loaded.spike)} {_day(loaded.spike.day, loaded.chart[-1].day)}", style="#e5c07b")
        text.append(f" ({loaded.spike.count}, usually {loaded.spike.baseline:.1f})", style="dim")
    return text


def _day(day: date, today: date) -> str:
    return "today" if day == today else f"on {day:%b} {day.day}"


def _mention(name: str, clusters: int) -> Text:
    text = plain(name)
    text.append(f"  {clusters}", style="dim")
    return text
