"""`newsdesk trends`, `newsdesk export matches` and `newsdesk digest` on a real database filled
as a refresh fills it: counts of events (not copies) per day or week, spikes flagged, one row
per match for a spreadsheet, and a Markdown digest by entry."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import string
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import FeedConfig
from newsdesk.match import Matcher, summarize
from newsdesk.store import Store
from newsdesk.types import NewStory
from tests.store_fixtures import write_stories
from tests.ui_fixtures import CONFIG, SEED_WATCHLIST

NOW = datetime.now(UTC)
TODAY = NOW.date()
_words = random.Random(14)


def _nonsense(n: int) -> str:
    """Words of no language, so no two stories' headlines make one event by chance."""
    return " ".join("".join(_words.choice(string.ascii_lowercase) for _ in range(8)) for _ in range(n))


def _story(key: str, title: str, when: datetime, text: str = "") -> NewStory:
    return NewStory(key=key, title=title, url=f"https://news.example/{key}", guid=key, author=None, published=when,
                    fetched_at=NOW, summary="", text=text or _nonsense(12), text_source="feed")


def _today(n: int, of: int) -> datetime:
    """The n-th of `of` moments spread over today (UTC) so far: today's, whatever the hour."""
    start = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    return start + (NOW - start) * (n + 1) / (of + 2)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    """Two feeds. Iran: one event a day for the 14 days before today, then five events today
    (a spike), one of them reported by both feeds. Russia: one event four days ago, named twice
    in one story. Israel: one event today (no spike: under the minimum count)."""
    config = tmp_path / "feeds.toml"
    config.write_text(
        '[[feeds]]\nname = "Wire"\nurl = "http://127.0.0.1:9/wire.xml"\n'
        '[[feeds]]\nname = "Paper"\nurl = "http://127.0.0.1:9/paper.xml"\n' + SEED_WATCHLIST,
        encoding="utf-8",
    )
    db = tmp_path / "news.db"
    with Store(db) as store:
        store.sync_feeds([FeedConfig("Wire", "http://127.0.0.1:9/wire.xml"), FeedConfig("Paper", "http://127.0.0.1:9/paper.xml")])
        ids = {f.name: f.id for f in store.feeds()}
        matcher = Matcher(CONFIG.watchlist)

        def add(feed: str, story: NewStory) -> None:
            write_stories(store, ids[feed], [(story, summarize(matcher.find(story.title, story.text)))])

        for day in range(1, 15):
            noon = datetime.combine(TODAY - timedelta(days=day), datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
            add("Wire", _story(f"iran-{day}", f"Iran {_nonsense(4)}", noon))
        for n in range(5):
            add("Wire", _story(f"iran-today-{n}", f"Iran {_nonsense(4)}", _today(n, 6)))
        copy = "Iran earthquake: thousands homeless in Tabriz after night of tremors"
        add("Paper", _story("iran-copy", copy, _today(5, 6)))
        add("Wire", _story("iran-copy-w", copy, _today(4, 6) + timedelta(seconds=1)))
        four = datetime.combine(TODAY - timedelta(days=4), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        add("Paper", _story("russia", '=Russia, "the Kremlin" and Russia again', four,
                            text="Talks went on. Later, in Moscow, Russia said no to the plan, officials said."))
        add("Wire", _story("israel", f"Israel {_nonsense(4)}", _today(0, 6)))
    return config, db


def _run(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], *argv: str) -> str:
    config, db = setup
    assert main([*argv, "--config", str(config), "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_trends_json_counts_events_per_day_and_flags_todays_spike(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    rows = json.loads(_run(capsys, setup, "trends", "--json"))
    assert [r["entity"] for r in rows][0] == "Iran", "the entry with a spike today comes first"
    iran = rows[0]
    assert iran["kind"] == "country"
    assert [p["start"] for p in iran["periods"]] == [(TODAY - timedelta(days=13 - n)).isoformat() for n in range(14)]
    assert [p["count"] for p in iran["periods"]] == [1] * 13 + [6], "the copy from a second feed is the same event"
    assert iran["total"] == 19
    assert iran["periods"][-1]["spike"] == {"day": TODAY.isoformat(), "count": 6, "baseline": 1.0, "ratio": 6.0}
    assert all(p["spike"] is None for p in iran["periods"][:-1])
    by_name = {r["entity"]: r for r in rows}
    assert by_name["Israel"]["periods"][-1] == {"start": TODAY.isoformat(), "end": TODAY.isoformat(), "count": 1, "spike": None}
    assert by_name["Russia"]["total"] == 1


def test_trends_by_week_and_for_one_entry_by_any_of_its_names(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    (iran,) = json.loads(_run(capsys, setup, "trends", "--entity", "IR", "--by", "week", "--days", "21", "--json"))
    weeks = iran["periods"]
    assert weeks[-1]["end"] == TODAY.isoformat() and date.fromisoformat(weeks[-1]["start"]).weekday() == 0
    assert sum(w["count"] for w in weeks) == 14 + 6 and weeks[-1]["spike"]["day"] == TODAY.isoformat()
    (nobody,) = json.loads(_run(capsys, setup, "trends", "--entity", "putin", "--json"))
    assert (nobody["entity"], nobody["kind"], nobody["total"]) == ("Vladimir Putin", "person", 0)
    text = _run(capsys, setup, "trends", "--entity", "iran")
    assert re.search(rf"^{TODAY.isoformat()}\s+6\s+▲ 6× usual$", text, re.M)
    assert text.count("▲") == 1


def test_trends_table_shows_every_entry_with_its_spike(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    lines = _run(capsys, setup, "trends").splitlines()
    iran = next(line for line in lines if line.startswith("Iran"))
    assert "19" in iran and iran.rstrip().endswith(f"▲ 6× usual on {TODAY:%m-%d}")
    assert lines.index(iran) < min(i for i, line in enumerate(lines) if line.startswith(("Israel", "Russia")))


def test_an_unknown_entry_is_named_with_the_nearest(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    config, db = setup
    assert main(["trends", "--entity", "Irann", "--config", str(config), "--db", str(db)]) == 1
    assert "no watchlist entry is called 'Irann'" in (err := capsys.readouterr().err) and "the nearest: Iran" in err


def test_export_matches_csv_opens_in_a_spreadsheet(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"
    _run(capsys, setup, "export", "matches", "--entity", "russia", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["entity", "kind", "title", "feed", "published", "url", "form", "where", "snippet"]
    body = rows[1:]
    assert [(r[0], r[6], r[7]) for r in body] == [
        ("Russia", "Russia", "title"), ("Russia", "Russia", "title"), ("Russia", "Russia", "text"),
    ]
    first = body[0]
    assert first[2] == "'=Russia, \"the Kremlin\" and Russia again", "a headline is never a formula"
    assert first[3] == "Paper" and first[5] == "https://news.example/russia"
    assert datetime.fromisoformat(first[4]).date() == TODAY - timedelta(days=4)
    assert "Moscow, Russia said no" in body[2][8]


def test_export_matches_json_and_markdown_and_the_window(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    rows = json.loads(_run(capsys, setup, "export", "matches", "--format", "json"))
    assert len(rows) == 14 + 5 + 2 + 3 + 1
    assert {r["entity"] for r in rows} == {"Iran", "Russia", "Israel"}
    assert rows[0]["published"] >= rows[-1]["published"], "newest first"
    copies = [r for r in rows if r["title"].startswith("Iran earthquake")]
    assert len(copies) == 2 and copies[0]["cluster"] == copies[1]["cluster"] and copies[0]["story"] != copies[1]["story"]
    day = (TODAY - timedelta(days=4)).isoformat()
    window = json.loads(_run(capsys, setup, "export", "matches", "--format", "json", "--since", day, "--until", day))
    assert sorted({r["entity"] for r in window}) == ["Iran", "Russia"]
    assert all(r["published"].startswith(day) for r in window)
    table = _run(capsys, setup, "export", "matches", "--format", "md", "--entity", "Russia").splitlines()
    assert table[0] == "| entity | kind | title | feed | published | url | form | where | snippet |"
    assert len(table) == 2 + 3 and table[2].startswith("| Russia | country | =Russia, \"the Kremlin\" and Russia again | Paper |")


def test_digest_groups_events_by_entry_with_their_sources_spike_on_top(
    capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "digest.md"
    _run(capsys, setup, "digest", "--since", f"{TODAY.isoformat()}T00:00:00+00:00", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    sections = text.split("\n## ")
    assert sections[0].startswith("# newsdesk digest")
    assert sections[1].startswith("Iran (country, 6 events) ▲ 6× usual")
    lines = [line for line in sections[1].splitlines() if line.startswith("- ")]
    assert len(lines) == 6
    (quake,) = [line for line in lines if "earthquake" in line]
    assert quake.endswith("— [Wire](<https://news.example/iran-copy-w>) · [Paper](<https://news.example/iran-copy>)")
    stamps = [line[2:18] for line in lines]
    assert stamps == sorted(stamps, reverse=True), "newest first"
    assert sections[2].startswith("Israel (country, 1 event)\n")
    assert "Russia" not in text, "four days ago is before the digest's start"
    assert "Russia" not in _run(capsys, setup, "digest"), "nor in the last 24 hours"
    week = _run(capsys, setup, "digest", "--since", "7d")
    assert "## Russia (country, 1 event)\n\n- " in week
    assert ' =Russia, "the Kremlin" and Russia again — [Paper](<https://news.example/russia>)\n' in week
