"""What the screens look like (SVG snapshots in tests/__snapshots__; `--snapshot-update` to accept a change)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.ui import NewsdeskApp
from tests.ui_fixtures import CONFIG, NOW, make_store, settle


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()



def test_story_list(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = NewsdeskApp(make_store(tmp_path / "news.db"), CONFIG, clock=lambda: NOW)
    assert snap_compare(app, terminal_size=(120, 30), run_before=settle)


def test_reader(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = NewsdeskApp(make_store(tmp_path / "news.db"), CONFIG, clock=lambda: NOW)

    async def open_first(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=open_first)


def test_help(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = NewsdeskApp(make_store(tmp_path / "news.db"), CONFIG, clock=lambda: NOW)

    async def help_(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 34), run_before=help_)
