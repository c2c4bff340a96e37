"""A list of one-line rows with a cursor, drawn a line at a time (Textual's Line API).

The story list and the feed list are this widget with their own row drawing: each row is
laid out for the width the widget has now (columns shrink, titles end in "…"), and only the
rows on screen are ever drawn, so a list of thousands of rows costs what one screenful does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

T = TypeVar("T")


class RowList(ScrollView, Generic[T], can_focus=True, inherit_bindings=False):
    """Rows of one line each, a cursor, and the view kept around the cursor.

    It has no keys of its own: the screen's keymap bindings move it (its cursor_* actions).
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--cursor"}
    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        & > .row-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .row-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class Chosen(Message):
        """Enter on a row, or a double click."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    class NearEnd(Message):
        """The cursor or the scroll came within a screen of the last row: time for more."""

        def __init__(self, rows: int) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[T] = []

    # ------------------------------------------------------------ the rows

    @property
    def rows(self) -> Sequence[T]:
        return self._rows

    @property
    def current(self) -> T | None:
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    def set_rows(self, rows: Sequence[T], key: Callable[[T], Hashable] | None = None) -> None:
        """Replace every row. With `key`, the cursor stays on the row it was on (found by
        its key), at the same place on screen; otherwise it keeps its index. A list scrolled
        to its top stays there, so rows that arrive above the cursor are seen arriving."""
        keep = key(self._rows[self.cursor]) if key and self.current is not None else None
        top = round(self.scroll_offset.y)
        on_screen = self.cursor - top
        self._rows = list(rows)
        index = self.cursor
        if keep is not None and key is not None:
            index = next((i for i, row in enumerate(self._rows) if key(row) == keep), index)
        self._resize_virtual()
        self.set_reactive(RowList.cursor, self._clamp(index))
        if top == 0:
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)
        else:
            self.scroll_to(y=max(0, self.cursor - on_screen), animate=False, immediate=True)
        self._near_end()
        self.refresh()

    def append_rows(self, rows: Sequence[T]) -> None:
        self._rows.extend(rows)
        self._resize_virtual()
        self.refresh()

    def replace_row(self, index: int, row: T) -> None:
        self._rows[index] = row
        self.refresh_line(index)

    def index_of(self, match: Callable[[T], bool]) -> int | None:
        return next((i for i, row in enumerate(self._rows) if match(row)), None)

    def move_to(self, index: int) -> None:
        self.cursor = self._clamp(index)

    # ------------------------------------------------------------ drawing

    def render_row(self, row: T, width: int) -> Text:
        """One row as text of at most `width` cells (subclasses draw their rows)."""
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("row-list--cursor") if index == self.cursor else base
        text = self.render_row(self._rows[index], width)
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [Segment(s.text, style + s.style if s.style else style) for s in text.render(self.app.console)]
        return Strip(segments, width).crop_extend(0, width, style)

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    def on_resize(self, event: events.Resize) -> None:
        self._resize_virtual()
        self.refresh()

    # ------------------------------------------------------------ the cursor

    def _clamp(self, index: int) -> int:
        return max(0, min(index, len(self._rows) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True)
        self.post_message(self.Highlighted(new))
        self._near_end()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # The mouse wheel scrolls without moving the cursor.
        if self._rows and new + 2 * self.size.height >= len(self._rows):
            self.post_message(self.NearEnd(len(self._rows)))

    def _near_end(self) -> None:
        if self._rows and self.cursor >= len(self._rows) - max(self.size.height, 20):
            self.post_message(self.NearEnd(len(self._rows)))

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height - 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(len(self._rows) - 1)

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.cursor))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_offset.y) + event.y
        if 0 <= index < len(self._rows):
            self.focus()
            self.move_to(index)
            if event.chain >= 2:
                self.post_message(self.Chosen(index))
