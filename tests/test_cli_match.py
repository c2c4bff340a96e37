"""`newsdesk match` and `newsdesk watchlist check`: testing a watchlist before trusting it."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest

from newsdesk.cli import main

DATA = Path(__file__).parent / "data"
SEED_PAGE = DATA / "pages" / "russia-defends-iran-attack.html"

WATCHLIST = """
[watchlist]
countries = ["Russia", "Iran", "Israel"]

[[watchlist.people]]
name = "Vladimir Putin"

[[watchlist.people]]
name = "Sergei Lavrov"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return path


def _json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def test_match_json_gives_every_occurrence_with_form_place_and_snippet(config: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    story = tmp_path / "a.txt"
    story.write_text("Putin warns the West\nVladimir Putin said Russians would vote.\n", encoding="utf-8")
    assert main(["match", "--json", "--config", str(config), str(story)]) == 0
    (line,) = _json_lines(capsys.readouterr().out)
    assert line["source"] == str(story)
    assert line["matches"] == [
        {"entity": "Vladimir Putin", "kind": "person", "code": None, "form": "Putin", "where": "title",
         "start": 0, "end": 5, "snippet": "Putin warns the West"},
        {"entity": "Vladimir Putin", "kind": "person", "code": None, "form": "Vladimir Putin", "where": "text",
         "start": 0, "end": 14, "snippet": "Vladimir Putin said Russians would vote."},
        {"entity": "Russia", "kind": "country", "code": "RU", "form": "Russians", "where": "text",
         "start": 20, "end": 28, "snippet": "Vladimir Putin said Russians would vote."},
    ]


def test_match_extracts_html_pages_and_gzip_and_reads_stdin(config: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    packed = tmp_path / "seed.html.gz"
    packed.write_bytes(gzip.compress(SEED_PAGE.read_bytes()))
    monkeypatch.setattr("sys.stdin", io.StringIO("Lavrov speaks\nSergei Lavrov spoke.\n"))
    assert main(["match", "--json", "--config", str(config), str(SEED_PAGE), str(packed), "-"]) == 0
    page, gz, stdin = _json_lines(capsys.readouterr().out)
    entities = {m["entity"] for m in page["matches"]}  # type: ignore[union-attr]
    assert entities == {"Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov"}
    assert gz["matches"] == page["matches"]
    assert [m["form"] for m in stdin["matches"]] == ["Lavrov", "Sergei Lavrov"]  # type: ignore[index]


def test_match_fetches_a_url(config: Path, http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    http_server.add("/story.html", SEED_PAGE.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})
    assert main(["match", "--json", "--config", str(config), http_server.url("/story.html")]) == 0
    (line,) = _json_lines(capsys.readouterr().out)
    assert {m["entity"] for m in line["matches"]} >= {"Russia", "Sergei Lavrov"}  # type: ignore[union-attr]


def test_match_reports_each_bad_source_and_goes_on(config: Path, tmp_path: Path, http_server, capsys) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.txt"
    good.write_text("Title\nIsrael voted.\n", encoding="utf-8")
    missing = http_server.url("/gone.html")
    assert main(["match", "--config", str(config), str(tmp_path / "nope.txt"), missing, str(good)]) == 1
    captured = capsys.readouterr()
    assert f"{tmp_path / 'nope.txt'}: no such file" in captured.err
    assert f"{missing}: HTTP 404" in captured.err
    assert "good.txt: Israel 1" in captured.out
    assert "'Israel' text 0-6" in captured.out


def test_match_many_pages_in_one_call(config: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pages = []
    for i in range(12):  # enough to go through the process pool
        page = tmp_path / f"p{i}.html"
        shutil.copy(SEED_PAGE, page)
        pages.append(str(page))
    assert main(["match", "--json", "--config", str(config), *pages]) == 0
    lines = _json_lines(capsys.readouterr().out)
    assert [line["source"] for line in lines] == pages
    assert all(len(line["matches"]) == len(lines[0]["matches"]) > 20 for line in lines)  # type: ignore[arg-type]


def test_options_work_before_and_after_the_command(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "mine.toml"
    config.write_text('[watchlist]\ncountries = ["Chad"]\n', encoding="utf-8")
    for argv in (["--config", str(config), "watchlist", "check"], ["watchlist", "check", "--config", str(config)]):
        assert main(argv) == 0
        assert "1 countries, 0 people; no problems found" in capsys.readouterr().out


def test_watchlist_check_names_the_line_of_each_problem(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "feeds.toml"
    config.write_text(
        """[watchlist]
countries = ["Russia", { name = "Iran", aliases = ["Iranian", "Bear"] }, "RU"]

[[watchlist.people]]
name = "Boris Johnson"

[[watchlist.people]]
name = "Mike Johnson"
aliases = ["Speaker"]

[[watchlist.people]]
name = "Theresa May"
surname_alone = true

[[watchlist.people]]
name = "Michael Jordan"
aliases = ["MJ"]

[[watchlist.people]]
name = "Michael  jordan"
""",
        encoding="utf-8",
    )
    assert main(["watchlist", "check", "--config", str(config)]) == 1
    out = capsys.readouterr().out.replace(str(config), "feeds.toml")
    assert out.splitlines() == [
        "feeds.toml:2: Iran: alias 'Iranian' is already a form of Iran: it can go",
        "feeds.toml:2: Iran: alias 'Bear' is an everyday English word: it counts wherever it is capitalised (headlines, sentence starts)",
        "feeds.toml:2: Russia: listed again (first on line 2); only the first entry counts",
        "feeds.toml:8: Mike Johnson: alias 'Speaker' is an everyday English word: it counts wherever it is capitalised "
        "(headlines, sentence starts)",
        "feeds.toml:8: Mike Johnson: shares the surname 'Johnson' with Boris Johnson: alone, it counts for whichever was named "
        "earlier in a story, and for neither when both were",
        "feeds.toml:12: Theresa May: surname_alone: 'May' is also an everyday word; alone it still counts only after a title (\"Mrs May\")",
        "feeds.toml:16: Michael Jordan: surname 'Jordan' is also a country's name: alone it counts as the country unless "
        "Michael Jordan was named first",
        "feeds.toml:20: Michael  jordan: listed again (first on line 16); only the first entry counts",
    ]


def test_watchlist_check_refuses_a_name_that_is_no_country(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "feeds.toml"
    config.write_text('[watchlist]\ncountries = ["Russia", "Rusia"]\n', encoding="utf-8")
    assert main(["watchlist", "check", "--config", str(config)]) == 2
    assert (
        "feeds.toml:2: watchlist.countries[2]: 'Rusia' is not a country name or ISO 3166 code (did you mean 'Russia'?)"
        in capsys.readouterr().err
    )
