"""The story an entry makes from its feed's own text (no article page): its title and text,
chosen here once for the refresh that composes the story and for the parse worker that
sketches it beforehand.

The parse worker sketches each entry (newsdesk.cluster) while it holds it: hashing the words
is CPU work that would otherwise fall to the process that stores the stories, on the one core
the event loop and the writes share. This module stays light (no database, no extraction):
parse workers import it at start-up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from newsdesk.cluster import Sketch
from newsdesk.store import pack_text
from newsdesk.types import Entry, FeedResult

_TITLE_FROM_TEXT = 80
_UNDATED = datetime(1970, 1, 1, tzinfo=UTC)
"""An undated entry's sketch's time until the refresh times it by its story (`Sketch.at`)."""


def feed_text(entry: Entry) -> str:
    """The entry's text as the feed gives it: its own full text, else its summary."""
    return entry.content or entry.summary


def story_title(entry: Entry, page_title: str | None, text: str) -> str:
    """The story's title: the feed's, else the article page's, else the start of its text."""
    return entry.title or page_title or _title_from(text) or "(untitled)"


def _title_from(text: str) -> str:
    """A title for an entry that has none: the start of its text, cut at a word."""
    words = " ".join(text.split())
    if len(words) <= _TITLE_FROM_TEXT:
        return words
    return words[:_TITLE_FROM_TEXT].rsplit(" ", 1)[0] + "…"


def sketched(result: FeedResult) -> FeedResult:
    """The feed's entries, each with the sketch of the story its feed text makes, made
    together (numpy's work per call outweighs one story's hashing), and that text packed as
    SQLite stores it."""
    if not result.entries:
        return result
    texts = [feed_text(e) for e in result.entries]
    drawn = Sketch.many([
        (story_title(e, None, text), text, e.summary, e.published or _UNDATED)
        for e, text in zip(result.entries, texts, strict=True)
    ])
    return replace(result, entries=[
        replace(e, sketch=s, packed_text=pack_text(text)) for e, s, text in zip(result.entries, drawn, texts, strict=True)
    ])
