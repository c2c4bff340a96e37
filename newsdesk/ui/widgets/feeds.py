"""The feed list: each feed's name, tags, health, unread and total stories, last and next
check, grouped under its tags when feeds have tags. What is wrong with the selected feed is
shown whole under the list (FeedProblem), never cut to a column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.text import Text
from textual.widgets import Static

from newsdesk.config import Config, FeedConfig
from newsdesk.display import health, safe
from newsdesk.types import FeedStatus
from newsdesk.ui.text import when
from newsdesk.ui.widgets.rows import RowList


@dataclass(frozen=True, slots=True)
class FeedLine:
    """A feed as the feeds screen shows it: its stored state and what feeds.toml says of it."""

    feed: FeedStatus
    config: FeedConfig | None
    """None when feeds.toml no longer lists it (its stories stay readable)."""
    unread: int
    next_check: datetime | None
    """When it is fetched next: after its back-off, else its interval after the last check."""
    grouped: bool = False
    """Shown under a tag's heading (indented)."""

    @property
    def tags(self) -> tuple[str, ...]:
        return self.config.tags if self.config else ()


@dataclass(frozen=True, slots=True)
class TagLine:
    """A tag's heading: Enter on it shows the stories of every feed with that tag."""

    tag: str | None
    """None: the feeds without a tag."""
    feeds: tuple[FeedLine, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(line.feed.name for line in self.feeds)


Line = FeedLine | TagLine

_TAIL = 1 + 11 + 1 + 6 + 1 + 6
"""The columns at every feed row's end: unread/total, last check, next check."""


def feed_lines(feeds: Sequence[FeedStatus], unread: dict[int, int], config: Config, now: datetime) -> list[Line]:
    """The rows of the feeds screen: flat when no feed has a tag, else one group per tag (a
    feed with two tags is in both), then the feeds without one."""
    listed = {f.url: f for f in config.feeds}
    lines = [_line(f, listed.get(f.url), unread.get(f.id, 0), config, now) for f in feeds]
    tags: dict[str, str] = {}
    for line in lines:
        for tag in line.tags:
            tags.setdefault(tag.casefold(), tag)
    if not tags:
        return list(lines)
    out: list[Line] = []
    for key in sorted(tags):
        members = tuple(_grouped(line) for line in lines if key in {t.casefold() for t in line.tags})
        out += [TagLine(tags[key], members), *members]
    loose = tuple(_grouped(line) for line in lines if not line.tags)
    if loose:
        out += [TagLine(None, loose), *loose]
    return out


def _grouped(line: FeedLine) -> FeedLine:
    return FeedLine(line.feed, line.config, line.unread, line.next_check, grouped=True)


def _line(feed: FeedStatus, listed: FeedConfig | None, unread: int, config: Config, now: datetime) -> FeedLine:
    next_check: datetime | None = None
    if listed is not None and not feed.gone:
        if feed.next_try is not None and feed.next_try > now:
            next_check = feed.next_try
        elif feed.last_checked is not None:
            next_check = max(now, feed.last_checked + timedelta(minutes=config.settings.interval(listed)))
        else:
            next_check = now
    return FeedLine(feed, listed, unread, next_check)


class FeedList(RowList[Line]):
    """One row per feed (and per tag heading)."""

    DEFAULT_CSS = """
    FeedList {
        height: 1fr;
    }
    """

    def __init__(self, now: datetime, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now = now

    def render_row(self, row: Line, width: int) -> Text:
        if isinstance(row, TagLine):
            return self._heading(row, width)
        name_width, tags_width = self._layout(width)
        text = Text()
        indent = "  " if row.grouped else ""
        text.append_text(_fit(Text(indent + safe(row.feed.name), style="" if row.config else "dim"), name_width))
        if tags_width:
            text.append(" ")
            text.append_text(_fit(Text(safe(", ".join(row.tags)), style="#c678dd"), tags_width))
        text.append(" ")
        text.append_text(_fit(health(row.feed, self.now), 14))
        text.append(" ")
        counts = f"{row.unread}/{row.feed.stories}"
        text.append(counts.rjust(11), style="bold" if row.unread else "dim")
        text.append(" ")
        checked = when(row.feed.last_checked, self.now) if row.feed.last_checked else "never"
        text.append(checked.ljust(6), style="dim")
        text.append(" ")
        if row.config is None:
            upcoming = "-"
        elif row.feed.gone:
            upcoming = "never"
        elif row.next_check is None or row.next_check <= self.now:
            upcoming = "now"
        else:
            upcoming = when(row.next_check, self.now)
        text.append(upcoming.ljust(6), style="yellow" if row.feed.failures else "dim")
        return text

    def column_titles(self, width: int) -> Text:
        """The titles above the columns, at the columns' places."""
        name_width, tags_width = self._layout(width)
        text = Text(style="bold dim")
        text.append("name".ljust(name_width) + " ")
        if tags_width:
            text.append("tags".ljust(tags_width) + " ")
        text.append("health".ljust(14) + " " + "unread/all".rjust(11) + " " + "last".ljust(6) + " " + "next")
        text.truncate(width, overflow="ellipsis")
        return text

    def _layout(self, width: int) -> tuple[int, int]:
        """The widths of the name and tags columns: what the feeds need, within the width."""
        feeds = [r for r in self.rows if isinstance(r, FeedLine)]
        name_need = max((len(f.feed.name) + (2 if f.grouped else 0) for f in feeds), default=8)
        tags_need = max((len(", ".join(f.tags)) for f in feeds), default=0)
        tags_width = min(tags_need, 24 if width >= 100 else 16, max(0, width - 60))
        room = width - (_TAIL + 1 + 14 + (tags_width + 1 if tags_width else 0))
        return max(8, min(name_need, room, 40)), tags_width

    def _heading(self, row: TagLine, width: int) -> Text:
        unread = sum(f.unread for f in row.feeds)
        total = sum(f.feed.stories for f in row.feeds)
        failing = sum(1 for f in row.feeds if f.feed.failures or f.feed.gone)
        text = Text()
        text.append(f"#{safe(row.tag)}" if row.tag is not None else "no tag", style="bold #c678dd")
        words = f"  {len(row.feeds)} feed{'s' if len(row.feeds) != 1 else ''}"
        if failing:
            words += f", {failing} with a problem"
        text.append(words, style="dim")
        counts = f"{unread}/{total}"
        name_width, tags_width = self._layout(width)
        column = name_width + 1 + (tags_width + 1 if tags_width else 0) + 14 + 1  # where the feeds' counts start
        pad = column - text.cell_len
        if pad > 0:  # under the feeds' unread/total column
            text.append(" " * pad)
            text.append(counts.rjust(11), style="bold" if unread else "dim")
        text.truncate(width, overflow="ellipsis")
        return text


class FeedProblem(Static):
    """The selected feed's problem in full, wrapped (a heading: how to read its tag's stories)."""

    DEFAULT_CSS = """
    FeedProblem {
        height: auto;
        max-height: 4;
        padding: 0 1;
        color: $text-muted;
        border-top: solid $panel-lighten-2;
    }
    """

    def show(self, row: Line | None, now: datetime) -> None:
        if row is None:
            self.update("")
        elif isinstance(row, TagLine):
            which = f"tag {row.tag!r}" if row.tag is not None else "no tag"
            feeds = f"{len(row.feeds)} feed{'s' if len(row.feeds) != 1 else ''}"
            self.update(Text(f"Enter: the stories of the {feeds} with {which}.", style="dim"))
        else:
            problem = row.feed.problem(now)
            if row.config is None:
                problem = "no longer in feeds.toml: its stories stay readable. " + problem
            words = problem or f"{row.feed.url} — no problem. i: details, Enter: its stories."
            self.update(Text(safe(words), style="red" if row.feed.failures or row.feed.gone else ""))


def _fit(text: Text, width: int) -> Text:
    text.truncate(width, overflow="ellipsis", pad=True)
    return text
