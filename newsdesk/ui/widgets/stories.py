"""The story list: a mark, the time, how many sources an event has ("×3"), the feed, the title
and the matched entries, one line each.

The title is what a reader reads, so it gets the room: as the terminal narrows, the matches
turn into ISO codes and surnames, then the feed column shrinks and goes, and only then does
the title give up characters (cut with "…").

The feed and matches columns are as wide as nine rows in ten need, not as the widest row:
most stories match one or two entries, and a column sized for the one story naming six
countries is blank on every other row, in cells the title could use. A row that needs more
is cut: its codes show whole as far as they go, then how many more ("IN US +2"). And the
matches end at the row's right edge: a row with fewer of them gives its title the cells
left over.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import events

from newsdesk.display import safe
from newsdesk.types import StoryItem
from newsdesk.ui.text import TITLE_LIMIT, when
from newsdesk.ui.widgets.rows import RowList

_TIME = 6
"""The time column: "14:05", "Apr 12", "2023"."""
_FIXED = 1 + 1 + _TIME + 1
"""The mark, a space, the time and a space."""
_TITLE_SHARE = 3 / 4
"""The share of a row the title has before feed or matches get any room."""
_MOST = 0.9
"""The share of rows whose feed and matches a column is sized for."""
_MIN_TAGS = 6
_MIN_NAMES = 14
"""The matches column is never narrower (when a row has matches): a surname, a name."""


@dataclass(frozen=True, slots=True)
class StoryColumns:
    """The widths of a row's columns (0: not shown) and whether matches show as short tags."""

    sources: int
    """The "×3" column: as wide as the widest count shown (0: no row is more than one story)."""
    feed: int
    title: int
    matches: int
    tags: bool


def story_columns(width: int, stories: Sequence[StoryItem]) -> StoryColumns:
    """How a row of `width` cells is shared out, for these stories.

    The layouts are tried from the roomiest down; the first that leaves the title the
    characters it needs (at most _TITLE_SHARE of the row) wins, and the title takes whatever
    is left, but for what no title needs, which the matches have. At 80 columns a title keeps at least 52 characters; at 60, 37.
    """
    sources = max((len(_sources(s)) for s in stories), default=0)
    room = max(0, width - _FIXED - (sources + 1 if sources else 0))
    title_need = max((len(s.title) for s in stories), default=0)
    feed_need = _most(len(s.feed) for s in stories)
    # Wide enough for one whole name or surname, if any row has one ("T…" says nothing).
    names_need = max(_most(len(", ".join(s.entities)) for s in stories), _widest(stories, tags=False, cap=_MIN_NAMES))
    tags_need = max(_most(len(" ".join(s.tags)) for s in stories), _widest(stories, tags=True, cap=_MIN_TAGS))
    want = min(title_need, int(room * _TITLE_SHARE))
    layouts = (
        (min(feed_need, 18), min(names_need, 30), False),
        (min(feed_need, 16), min(tags_need, 16), True),
        (min(feed_need, 10), min(tags_need, 12), True),
        (0, min(tags_need, 10), True),
        (0, 0, True),
    )
    for feed, matches, tags in layouts:
        title = room - (feed + 1 if feed else 0) - (matches + 1 if matches else 0)
        if title >= want:
            if matches and title > title_need:  # every title whole: the matches have the rest
                more = max(0, min(title - title_need, _widest(stories, tags=tags) - matches))
                matches, title = matches + more, title - more
            return StoryColumns(sources=sources, feed=feed, title=title, matches=matches, tags=tags)
    return StoryColumns(sources=sources, feed=0, title=room, matches=0, tags=True)


def _widest(stories: Sequence[StoryItem], *, tags: bool, cap: int | None = None) -> int:
    """The widest row's matches (as tags or as names), at most `cap`."""
    widest = max((len(" ".join(s.tags) if tags else ", ".join(s.entities)) for s in stories), default=0)
    return widest if cap is None else min(widest, cap)


def _most(widths: Iterable[int]) -> int:
    """The width that _MOST of the rows fit in (0 for no rows)."""
    ordered = sorted(widths)
    if not ordered:
        return 0
    return ordered[max(0, math.ceil(_MOST * len(ordered)) - 1)]


class StoryList(RowList[StoryItem]):
    """Stories of a view: ● unread, ★ starred; unread in bold, read dimmed."""

    DEFAULT_CSS = """
    StoryList {
        height: 1fr;
    }
    """

    def __init__(self, now: datetime, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now = now
        self._columns: StoryColumns | None = None

    def set_rows(self, rows: Sequence[StoryItem], keep: bool = True) -> None:  # type: ignore[override]  # RowList's `key` is this list's to choose: a story's id, or none for another view
        """The rows of a view; `keep`: the cursor stays on its story (the same view read
        again), else it goes to the top (another view)."""
        self._columns = None
        if not keep:
            self.set_reactive(RowList.cursor, 0)
            self.scroll_to(y=0, animate=False, immediate=True)
        super().set_rows(rows, key=(lambda s: s.id) if keep else None)

    def append_rows(self, rows: Sequence[StoryItem]) -> None:
        known = {s.id for s in self.rows}
        self._columns = None
        super().append_rows([s for s in rows if s.id not in known])

    def show_story(self, story: StoryItem) -> None:
        """A story's row again, after its read or starred state changed."""
        index = self.index_of(lambda s: s.id == story.id)
        if index is not None:
            self.replace_row(index, story)

    def on_resize(self, event: events.Resize) -> None:
        self._columns = None
        super().on_resize(event)

    def columns(self) -> StoryColumns:
        width = self.scrollable_content_region.width
        if self._columns is None:
            self._columns = story_columns(width, self.rows)
        return self._columns

    def render_row(self, row: StoryItem, width: int) -> Text:
        columns = self.columns()
        style = "dim" if row.read else "bold"
        text = Text()
        if row.starred:
            text.append("★", style="bold #e5c07b")
        else:
            text.append("●" if not row.read else " ", style="bold #61afef")
        text.append(" ")
        text.append(when(row.time, self.now).ljust(_TIME), style="dim")
        text.append(" ")
        if columns.sources:
            text.append(_sources(row).rjust(columns.sources), style="dim" if row.read else "#61afef")
            text.append(" ")
        if columns.feed:
            text.append_text(_cell(row.feed, columns.feed, "dim" if row.read else ""))
            text.append(" ")
        shown = ""
        if columns.matches:
            shown = _fit_tags(row.tags, columns.matches) if columns.tags else ", ".join(row.entities)
        if not shown:  # the title has the matches' cells too
            text.append_text(_cell(row.title, columns.title + (columns.matches + 1 if columns.matches else 0), style))
            return text
        matches = _cell(shown, columns.matches, "dim italic" if row.read else "italic")
        matches.rstrip()
        text.append_text(_cell(row.title, columns.title + columns.matches - matches.cell_len, style))
        text.append(" ")
        text.append_text(matches)
        return text


def _fit_tags(tags: Sequence[str], width: int) -> str:
    """As many whole tags as `width` holds, then how many more: "IN US +2"."""
    for shown in range(len(tags), 0, -1):
        rest = len(tags) - shown
        text = " ".join(tags[:shown]) + (f" +{rest}" if rest else "")
        if len(text) <= width:
            return text
    return " ".join(tags)  # not even one whole: cut with "…"


def _sources(story: StoryItem) -> str:
    """How many stories the row stands for, when more than itself: "×3"."""
    return f"×{story.sources}" if story.sources > 1 else ""


def _cell(value: str, width: int, style: str) -> Text:
    """`value` in exactly `width` cells: cut with "…" or padded."""
    text = Text(safe(value, TITLE_LIMIT), style=style)
    text.truncate(width, overflow="ellipsis", pad=True)
    return text
