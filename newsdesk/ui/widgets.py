"""The main screen's two lists: watchlist entries, and stories."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, OptionList
from textual.widgets.data_table import ColumnKey
from textual.widgets.option_list import Option

from newsdesk.display import health, plain
from newsdesk.types import FeedStatus, StoryItem
from newsdesk.ui.text import TITLE_LIMIT, when

ALL = "\x00all"
"""The option id of "All matches": no watchlist name can be it."""


class EntityPanel(OptionList):
    """The watchlist with story counts; choosing an entry filters the story list."""

    BINDINGS = [Binding("enter", "select", "Filter", show=False)]

    def show(self, rows: Sequence[tuple[str, str, int, int]], selected: str | None) -> None:
        """rows: (entity, kind, stories, unread), in panel order."""
        total = ("All matches", sum(r[2] for r in rows))
        options = [Option(_label(total[0], "", total[1], 0), id=ALL)]
        kind = None
        for entity, entity_kind, stories, unread in rows:
            if entity_kind != kind:
                kind = entity_kind
                options.append(Option(Text("Countries" if kind == "country" else "People", style="bold dim"), disabled=True))
            options.append(Option(_label(entity, entity_kind, stories, unread), id=entity))
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(options)
        wanted = selected if selected is not None else ALL
        for index, option in enumerate(options):
            if option.id == wanted:
                self.highlighted = index
                break
        else:
            self.highlighted = highlighted


def _label(name: str, kind: str, stories: int, unread: int) -> Text:
    label = plain(name)
    label.append(f"  {stories}", style="dim" if not stories else "")
    if unread:
        label.append(f" ({unread} new)", style="bold")
    return label


class StoryTable(DataTable[Text]):
    """Stories newest first: unread mark, time, feed, title, matched entries."""

    def __init__(self, *, id: str | None = None) -> None:
        # Columns exist from the start: a fast worker may fill the table before it mounts.
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.add_column("", key="mark", width=1)
        self.add_column("Time", key="time", width=10)
        self.add_column("Feed", key="feed", width=14)
        self.add_column("Title", key="title")
        self.add_column("Matches", key="matches", width=24)

    def show(self, stories: Sequence[StoryItem], now: datetime) -> None:
        current = self.cursor_row
        selected = self.selected_id()
        self.clear()
        for story in stories:
            self.add_row(*_cells(story, now), key=str(story.id))
        if selected is not None and str(selected) in self.rows:
            self.move_cursor(row=self.get_row_index(str(selected)))
        elif stories:
            self.move_cursor(row=min(current, len(stories) - 1))
        self._title_width()

    def append(self, stories: Sequence[StoryItem], now: datetime) -> None:
        for story in stories:
            if str(story.id) not in self.rows:
                self.add_row(*_cells(story, now), key=str(story.id))

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        # Within a screen of the end: ask for the next page before the reader gets there.
        if self.row_count and self.cursor_row >= self.row_count - max(self.size.height, 20):
            self.post_message(self.NearEnd(self.row_count))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # The mouse wheel scrolls without moving the cursor.
        if self.row_count and new + 2 * self.size.height >= self.virtual_size.height:
            self.post_message(self.NearEnd(self.row_count))

    class NearEnd(Message):
        """The cursor is near the last loaded row: time to load the next page."""

        def __init__(self, loaded: int) -> None:
            super().__init__()
            self.loaded = loaded

    def update_story(self, story: StoryItem, now: datetime) -> None:
        key = str(story.id)
        if key in self.rows:
            for column, cell in zip(("mark", "time", "feed", "title", "matches"), _cells(story, now), strict=True):
                self.update_cell(key, column, cell)

    def selected_id(self) -> int | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    def on_resize(self) -> None:
        self._title_width()

    def _title_width(self) -> None:
        # The title takes whatever the fixed columns leave.
        fixed = sum(c.width for key, c in self.columns.items() if key.value != "title") + 2 * len(self.columns)
        title = self.columns.get(ColumnKey("title"))
        if title is not None and self.size.width:
            title.auto_width = False
            title.width = max(20, self.size.width - fixed - 2)
            self._require_update_dimensions = True
            self.refresh()


def _cells(story: StoryItem, now: datetime) -> tuple[Text, Text, Text, Text, Text]:
    style = "dim" if story.read else "bold"
    mark = "★" if story.starred else ("●" if not story.read else " ")
    return (
        Text(mark, style="bold #e5c07b" if story.starred else "bold #61afef"),
        Text(when(story.time, now), style="dim"),
        plain(story.feed, "dim" if story.read else ""),
        plain(story.title, style, TITLE_LIMIT),
        plain(", ".join(story.entities), "italic" if not story.read else "dim italic"),
    )


class FeedTable(DataTable[Text]):
    """One row per feed: name, health, last checked, stories, and the problem in words."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.add_column("Feed", key="feed", width=28)
        self.add_column("Health", key="health", width=14)
        self.add_column("Checked", key="checked", width=10)
        self.add_column("Stories", key="stories", width=7)
        self.add_column("Problem", key="problem")

    def show(self, feeds: Sequence[FeedStatus], now: datetime) -> None:
        self.clear()
        for feed in feeds:
            self.add_row(
                plain(feed.name),
                health(feed, now),
                Text(when(feed.last_checked, now) if feed.last_checked else "never", style="dim"),
                Text(str(feed.stories), justify="right"),
                plain(feed.problem(now), "dim"),
                key=str(feed.id),
            )
