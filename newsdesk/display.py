"""What the UI and the command line show alike: untrusted text made safe for a terminal, and
a feed's health as a coloured word.

Feed titles, texts, authors and even servers' error messages come from strangers. Rich
never parses a `Text` as markup, but it passes escape sequences through, so every control
and direction-override character is replaced, one for one (match offsets stay right).
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text

from newsdesk.types import FeedStatus

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(value: str | None, limit: int | None = None) -> str:
    """The same string with every control and direction-override character made visible."""
    value = value or ""
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    return _UNSAFE.sub("\ufffd", value)


def plain(value: str | None, style: str = "", limit: int | None = None) -> Text:
    """Text from strangers (feeds, pages, servers) as a rich Text: never parsed as markup, no escapes."""
    return Text(safe(value, limit), style=style)


def health(feed: FeedStatus, now: datetime) -> Text:
    """A feed's health word (FeedStatus.health), red when failing, as `status` and the feeds screen show it."""
    word = feed.health(now)
    if word == "gone":
        style = "bold red"
    elif feed.failures:
        style = "red"
    elif word == "moved":
        style = "yellow"
    elif word == "never fetched":
        style = "dim"
    else:
        style = "green"
    return Text(word, style=style)
