"""The watchlist's matches for other programs (`newsdesk export matches`): one row per match,
as CSV, JSON or a Markdown table. Pure: the store's mentions in, bytes out.

CSV is what a spreadsheet opens: UTF-8 with a byte-order mark (without it Excel reads the
file in the system's code page and "Türkiye" arrives mangled), a header row, RFC 4180
quoting (every field with a comma, quote or line break quoted, lines ended by CRLF). Titles
come from strangers: a cell a spreadsheet would run as a formula (starting with = + - @ or a
tab or carriage return) is written with a leading apostrophe, as spreadsheets themselves mark
text, and characters a terminal acts on are replaced (display.safe) in CSV and Markdown;
JSON escapes them instead (display.json_safe).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Literal
from urllib.parse import quote

from newsdesk.display import json_safe, safe
from newsdesk.match import snippet
from newsdesk.types import MatchRow, Mention

ExportFormat = Literal["csv", "json", "md"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "json", "md")

COLUMNS = ("entity", "kind", "title", "feed", "published", "url", "form", "where", "snippet")
"""The columns, in order: what the issue asked for; JSON adds the story's id and cluster."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def match_rows(mentions: Iterable[Mention]) -> list[MatchRow]:
    """One row per occurrence of an entry in a story, in the mentions' order and the
    occurrences' order within a story; each occurrence's snippet cut from its own field
    (the stored snippet is the first one's)."""
    rows = []
    for m in mentions:
        fields = {"title": m.title, "summary": m.summary, "text": m.text}
        occurrences = m.hit.occurrences
        for o in occurrences:
            value = fields[o.where]
            cut = snippet(value, o.start, o.end) if 0 <= o.start < o.end <= len(value) else m.hit.snippet
            rows.append(MatchRow(
                entity=m.hit.entity, kind=m.hit.kind, story_id=m.story_id, cluster=m.cluster, title=m.title,
                feed=m.feed, published=m.published, time=m.time, url=m.url, form=o.form, where=o.where, snippet=cut,
            ))
        if not occurrences:  # a match stored before occurrences were: the story's one row
            rows.append(MatchRow(
                entity=m.hit.entity, kind=m.hit.kind, story_id=m.story_id, cluster=m.cluster, title=m.title,
                feed=m.feed, published=m.published, time=m.time, url=m.url, form="", where="", snippet=m.hit.snippet,
            ))
    return rows


def _values(row: MatchRow) -> list[str]:
    return [
        row.entity, row.kind, row.title, row.feed, row.published.isoformat() if row.published else "",
        row.url or "", row.form, row.where, row.snippet,
    ]


def _cell(value: str) -> str:
    value = safe(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(rows: Sequence[MatchRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")  # the csv module's default dialect quotes as RFC 4180 does
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(v) for v in _values(row)])
    return out.getvalue().encode("utf-8-sig")


def to_json(rows: Sequence[MatchRow]) -> bytes:
    data = [
        {**dict(zip(COLUMNS, _values(row), strict=True)), "published": row.published.isoformat() if row.published else None,
         "url": row.url, "story": row.story_id, "cluster": row.cluster}
        for row in rows
    ]
    return (json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n").encode()


def markdown(value: str) -> str:
    """A stranger's text as Markdown shows it, on one line: the characters Markdown acts on
    within a line escaped (a headline cannot make a link, emphasis, HTML or a table cell; it
    never starts a line, so # and - need nothing), terminal controls replaced."""
    value = " ".join(safe(value).split())
    for char in "\\`*_[]<>|~":
        value = value.replace(char, "\\" + char)
    return value


def markdown_link(text: str, url: str | None) -> str:
    """`text` linked to `url` when it is an http or https address (a feed's javascript: or
    data: link is no link), else the text alone."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return markdown(text)
    address = "".join(c if c.isprintable() and not c.isspace() and c not in "<>" else quote(c) for c in safe(url))
    return f"[{markdown(text)}](<{address}>)"


def to_markdown(rows: Sequence[MatchRow]) -> bytes:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(markdown(v) for v in _values(row)) + " |" for row in rows]
    return ("\n".join(lines) + "\n").encode()


def render(rows: Sequence[MatchRow], form: ExportFormat) -> bytes:
    """The rows in one of FORMATS."""
    if form == "csv":
        return to_csv(rows)
    if form == "json":
        return to_json(rows)
    return to_markdown(rows)
