"""The watchlist panel: every entry with its stories and unread count; Enter shows its stories."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from newsdesk.config import Watchlist
from newsdesk.countries import lookup
from newsdesk.display import plain
from newsdesk.types import EntityCount, ViewCount

ALL = "\x00all"
"""The option id of "All matches": no watchlist name can be it."""


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

    def show(self, counts: Sequence[EntityCount], matched: ViewCount, selected: str | None) -> None:
        """`counts`, in panel order (panel_rows), under the matched stories' own count, with
        the entry being shown highlighted."""
        options = [Option(_label("All matches", matched.stories, matched.unread), id=ALL)]
        kind = None
        for count in counts:
            if count.kind != kind:
                kind = count.kind
                options.append(Option(Text("Countries" if kind == "country" else "People", style="bold dim"), disabled=True))
            options.append(Option(_label(count.entity, count.stories, count.unread), id=count.entity))
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(options)
        wanted = selected if selected is not None else ALL
        index = next((i for i, option in enumerate(options) if option.id == wanted), None)
        self.highlighted = index if index is not None else highlighted


def panel_rows(counts: Sequence[EntityCount], watchlist: Watchlist) -> list[EntityCount]:
    """The panel's rows: every watched entry in feeds.toml's order, with its counts (0 when
    no story mentions it yet); watching every country lists those with stories, A to Z."""
    by_name = {c.entity: c for c in counts}
    wanted: list[tuple[str, str, str | None]] = []
    if watchlist.all_countries:
        wanted += sorted((c.entity, "country", c.code) for c in counts if c.kind == "country")
    for entry in watchlist.countries:
        country = lookup(entry.code)
        wanted.append((country.name if country else entry.code, "country", entry.code))
    wanted += [(p.name, "person", None) for p in watchlist.people]
    rows = []
    for name, kind, code in dict.fromkeys(wanted):
        count = by_name.get(name)
        rows.append(count or EntityCount(entity=name, kind=kind, code=code, stories=0, unread=0))  # type: ignore[arg-type]
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
