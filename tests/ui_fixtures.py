"""A small real database for UI tests: a feed, stories with matches, fixed dates."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.worker import WorkerCancelled

from newsdesk.config import FeedConfig, parse_config
from newsdesk.match import Matcher, summarize, watchlist_fingerprint
from newsdesk.store import Store
from newsdesk.types import NewStory
from tests.store_fixtures import write_stories

NOW = datetime(2024, 4, 14, 12, 0, tzinfo=UTC)

# The reference story's watchlist (the example), shared by the pipeline tests.
SEED_WATCHLIST = """
[watchlist]
countries = ["Russia", "Iran", "Israel"]

[[watchlist.people]]
name = "Vladimir Putin"
aliases = ["Putin"]

[[watchlist.people]]
name = "Sergei Lavrov"
"""

CONFIG = parse_config('[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n' + SEED_WATCHLIST)
SEED = (Path(__file__).parent / "data" / "pages" / "russia-defends-iran-attack.txt").read_text()

STORIES = [
    ("seed", "Russia defends Iran's attack on Israel, calls for restraint", SEED, 1),
    ("lavrov", "Lavrov meets Gulf ministers", "Sergei Lavrov met ministers in Riyadh. Mr Lavrov said little.", 3),
    ("weather", "Storms expected across the north", "Heavy rain and wind are forecast for the weekend.", 2),
    ("hostile", "[bold]x[/bold] [@click=app.quit]Iran[/] \x1b[31mred\x1b[0m", "Iran said [link=file:///etc/passwd]nothing[/link].", 5),
]


def make_store(path: Path) -> Store:
    store = Store(path)
    store.sync_feeds([FeedConfig("World desk", "http://127.0.0.1:9/feed.xml")])
    feed_id = store.feeds()[0].id
    matcher = Matcher(CONFIG.watchlist)
    for key, title, text, hours_ago in STORIES:
        add_story(store, feed_id, matcher, key, title, text, NOW - timedelta(hours=hours_ago))
    # Tagged by this watchlist already: the app starts without re-tagging.
    store.set_watchlist_fingerprint(watchlist_fingerprint(CONFIG.watchlist))
    return store


def add_story(store: Store, feed_id: int, matcher: Matcher, key: str, title: str, text: str, when: datetime) -> int | None:
    story = NewStory(
        key=key, title=title, url=f"https://news.example/{key}", guid=key, author="Staff writer",
        published=when, fetched_at=NOW, summary="", text=text, text_source="page",
    )
    return write_stories(store, feed_id, [(story, summarize(matcher.find(title, text)))])[0]


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app's workers are done and the screen has caught up.

    A newer exclusive worker cancels an older one (opening a story while the list still loads);
    that is the app working as meant, so a cancelled worker only means: wait again.
    """
    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


_WORDS = (
    "talks budget harbour drought tariffs border election court strike pipeline vaccine summit ceasefire "
    "refinery embassy protest minister railway festival inflation satellite wheat convoy treaty flood "
    "reactor parliament drone uranium sanctions airport currency referendum hostage vessel bridge museum "
    "glacier senate archive tanker orchestra lawsuit frigate census monsoon quarry stadium ferry"
).split()

SPIKE_DAY_STORIES = 9
"""Iran's stories on the history's last day: its spike, against one or two a day before."""


def add_history(store: Store, now: datetime, days: int = 30) -> None:
    """Stories over the `days` days up to `now`, each about its own event: Iran one or two a
    day (with Israel in every third), Vladimir Putin every other day, and a spike for Iran on
    the last day (SPIKE_DAY_STORIES stories, one of them with Russia: not a spike for Russia)."""
    feed_id = store.feeds()[0].id
    matcher = Matcher(CONFIG.watchlist)
    pick = random.Random(14)
    n = 0

    def story(title: str, when: datetime) -> None:
        nonlocal n
        n += 1
        words = " ".join(pick.sample(_WORDS, 5))
        add_story(store, feed_id, matcher, f"history-{n}", f"{title} {words}", f"{title}. {words}.", when)

    for back in range(days - 1, 0, -1):
        day = now - timedelta(days=back)
        for k in range(1 + back % 2):
            story("Iran and Israel:" if (back + k) % 3 == 0 else "Iran:", day - timedelta(hours=k + 1))
        if back % 2 == 0:
            story("Vladimir Putin:", day - timedelta(hours=5))
    for k in range(SPIKE_DAY_STORIES):
        story("Iran and Russia:" if k < 1 else "Iran:", now - timedelta(minutes=20 + 5 * k))


async def until(pilot, condition: Callable[[], bool], timeout: float = 40.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `condition` holds: what a person waits for on screen (a generous
    `timeout`, for a loaded machine: a condition that holds ends the wait at once)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await settle(pilot)
        await asyncio.sleep(0.05)


def pressing(*keys: str) -> Callable[[Any], Awaitable[None]]:
    """A snapshot's `run_before`: the app settled, `keys` pressed, the app settled again."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


# A fresh interpreter: the app on the file, keys pressed the moment the first rows are shown,
# then the app left to settle once its Store is open. It says whether the Store was open at
# each key, which modules the first rows needed, and what the screen shows in the end.
_FIRST_ROWS = """
import asyncio, json, sys
from textual.worker import WorkerCancelled
from newsdesk.config import load_config
from newsdesk.store import open_reader
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.screens import ReaderScreen, StoryListScreen


class FirstRows(NewsdeskApp):
    loaded = None

    def main_view_shown(self):
        # Called once the frame with the first rows is drawn; what was loaded by then, it needed.
        if self.loaded is None:
            self.loaded = sorted(sys.modules)
        super().main_view_shown()


async def run(keys):
    reader = open_reader(sys.argv[1])
    app = FirstRows(reader, load_config(sys.argv[2]))
    said = {"open": []}
    async with app.run_test(size=(100, 30)) as pilot:
        while app.loaded is None:
            await asyncio.sleep(0.005)
        for key in keys:
            said["open"].append(app.database.opened is not None)
            await pilot.press(key)
        while app.database.opened is None:
            await asyncio.sleep(0.01)
        for _ in range(4):
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass
            await pilot.pause(0.05)
        screen = app.screen
        if isinstance(screen, ReaderScreen):
            shown = [screen.story] if screen.story is not None else []
        else:
            shown = list(screen.stories.rows) if isinstance(screen, StoryListScreen) else []
        said["screen"] = type(screen).__name__
        said["shown"] = {story.title: [story.read, story.starred] for story in shown}
    app.database.close()
    reader.close()
    said["loaded"] = app.loaded
    said["later"] = sorted(sys.modules)
    return said


print(json.dumps(asyncio.run(run(sys.argv[3:]))))
"""


def first_rows_in_a_fresh_process(tmp_path: Path, *keys: str) -> dict[str, Any]:
    """Run the UI in a fresh interpreter on a SQLite file made here (news.db in `tmp_path`),
    pressing `keys` as soon as the first rows are shown: whether the Store was open at each
    key ("open"), the screen at the end and the read and starred marks of the stories it shows
    by title ("screen", "shown"), the modules loaded when the first rows were shown
    ("loaded") and at the end ("later")."""
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n' + SEED_WATCHLIST, encoding="utf-8")
    make_store(tmp_path / "news.db").close()
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_ROWS, str(tmp_path / "news.db"), str(config), *keys],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    said: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return said
