"""The feed list: each feed's name, health, last check, stories, and its problem in words."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from newsdesk.display import health, safe
from newsdesk.types import FeedStatus
from newsdesk.ui.text import when
from newsdesk.ui.widgets.rows import RowList


class FeedList(RowList[FeedStatus]):
    """One row per feed; the name and the problem share what the fixed columns leave."""

    DEFAULT_CSS = """
    FeedList {
        height: 1fr;
    }
    """

    def __init__(self, now: datetime, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now = now

    def render_row(self, row: FeedStatus, width: int) -> Text:
        name_need = max((len(f.name) for f in self.rows), default=0)
        name = max(8, min(name_need, 28, width // 3))
        text = Text()
        text.append_text(_fit(Text(safe(row.name)), name))
        text.append(" ")
        text.append_text(_fit(health(row, self.now), 14))
        text.append(" ")
        checked = when(row.last_checked, self.now) if row.last_checked else "never"
        text.append(checked.ljust(6), style="dim")
        text.append(f"{row.stories:>6} stories ", style="dim" if not row.stories else "")
        problem = width - text.cell_len
        if problem > 0:
            text.append_text(_fit(Text(safe(row.problem(self.now)), style="dim"), problem))
        return text


def _fit(text: Text, width: int) -> Text:
    text.truncate(width, overflow="ellipsis", pad=True)
    return text
