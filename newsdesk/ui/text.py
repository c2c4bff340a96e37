"""Story text as rich `Text` for the widgets: literal, never parsed as markup, made safe by
newsdesk.display.safe (control and bidi characters replaced one for one), with highlights
for the watchlist's matches and for the words of a search."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.text import Text

from newsdesk.display import safe
from newsdesk.types import EntityHit, Match, MatchWhere, SearchTerm, StoryDetail

COUNTRY_STYLE = "bold black on #e5c07b"
PERSON_STYLE = "bold black on #61afef"
SEARCH_STYLE = "bold black on #98c379"

# A feed can send a title of any length; it is stored whole and clipped only for display.
TITLE_LIMIT = 500

_PLACES: tuple[tuple[MatchWhere, str], ...] = (("text", "in the text"), ("title", "in the title"), ("summary", "in the summary"))


def highlighted(
    value: str,
    matches: Iterable[Match],
    base_style: str = "",
    limit: int | None = None,
    search: Sequence[SearchTerm] = (),
) -> Text:
    """`value` with each match in its entry's colour and each search word in the search's."""
    shown = safe(value, limit)
    text = Text(shown, style=base_style)
    end = len(shown) if limit is None or len(value) <= limit else len(shown) - 1
    for start, stop in search_spans(shown[:end], search):
        text.stylize(SEARCH_STYLE, start, stop)
    for match in matches:
        if 0 <= match.start < match.end <= end:
            text.stylize(COUNTRY_STYLE if match.kind == "country" else PERSON_STYLE, match.start, match.end)
    return text


def search_spans(value: str, terms: Sequence[SearchTerm]) -> list[tuple[int, int]]:
    """Where a search's words are in `value`, found as the full-text index finds them: whole
    words, any case, accents ignored, `word*` a prefix, a phrase its words in a row."""
    if not terms or not value:
        return []
    folded, origin = _fold(value)
    spans = []
    for term in terms:
        words = re.findall(r"\w+", _fold(term.text)[0])
        if not words:
            continue
        pattern = r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + (r"\w*" if term.prefix else r"(?!\w)")
        for found in re.finditer(pattern, folded):
            spans.append((origin[found.start()], origin[found.end() - 1] + 1))
    return spans


def _fold(value: str) -> tuple[str, list[int]]:
    """`value` case- and accent-folded, and for each folded character the index it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(value):
        for piece in unicodedata.normalize("NFKD", char).casefold():
            if not unicodedata.combining(piece):
                chars.append(piece)
                origin.append(index)
    return "".join(chars), origin


def mention_counts(hit: EntityHit, story: StoryDetail) -> dict[MatchWhere, int]:
    """How often the story mentions an entry, per place, each mention once.

    A feed's summary is usually the opening of the text (for a story whose text came from the
    feed, it often is the text): its mentions are then the text's, not more of them.
    """
    repeats = _squash(story.summary) and _squash(story.summary) in _squash(story.text)
    counts: dict[MatchWhere, int] = {}
    for where, _ in _PLACES:
        if where == "summary" and repeats:
            continue
        n = sum(1 for m in hit.occurrences if m.where == where)
        if n:
            counts[where] = n
    return counts


def mentions_in_words(counts: dict[MatchWhere, int]) -> str:
    """"3 in the text, 1 in the title"."""
    return ", ".join(f"{counts[where]} {words}" for where, words in _PLACES if where in counts)


def _squash(value: str) -> str:
    return " ".join(value.split()).casefold()


def when(value: datetime, now: datetime) -> str:
    """A time in at most 6 cells: 14:05 today, Apr 12 this year, 2023 before."""
    local = value.astimezone()
    today = now.astimezone().date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%b %d")
    return local.strftime("%Y")
