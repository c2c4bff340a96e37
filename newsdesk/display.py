"""What the UI and the command line show alike: untrusted text made safe for a terminal, and
a feed's health as a coloured word.

Feed titles, texts, authors and even servers' error messages come from strangers. Rich
never parses a `Text` as markup, but it passes escape sequences through, so every control
and direction-override character is replaced, one for one (match offsets stay right).
The set is Unicode's own, by category (is_unsafe), not a list kept by hand.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime
from functools import cache

TYPE_CHECKING = False  # as typing's (mypy reads it as true)
if TYPE_CHECKING:
    from rich.text import Text

    from newsdesk.types import FeedStatus

# The bidirectional classes of the explicit embeddings, overrides and isolates (UAX #9).
_EXPLICIT_BIDI = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
# Kept: text has lines and tabs, and the UI lays them out itself.
_LAYOUT = {"\t", "\n"}


def is_unsafe(char: str) -> bool:
    """Whether a terminal (or a reader of the text) would act on `char` rather than show it:
    a control character (Unicode category Cc, but tab and newline), a line or paragraph
    separator (Zl, Zp), or a bidirectional control (a format character, Cf, that is an
    explicit embedding, override or isolate, or an implicit direction mark: LRM, RLM, ALM)."""
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in _LAYOUT
    if category in ("Zl", "Zp"):
        return True
    if category != "Cf":
        return False
    bidi = unicodedata.bidirectional(char)
    return bidi in _EXPLICIT_BIDI or (bidi in ("L", "R", "AL") and unicodedata.name(char, "").endswith(" MARK"))


_SHORT = 1000
"""Up to this length, safe() looks at each character rather than building _unsafe(): the scan
of the Basic Multilingual Plane took about 0.007 s, the cost of one title with a no-break space
(not printable, but safe) to `newsdesk list`."""


@cache
def _unsafe() -> re.Pattern[str]:
    """Every unsafe character, found by category over the Basic Multilingual Plane (every
    character of these categories lies there; a test checks the other planes). Built on
    first use: a command that never shows a stranger's text never pays for the scan."""
    chars = [c for c in map(chr, range(0x10000)) if not c.isprintable() and is_unsafe(c)]
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def safe(value: str | None, limit: int | None = None) -> str:
    """The same string with every unsafe character (is_unsafe) replaced by U+FFFD, one for
    one (match offsets stay right)."""
    value = value or ""
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    if value.isprintable():  # the usual title: nothing to look for
        return value
    if len(value) <= _SHORT:  # a title or a name with a tab or a no-break space: each character is looked at
        return "".join("\ufffd" if not c.isprintable() and is_unsafe(c) else c for c in value)
    return _unsafe().sub("\ufffd", value)


def json_safe(text: str) -> str:
    """JSON text with every unsafe character written as its \\u escape (ESC already is, by
    json.dumps; C1 and bidi controls, U+2028 and U+2029 are not): a program that prints a
    field prints what the feed said, not what a terminal would do with it."""
    if text.replace("\n", "").isprintable():  # the usual JSON (lines, printable text): nothing to escape
        return text
    return _unsafe().sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeLogFormatter(logging.Formatter):
    """Log lines with every unsafe character replaced: feed names, URLs and servers' words go
    to a terminal through the log too."""

    def format(self, record: logging.LogRecord) -> str:
        return safe(super().format(record))


def plain(value: str | None, style: str = "", limit: int | None = None) -> Text:
    """Text from strangers (feeds, pages, servers) as a rich Text: never parsed as markup, no escapes."""
    from rich.text import Text  # here: `--json` and safe() need no rich

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
    from rich.text import Text

    return Text(word, style=style)
