"""An entity's clusters a day, drawn with block characters: the entity screen's bar chart.

Drawn here rather than with a plotting library: a day is a bar of whole and eighth blocks,
so 30 days keep one bar each at 80 columns and the heights read to an eighth of a line,
with only the labels a reader needs (the highest count, the first, middle and last day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.widget import Widget

from newsdesk.types import Spike

_EIGHTHS = " ▁▂▃▄▅▆▇█"
"""A bar's top cell, by eighths of a cell."""
_BAR_STYLE = "#61afef"
_SPIKE_STYLE = "bold #e5c07b"


@dataclass(frozen=True, slots=True)
class DayCount:
    """One day of a chart: a UTC day and the entity's clusters on it."""

    day: date
    count: int


class DayChart(Widget):
    """Bars of an entity's clusters a day, the highest count on the left, dates underneath;
    the spike day stands out. Days share a bar when there are more days than columns."""

    DEFAULT_CSS = """
    DayChart {
        height: 9;
        min-height: 5;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days: tuple[DayCount, ...] = ()
        self.spike: Spike | None = None

    def show(self, days: Sequence[DayCount], spike: Spike | None) -> None:
        self.days = tuple(days)
        self.spike = spike
        self.refresh()

    def render(self) -> Text:
        return chart_text(self.days, self.spike, self.content_region.width, self.content_region.height)


def chart_text(days: Sequence[DayCount], spike: Spike | None, width: int, height: int) -> Text:
    """The chart in `width` × `height` cells: bar rows, then a line of dates. When there are
    more days than columns, a bar is the busiest of the days it stands for (so its height
    stays a count of one day, and a spike is not averaged away), and the date line says so."""
    if not days or width < 8 or height < 2:
        return Text("")
    top = max(max(d.count for d in days), 1)
    axis = len(str(top)) + 1
    room = width - axis
    per_bar = max(1, -(-len(days) // room))
    bars = [days[i : i + per_bar] for i in range(0, len(days), per_bar)]
    step = max(1, min(3, room // len(bars)))
    bar_width = step - 1 if step > 1 else 1
    counts = [max(d.count for d in bar) for bar in bars]
    rows = height - 1
    spiked = {i for i, bar in enumerate(bars) if spike is not None and any(d.day == spike.day for d in bar)}
    text = Text()
    for row in range(rows):
        level = rows - row  # this row shows eighths from (level-1)*8 to level*8
        text.append((str(top) if row == 0 else "").rjust(axis - 1) + "▕", style="dim")
        for i, count in enumerate(counts):
            eighths = round(count * rows * 8 / top)
            if count and not eighths:
                eighths = 1  # a day with a story is never drawn as none
            fill = max(0, min(8, eighths - (level - 1) * 8))
            text.append(_EIGHTHS[fill] * bar_width, style=_SPIKE_STYLE if i in spiked else _BAR_STYLE)
            if step > 1:
                text.append(" ")
        text.append("\n")
    text.append_text(_date_line(bars, axis, step, width, per_bar))
    return text


def _date_line(bars: Sequence[Sequence[DayCount]], axis: int, step: int, width: int, per_bar: int) -> Text:
    """The first and last day under their bars ("Mar 16"), and between them the middle day,
    or how many days a bar stands for."""
    line = [" "] * width
    last = len(bars) - 1

    def put(label: str, start: int) -> None:
        start = max(0, min(start, width - len(label)))
        if all(c == " " for c in line[max(0, start - 1) : start + len(label) + 1]):
            line[start : start + len(label)] = label

    put(_short(bars[0][0].day), axis)
    put(_short(bars[last][-1].day), axis + last * step + step - len(_short(bars[last][-1].day)))
    if per_bar > 1:
        note = f"a bar: the busiest of {per_bar} days"
        put(note, axis + (last * step - len(note)) // 2)
    else:
        put(_short(bars[last // 2][0].day), axis + (last // 2) * step)
    return Text("".join(line).rstrip(), style="dim")


def _short(day: date) -> str:
    return f"{day:%b} {day.day}"
