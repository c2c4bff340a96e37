"""Exports and the digest of a stranger's headline (newsdesk.exports, newsdesk.digest): what a
feed writes stays text in a spreadsheet, a Markdown page and a terminal."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from newsdesk.digest import digest
from newsdesk.exports import markdown_link, match_rows, render
from newsdesk.types import EntityHit, Match, Mention

NOW = datetime(2024, 4, 14, 12, tzinfo=UTC)
TITLE = "@SUM(A1) Iran | [click](javascript:alert(1)) *now*\x1b[31m\nline two"


def _mention(url: str | None) -> Mention:
    text = "Earlier that day, officials in Tehran said Iran would answer. " * 3
    start = text.index("Iran", 80)
    occurrences = (
        Match("Iran", "country", "IR", "Iran", "title", 9, 13, ""),
        Match("Iran", "country", "IR", "Iran", "text", start, start + 4, ""),
    )
    return Mention(story_id=7, cluster=5, title=TITLE, feed="Wire|1", url=url, published=None, time=NOW,
                   hit=EntityHit("Iran", "country", "IR", 2, "stored snippet", occurrences), text=text)


def test_a_headline_is_text_in_every_format() -> None:
    rows = match_rows([_mention("javascript:alert(1)")])
    assert [r.where for r in rows] == ["title", "text"]
    assert rows[1].snippet.startswith("…") and "Iran would answer" in rows[1].snippet
    cells = list(csv.reader(io.StringIO(render(rows, "csv").decode("utf-8-sig"), newline="")))
    assert cells[1][2] == "'@SUM(A1) Iran | [click](javascript:alert(1)) *now*\ufffd[31m\nline two"
    assert cells[1][4] == "" and cells[1][5] == "javascript:alert(1)"
    data = render(rows, "json").decode()
    assert "\x1b" not in data and json.loads(data)[0]["title"] == TITLE
    table = render(rows, "md").decode().splitlines()
    assert len(table) == 4
    escaped = "@SUM(A1) Iran \\| \\[click\\](javascript:alert(1)) \\*now\\*\ufffd\\[31m line two"
    assert table[2].startswith(f"| Iran | country | {escaped} | Wire\\|1 |")


def test_only_web_addresses_become_links() -> None:
    assert markdown_link("a [b]", "https://x.example/a b>") == "[a \\[b\\]](<https://x.example/a%20b%3E>)"
    assert markdown_link("a", "javascript:alert(1)") == "a"
    assert markdown_link("a", None) == "a"
    page = digest([_mention("javascript:alert(1)")], NOW - timedelta(days=1), NOW)
    escaped = "@SUM(A1) Iran \\| \\[click\\](javascript:alert(1)) \\*now\\*\ufffd\\[31m line two"
    assert page.splitlines()[-1] == f"- 2024-04-14 12:00 {escaped} — Wire\\|1", "no link, no escape sequence"
