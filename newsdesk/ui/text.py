"""Turning untrusted story text into something safe to put on a terminal.

Feed content is shown as literal text, never parsed as markup: every widget gets a rich
`Text`, built here. Control characters and bidi overrides are replaced one for one, so
match offsets still point at the right characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from rich.text import Text

from newsdesk.types import Match

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

COUNTRY_STYLE = "bold black on #e5c07b"
PERSON_STYLE = "bold black on #61afef"


def safe(value: str | None) -> str:
    """The same string with every control and direction-override character made visible."""
    return _UNSAFE.sub("\ufffd", value or "")


def plain(value: str | None, style: str = "") -> Text:
    return Text(safe(value), style=style)


def highlighted(value: str, matches: Iterable[Match], base_style: str = "") -> Text:
    text = Text(safe(value), style=base_style)
    for match in matches:
        if 0 <= match.start < match.end <= len(value):
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
