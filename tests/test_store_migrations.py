"""A database written by an older newsdesk opens in this one, with everything the reader kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newsdesk.errors import StoreError
from newsdesk.store import Store
from newsdesk.store._models import SCHEMA_VERSION

OLD = Path(__file__).parent / "data" / "db"


def _old_database(tmp_path: Path, version: int) -> Path:
    path = tmp_path / "newsdesk.db"
    with sqlite3.connect(path) as conn:
        conn.executescript((OLD / f"schema-v{version}.sql").read_text(encoding="utf-8"))
    return path


def _assert_kept(store: Store) -> None:
    """The old database's feed, its two stories, the reader's marks and the matches."""
    (feed,) = store.feeds()
    assert feed.name == "World desk" and feed.stories == 2
    items = store.list_stories(matched_only=False)
    assert [s.title for s in items] == ["Weather", "Russia defends Iran's attack on Israel"]
    story = store.story(next(s.id for s in items if s.title.startswith("Russia")))
    assert story is not None and story.read and story.starred
    assert [(h.entity, h.count) for h in story.hits] == [("Russia", 1)]


# Schema 6 gave each reader their own marks: its database's are those of "tester".
_READER = {6: "tester"}


@pytest.mark.parametrize("version", sorted(int(p.stem.removeprefix("schema-v")) for p in OLD.glob("schema-v[0-9].sql")))
def test_an_old_database_is_upgraded_and_keeps_stories_state_and_matches(tmp_path: Path, version: int) -> None:
    path = _old_database(tmp_path, version)
    with Store(path, reader=_READER.get(version)) as store:
        _assert_kept(store)
        russia = next(s.id for s in store.list_stories(matched_only=False) if s.title.startswith("Russia"))
        page = store.story_page(russia)
        # Stories stored before pages were kept have none, and keep their text (schema 3); a
        # page kept by schema 6 is read back as it was stored.
        assert (page is None) if version < 6 else (page is not None and "Sergei Lavrov said" in page)
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from meta where key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert (tmp_path / f"newsdesk.db.schema-{version}.bak").exists()


def test_a_database_from_a_newer_newsdesk_is_refused_untouched(tmp_path: Path) -> None:
    path = _old_database(tmp_path, 1)
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value='99' where key='schema_version'")
    before = _dump(path)
    with pytest.raises(StoreError, match="written by a newer newsdesk .schema 99"):
        Store(path)
    assert _dump(path) == before


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_an_upgraded_database_can_be_searched(tmp_path: Path) -> None:
    with Store(_old_database(tmp_path, 1)) as store:
        assert [s.title for s in store.search("russia")] == ["Russia defends Iran's attack on Israel"]


def test_a_postgresql_database_of_schema_4_is_upgraded_and_searchable(pg_url: str) -> None:
    # Schema 4 on PostgreSQL: tables as an older newsdesk created them there, no search index.
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute((OLD / "schema-v4.postgresql.sql").read_text(encoding="utf-8"))  # type: ignore[arg-type]
    with Store(pg_url) as store:
        _assert_kept(store)
        assert [s.title for s in store.search("RUSSIA lavrov")] == ["Russia defends Iran's attack on Israel"]
        assert [s.title for s in store.search("rain")] == ["Weather"]
    with Store(pg_url) as store:  # opened again: nothing left to upgrade
        assert [s.title for s in store.search("russ*")] == ["Russia defends Iran's attack on Israel"]


def test_a_schema_6_database_searches_its_old_texts_and_new_compressed_ones(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from newsdesk.types import NewStory
    from tests.store_fixtures import write_stories

    path = _old_database(tmp_path, 6)
    now = datetime.now(UTC)
    text = " ".join(f"Part {n}: the grain deal was extended in Istanbul." for n in range(50))
    with Store(path, reader="tester") as store:
        (feed,) = store.feeds()
        story = NewStory(key="new", title="Grain", url="http://127.0.0.1:9/new.html", guid="new", author=None,
                         published=now, fetched_at=now, summary="", text=text, text_source="page")
        (new,) = write_stories(store, feed.id, [(story, [])])
        assert [s.title for s in store.search("lavrov")] == ["Russia defends Iran's attack on Israel"]
        assert [s.title for s in store.search("istanbul")] == ["Grain"]
        assert new is not None and (detail := store.story(new)) is not None and detail.text == text
        # The old unstarred story (stored 2024) goes, and its plain text leaves the index with it.
        assert [s.title for s in store.search("rain")] == ["Weather"]
        store.purge(keep_days=30, max_per_feed=None, now=now + timedelta(days=1))
        assert store.search("rain") == [] and [s.title for s in store.search("grain")] == ["Grain"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("insert into story_fts(story_fts) values ('integrity-check')") is not None
