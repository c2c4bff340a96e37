"""Clustering: copies of one event from several feeds become one row, counted once."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsdesk.cluster import ClusterIndex, Sketch, clusters, links, single_link, title_words
from newsdesk.config import FeedConfig
from newsdesk.store import Store
from newsdesk.types import EntityHit, Match, NewStory
from tests.store_fixtures import write_stories

NOW = datetime(2024, 4, 14, 12, 0, tzinfo=UTC)
WIRE = (
    "Russia's foreign minister said on Monday that Moscow would not accept any settlement that "
    "ignored its security interests, speaking after talks in Ankara with his Turkish counterpart "
    "that lasted more than four hours and ended without a joint statement from either side. "
    "Officials said further meetings were planned for next month in Geneva."
)


def _sketch(title: str, hours: float = 0, text: str = "") -> Sketch:
    return Sketch.of(title, text, "", NOW + timedelta(hours=hours))


def test_headline_words_are_normalised() -> None:
    assert title_words("World Bank CUTS China's growth forecasts  ...") == {"world", "bank", "cuts", "china", "growth"}
    assert title_words("Talks warned of forecasts") == {"talk", "warn", "forecast"}
    assert title_words("Beyonc&#233; &amp; Jay-Z") == title_words("Beyoncé & Jay Z")


def test_reworded_copies_link_and_different_events_do_not() -> None:
    a = _sketch("World Bank cuts China growth forecast")
    assert links(a, _sketch("World Bank cuts growth forecast for China", hours=5))
    assert not links(a, _sketch("China growth beats forecast, says statistics bureau"))
    assert not links(a, _sketch("World Bank cuts China growth forecast", hours=49)), "beyond the window"
    assert not links(_sketch("Video"), _sketch("Video")), "a one-word headline links to nothing"


def test_copies_of_an_agency_story_link_by_their_text_under_different_headlines() -> None:
    a = _sketch("Lavrov: no deal that ignores our interests", text=WIRE)
    b = _sketch("Talks in Ankara end without statement", hours=3, text=WIRE + " More follows.")
    assert links(a, b)
    assert not links(a, _sketch("Talks in Ankara end without statement", text="Something else entirely. " * 20))


def test_clusters_do_not_depend_on_the_order_stories_arrive_in() -> None:
    titles = [
        "World Bank cuts China growth forecast", "World Bank cuts growth forecast for China",
        "World Bank lowers China growth forecast again", "Apple unveils new iPhone at event",
        "Apple unveils new iPhone", "Heartbleed bug: what you need to know",
    ]
    sketches = [(i + 1, _sketch(t, hours=i)) for i, t in enumerate(titles)]
    expected = clusters(sketches)
    for seed in range(5):
        shuffled = sketches[:]
        random.Random(seed).shuffle(shuffled)
        assert clusters(shuffled) == expected
    assert expected[1] == expected[2] == expected[3] and expected[4] == expected[5] and expected[6] == 6
    assert expected[1] != expected[4]


def test_sketches_are_the_values_databases_have_always_stored() -> None:
    """A database's stored sketches were made by earlier versions: a new story's sketch must
    be the same values, or its copies among the stored stories would not be found."""
    lead = " ".join(f"word{i} alpha beta" for i in range(40))
    made = Sketch.of("Iran opens talks with Europe on the nuclear deal", lead, "", NOW)
    assert made.stored_title is not None and made.stored_text is not None
    assert made.stored_title[:8].hex() == "7eea461fc65b640b"
    assert hashlib.sha256(made.stored_title).hexdigest() == "70e88a1effde7847c43c1f4213bf28aa6aad585eac9b86b41e81bc63650cd6bd"
    assert hashlib.sha256(made.stored_text).hexdigest() == "4222b623a4e47e93202aaa108ab3f6563b958d30df6c17b5917e604d27312ffe"
    again = Sketch.unpack("Iran opens talks with Europe on the nuclear deal", NOW, made.stored_title, made.stored_text)
    assert links(again, _sketch("Europe opens talks with Iran on nuclear deal", hours=1))


def test_stories_sketched_together_get_the_sketches_they_get_alone() -> None:
    """A write sketches its stories together, hundreds of leads at once: each story's sketch
    is its own, whatever else was in the batch (stories with no lead or a one-word headline
    included)."""
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(400)]
    stories = [
        (
            "Video" if n % 7 == 0 else " ".join(rng.sample(vocabulary, 6)),
            " ".join(rng.choices(vocabulary, k=120 if n % 2 else 5)),
            "",
            NOW + timedelta(minutes=n),
        )
        for n in range(600)  # 35,000 word triples: more than one numpy batch holds
    ]
    together = Sketch.many(stories)
    for story, made in zip(stories, together, strict=True):
        alone = Sketch.of(*story)
        assert (made.words, made.time, made.stored_title, made.stored_text) == (
            alone.words, alone.time, alone.stored_title, alone.stored_text
        )
    assert together[0].stored_title is None and together[1].stored_title is not None
    assert any(m.stored_text is None for m in together) and any(m.stored_text is not None for m in together)


def test_an_index_finds_copies_until_it_lets_them_go() -> None:
    index = ClusterIndex()
    index.add([
        (1, _sketch("World Bank cuts China growth forecast")),
        (2, _sketch("Lavrov: no deal that ignores our interests", hours=1, text=WIRE)),
        (3, _sketch("Apple unveils new iPhone", hours=2)),
        (4, _sketch("Apple unveils new iPhone", hours=1)),  # shares every band with 3
    ])
    assert index.linked(_sketch("World Bank cuts growth forecast for China", hours=3)) == [1]
    assert index.linked(_sketch("Apple unveils new iPhone at event", hours=3)) == [3, 4]
    assert index.linked(_sketch("Talks in Ankara end without statement", hours=3, text=WIRE)) == [2]
    index.forget_before(NOW + timedelta(hours=1, minutes=30))
    assert index.linked(_sketch("World Bank cuts growth forecast for China", hours=3)) == []
    assert index.linked(_sketch("Talks in Ankara end without statement", hours=3, text=WIRE)) == []
    assert index.linked(_sketch("Apple unveils new iPhone at event", hours=3)) == [3]
    index.add([(1, _sketch("World Bank cuts China growth forecast"))])  # read back for a late copy
    assert index.linked(_sketch("World Bank cuts growth forecast for China", hours=3)) == [1]


def test_an_index_of_thousands_finds_copies_among_old_and_new_stories_alike() -> None:
    # The index sorts its stories in a few hundred at a time: a copy is found whether its
    # original is sorted in already, still waiting, or in the same write, and let go alike.
    filler = [(n, _sketch(f"Item{n}a item{n}b item{n}c item{n}d", hours=0)) for n in range(10, 2510)]
    index = ClusterIndex()
    index.add(filler[:1200])
    first = index.link_each([(1, _sketch("World Bank cuts China growth forecast"))])
    index.add(filler[1200:])
    found = index.link_each([
        (2, _sketch("Lavrov: no deal that ignores our interests", text=WIRE)),
        (3, _sketch("World Bank cuts growth forecast for China", hours=1)),
        (4, _sketch("Talks in Ankara end without statement", hours=1, text=WIRE)),
    ])
    assert first == {1: []} and found == {2: [], 3: [1], 4: [2]}
    assert index.linked(filler[5][1]) == [filler[5][0]] and index.linked(filler[-1][1]) == [filler[-1][0]]
    index.forget_before(NOW + timedelta(minutes=30))
    assert index.linked(filler[5][1]) == [] and index.linked(_sketch("World Bank cuts growth forecast for China", hours=1)) == [3]
    assert len(index) == 2


def test_an_index_that_skips_joined_candidates_gives_the_clusters_of_every_pair() -> None:
    # link_each passes over a candidate its earlier links (this write's or an earlier one's)
    # already joined a story to: over real headlines written in many copies, as a busy
    # refresh brings them, in writes of a few feeds each, the clusters are those of
    # comparing every pair, and each story is compared with far fewer candidates.
    import csv

    with (Path(__file__).parent / "data" / "clusters" / "headlines.csv").open(encoding="utf-8", newline="") as f:
        titles = [row["title"] for row in csv.DictReader(f)][:120]
    rng = random.Random(16)
    stories = []
    for n in range(1500):
        title = rng.choice(titles)
        stories.append((n + 1, _sketch(title, hours=rng.uniform(0, 60), text=WIRE if n % 7 == 0 else "")))
    every_pair = single_link(
        [i for i, _ in stories],
        ((a, b) for n, (a, sa) in enumerate(stories) for b, sb in stories[:n] if links(sa, sb)),
    )
    index = ClusterIndex()
    found: dict[int, list[int]] = {}
    for start in range(0, len(stories), 125):
        found.update(index.link_each(stories[start : start + 125]))
    assert single_link([i for i, _ in stories], ((a, b) for a, others in found.items() for b in others)) == every_pair
    assert sum(map(len, found.values())) < len(stories), "a copy is linked to its cluster, not to every copy"


def test_story_ids_beyond_32_bits_are_found_as_the_small_ones_were() -> None:
    # The index keeps ids in 32 bits while they fit: a database past four billion stories
    # (or a PostgreSQL sequence started high) still finds its copies, old ids too.
    big = 2**32
    small = [(n, _sketch(f"Item{n}a item{n}b item{n}c item{n}d")) for n in range(10, 700)]
    large = [(big + n, _sketch(f"Thing{n}a thing{n}b thing{n}c thing{n}d")) for n in range(700)]
    index = ClusterIndex()
    index.add(small)
    index.add(large)
    assert index.linked(small[3][1]) == [small[3][0]] and index.linked(large[3][1]) == [big + 3]
    assert index.link_each([(big + 5000, _sketch("Item20a item20b item20c item20d", hours=1))]) == {big + 5000: [20]}


def test_clustering_imports_no_scientific_library() -> None:
    """Sketching and clustering need numpy alone: scipy (which a MinHash library brought) cost
    a refresh that stores new stories about a second of CPU to import."""
    code = (
        "import sys; from datetime import datetime, UTC; from newsdesk.cluster import Sketch, clusters;"
        "s = Sketch.many([('World Bank cuts China growth forecast', 'a b c ' * 20, '', datetime.now(UTC))] * 2);"
        "assert clusters(enumerate(s)) == {0: 0, 1: 0};"
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "numpy" in loaded
    assert "scipy" not in loaded and "datasketch" not in loaded


def _story(key: str, title: str, hours: float = 0, text: str = "") -> NewStory:
    return NewStory(
        key=key, title=title, url=f"https://news.example/{key}", guid=key, author=None,
        published=NOW + timedelta(hours=hours), fetched_at=NOW + timedelta(days=3), summary=title, text=text,
        text_source="feed",
    )


def _hit(entity: str) -> EntityHit:
    m = Match(entity, "country", "RU", entity, "title", 0, len(entity), entity)
    return EntityHit(entity, "country", "RU", 1, entity, (m,))


@pytest.fixture
def store(db_url: str) -> Store:
    s = Store(db_url)
    s.sync_feeds([FeedConfig("Wire", "https://a.example/rss"), FeedConfig("Paper", "https://b.example/rss")])
    return s


def _ids(store: Store) -> tuple[int, int]:
    by_name = {f.name: f.id for f in store.feeds()}
    return by_name["Wire"], by_name["Paper"]


def test_copies_from_two_feeds_are_one_row_with_its_sources_and_count_once(store: Store) -> None:
    wire, paper = _ids(store)
    first = write_stories(store, wire, [(_story("w1", "Russia cuts gas supplies to Ukraine", 0), [_hit("Russia")]),
                                     (_story("w2", "Russia and Iran sign oil deal", 1), [_hit("Russia")])])
    copy = write_stories(store, paper, [(_story("p1", "Russia cuts gas supplies to Ukraine again", 4), [_hit("Russia")])])
    everything = store.list_stories(matched_only=False)
    assert len(everything) == 3
    rows = store.list_stories(collapse=True)
    assert [(r.title, r.sources) for r in rows] == [("Russia and Iran sign oil deal", 1), ("Russia cuts gas supplies to Ukraine", 2)]
    assert rows[1].id == first[0] and rows[1].cluster == first[0]
    assert {s.cluster for s in everything if s.id in (first[0], copy[0])} == {first[0]}
    (russia,) = store.entity_counts()
    assert (russia.stories, russia.unread) == (2, 2)


def test_a_story_that_links_two_clusters_merges_them(store: Store) -> None:
    wire, paper = _ids(store)
    a = write_stories(store, wire, [(_story("a", "Putin meets Erdogan in Sochi for gas talks", 0), [])])[0]
    b = write_stories(store, paper, [(_story("b", "Erdogan Putin Sochi summit on Syria ends", 1), [])])[0]
    assert {s.cluster for s in store.list_stories(matched_only=False)} == {a, b}
    write_stories(store, paper, [(_story("c", "Putin meets Erdogan in Sochi: Syria summit ends", 2), [])])
    assert {s.cluster for s in store.list_stories(matched_only=False)} == {min(a, b)}  # type: ignore[type-var]


def test_a_late_copy_of_an_old_story_still_joins_it_after_a_week_of_news(store: Store) -> None:
    """A long-running process lets old stories go from its index (else it would hold every
    story it ever stored) and reads them back when a late copy of one arrives."""
    wire, paper = _ids(store)
    (old,) = write_stories(store, wire, [(_story("w1", "Russia cuts gas supplies to Ukraine", 0), [])])
    for day in range(1, 8):
        write_stories(store, wire, [(_story(f"d{day}", f"Quiet day number {day} at the harbour museum", 24 * day), [])])
    (late,) = write_stories(store, paper, [(_story("p1", "Russia cuts gas supplies to Ukraine again", 3), [])])
    assert {s.cluster for s in store.list_stories(matched_only=False) if s.id in (old, late)} == {old}


def test_a_new_process_rebuilds_the_index_from_the_database(db_url: str, store: Store) -> None:
    wire, paper = _ids(store)
    (first,) = write_stories(store, wire, [(_story("w1", "Russia cuts gas supplies to Ukraine", 0), [])])
    store.close()
    with Store(db_url) as again:
        write_stories(again, paper, [(_story("p1", "Russia cuts gas supplies to Ukraine", 2), [])])
        assert {s.cluster for s in again.list_stories(matched_only=False)} == {first}


def test_two_stores_on_one_database_see_each_others_stories(db_url: str, store: Store) -> None:
    wire, paper = _ids(store)
    other = Store(db_url)
    write_stories(store, wire, [(_story("w0", "Iran holds nuclear talks in Vienna", -5), [])])
    write_stories(other, paper, [(_story("p0", "Mars rover finds water ice", -4), [])])  # builds other's index
    (first,) = write_stories(store, wire, [(_story("w1", "Russia cuts gas supplies to Ukraine", 0), [])])
    write_stories(other, paper, [(_story("p1", "Russia cuts gas supplies to Ukraine", 2), [])])
    clusters_ = {s.title: s.cluster for s in store.list_stories(matched_only=False)}
    assert clusters_["Russia cuts gas supplies to Ukraine"] == first
    assert len(store.list_stories(matched_only=False, collapse=True)) == 3
    other.close()


def test_a_rebuilt_index_links_copies_by_their_text(db_url: str, store: Store) -> None:
    wire, paper = _ids(store)
    (first,) = write_stories(store, wire, [(_story("w1", "Lavrov: no deal that ignores our interests", 0, WIRE), [])])
    store.close()
    with Store(db_url) as again:
        write_stories(again, paper, [(_story("p1", "Talks in Ankara end without statement", 3, WIRE), [])])
        assert {s.cluster for s in again.list_stories(matched_only=False)} == {first}


def test_marking_a_collapsed_view_read_marks_the_copies_its_rows_hide(store: Store) -> None:
    from newsdesk.types import StoryQuery

    wire, paper = _ids(store)
    write_stories(store, wire, [(_story("w1", "Russia cuts gas supplies to Ukraine", 0), [_hit("Russia")]),
                                (_story("w2", "Russia and Iran sign oil deal", 1), [_hit("Russia")])])
    write_stories(store, paper, [(_story("p1", "Russia cuts gas supplies to Ukraine", 2), [_hit("Russia")]),
                                 (_story("p2", "Mars rover finds water ice", 3), [])])
    marked = store.mark_view_read(StoryQuery(feed="Wire", collapse=True))
    assert len(marked) == 3, "both Wire stories and Paper's copy of one"
    assert [s.title for s in store.list_stories(matched_only=False) if not s.read] == ["Mars rover finds water ice"]
    assert store.set_cluster_read(marked[0], False) != [] and store.count_view(StoryQuery(matched_only=False)).unread > 1
