"""The watchlist's timelines in the store (Store.entity_days, Store.co_mentioned): events per
entry and UTC day, counted once however many feeds copy them, on both engines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from newsdesk.config import FeedConfig
from newsdesk.store import Store
from newsdesk.types import EntityDay, EntityHit, Match, MatchKind, NewStory
from tests.store_fixtures import write_stories

DAY = date(2024, 4, 14)
KINDS: dict[str, MatchKind] = {"Russia": "country", "Iran": "country", "Vladimir Putin": "person"}


def _at(days: int, hour: int) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, tzinfo=UTC) + timedelta(days=days)


def _hit(entity: str) -> EntityHit:
    kind = KINDS[entity]
    code = None if kind == "person" else entity[:2].upper()
    return EntityHit(entity, kind, code, 1, entity, (Match(entity, kind, code, entity, "title", 0, len(entity), entity),))


def _story(key: str, title: str, published: datetime | None, fetched: datetime | None = None) -> NewStory:
    return NewStory(
        key=key, title=title, url=f"https://news.example/{key}", guid=key, author=None, published=published,
        fetched_at=fetched or (published or _at(0, 0)) + timedelta(hours=1), summary="", text="", text_source="feed",
    )


def _write(store: Store, feed: int, key: str, title: str, published: datetime | None, entities: Sequence[str],
           fetched: datetime | None = None) -> int:
    (story_id,) = write_stories(store, feed, [(_story(key, title, published, fetched), [_hit(e) for e in entities])])
    assert story_id is not None
    return story_id


@pytest.fixture
def store(db_url: str) -> Store:
    """Two feeds; copies of two events across them (one copy a day later), a story without a
    published time, and one long before the others."""
    store = Store(db_url)
    store.sync_feeds([FeedConfig("Wire", "https://a.example/rss"), FeedConfig("Paper", "https://b.example/rss")])
    by_name = {f.name: f.id for f in store.feeds()}
    wire, paper = by_name["Wire"], by_name["Paper"]
    gas = "Russia cuts gas supplies to Ukraine over unpaid bills"
    _write(store, wire, "a", gas, _at(-2, 10), ["Russia"])
    _write(store, paper, "a2", gas, _at(-2, 12), ["Russia", "Iran"])
    oil = "Russia and Iran sign long oil deal in Tehran"
    _write(store, wire, "b", oil, _at(-1, 23), ["Russia", "Iran"])
    _write(store, paper, "b2", oil, _at(0, 1), ["Russia"])
    _write(store, wire, "c", "Kremlin summit on grain exports opens", _at(0, 9), ["Russia", "Vladimir Putin"])
    _write(store, wire, "e", "Tehran earthquake leaves thousands homeless", _at(0, 10), ["Iran"])
    _write(store, paper, "f", "Interview with a president about chess", None, ["Vladimir Putin"], fetched=_at(-1, 5))
    _write(store, wire, "o", "Old news from a faraway spring meeting", _at(-10, 8), ["Russia", "Vladimir Putin"])
    return store


def _points(days: list[EntityDay]) -> list[tuple[str, int, int]]:
    return [(d.name, (d.day - DAY).days, d.clusters) for d in days]


def test_each_event_counts_once_on_the_day_it_first_named_the_entry(store: Store) -> None:
    days = store.entity_days(DAY - timedelta(days=3))
    assert _points(days) == [
        ("Iran", -2, 1), ("Iran", -1, 1), ("Iran", 0, 1),
        ("Russia", -2, 1), ("Russia", -1, 1), ("Russia", 0, 1),
        ("Vladimir Putin", -1, 1), ("Vladimir Putin", 0, 1),
    ]
    assert {(d.name, d.kind) for d in days} == {("Iran", "country"), ("Russia", "country"), ("Vladimir Putin", "person")}
    assert all(type(d.day) is date for d in days)


def test_a_window_ends_on_its_last_day_and_can_name_one_entry(store: Store) -> None:
    assert _points(store.entity_days(DAY - timedelta(days=3), until=DAY - timedelta(days=1))) == [
        ("Iran", -2, 1), ("Iran", -1, 1), ("Russia", -2, 1), ("Russia", -1, 1), ("Vladimir Putin", -1, 1),
    ]
    assert _points(store.entity_days(DAY - timedelta(days=30), entity="Vladimir Putin")) == [
        ("Vladimir Putin", -10, 1), ("Vladimir Putin", -1, 1), ("Vladimir Putin", 0, 1),
    ]
    assert store.entity_days(DAY + timedelta(days=1)) == []
    assert store.entity_days(DAY - timedelta(days=3), entity="Nobody") == []


def test_co_mentioned_counts_shared_events_across_their_copies(store: Store) -> None:
    shared = store.co_mentioned("Russia", DAY - timedelta(days=3))
    assert [(c.entity, c.kind, c.stories, c.unread) for c in shared] == [
        ("Iran", "country", 2, 2), ("Vladimir Putin", "person", 1, 1),
    ]
    assert shared[0].code == "IR"
    longer = store.co_mentioned("Russia", DAY - timedelta(days=30))
    assert [(c.entity, c.stories) for c in longer] == [("Iran", 2), ("Vladimir Putin", 2)]
    assert [c.entity for c in store.co_mentioned("Russia", DAY - timedelta(days=30), limit=1)] == ["Iran"]
    assert store.co_mentioned("Nobody", DAY - timedelta(days=30)) == []


def test_co_mentioned_unread_is_this_readers(store: Store) -> None:
    kremlin = next(s for s in store.list_stories(entity="Vladimir Putin", limit=10) if s.title.startswith("Kremlin"))
    store.set_read(kremlin.id)
    shared = {c.entity: (c.stories, c.unread) for c in store.co_mentioned("Russia", DAY - timedelta(days=3))}
    assert shared == {"Iran": (2, 2), "Vladimir Putin": (1, 0)}


def test_mentions_are_one_per_story_and_entry_newest_first_in_a_window(store: Store) -> None:
    everything = store.mentions()
    assert len(everything) == 12
    assert [(m.title[:6], m.hit.entity) for m in everything[:3]] == [
        ("Tehran", "Iran"), ("Kremli", "Russia"), ("Kremli", "Vladimir Putin"),
    ]
    assert [m.time for m in everything] == sorted((m.time for m in everything), reverse=True)
    oil = [m for m in everything if m.title.startswith("Russia and Iran")]
    assert {m.cluster for m in oil} == {min(m.story_id for m in oil)} and {m.feed for m in oil} == {"Wire", "Paper"}
    day = store.mentions(since=_at(-1, 0), until=_at(0, 0))
    assert sorted((m.title[:6], m.hit.entity) for m in day) == [
        ("Interv", "Vladimir Putin"), ("Russia", "Iran"), ("Russia", "Russia"),
    ]
    (undated,) = [m for m in day if m.title.startswith("Interview")]
    assert undated.published is None and undated.time == _at(-1, 5)
    assert [m.title for m in store.mentions(entity="Vladimir Putin")][-1].startswith("Old news")
    assert all(m.text == "" for m in everything)
    assert store.mentions(entity="Iran", texts=True)[0].hit.occurrences[0].form == "Iran"
