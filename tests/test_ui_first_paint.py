"""The UI's first screen reads a SQLite file through sqlite3 (as `newsdesk list` does) and opens
its Store, whose SQLAlchemy takes half a second to import, once the first rows are shown.
What a person does before the Store is open (open a story, which marks it read; star it) is
stored all the same: checked on a real file, through the real app (Textual's Pilot), in this
process and in a fresh one, where the Store's imports take as long as they do for a person."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from newsdesk.store import SqliteReader, Store, open_reader
from newsdesk.types import StoryQuery
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.screens import ReaderScreen, StoryListScreen
from tests.ui_fixtures import CONFIG, NOW, first_rows_in_a_fresh_process, make_store, settle, until

_SEED = "Russia defends Iran's attack on Israel, calls for restraint"
_LAVROV = "Lavrov meets Gulf ministers"


def _titles(app: NewsdeskApp) -> list[str]:
    screen = app.screen
    return [s.title for s in screen.stories.rows] if isinstance(screen, StoryListScreen) else []


def _rows(app: NewsdeskApp) -> dict[str, bool]:
    """Whether each row of the list shows its story read."""
    screen = app.screen
    return {s.title: s.read for s in screen.stories.rows} if isinstance(screen, StoryListScreen) else {}


def _marks(path: Path) -> dict[str, tuple[bool, bool]]:
    """Each story's read and starred marks, as stored in the file."""
    with Store(path) as store:
        return {s.title: (s.read, s.starred) for s in store.stories(StoryQuery(matched_only=False))}


async def test_the_first_rows_are_read_from_the_file_and_marks_made_meanwhile_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    make_store(path).close()
    reader = open_reader(path)
    assert isinstance(reader, SqliteReader)
    app = NewsdeskApp(reader, CONFIG, clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: bool(_titles(app)))
            assert _titles(app)[:2] == [_SEED, _LAVROV]
            await pilot.press("enter")  # opens the story, which marks it read
            await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.story is not None)
            await pilot.press("s", "escape", "j", "s")  # stars it, back to the list, stars the next one
            await settle(pilot)
            await until(pilot, lambda: app.screen.sub_title.endswith("3 stories, 2 unread"))
            assert app.database.opened is not None and app.database.reads is app.database.opened
    finally:
        app.database.close()
        reader.close()
    marks = _marks(path)
    assert marks[_SEED] == (True, True)
    assert marks[_LAVROV] == (False, True)


async def test_a_read_mark_stored_after_its_reader_closed_shows_in_the_list(tmp_path: Path) -> None:
    """The mark may be stored after the reader is gone (the Store was still opening, or another
    process held the write lock): the list, read again meanwhile, shows it when it lands."""
    path = tmp_path / "news.db"
    make_store(path).close()
    reader = open_reader(path)
    app = NewsdeskApp(reader, CONFIG, clock=lambda: NOW)
    other = sqlite3.connect(path, isolation_level=None)  # another process, writing

    async def wait(condition: Callable[[], bool]) -> None:
        # (not `until`: it waits for every worker, and the mark's waits for the lock)
        for _ in range(800):
            if condition():
                return
            await pilot.pause(0.05)
        raise AssertionError("timed out")

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: bool(_titles(app)) and app.database.opened is not None)
            other.execute("BEGIN IMMEDIATE")
            await pilot.press("enter")
            await wait(lambda: isinstance(app.screen, ReaderScreen) and app.screen.story is not None)
            await pilot.press("escape")
            await wait(lambda: isinstance(app.screen, StoryListScreen) and app.screen.sub_title.endswith("3 unread"))
            assert _rows(app)[_SEED] is False  # the list read again: the mark waits for the lock
            other.execute("COMMIT")
            await wait(lambda: _rows(app)[_SEED] is True)
    finally:
        other.close()
        app.database.close()
        reader.close()
    assert _marks(path)[_SEED] == (True, False)


def test_a_story_opened_before_the_store_is_open_is_shown_and_stored_read(tmp_path: Path) -> None:
    said = first_rows_in_a_fresh_process(tmp_path, "enter")
    assert said["open"] == [False]  # Enter came before the Store was open
    assert (said["screen"], said["shown"]) == ("ReaderScreen", {_SEED: [True, False]})
    assert _marks(tmp_path / "news.db")[_SEED] == (True, False)


def test_a_star_given_before_the_store_is_open_is_stored(tmp_path: Path) -> None:
    """`s` on the first row at once, then `j` and Enter on the second: the star waits for the
    Store on its worker, and is stored with the read mark that came after it."""
    said = first_rows_in_a_fresh_process(tmp_path, "s", "j", "enter")
    assert said["open"][0] is False  # `s` came before the Store was open
    marks = _marks(tmp_path / "news.db")
    assert marks[_SEED] == (False, True)
    assert marks[_LAVROV] == (True, False)
