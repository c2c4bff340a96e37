"""The whole pipeline, end to end: a local feed server → refresh → SQLite → list."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import parse_config
from newsdesk.refresh import RefreshProgress, refresh, retag_if_needed
from newsdesk.store import Store
from newsdesk.types import FeedResult, StoryQuery
from tests.ui_fixtures import SEED_WATCHLIST

DATA = Path(__file__).parent / "data"
SEED_PAGE = (DATA / "pages" / "russia-defends-iran-attack.html").read_bytes()

WATCHLIST = SEED_WATCHLIST


def _rss(base: str, items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<description>{summary}</description><pubDate>Sun, 14 Apr 2024 09:00:00 GMT</pubDate></item>"
        for title, path, summary in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>World desk</title>'
        f"<link>{base}/</link><description>test</description>{body}</channel></rss>"
    ).encode()


@pytest.fixture
def site(http_server):  # type: ignore[no-untyped-def]
    base = http_server.url("")
    http_server.add("/articles/seed.html", SEED_PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    http_server.add(
        "/feed.xml",
        _rss(
            base,
            [
                ("Russia defends Iran's attack on Israel, calls for restraint", "/articles/seed.html",
                 "Moscow says Tehran acted in self-defence."),
                ("Markets calm as Israeli shekel steadies", "/articles/gone.html",
                 "The Israeli currency held steady on Monday after a volatile week."),
            ],
        ),
        headers={"Content-Type": "application/rss+xml"},
    )
    http_server.add("/broken.xml", b"not found", status=404)
    return http_server


def _config(site, tmp_path: Path, extra: str = ""):  # type: ignore[no-untyped-def]
    text = (
        f'[[feeds]]\nname = "World desk"\nurl = "{site.url("/feed.xml")}"\n\n'
        f'[[feeds]]\nname = "Broken"\nurl = "{site.url("/broken.xml")}"\n' + extra + WATCHLIST
    )
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    return path, parse_config(text, path)


def test_refresh_extracts_tags_and_stores_the_seed_story(site, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _, config = _config(site, tmp_path)
    with Store(db_url) as store:
        summary = asyncio.run(refresh(config, store))
        assert (summary.ok, summary.not_modified, summary.failed, summary.new_stories) == (1, 0, 1, 2)
        assert [p.name for p in summary.problems] == ["Broken"]
        assert "404" in summary.problems[0].message

        (seed,) = [s for s in store.list_stories(matched_only=False) if "Russia defends" in s.title]
        assert set(seed.entities) == {"Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov"}
        detail = store.story(seed.id)
        assert detail is not None
        assert detail.text_source == "page"
        assert "Vladimir Putin and Russian FM Sergei Lavrov" in detail.text
        assert "Russia has grown increasingly close with Iran" in detail.text
        assert detail.author == "Staff writer"

        # The page that 404s keeps the feed's own summary, and says why.
        (gone,) = [s for s in store.list_stories(matched_only=False) if "shekel" in s.title]
        detail = store.story(gone.id)
        assert detail is not None
        assert (detail.text_source, detail.text) == ("feed", "The Israeli currency held steady on Monday after a volatile week.")
        assert detail.text_note and "404" in detail.text_note
        assert gone.entities == ("Israel",)

        # Each feed's last outcome is stored.
        outcomes = {f.name: (f.last_outcome, f.http_status) for f in store.feeds()}
        assert outcomes["World desk"] == ("ok", 200)
        assert outcomes["Broken"] == ("http error", 404)


def test_a_second_refresh_is_a_conditional_get_and_downloads_nothing(site, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _, config = _config(site, tmp_path)
    with Store(db_url) as store:
        asyncio.run(refresh(config, store))
        pages_before = site.hits("/articles/seed.html")
        summary = asyncio.run(refresh(config, store))
        assert (summary.ok, summary.not_modified, summary.new_stories) == (0, 1, 0)
        assert site.hits("/articles/seed.html") == pages_before == 1
        assert store.count_view(StoryQuery(matched_only=False)).stories == 2


def test_a_feed_is_let_go_once_its_stories_are_stored(site, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    # A cold refresh of many feeds must not hold every feed's parsed entries to its end.
    _, config = _config(site, tmp_path)
    held: list[int] = []

    def progress(step: RefreshProgress) -> None:
        if step.feed == "World desk":
            gc.collect()  # what only a cycle holds is not held (asyncio's futures make some)
            held.append(sum(1 for o in gc.get_objects() if isinstance(o, FeedResult) and o.url.endswith("/feed.xml")))

    with Store(db_url) as store:
        summary = asyncio.run(refresh(config, store, progress=progress))
    assert summary.new_stories == 2
    assert held == [0]


def test_a_story_already_stored_is_never_downloaded_again(site, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _, config = _config(site, tmp_path)
    with Store(db_url) as store:
        asyncio.run(refresh(config, store))
        # The feed changes (new ETag), but its entries are the ones already stored.
        site.add("/feed.xml", site.body("/feed.xml") + b"\n", headers={"Content-Type": "application/rss+xml"})
        summary = asyncio.run(refresh(config, store))
        assert (summary.ok, summary.new_stories) == (1, 0)
        assert site.hits("/articles/seed.html") == 1


def test_star_watches_every_country_but_not_syria_through_damascus(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = f'[[feeds]]\nurl = "{site.url("/feed.xml")}"\n[watchlist]\ncountries = ["*"]\n'
    config = parse_config(text)
    with Store(tmp_path / "news.db") as store:
        asyncio.run(refresh(config, store))
        (seed,) = [s for s in store.list_stories() if "Russia defends" in s.title]
        assert {"Russia", "Iran", "Israel"} <= set(seed.entities)
        assert "Syria" not in seed.entities


def test_a_watchlist_change_retags_stored_stories(site, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    _, config = _config(site, tmp_path)
    with Store(db_url) as store:
        retag_if_needed(config, store)
        asyncio.run(refresh(config, store))
        assert retag_if_needed(config, store) is None  # unchanged watchlist: nothing to do
        narrower = parse_config(f'[[feeds]]\nurl = "{site.url("/feed.xml")}"\n[watchlist]\ncountries = ["Iran"]\n')
        assert retag_if_needed(narrower, store) == 2
        assert [s.entities for s in store.list_stories()] == [("Iran",)]
        assert store.list_stories(entity="Russia") == []


def test_cli_refresh_then_list_json(site, tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path, _ = _config(site, tmp_path)
    db = db_url
    assert main(["refresh", "--config", str(path), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "1 ok, 0 not modified, 1 failed; 2 new stories" in out
    assert "Broken" in out and "404" in out

    assert main(["list", "--json", "--config", str(path), "--db", str(db)]) == 0
    stories = json.loads(capsys.readouterr().out)
    seed = next(s for s in stories if "Russia defends" in s["title"])
    assert set(seed) == {"id", "title", "url", "feed", "published", "read", "starred", "matches", "cluster", "sources"}
    assert seed["feed"] == "World desk" and seed["read"] is False
    assert seed["published"].startswith("2024-04-14T09:00:00")
    entities = {m["entity"]: m for m in seed["matches"]}
    assert set(entities) == {"Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov"}
    assert entities["Russia"]["kind"] == "country" and entities["Russia"]["count"] >= 3
    assert entities["Vladimir Putin"]["kind"] == "person"
    assert "Putin" in entities["Vladimir Putin"]["snippet"]

    assert main(["list", "--json", "--entity", "Sergei Lavrov", "--config", str(path), "--db", str(db)]) == 0
    assert [s["title"] for s in json.loads(capsys.readouterr().out)] == [seed["title"]]

    assert main(["status", "--config", str(path), "--db", str(db)]) == 0
    status = capsys.readouterr().out
    assert "Broken" in status and "failing (1×)" in status and "HTTP 404" in status


def test_extract_false_uses_the_feeds_text_and_downloads_no_page(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for extra, where in (('\n[settings]\nextract = false\n', "settings"), ("", "feed")):
        text = f'[[feeds]]\nname = "World desk"\nurl = "{site.url("/feed.xml")}"\n'
        text = (extra + text) if where == "settings" else text + "extract = false\n"
        config = parse_config(text + WATCHLIST)
        before = site.hits("/articles/seed.html")
        with Store(tmp_path / f"{where}.db") as store:
            summary = asyncio.run(refresh(config, store))
            assert summary.new_stories == 2
            assert site.hits("/articles/seed.html") == before
            details = [store.story(s.id) for s in store.list_stories(matched_only=False)]
            assert {(d.text_source, d.text_note) for d in details if d} == {("feed", None)}
            assert any(d and d.text == "Moscow says Tehran acted in self-defence." for d in details)


def test_a_page_linked_by_two_feeds_is_downloaded_and_extracted_once(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site.add("/other.xml", site.body("/feed.xml").replace(b"<guid>", b"<guid>other-"), headers={"Content-Type": "application/rss+xml"})
    text = (
        f'[[feeds]]\nname = "World desk"\nurl = "{site.url("/feed.xml")}"\n'
        f'[[feeds]]\nname = "Other desk"\nurl = "{site.url("/other.xml")}"\n' + WATCHLIST
    )
    with Store(tmp_path / "news.db") as store:
        summary = asyncio.run(refresh(parse_config(text), store))
        assert summary.new_stories == 4
        assert site.hits("/articles/seed.html") == 1
        seeds = [store.story(s.id) for s in store.list_stories() if "Russia defends" in s.title]
        assert len(seeds) == 2 and all(d and d.text_source == "page" and "Sergei Lavrov" in d.text for d in seeds)
        # A third feed next time: the stored article is reused, not downloaded again.
        site.add("/third.xml", site.body("/feed.xml").replace(b"<guid>", b"<guid>third-"), headers={"Content-Type": "application/rss+xml"})
        third = parse_config(text + f'\n[[feeds]]\nname = "Third"\nurl = "{site.url("/third.xml")}"\n')
        asyncio.run(refresh(third, store))
        assert site.hits("/articles/seed.html") == 1


def test_cli_search(site, tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path, _ = _config(site, tmp_path)
    db = db_url
    assert main(["refresh", "--config", str(path), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["search", "--json", "LAVROV", "--config", str(path), "--db", str(db)]) == 0
    assert [s["title"] for s in json.loads(capsys.readouterr().out)] == ["Russia defends Iran's attack on Israel, calls for restraint"]
    assert main(["search", "shekel", "volatile", "--config", str(path), "--db", str(db)]) == 0
    assert "Markets calm" in capsys.readouterr().out
    assert main(["search", "nothing-like-this", "--config", str(path), "--db", str(db)]) == 0
    assert "no stored story matches" in capsys.readouterr().out


class _DiskFullFor(Store):
    """A store whose writes fail for one feed: a full disk or a locked file, say."""

    bad_feed_id = -1

    def write_feeds(self, writes):  # type: ignore[no-untyped-def]
        if any(w.feed_id == self.bad_feed_id for w in writes):
            raise OSError("database or disk is full")
        return super().write_feeds(writes)


def test_a_write_that_fails_for_one_feed_fails_that_feed_alone(site, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    # Feeds are written together (group commit); when a batch fails, its feeds are written one
    # by one, so the others' stories and validators are kept.
    site.add("/other.xml", site.body("/feed.xml").replace(b"<guid>", b"<guid>other-"), headers={"Content-Type": "application/rss+xml"})
    text = (
        f'[settings]\nextract = false\n[[feeds]]\nname = "World desk"\nurl = "{site.url("/feed.xml")}"\n'
        f'[[feeds]]\nname = "Other desk"\nurl = "{site.url("/other.xml")}"\n' + WATCHLIST
    )
    config = parse_config(text)
    with _DiskFullFor(db_url) as store:
        store.sync_feeds(config.feeds)
        store.bad_feed_id = next(f.id for f in store.feeds() if f.name == "Other desk")
        summary = asyncio.run(refresh(config, store))
        assert (summary.ok, summary.new_stories) == (2, 2)
        assert [p.name for p in summary.problems] == ["Other desk"]
        assert "database or disk is full" in summary.problems[0].message
        stored = {f.name: f for f in store.feeds()}
        assert stored["World desk"].stories == 2 and stored["World desk"].etag is not None
        assert stored["Other desk"].stories == 0 and stored["Other desk"].etag is None
