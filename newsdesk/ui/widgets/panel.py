"""The watchlist panel: every entry with its stories and unread count, a sparkline of its last
14 days and a mark on a spike; Enter opens the entry's screen and shows its stories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from newsdesk.config import Watchlist
from newsdesk.countries import lookup
from newsdesk.display import plain
from newsdesk.trends import RULE, daily_series, sparkline, spike, spike_words
from newsdesk.types import EntityCount, EntityDay, MatchKind, Spike, ViewCount

ALL = "\x00all"
"""The option id of "All matches": no watchlist name can be it."""

SPARK_DAYS = 14
"""The days a panel entry's sparkline shows, today last."""


@dataclass(frozen=True, slots=True)
class PanelRow:
    """One entry of the panel: its counts, its clusters on each of the last SPARK_DAYS days
    (oldest first), and its spike when the last of them is one."""

    count: EntityCount
    days: tuple[int, ...] = ()
    spike: Spike | None = None


class EntityPanel(OptionList):
    """The watchlist with story counts; choosing an entry shows its stories."""

    DEFAULT_CSS = """
    EntityPanel {
        width: 28;
        height: 1fr;
        max-height: 100%;
        border: round $primary-darken-2;
        padding: 0;
        &:focus {
            border: round $accent;
        }
    }
    """

    def show(self, rows: Sequence[PanelRow], matched: ViewCount, selected: str | None, *, by_spike: bool = False) -> None:
        """`rows`, in panel order (panel_rows), under the matched stories' own count, with the
        entry being shown highlighted; `by_spike`: the entries with a spike first, the
        sharpest first, then the others in panel order (under one heading, kinds mixed)."""
        options = [Option(_label("All matches", matched.stories, matched.unread), id=ALL)]
        if by_spike:
            shown = by_spike_order(rows)
            options.append(Option(Text("By spike", style="bold dim"), disabled=True))
        else:
            shown = list(rows)
        kind = None
        for row in shown:
            count = row.count
            if not by_spike and count.kind != kind:
                kind = count.kind
                options.append(Option(Text("Countries" if kind == "country" else "People", style="bold dim"), disabled=True))
            options.append(Option(_entry(row), id=count.entity))
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(options)
        wanted = selected if selected is not None else ALL
        index = next((i for i, option in enumerate(options) if option.id == wanted), None)
        self.highlighted = index if index is not None else highlighted


def by_spike_order(rows: Sequence[PanelRow]) -> list[PanelRow]:
    """Entries with a spike first, the highest ratio first; then the rest as they were."""
    spiked = sorted((r for r in rows if r.spike is not None), key=lambda r: -(r.spike.ratio if r.spike else 0.0))
    return [*spiked, *(r for r in rows if r.spike is None)]


def panel_rows(counts: Sequence[EntityCount], watchlist: Watchlist) -> list[EntityCount]:
    """The panel's rows: every watched entry in feeds.toml's order, with its counts (0 when
    no story mentions it yet); watching every country lists those with stories, A to Z."""
    by_name = {c.entity: c for c in counts}
    wanted: list[tuple[str, MatchKind, str | None]] = []
    if watchlist.all_countries:
        wanted += sorted((c.entity, "country", c.code) for c in counts if c.kind == "country")
    for entry in watchlist.countries:
        country = lookup(entry.code)
        wanted.append((country.name if country else entry.code, "country", entry.code))
    wanted += [(p.name, "person", None) for p in watchlist.people]
    rows = []
    for name, kind, code in dict.fromkeys(wanted):
        count = by_name.get(name)
        rows.append(count or EntityCount(entity=name, kind=kind, code=code, stories=0, unread=0))
    return rows


def history_start(today: date) -> date:
    """The first day the panel reads: enough days before today for its baseline and sparkline."""
    return today - timedelta(days=max(RULE.window, SPARK_DAYS - 1))


def with_trends(counts: Sequence[EntityCount], days: Sequence[EntityDay], today: date) -> list[PanelRow]:
    """Each entry with its sparkline's days and, when today is one, its spike."""
    start = history_start(today)
    series = daily_series(days, start, today)
    none = [0] * ((today - start).days + 1)
    rows = []
    for count in counts:
        each = series.get(count.entity, none)
        rows.append(PanelRow(count, tuple(each[-SPARK_DAYS:]), spike(each, today)))
    return rows


def _label(name: str, stories: int, unread: int) -> Text:
    """"Iran  12/30": 12 unread of 30 stories ("Iran  30" when all are read)."""
    label = plain(name)
    label.append("  ")
    if unread:
        label.append(str(unread), style="bold")
        label.append(f"/{stories}", style="dim")
    else:
        label.append(str(stories), style="dim")
    return label


def _entry(row: PanelRow) -> Text:
    """Two lines: "Iran  12/30", then the sparkline and the spike mark ("▲ 4× usual")."""
    label = _label(row.count.entity, row.count.stories, row.count.unread)
    if row.days:
        label.append("\n")
        label.append(sparkline(row.days), style="#61afef")
        if row.spike is not None:
            label.append(" ")
            label.append(spike_words(row.spike), style="bold #e5c07b")
    return label
