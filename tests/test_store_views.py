"""Views of the stored stories (Store.stories, count_view, mark_view_read): what the UI's lists
and `newsdesk list` read."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from newsdesk.config import FeedConfig
from newsdesk.match import Matcher
from newsdesk.store import Store
from newsdesk.types import StoryQuery, StorySort, ViewCount
from tests.ui_fixtures import CONFIG, NOW, add_story


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    store.sync_feeds([FeedConfig("One", "http://127.0.0.1:9/one.xml"), FeedConfig("Two", "http://127.0.0.1:9/two.xml")])
    one, two = (f.id for f in store.feeds())
    matcher = Matcher(CONFIG.watchlist)
    # Several stories share a time: the order must still be total (time, then id).
    for n in range(12):
        feed = one if n % 2 else two
        text = ("Vladimir Putin and Iran. " if n % 3 == 0 else "") + ("Israel. " if n % 4 == 0 else "") + "Rain."
        add_story(store, feed, matcher, f"s{n}", f"Story {n}", text, NOW - timedelta(hours=n // 3))
    return store


def _titles(stories) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.title for s in stories]


@pytest.mark.parametrize("sort", list(StorySort))
@pytest.mark.parametrize("reverse", [False, True])
def test_pages_after_a_story_are_the_view_in_order(store: Store, sort: StorySort, reverse: bool) -> None:
    view = StoryQuery(matched_only=False, sort=sort, reverse=reverse)
    whole = store.stories(view, limit=100)
    assert len(whole) == 12
    paged, after = [], None
    while page := store.stories(view, after=after, limit=5):
        paged += page
        after = page[-1]
    assert [s.id for s in paged] == [s.id for s in whole]


def test_orders(store: Store) -> None:
    everything = StoryQuery(matched_only=False)
    newest = store.stories(everything)
    assert _titles(newest)[:3] == ["Story 2", "Story 1", "Story 0"]  # same time: the later id first
    assert _titles(store.stories(replace(everything, sort=StorySort.OLDEST))) == _titles(newest)[::-1]
    store.set_read(newest[0].id, True)
    unread_first = store.stories(replace(everything, sort=StorySort.UNREAD))
    assert unread_first[-1].id == newest[0].id
    most = store.stories(replace(everything, sort=StorySort.MATCHES))
    assert [len(s.entities) for s in most][:4] == [3, 2, 2, 2]  # Story 0: Vladimir Putin, Iran, Israel
    assert most[0].title == "Story 0"


def test_filters_add_up(store: Store) -> None:
    # Story n is n // 3 hours old; feed One has the odd ones.
    assert _titles(store.stories(StoryQuery(matched_only=False, feed="One"))) == [
        "Story 1", "Story 5", "Story 3", "Story 7", "Story 11", "Story 9"]
    assert _titles(store.stories(StoryQuery(feed="One"))) == ["Story 3", "Story 9"]  # matched, in One
    assert _titles(store.stories(StoryQuery(entity="Israel"))) == ["Story 0", "Story 4", "Story 8"]
    assert _titles(store.stories(StoryQuery(since=NOW - timedelta(hours=1)))) == ["Story 0", "Story 4", "Story 3"]
    assert _titles(store.stories(StoryQuery(matched_only=False, search="rain", feed="Two", since=NOW - timedelta(hours=1)))) == [
        "Story 2", "Story 0", "Story 4"]
    assert store.stories(StoryQuery(search="  ")) == []
    story = store.stories(StoryQuery(entity="Iran"))[0]
    store.set_starred(story.id, True)
    assert _titles(store.stories(StoryQuery(matched_only=False, starred_only=True))) == [story.title]
    store.set_read(story.id, True)
    assert story.title not in _titles(store.stories(StoryQuery(entity="Iran", unread_only=True)))


def test_counts_and_mark_a_view_read_in_one_go(store: Store) -> None:
    iran = StoryQuery(entity="Iran")
    assert store.count_view(iran) == ViewCount(stories=4, unread=4)
    assert store.count_view(StoryQuery(matched_only=False)) == ViewCount(stories=12, unread=12)
    marked = store.mark_view_read(iran)
    assert sorted(marked) == sorted(s.id for s in store.stories(iran))
    assert store.count_view(iran) == ViewCount(stories=4, unread=0)
    assert store.count_view(StoryQuery(matched_only=False)).unread == 8  # nothing else
    assert store.mark_view_read(iran) == []
    store.set_read_many(marked, False)
    assert store.count_view(iran) == ViewCount(stories=4, unread=4)


def test_the_latest_story_id_grows_with_each_story(store: Store, db_url: str, tmp_path: Path) -> None:
    latest = store.latest_story_id()
    assert latest == max(s.id for s in store.stories(StoryQuery(matched_only=False), limit=100))
    other = Store(db_url)  # another process's view of the same database
    add_story(other, other.feeds()[0].id, Matcher(CONFIG.watchlist), "new", "New", "Iran.", NOW)
    assert store.latest_story_id() > latest
    assert Store(tmp_path / "empty.db").latest_story_id() == 0
