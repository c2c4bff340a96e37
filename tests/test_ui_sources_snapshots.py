"""What the feeds screen grouped by tag and a failing feed's detail view look like, at 80×24 and
120×40 (SVG snapshots in tests/__snapshots__; `--snapshot-update` accepts a change after
looking at it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from newsdesk.config import parse_config
from newsdesk.match import Matcher
from newsdesk.refresh import retag_if_needed
from newsdesk.store import Store
from newsdesk.types import FeedOutcome, FeedResult, FetchRecord
from newsdesk.ui import NewsdeskApp
from tests.ui_fixtures import NOW, SEED_WATCHLIST, add_story, pressing

SIZES = [(80, 24), (120, 40)]

CONFIG = parse_config(
    '[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/world.xml"\ntags = ["world"]\n'
    '[[feeds]]\nname = "Europe desk"\nurl = "http://127.0.0.1:9/europe.xml"\ntags = ["world", "europe"]\n'
    '[[feeds]]\nname = "Broken feed"\nurl = "http://127.0.0.1:9/broken.xml"\ntags = ["tech"]\n'
    '[[feeds]]\nname = "Untagged"\nurl = "http://127.0.0.1:9/untagged.xml"\n' + SEED_WATCHLIST
)


pytestmark = pytest.mark.usefixtures("utc_home")


def _app(tmp_path: Path) -> NewsdeskApp:
    store = Store(tmp_path / "news.db")
    store.sync_feeds(CONFIG.feeds)
    ids = {f.name: f.id for f in store.feeds()}
    matcher = Matcher(CONFIG.watchlist)
    for n, feed in enumerate(["World desk", "Europe desk", "Europe desk", "Untagged"]):
        add_story(store, ids[feed], matcher, f"s{n}", f"Putin story {n}", "Vladimir Putin spoke.", NOW - timedelta(hours=n))
    store.set_read(1)
    url = "http://127.0.0.1:9/broken.xml"
    records = [
        FetchRecord(ids["Broken feed"], FeedResult(url, FeedOutcome.OK, http_status=200, etag='W/"5f1"'), NOW - timedelta(days=1), new=3),
        FetchRecord(
            ids["Broken feed"],
            FeedResult(url, FeedOutcome.TIMEOUT, error="no answer within 20 s"),
            NOW - timedelta(hours=5),
            failures=1,
            next_try=NOW - timedelta(hours=4),
        ),
        FetchRecord(
            ids["Broken feed"],
            FeedResult(
                url,
                FeedOutcome.HTTP_ERROR,
                http_status=503,
                error="HTTP 503 Service Unavailable; the server asked to wait 1.0 h before trying again",
            ),
            NOW - timedelta(minutes=20),
            failures=2,
            next_try=NOW + timedelta(minutes=40),
        ),
    ]
    records += [
        FetchRecord(ids[name], FeedResult("", FeedOutcome.OK, http_status=200), NOW - timedelta(minutes=5), new=1)
        for name in ("World desk", "Europe desk", "Untagged")
    ]
    store.record_fetches(records)
    retag_if_needed(CONFIG, store)  # the stories are tagged for this watchlist already: no toast saying so
    return NewsdeskApp(store, CONFIG, clock=lambda: NOW)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_feeds_grouped_by_tag(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    # The broken feed selected: its problem under the list.
    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=pressing("f", "j", "j", "j"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_failing_feeds_details(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(_app(tmp_path), terminal_size=size, run_before=pressing("f", "j", "j", "j", "i"))
