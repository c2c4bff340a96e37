"""The store on a real SQLite file: what a reader relies on across runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from newsdesk.config import FeedConfig
from newsdesk.errors import StoreError
from newsdesk.store import Store, pack_text, register_functions
from newsdesk.types import EntityHit, FeedWrite, Match, NewStory, StoryWrite
from tests.store_fixtures import write_stories

NOW = datetime(2024, 4, 14, 12, 0, tzinfo=UTC)


def _story(key: str, title: str, *, published: datetime | None = None, text: str = "") -> NewStory:
    return NewStory(
        key=key, title=title, url=f"https://news.example/{key}", guid=key, author=None,
        published=published, fetched_at=NOW, summary="", text=text, text_source="feed",
    )


def _hit(entity: str, kind: str = "country", code: str | None = "RU") -> EntityHit:
    m = Match(entity, kind, code, entity, "title", 0, len(entity), entity)  # type: ignore[arg-type]
    return EntityHit(entity, kind, code, 1, entity, (m,))  # type: ignore[arg-type]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as s:
        s.sync_feeds([FeedConfig("World", "https://news.example/rss")])
        yield s


def _write(store: Store, feed_id: int, stories):  # type: ignore[no-untyped-def]
    return write_stories(store, feed_id, stories)


def _feed_id(store: Store) -> int:
    return store.feeds()[0].id


def test_sqlite_is_in_wal_mode(tmp_path: Path) -> None:
    Store(tmp_path / "news.db").close()
    con = sqlite3.connect(tmp_path / "news.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newest_first_matched_only_and_entity_filter(store: Store) -> None:
    fid = _feed_id(store)
    _write(store, fid, [(_story("a", "Old Russia story", published=NOW - timedelta(days=2)), [_hit("Russia")])])
    _write(store, fid, [(_story("b", "Unmatched", published=NOW - timedelta(days=1)), [])])
    _write(store, fid, [(_story("c", "New Iran story", published=NOW), [_hit("Iran", code="IR")])])
    assert [s.title for s in store.list_stories()] == ["New Iran story", "Old Russia story"]
    assert [s.title for s in store.list_stories(matched_only=False)] == ["New Iran story", "Unmatched", "Old Russia story"]
    assert [s.title for s in store.list_stories(entity="Russia")] == ["Old Russia story"]
    assert store.list_stories()[0].entities == ("Iran",)


def test_a_date_in_the_future_does_not_pin_a_story_to_the_top(store: Store) -> None:
    fid = _feed_id(store)
    _write(store, fid, [(_story("future", "From the future", published=NOW + timedelta(days=365)), [_hit("Russia")])])
    _write(store, fid, [(_story("now", "Now", published=NOW - timedelta(minutes=1)), [_hit("Russia")])])
    assert [s.title for s in store.list_stories()] == ["From the future", "Now"]  # fetched_at == NOW
    assert store.list_stories()[0].time == NOW


def test_the_same_entry_is_stored_once_and_keeps_its_state(store: Store) -> None:
    fid = _feed_id(store)
    first = _write(store, fid, [(_story("a", "Story"), [_hit("Russia")])])[0]
    assert first is not None
    store.set_read(first)
    assert _write(store, fid, [(_story("a", "Story again"), [_hit("Russia")])])[0] is None
    assert [(s.title, s.read) for s in store.list_stories()] == [("Story", True)]
    assert store.known_keys(fid, ["a", "b"]) == {"a"}


def test_entity_counts_and_read_state(store: Store) -> None:
    fid = _feed_id(store)
    a = _write(store, fid, [(_story("a", "A"), [_hit("Russia"), _hit("Vladimir Putin", "person", None)])])[0]
    _write(store, fid, [(_story("b", "B"), [_hit("Russia")])])
    assert a is not None
    store.set_read(a)
    counts = {c.entity: (c.kind, c.stories, c.unread) for c in store.entity_counts()}
    assert counts == {"Russia": ("country", 2, 1), "Vladimir Putin": ("person", 1, 0)}


def test_story_detail_keeps_match_offsets(store: Store) -> None:
    fid = _feed_id(store)
    sid = _write(store, fid, [(_story("a", "Russia and Iran", text="body"), [_hit("Russia")])])[0]
    assert sid is not None
    detail = store.story(sid)
    assert detail is not None
    (hit,) = detail.hits
    assert (hit.entity, hit.count) == ("Russia", 1)
    assert [(m.where, m.start, m.end, m.form) for m in hit.occurrences] == [("title", 0, 6, "Russia")]


def test_a_feed_removed_from_the_config_keeps_its_stories(store: Store) -> None:
    fid = _feed_id(store)
    _write(store, fid, [(_story("a", "Kept"), [_hit("Russia")])])
    store.sync_feeds([FeedConfig("Other", "https://other.example/rss")])
    assert [f.name for f in store.feeds()] == ["Other"]
    assert [s.title for s in store.list_stories()] == ["Kept"]


def test_retag_replaces_matches_and_records_the_fingerprint(store: Store) -> None:
    fid = _feed_id(store)
    _write(store, fid, [(_story("a", "Iran today"), [])])
    assert store.list_stories() == []
    done = store.retag(lambda title, text, summary: [_hit("Iran", code="IR")] if "Iran" in title else [], "fp1")
    assert done == 1
    assert [s.entities for s in store.list_stories()] == [("Iran",)]
    assert store.watchlist_fingerprint() == "fp1"


def test_a_newer_schema_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "news.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer newsdesk"):
        Store(path)


def test_any_sqlalchemy_url_works(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'url.db'}") as s:
        s.sync_feeds([FeedConfig("X", "https://x.example/rss")])
        assert [f.name for f in s.feeds()] == ["X"]


def test_a_bad_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="nosuchdb://"):
        Store("nosuchdb://nowhere")


def test_search_folds_case_and_accents_ranks_titles_first_and_takes_no_syntax(store: Store) -> None:
    feed = _feed_id(store)
    _write(store, feed, [
        (_story("a", "Lula visits São Paulo", text="The president spoke to workers."), []),
        (_story("b", "Markets", text="In sao paulo, shares rose; ZELENSKÝ was not mentioned."), []),
        (_story("c", "Weather", text="Rain."), []),
    ])
    assert [s.title for s in store.search("SAO PAULO")] == ["Lula visits São Paulo", "Markets"]
    assert [s.title for s in store.search("zelensky")] == ["Markets"]
    assert [s.title for s in store.search("presid*")] == ["Lula visits São Paulo"]
    assert [s.title for s in store.search('"shares paulo"')] == []  # a phrase is the words in a row
    assert [s.title for s in store.search('"paulo shares"')] == ["Markets"]
    assert store.search('rain" OR NEAR( ) -') == []  # FTS5 syntax is only text: no error
    assert [s.title for s in store.search("rain")] == ["Weather"]
    assert store.search("   ") == []
    # The index follows edits and deletions (triggers), by another client too when it has the
    # function that reads a stored (compressed) text.
    engine = create_engine(store.url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda conn, _: register_functions(conn))
    with engine.begin() as conn:
        conn.execute(text("update story set title = 'Snow' where key = 'c'"))
        conn.execute(text("delete from story where key = 'a'"))
    engine.dispose()
    assert [s.title for s in store.search("snow")] == ["Snow"]
    assert [s.title for s in store.search("lula")] == []


def test_a_write_is_one_batch_and_skips_what_the_feed_has(store: Store) -> None:
    feed = _feed_id(store)
    first = _write(store, feed, [(_story("a", "A"), [_hit("Russia")]), (_story("b", "B"), [])])
    assert None not in first
    again = _write(store, feed, [(_story("a", "A again"), []), (_story("c", "C"), [_hit("Iran", code="IR")])])
    assert again[0] is None and again[1] is not None
    assert sorted(s.title for s in store.list_stories(matched_only=False)) == ["A", "B", "C"]
    assert [s.entities for s in store.list_stories(entity="Iran")] == [("Iran",)]
    assert store.extracted_pages(["https://news.example/a"]) == {}  # its text came from the feed


def test_a_large_batch_keeps_each_storys_matches_on_that_story(store: Store) -> None:
    # Inserted rows come back from SQLite in several statements, in no promised order: each
    # story's id, matches and title must still belong together, and known keys stay out.
    feed = _feed_id(store)
    _write(store, feed, [(_story(f"k{n}", f"Old {n}"), []) for n in range(0, 1500, 3)])
    batch = [(_story(f"k{n}", f"Story {n}"), [_hit(f"Entity {n}")] if n % 2 else []) for n in range(1500)]
    ids = _write(store, feed, batch)
    assert [i is None for i in ids] == [n % 3 == 0 for n in range(1500)]
    assert len({i for i in ids if i is not None}) == 1000
    for n in (1, 5, 7, 1499):
        assert [s.title for s in store.list_stories(entity=f"Entity {n}")] == [f"Story {n}"]


def test_postgresql_without_unaccent_says_which_sql_to_run(pg_url: str) -> None:
    # A role that may create tables in its schema but not extensions in the database.
    import secrets

    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    role = f"newsdesk_limited_{secrets.token_hex(3)}"
    schema = url.query["options"].split("=")[-1]  # type: ignore[union-attr]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {role}")
        conn.execute(f"REVOKE CREATE ON DATABASE {url.database} FROM PUBLIC")
    try:
        with pytest.raises(StoreError, match=r"needs the unaccent extension.*CREATE EXTENSION unaccent;"):
            Store(url.set(username=role).render_as_string(hide_password=False))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def test_each_reader_keeps_their_own_read_and_starred_marks(db_url: str) -> None:
    with Store(db_url, reader="ana") as ana, Store(db_url, reader="ben") as ben:
        ana.sync_feeds([FeedConfig("World", "https://news.example/rss")])
        fid = _feed_id(ana)
        a, b = _write(ana, fid, [(_story("a", "A"), [_hit("Russia")]), (_story("b", "B"), [_hit("Russia")])])
        assert a is not None and b is not None
        ana.set_read(a)
        ana.set_starred(b)
        assert [(s.title, s.read, s.starred) for s in ana.list_stories()] == [("B", False, True), ("A", True, False)]
        assert [(s.title, s.read, s.starred) for s in ben.list_stories()] == [("B", False, False), ("A", False, False)]
        assert [s.title for s in ben.list_stories(unread_only=True)] == ["B", "A"]
        assert [s.title for s in ana.list_stories(unread_only=True)] == ["B"]
        assert {c.entity: c.unread for c in ana.entity_counts()} == {"Russia": 1}
        assert {c.entity: c.unread for c in ben.entity_counts()} == {"Russia": 2}
        ben.set_read(a)
        ben.set_read(a, False)
        assert ana.story(a).read is True and ben.story(a).read is False  # type: ignore[union-attr]


def test_list_json_shows_the_users_own_read_marks(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from newsdesk.cli import main

    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nname = "World"\nurl = "https://news.example/rss"\n[watchlist]\ncountries = ["Russia"]\n')
    with Store(db_url, reader="ana") as ana:
        ana.sync_feeds([FeedConfig("World", "https://news.example/rss")])
        (a,) = _write(ana, _feed_id(ana), [(_story("a", "Russia story"), [_hit("Russia")])])
        ana.set_read(a)
    for user, read in (("ana", True), ("ben", False)):
        assert main(["list", "--json", "--user", user, "--config", str(config), "--db", db_url]) == 0
        assert [s["read"] for s in json.loads(capsys.readouterr().out)] == [read]


def test_daemons_claim_different_feeds_each_once_per_interval(db_url: str) -> None:
    import time

    feeds = [FeedConfig(f"F{n}", f"https://news.example/{n}.xml") for n in range(5)]
    with Store(db_url) as a, Store(db_url) as b:
        a.sync_feeds(feeds)
        due = [(f.url, 30.0) for f in feeds]
        first = a.claim_feeds(due, limit=3, lease_seconds=60)
        second = b.claim_feeds(due, limit=3, lease_seconds=60)
        assert len(first) == 3 and len(second) == 2 and not set(first) & set(second)
        assert b.claim_feeds(due, limit=5, lease_seconds=60) == []  # all held
        a.release_feeds(first)
        assert b.claim_feeds(due, limit=5, lease_seconds=60) == []  # fetched within the interval
        # A claim that lapses without a release (its daemon died) is taken over at once.
        b.renew_leases(second, 0.5)
        time.sleep(0.7)
        assert sorted(a.claim_feeds(due, limit=5, lease_seconds=60)) == sorted(second)
        # A minute's interval, claimed more than a minute ago: due again.
        assert sorted(b.claim_feeds([(u, 0.001) for u in first], limit=5, lease_seconds=60)) == sorted(first)


def test_a_feeds_last_downloads_are_newest_first_in_whatever_order_they_were_recorded(store: Store) -> None:
    """Two processes refresh one feed; the one that started later records first."""
    from newsdesk.types import FeedOutcome, FeedResult, FetchRecord

    feed_id = store.feeds()[0].id
    now = datetime(2024, 4, 14, 12, 0, tzinfo=UTC)
    failed = FeedResult("http://127.0.0.1:9/feed.xml", FeedOutcome.HTTP_ERROR, http_status=404, error="HTTP 404 Not Found")
    for seconds in (1, 2, 0):
        store.record_fetches([FetchRecord(feed_id, failed, now + timedelta(seconds=seconds), failures=1)])
    assert [o.checked_at.second for o in store.fetch_history(feed_id)] == [2, 1, 0]


_LONG = " ".join(f"Paragraph {n}: the ministers met in Geneva and talked about the ceasefire." for n in range(60))


def test_a_long_text_is_read_searched_replaced_and_forgotten_as_written(store: Store, db_url: str) -> None:
    fid = _feed_id(store)
    (kept,) = _write(store, fid, [(_story("long", "Talks", text=_LONG + " Zelenský spoke last."), [])])
    assert kept is not None
    detail = store.story(kept)
    assert detail is not None and detail.text == _LONG + " Zelenský spoke last."
    assert [s.title for s in store.search("zelensky geneva")] == ["Talks"]
    assert [s.title for s in store.search('"talked about the ceasefire"')] == ["Talks"]
    if db_url.startswith("sqlite"):  # stored compressed: far fewer bytes than the text has
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            (stored,) = conn.execute("select length(text) from story where id = ?", (kept,)).fetchone()
        assert stored < len(_LONG) / 4
    store.set_text(kept, _LONG + " Kuleba spoke last.", "page", None, [])
    assert store.search("zelensky") == [] and [s.title for s in store.search("kuleba")] == ["Talks"]
    store.purge(keep_days=1, max_per_feed=None, now=NOW + timedelta(days=3))
    assert store.search("kuleba") == [] and store.search("geneva") == []


def test_a_text_its_worker_packed_is_stored_read_and_searched_as_one_the_store_packs(store: Store, db_url: str) -> None:
    # A refresh's parse and extraction workers pack each new story's text (StoryWrite.packed_text);
    # the store writes it as it is on SQLite and the text itself on PostgreSQL.
    fid = _feed_id(store)
    text = _LONG + " Zelenský spoke last."
    story = _story("packed", "Talks", text=text)
    (kept,) = store.write_feeds([FeedWrite(fid, (StoryWrite(story, (), None, None, pack_text(text)),), None)])[0]
    (plain,) = _write(store, fid, [(_story("plain", "Other talks", text=text), [])])
    assert kept is not None and plain is not None
    detail = store.story(kept)
    assert detail is not None and detail.text == text
    assert sorted(s.title for s in store.search("zelensky geneva")) == ["Other talks", "Talks"]
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            stored = dict(conn.execute("select id, text from story where id in (?, ?)", (kept, plain)).fetchall())
        assert stored[kept] == stored[plain] == pack_text(text)
    store.purge(keep_days=1, max_per_feed=None, now=NOW + timedelta(days=3))
    assert store.search("geneva") == []
