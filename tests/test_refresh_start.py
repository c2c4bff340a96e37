"""`newsdesk refresh`'s start: on a SQLite file that needs no write first, the feeds are read
through the sqlite3 reader and their downloads start while the Store opens, or, without
alerts or a purge of stories, with the Store opened only for a feed with news (304s are
written through sqlite3). What a person sees and what is stored are the same as when the
Store opens first (a fresh database, feeds.toml changed, PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import parse_config
from newsdesk.match import watchlist_fingerprint
from newsdesk.refresh import refresh, retag_if_needed
from newsdesk.store import Store, open_reader
from newsdesk.types import FeedStatus
from tests.httpserver import LocalServer


def _rss(title: str, guid: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>' + title + "</title>"
        "<link>http://127.0.0.1/</link><description>test</description>"
        f"<item><title>{title} story</title><link>http://127.0.0.1/{guid}.html</link><guid>{guid}</guid>"
        "<description>A story from Iran.</description><pubDate>Sun, 14 Apr 2024 09:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    )


def _site(server: LocalServer, count: int) -> str:
    """`count` feeds, each answered with an ETag and a Last-Modified (304 to either); their feeds.toml."""
    text = "[settings]\nextract = false\n\n"
    for i in range(count):
        server.add(f"/feed{i}.xml", _rss(f"Feed {i}", f"story-{i}"), headers={"Content-Type": "application/rss+xml"})
        text += f'[[feeds]]\nname = "Feed {i}"\nurl = "{server.url(f"/feed{i}.xml")}"\n\n'
    return text


def _stored(statuses: list[FeedStatus]) -> list[FeedStatus]:
    """What a refresh records on each feed, but the moments it happened and the row's id."""
    return [replace(s, id=0, last_checked=None, last_ok=None) for s in statuses]


def test_a_second_refresh_asks_conditionally_and_records_the_304s_as_before(
    http_server: LocalServer, tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _site(http_server, 3)
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    assert main(["refresh", "--config", str(path), "--db", db_url]) == 0
    assert "3 ok, 0 not modified, 0 failed; 3 new stories" in capsys.readouterr().out
    with Store(db_url) as store:
        first = store.feeds()
    if db_url.startswith("sqlite"):  # the next refresh starts its downloads before the Store is open
        with open_reader(db_url) as reads:
            config = parse_config(text, path)
            assert reads.feeds_to_refresh(config.feeds, watchlist_fingerprint(config.watchlist)) == first
    asked = len(http_server.requests)

    assert main(["refresh", "--config", str(path), "--db", db_url]) == 0
    assert "0 ok, 3 not modified, 0 failed; 0 new stories" in capsys.readouterr().out
    second = http_server.requests[asked:]
    assert len(second) == 3
    validators = {f.url: (f.etag, f.last_modified) for f in first}
    for request, headers in second:
        etag, modified = validators[http_server.url(request)]
        assert etag and modified
        assert (headers["If-None-Match"], headers["If-Modified-Since"]) == (etag, modified)
    assert all(http_server.hits(f"/feed{i}.xml", 304) == 1 for i in range(3))

    # The same two refreshes with the Store open from the start (the refresh() call the UI
    # and the daemon make) store the same.
    config = parse_config(text, path)
    with Store(tmp_path / "reference.db") as reference:
        retag_if_needed(config, reference)
        asyncio.run(refresh(config, reference))
        asyncio.run(refresh(config, reference))
        expected = reference.feeds()
        expected_history = [_history(reference, f.id) for f in expected]
    with Store(db_url) as store:
        after = store.feeds()
        assert [s.last_outcome for s in after] == ["not modified"] * 3
        assert all(a.last_checked and f.last_checked and a.last_checked > f.last_checked for a, f in zip(after, first, strict=True))
        assert _stored(after) == _stored([replace(e, url=a.url) for e, a in zip(expected, after, strict=True)])
        assert [_history(store, f.id) for f in after] == expected_history
        assert all(h.checked_at == a.last_checked for a in after for h in store.fetch_history(a.id)[:1])


def _history(store: Store, feed_id: int) -> list[tuple[str, int | None, str | None, int, str | None]]:
    """A feed's recorded downloads, newest first, but the moments they happened."""
    return [(h.outcome, h.http_status, h.error, h.new, h.moved_to) for h in store.fetch_history(feed_id)]


_REFRESH_AND_SAY_WHAT_LOADED = (
    "import sys\n"
    "from newsdesk.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print('exit', code, 'sqlalchemy' in sys.modules)\n"
)


def _refresh_in_a_process(path: Path, db: str) -> tuple[str, str]:
    """`newsdesk refresh` in a process of its own: its summary, and its exit status with
    whether it loaded SQLAlchemy (that is, opened the Store)."""
    done = subprocess.run(
        [sys.executable, "-c", _REFRESH_AND_SAY_WHAT_LOADED, "refresh", "--config", str(path), "--db", db],
        capture_output=True, text=True, check=True, timeout=60,
    )
    *summary, loaded = done.stdout.splitlines()
    return "\n".join(summary), loaded


def _refreshed_once(http_server: LocalServer, tmp_path: Path) -> tuple[Path, str]:
    """Three feeds refreshed once into a new database: their feeds.toml and the database."""
    path = tmp_path / "feeds.toml"
    path.write_text(_site(http_server, 3))
    db = str(tmp_path / "news.db")
    assert main(["refresh", "--config", str(path), "--db", db]) == 0
    return path, db


def test_a_refresh_whose_every_feed_answers_304_writes_their_statuses_without_opening_the_store(
    http_server: LocalServer, tmp_path: Path
) -> None:
    path, db = _refreshed_once(http_server, tmp_path)
    summary, loaded = _refresh_in_a_process(path, db)
    assert "0 ok, 3 not modified, 0 failed; 0 new stories" in summary
    assert loaded == "exit 0 False"
    with Store(db) as store:
        assert [f.last_outcome for f in store.feeds()] == ["not modified"] * 3
        assert [_history(store, f.id) for f in store.feeds()] == [[("not modified", 304, None, 0, None), ("ok", 200, None, 1, None)]] * 3

    # With alerts, the Store opens while the feeds download (it sends what is due), as before.
    path.write_text(path.read_text() + '[alerts]\nentries = ["Iran"]\nbell = false\ndesktop = false\n')
    summary, loaded = _refresh_in_a_process(path, db)
    assert "0 ok, 3 not modified" in summary
    assert loaded == "exit 0 True"


def test_a_feed_with_news_opens_the_store_and_its_stories_are_stored_beside_the_304s(
    http_server: LocalServer, tmp_path: Path
) -> None:
    path, db = _refreshed_once(http_server, tmp_path)
    with Store(db) as store:
        before = store.feeds()
    http_server.add("/feed1.xml", _rss("Feed 1", "story-1b"), headers={"Content-Type": "application/rss+xml"})
    summary, loaded = _refresh_in_a_process(path, db)
    assert "1 ok, 2 not modified, 0 failed; 1 new stories" in summary
    assert loaded == "exit 0 True"
    with Store(db) as store:
        feeds = store.feeds()
        assert [f.last_outcome for f in feeds] == ["not modified", "ok", "not modified"]
        assert [f.etag == b.etag for f, b in zip(feeds, before, strict=True)] == [True, False, True]  # the news' validators
        assert [_history(store, f.id)[0] for f in feeds] == [
            ("not modified", 304, None, 0, None), ("ok", 200, None, 1, None), ("not modified", 304, None, 0, None),
        ]
        titles = sorted(s.title for s in store.list_stories(matched_only=False))
        assert titles == ["Feed 0 story", "Feed 1 story", "Feed 1 story", "Feed 2 story"]


def test_a_first_refresh_into_a_new_file_stores_what_a_refresh_into_a_made_database_does(
    http_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Into a file not made yet, the downloads start (plain GETs) while the Store makes it;
    # into a database made first (its feeds not yet feeds.toml's), the Store opens first.
    path = tmp_path / "feeds.toml"
    path.write_text(_site(http_server, 3))
    made = str(tmp_path / "made.db")
    Store(made).close()
    rows = []
    for db in (str(tmp_path / "new.db"), made):
        asked = len(http_server.requests)
        assert main(["refresh", "--config", str(path), "--db", db]) == 0
        assert "3 ok, 0 not modified, 0 failed; 3 new stories" in capsys.readouterr().out
        assert not any("If-None-Match" in headers for _, headers in http_server.requests[asked:])
        with Store(db) as store:
            rows.append((_stored(store.feeds()), sorted(s.title for s in store.list_stories(matched_only=False))))
    assert rows[0] == rows[1]
    assert rows[0][1] == ["Feed 0 story", "Feed 1 story", "Feed 2 story"]
    # A file that cannot be made is named, as when the Store opened first.
    assert main(["refresh", "--config", str(path), "--db", str(path / "news.db")]) == 1
    assert f"cannot create the database folder {path}" in capsys.readouterr().err


def test_a_feed_added_to_feeds_toml_is_stored_and_fetched_beside_the_304s(
    http_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _site(http_server, 3)
    path = tmp_path / "feeds.toml"
    first, added = text.rsplit("[[feeds]]", 1)
    path.write_text(first)
    db = str(tmp_path / "news.db")
    assert main(["refresh", "--config", str(path), "--db", db]) == 0
    assert "2 ok, 0 not modified" in capsys.readouterr().out
    path.write_text(text)
    assert main(["refresh", "--config", str(path), "--db", db]) == 0
    assert "1 ok, 2 not modified, 0 failed; 1 new stories" in capsys.readouterr().out
    assert main(["list", "--json", "--all", "--all-copies", "--config", str(path), "--db", db]) == 0
    assert "Feed 2 story" in capsys.readouterr().out


def test_a_changed_watchlist_is_applied_to_stored_stories_before_the_refresh(
    http_server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _site(http_server, 2)
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    db = str(tmp_path / "news.db")
    assert main(["refresh", "--config", str(path), "--db", db]) == 0
    capsys.readouterr()
    path.write_text(text + '[watchlist]\ncountries = ["Iran"]\n')
    assert main(["refresh", "--config", str(path), "--db", db]) == 0
    captured = capsys.readouterr()
    assert "watchlist changed: re-tagged 2 stored stories" in captured.err
    assert "0 ok, 2 not modified" in captured.out
    assert main(["list", "--json", "--all-copies", "--config", str(path), "--db", db]) == 0
    assert [s["matches"][0]["entity"] for s in json.loads(capsys.readouterr().out)] == ["Iran", "Iran"]
