"""Story text as rich `Text` for the widgets: literal, never parsed as markup, made safe by
newsdesk.display.safe (control and bidi characters replaced one for one), with highlights."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text

from newsdesk.display import safe
from newsdesk.types import Match

COUNTRY_STYLE = "bold black on #e5c07b"
PERSON_STYLE = "bold black on #61afef"


# A feed can send a title of any length; it is stored whole and clipped only for display.
TITLE_LIMIT = 500


def highlighted(value: str, matches: Iterable[Match], base_style: str = "", limit: int | None = None) -> Text:
    shown = safe(value, limit)
    text = Text(shown, style=base_style)
    end = len(shown) if limit is None or len(value) <= limit else len(shown) - 1
    for match in matches:
        if 0 <= match.start < match.end <= end:
            text.stylize(COUNTRY_STYLE if match.kind == "country" else PERSON_STYLE, match.start, match.end)
    return text


def when(value: datetime, now: datetime) -> str:
    local = value.astimezone()
    today = now.astimezone().date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%b %d")
    return local.strftime("%Y-%m-%d")
