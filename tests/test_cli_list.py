"""`newsdesk list`: the filters the UI's views have, on the command line and in its JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.match import Matcher, summarize
from newsdesk.types import NewStory
from tests.store_fixtures import write_stories
from tests.ui_fixtures import CONFIG, NOW, SEED_WATCHLIST, make_store


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n' + SEED_WATCHLIST, encoding="utf-8")
    db = tmp_path / "news.db"
    store = make_store(db)
    # One story of today, beside the fixture's stories of 2024.
    now = datetime.now(UTC)
    today = NewStory(key="today", title="Iran today", url=None, guid=None, author=None, published=now, fetched_at=now,
                     summary="", text="Iran spoke.", text_source="feed")
    write_stories(store, store.feeds()[0].id, [(today, summarize(Matcher(CONFIG.watchlist).find(today.title, today.text)))])
    first = store.list_stories()[-1]
    store.set_read(first.id, True)
    store.set_starred(first.id, True)
    return config, db


def _list(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], *options: str) -> list[dict[str, object]]:
    config, db = setup
    assert main(["list", "--config", str(config), "--db", str(db), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _titles(rows: list[dict[str, object]]) -> list[object]:
    return [r["title"] for r in rows]


def test_list_json_says_read_and_starred(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    rows = _list(capsys, setup)
    assert [(r["read"], r["starred"]) for r in rows][-1] == (True, True)
    assert all(r["starred"] is False for r in rows[:-1])


def test_unread_starred_feed_and_since(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    everything = _titles(_list(capsys, setup))
    starred = everything[-1]
    assert starred not in _titles(_list(capsys, setup, "--unread"))
    assert _titles(_list(capsys, setup, "--starred")) == [starred]
    assert _titles(_list(capsys, setup, "--feed", "World desk")) == everything
    assert _titles(_list(capsys, setup, "--since", "24h")) == ["Iran today"]
    assert _titles(_list(capsys, setup, "--since", "7d", "--all")) == ["Iran today"]
    since = (NOW - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert "Russia defends Iran's attack on Israel, calls for restraint" in _titles(_list(capsys, setup, "--since", since))
    assert "Lavrov meets Gulf ministers" not in _titles(_list(capsys, setup, "--since", since))


@pytest.mark.parametrize("written", ["russia", "RU", "RUS", "Russian Federation", "RUSSIA"])
def test_entity_by_any_name_or_code_in_any_case(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], written: str) -> None:
    assert _titles(_list(capsys, setup, "--entity", written)) == ["Russia defends Iran's attack on Israel, calls for restraint"]


@pytest.mark.parametrize("written", ["Putin", "putin", "vladimir putin", "Lavrov", "sergei  LAVROV"])
def test_entity_by_a_persons_name_alias_or_surname(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path], written: str) -> None:
    assert len(_list(capsys, setup, "--entity", written)) >= 1


def test_an_unknown_entity_or_feed_says_so_with_the_nearest(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    config, db = setup
    assert main(["list", "--config", str(config), "--db", str(db), "--entity", "Rusia"]) == 1
    err = capsys.readouterr().err
    assert "no watchlist entry is called 'Rusia'" in err and "Russia" in err
    assert main(["list", "--config", str(config), "--db", str(db), "--entity", "Putn"]) == 1
    assert "Vladimir Putin" in capsys.readouterr().err
    assert main(["list", "--config", str(config), "--db", str(db), "--feed", "World dsk"]) == 1
    err = capsys.readouterr().err
    assert "no feed named 'World dsk'" in err and "'World desk'" in err
    with pytest.raises(SystemExit):
        main(["list", "--config", str(config), "--db", str(db), "--since", "last tuesday"])
    assert "nor a time ago like 7d" in capsys.readouterr().err


def test_the_table_marks_starred_stories(capsys: pytest.CaptureFixture[str], setup: tuple[Path, Path]) -> None:
    config, db = setup
    assert main(["list", "--config", str(config), "--db", str(db), "--starred"]) == 0
    assert "★" in capsys.readouterr().out
