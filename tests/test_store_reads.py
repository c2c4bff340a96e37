"""The reads of `newsdesk list`, `search` and `status` (store._reads): one SQL text, run by the
Store (SQLAlchemy) on SQLite and PostgreSQL and by open_reader (the standard library's
sqlite3) on a SQLite file. Each gives what a person reads, the same on every engine."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from newsdesk.config import FeedConfig
from newsdesk.errors import DatabaseUnusable, StoreError
from newsdesk.match import Matcher
from newsdesk.store import Reads, Store, open_reader
from newsdesk.store._reads import SqliteReader
from newsdesk.store._version import SCHEMA_VERSION
from newsdesk.types import StoryQuery, StorySort, ViewCount
from tests.ui_fixtures import CONFIG, NOW, add_story

_EVENT = "Iran talks resume in Vienna"
_EVENT_TEXT = "Iran and the Europeans resumed talks in Vienna on Monday, diplomats said. " * 3


@pytest.fixture
def filled(db_url: str) -> Store:
    """Two feeds; one event reported by both (one cluster), a story with an accented place, a
    read one and a starred one."""
    store = Store(db_url)
    store.sync_feeds([FeedConfig("One", "http://127.0.0.1:9/one.xml"), FeedConfig("Two", "http://127.0.0.1:9/two.xml")])
    one, two = (f.id for f in store.feeds())
    matcher = Matcher(CONFIG.watchlist)
    add_story(store, one, matcher, "event-1", _EVENT, _EVENT_TEXT, NOW - timedelta(hours=1))
    add_story(store, two, matcher, "event-2", _EVENT, _EVENT_TEXT, NOW - timedelta(hours=2))
    floods = add_story(store, one, matcher, "floods", "Floods in São Paulo", "Heavy rain fell on São Paulo.", NOW - timedelta(hours=3))
    lavrov = add_story(store, two, matcher, "lavrov", "Lavrov in Riyadh", "Sergei Lavrov met ministers.", NOW - timedelta(hours=4))
    add_story(store, one, matcher, "calm", "A calm weekend", "Nothing happened.", NOW - timedelta(hours=5))
    assert floods is not None and lavrov is not None
    store.set_starred(floods)
    store.set_read(lavrov)
    return store


def _readers(store: Store, db_url: str) -> list[Reads]:
    """The store itself, and on SQLite the file as the reading commands open it."""
    if not db_url.startswith("sqlite"):
        return [store]
    reader = open_reader(db_url)
    assert isinstance(reader, SqliteReader)
    return [store, reader]


def _rows(reads: Reads, query: StoryQuery) -> list[tuple[str, str, int]]:
    return [(s.title, s.feed, s.sources) for s in reads.stories(query, limit=50)]


def test_every_view_reads_the_same_on_each_engine_and_each_reader(filled: Store, db_url: str) -> None:
    everything = StoryQuery(matched_only=False)
    for reads in _readers(filled, db_url):
        assert _rows(reads, StoryQuery()) == [(_EVENT, "One", 2), (_EVENT, "Two", 2), ("Lavrov in Riyadh", "Two", 1)]
        assert _rows(reads, StoryQuery(collapse=True)) == [(_EVENT, "Two", 2), ("Lavrov in Riyadh", "Two", 1)]
        assert [t for t, _, _ in _rows(reads, everything)] == [
            _EVENT, _EVENT, "Floods in São Paulo", "Lavrov in Riyadh", "A calm weekend",
        ]
        assert [t for t, _, _ in _rows(reads, StoryQuery(matched_only=False, unread_only=True, collapse=True))] == [
            _EVENT, "Floods in São Paulo", "A calm weekend",
        ]
        assert _rows(reads, StoryQuery(starred_only=True, matched_only=False)) == [("Floods in São Paulo", "One", 1)]
        assert _rows(reads, StoryQuery(entity="Sergei Lavrov")) == [("Lavrov in Riyadh", "Two", 1)]
        assert [f for _, f, _ in _rows(reads, StoryQuery(matched_only=False, feed="Two"))] == ["Two", "Two"]
        assert _rows(reads, StoryQuery(matched_only=False, feeds=())) == []
        since = StoryQuery(matched_only=False, since=NOW - timedelta(hours=2))
        assert [f for _, f, _ in _rows(reads, since)] == ["One", "Two"]
        naive = StoryQuery(matched_only=False, since=(NOW - timedelta(hours=2)).replace(tzinfo=None))
        assert _rows(reads, naive) == _rows(reads, since)  # a time without a zone is UTC, as stored
        assert _rows(reads, StoryQuery(matched_only=False, search="sao paulo")) == [("Floods in São Paulo", "One", 1)]
        assert [s.read for s in reads.stories(StoryQuery(matched_only=False, sort=StorySort.UNREAD))][-1] is True
        first, *rest = reads.stories(everything)
        assert reads.stories(everything, after=first, limit=2) == rest[:2]
        assert reads.count_view(everything) == ViewCount(stories=5, unread=4)
        assert reads.count_view(StoryQuery(matched_only=False, collapse=True)) == ViewCount(stories=4, unread=3)
        for view in (
            StoryQuery(collapse=True), StoryQuery(matched_only=False, collapse=True, search="vienna"),
            StoryQuery(matched_only=False, collapse=True, unread_only=True), StoryQuery(entity="Iran", collapse=True),
            StoryQuery(matched_only=False, collapse=True, search="*"),
        ):  # the count of a view is the count of its rows
            rows = reads.stories(view)
            assert reads.count_view(view) == ViewCount(stories=len(rows), unread=sum(not s.read for s in rows)), view
        assert [(s.title, s.starred) for s in reads.search("são paulo")] == [("Floods in São Paulo", True)]
        assert reads.search('"nothing at all"') == []


def test_a_story_feeds_and_entries_read_the_same_on_each_engine_and_each_reader(filled: Store, db_url: str) -> None:
    for reads in _readers(filled, db_url):
        [lavrov] = reads.stories(StoryQuery(entity="Sergei Lavrov"))
        detail = reads.story(lavrov.id)
        assert detail is not None
        assert (detail.title, detail.feed, detail.read, detail.starred, detail.text) == (
            "Lavrov in Riyadh", "Two", True, False, "Sergei Lavrov met ministers.",
        )
        assert detail.published == NOW - timedelta(hours=4) and detail.fetched_at == NOW
        assert [(h.entity, h.kind, h.count) for h in detail.hits] == [("Sergei Lavrov", "person", 2)]
        assert reads.story(10**9) is None
        assert [(f.name, f.stories, f.active, f.last_checked) for f in reads.feeds()] == [("One", 3, True, None), ("Two", 2, True, None)]
        counts = {c.entity: (c.kind, c.stories, c.unread) for c in reads.entity_counts()}
        assert counts == {"Iran": ("country", 1, 1), "Sergei Lavrov": ("person", 1, 0)}
        assert reads.latest_story_id() == max(s.id for s in reads.stories(StoryQuery(matched_only=False)))
        everything = reads.stories(StoryQuery(matched_only=False))
        newer, older = (s for s in everything if s.title == _EVENT)
        # The event's sources, earliest first, from either copy; a story alone is its own.
        for copy in (newer, older):
            assert [(c.id, c.feed, c.read) for c in reads.cluster_sources(copy.id)] == [(older.id, "Two", False), (newer.id, "One", False)]
        [calm] = [s for s in everything if s.title == "A calm weekend"]
        assert [(c.title, c.time) for c in reads.cluster_sources(calm.id)] == [("A calm weekend", NOW - timedelta(hours=5))]
        assert reads.story_page(calm.id) is None  # no page kept


def test_the_sqlite_reader_reads_from_any_thread(filled: Store, db_url: str) -> None:
    """The UI's first screen reads through it from its workers, several at once (the list,
    its count, the newest story), before its Store is open; each thread has its connection."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the sqlite3 reader reads SQLite files")
    everything = StoryQuery(matched_only=False)
    with open_reader(db_url) as reader, ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: reader.count_view(everything), range(40)))
        titles = list(pool.map(lambda _: [s.title for s in reader.stories(everything)], range(40)))
    assert counts == [ViewCount(stories=5, unread=4)] * 40
    assert titles == [[s.title for s in filled.stories(everything)]] * 40


def test_the_sqlite_reader_reads_what_the_store_reads(filled: Store, db_url: str) -> None:
    """Every field, times and truths included (sqlite3 gives text and integers back)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the sqlite3 reader reads SQLite files")
    with open_reader(db_url) as reader:
        for query in (StoryQuery(matched_only=False), StoryQuery(collapse=True), StoryQuery(matched_only=False, sort=StorySort.MATCHES)):
            assert reader.stories(query) == filled.stories(query)
        ids = [s.id for s in filled.stories(StoryQuery(matched_only=False))]
        assert [reader.story(i) for i in ids] == [filled.story(i) for i in ids]
        assert reader.feeds(active_only=False) == filled.feeds(active_only=False)
        assert [reader.cluster_sources(i) for i in ids] == [filled.cluster_sources(i) for i in ids]


def test_a_story_stored_before_clusters_is_its_own_event(filled: Store, db_url: str) -> None:
    """A story without a row in story_cluster (stored before clusters existed) lists itself
    alone as its event's sources."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the row is removed through sqlite3")
    [calm] = [s for s in filled.stories(StoryQuery(matched_only=False)) if s.title == "A calm weekend"]
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("DELETE FROM story_cluster WHERE story_id = ?", (calm.id,))
    assert [c.id for c in filled.cluster_sources(calm.id)] == [calm.id]


def test_a_search_without_words_finds_nothing(filled: Store, db_url: str) -> None:
    for reads in _readers(filled, db_url):
        assert reads.search("*") == []  # no word: nothing, not an error
        assert reads.stories(StoryQuery(matched_only=False, search="*")) == []


def test_what_the_reader_cannot_read_opens_as_a_store(tmp_path: Path) -> None:
    """A file that is missing, older, foreign or from a newer newsdesk is the Store's to create,
    upgrade or refuse, in the words it always used."""
    new = open_reader(tmp_path / "new.db")
    assert isinstance(new, Store) and (tmp_path / "new.db").exists()
    new.close()
    assert isinstance(open_reader(tmp_path / "new.db"), SqliteReader)  # now at this schema

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(DatabaseUnusable, match="is not a newsdesk database"):
        open_reader(foreign)

    newer = tmp_path / "newer.db"
    Store(newer).close()
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="written by a newer newsdesk"):
        open_reader(newer)


def test_a_postgresql_url_opens_as_a_store(pg_url: str) -> None:
    with open_reader(pg_url) as reads:
        assert isinstance(reads, Store)
        assert reads.feeds() == []


_REFRESHED = [FeedConfig("One", "http://127.0.0.1:9/one.xml"), FeedConfig("Two", "http://127.0.0.1:9/two.xml")]


def test_the_feeds_to_refresh_are_read_only_while_nothing_needs_writing_first(db_url: str) -> None:
    with Store(db_url) as store:
        store.sync_feeds(_REFRESHED)
        for reads in _readers(store, db_url):
            assert reads.watchlist_fingerprint() is None
            assert reads.feeds_to_refresh(_REFRESHED, "fp") is None  # never tagged: the refresh tags first
        store.retag(lambda title, text, summary: [], "fp")
        for reads in _readers(store, db_url):
            assert reads.watchlist_fingerprint() == "fp"
            assert reads.feeds_to_refresh(_REFRESHED, "fp") == store.feeds()
            assert reads.feeds_to_refresh(_REFRESHED, "another watchlist") is None
            assert reads.feeds_to_refresh([*_REFRESHED, FeedConfig("Three", "http://127.0.0.1:9/three.xml")], "fp") is None
            assert reads.feeds_to_refresh([_REFRESHED[0], FeedConfig("Renamed", _REFRESHED[1].url)], "fp") is None
            assert reads.feeds_to_refresh(_REFRESHED[:1], "fp") is None  # Two is still active
        store.sync_feeds(_REFRESHED[:1])
        for reads in _readers(store, db_url):
            assert reads.feeds_to_refresh(_REFRESHED[:1], "fp") == store.feeds() == [store.feeds(active_only=False)[0]]
            assert reads.feeds_to_refresh(_REFRESHED, "fp") is None  # Two comes back: a write
