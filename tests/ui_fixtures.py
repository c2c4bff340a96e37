"""A small real database for UI tests: a feed, stories with matches, fixed dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

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
