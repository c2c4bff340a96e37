"""The terminal UI, driven the way a reader drives it (Textual's Pilot), on a real database."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from newsdesk.config import FeedConfig, load_config, parse_config
from newsdesk.match import Matcher
from newsdesk.refresh import RefreshProgress, RefreshSummary
from newsdesk.store import Store
from newsdesk.types import FeedOutcome, FeedResult
from newsdesk.ui import NewsdeskApp, ui_scheduler
from newsdesk.ui.app import _PAGE
from newsdesk.ui.screens import FeedsScreen, HelpScreen, MainScreen, ReaderScreen
from newsdesk.ui.widgets import EntityPanel, FeedTable, StoryTable
from tests.ui_fixtures import CONFIG, NOW, SEED_WATCHLIST, add_story, make_store, settle


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return make_store(tmp_path / "news.db")


def _app(store: Store, refresher: Callable[..., RefreshSummary] | None = None) -> NewsdeskApp:
    return NewsdeskApp(store, CONFIG, refresher=refresher, clock=lambda: NOW)



def _titles(app: NewsdeskApp) -> list[str]:
    table = app.main.query_one(StoryTable)
    return [table.get_row_at(i)[3].plain for i in range(table.row_count)]


async def test_lists_matched_stories_newest_first_with_their_entities(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _titles(app) == [
            "Russia defends Iran's attack on Israel, calls for restraint",
            "Lavrov meets Gulf ministers",
            "[bold]x[/bold] [@click=app.quit]Iran[/] \ufffd[31mred\ufffd[0m",
        ]
        table = app.main.query_one(StoryTable)
        assert table.get_row_at(0)[4].plain == "Russia, Iran, Israel, Vladimir Putin, Sergei Lavrov"
        assert "matched stories" in app.sub_title

        await pilot.press("a")
        await settle(pilot)
        assert "Storms expected across the north" in _titles(app)
        assert "all stories" in app.sub_title


async def test_side_panel_counts_and_filters(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.main.query_one(EntityPanel)
        labels = {o.id: o.prompt.plain for o in panel.options if o.id}
        assert labels["Iran"].startswith("Iran  2")
        assert labels["Sergei Lavrov"].startswith("Sergei Lavrov  2")
        assert labels["Israel"].startswith("Israel  1")

        panel.focus()
        panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == "Sergei Lavrov")
        await pilot.press("enter")
        await settle(pilot)
        assert _titles(app) == ["Russia defends Iran's attack on Israel, calls for restraint", "Lavrov meets Gulf ministers"]
        assert "Sergei Lavrov" in app.sub_title

        await pilot.press("escape")
        await settle(pilot)
        assert len(_titles(app)) == 3


async def test_reader_shows_text_with_highlights_and_marks_read(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        body = screen.query_one("#story-text").render()
        text = body.plain  # type: ignore[union-attr]
        assert text.startswith("Vladimir Putin and Russian FM Sergei Lavrov")
        highlighted = {text[s.start : s.end] for s in body.spans}  # type: ignore[union-attr]
        assert {"Vladimir Putin", "Sergei Lavrov", "Russian", "Iran", "Israel", "Russia"} <= highlighted
        why = screen.query_one("#why").render().plain  # type: ignore[union-attr]
        assert "Why it matched" in why and "Sergei Lavrov" in why and "“Russian”" in why
        head = screen.query_one("#story-head").render().plain  # type: ignore[union-attr]
        assert "Feed: World desk" in head and "Author: Staff writer" in head and "Link: https://news.example/seed" in head

        seed_id = screen.story_id
        assert store.story(seed_id).read is True  # type: ignore[union-attr]

        await pilot.press("m")  # back to unread from the reader
        await settle(pilot)
        assert store.story(seed_id).read is False  # type: ignore[union-attr]

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_m_toggles_read_and_s_stars_in_the_list(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        story_id = app.main.query_one(StoryTable).selected_id()
        assert story_id is not None
        await pilot.press("m")
        await settle(pilot)
        assert store.story(story_id).read is True  # type: ignore[union-attr]
        await pilot.press("s")
        await settle(pilot)
        assert store.story(story_id).starred is True  # type: ignore[union-attr]
        assert app.main.query_one(StoryTable).get_row_at(0)[0].plain == "★"


async def test_r_refreshes_with_progress_and_new_stories_appear(store: Store) -> None:
    calls: list[Sequence[FeedConfig] | None] = []
    progress_seen: list[str] = []

    def refresher(feeds: Sequence[FeedConfig] | None, progress: Callable[[RefreshProgress], None]) -> RefreshSummary:
        calls.append(feeds)
        progress(RefreshProgress(0, 1))
        feed_id = store.feeds()[0].id
        add_story(store, feed_id, Matcher(CONFIG.watchlist), "new", "Putin visits Tehran", "Vladimir Putin landed in Iran.", NOW)
        progress(RefreshProgress(1, 1, "World desk"))
        return RefreshSummary(ok=1, new_stories=1, new_matches=2)

    app = _app(store, refresher)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        original = app._progress

        def spy(p: RefreshProgress) -> None:
            original(p)
            progress_seen.append(str(app.main.query_one("#status").render()))

        app._progress = spy  # type: ignore[method-assign]
        await pilot.press("r")
        await settle(pilot)
        assert calls == [None]
        assert "Refreshing 1/1 · World desk" in progress_seen
        assert _titles(app)[0] == "Putin visits Tehran"
        assert "1 new stories" in str(app.main.query_one("#status").render())


async def test_help_and_quit(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_hostile_markup_is_shown_literally_and_runs_nothing(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.main.query_one(StoryTable)
        row = next(i for i in range(table.row_count) if "[@click" in table.get_row_at(i)[3].plain)
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        head = screen.query_one("#story-head").render().plain  # type: ignore[union-attr]
        assert "[bold]x[/bold] [@click=app.quit]Iran[/]" in head
        assert "\x1b" not in head
        text = screen.query_one("#story-text").render().plain  # type: ignore[union-attr]
        assert text == "Iran said [link=file:///etc/passwd]nothing[/link]."
        await pilot.click("#story-head")
        await settle(pilot)
        assert app.is_running


async def test_watching_every_country_lists_only_countries_with_stories(tmp_path: Path) -> None:
    star = parse_config('[watchlist]\ncountries = ["*"]\n')
    store = Store(tmp_path / "news.db")
    store.sync_feeds([FeedConfig("World desk", "http://127.0.0.1:9/feed.xml")])
    feed_id = store.feeds()[0].id
    matcher = Matcher(star.watchlist)
    add_story(store, feed_id, matcher, "a", "Chile and Peru sign a deal", "Chilean and Peruvian ministers met.", NOW)
    add_story(store, feed_id, matcher, "b", "Peru votes", "Peruvians voted on Sunday.", NOW)
    app = NewsdeskApp(store, star, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.main.query_one(EntityPanel)
        labels = [o.prompt.plain.split("  ")[0] for o in panel.options if o.id]
        assert labels[1:] == ["Chile", "Peru"]  # after "All matches"
        assert sorted(_titles(app)) == ["Chile and Peru sign a deal", "Peru votes"]


async def test_the_feeds_screen_shows_each_feeds_health(store: Store) -> None:
    broken = FeedConfig("Broken feed", "http://127.0.0.1:9/broken.xml")
    config = dataclasses.replace(CONFIG, feeds=(*CONFIG.feeds, broken))
    store.sync_feeds(config.feeds)
    feed = store.feed(broken.url)
    assert feed is not None
    store.record_fetch(
        feed.id, FeedResult(broken.url, FeedOutcome.HTTP_ERROR, http_status=500, error="HTTP 500 [bold]Internal[/bold]"),
        NOW, failures=3, next_try=NOW + timedelta(days=3650),
    )
    app = NewsdeskApp(store, config, clock=lambda: NOW)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        table = app.screen.query_one(FeedTable)
        rows = {table.get_row_at(i)[0].plain: table.get_row_at(i) for i in range(table.row_count)}
        assert rows["Broken feed"][1].plain == "waiting (3×)"
        assert rows["Broken feed"][4].plain.startswith("HTTP 500 [bold]Internal[/bold]; next try ")
        assert rows["World desk"][1].plain == "never fetched"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_a_broken_feeds_toml_edit_is_shown_until_fixed(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        app.show_config_error("feeds.toml:3: feeds[1]: needs a url")
        await pilot.pause()
        status = app.main.query_one("#status", Static)
        assert "feeds.toml has an error, still using the last good one: feeds.toml:3" in str(status.render())
        app.apply_config(CONFIG)
        await settle(pilot)
        assert "error" not in str(app.main.query_one("#status", Static).render())


async def test_the_running_app_picks_up_a_feeds_toml_edit_and_shows_new_stories(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real scheduler inside the real app: no restart between editing feeds.toml and reading."""
    def rss(title: str) -> bytes:
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>{title}</title>'
                f"<guid>{title}</guid><description>{title} today.</description></item></channel></rss>").encode()

    http_server.add("/one.xml", rss("Iran votes"), headers={"Content-Type": "application/rss+xml"})
    http_server.add("/two.xml", rss("Israel votes"), headers={"Content-Type": "application/rss+xml"})
    path = tmp_path / "feeds.toml"
    one = f'[settings]\nextract = false\n\n[[feeds]]\nname = "One"\nurl = "{http_server.url("/one.xml")}"\n\n'
    path.write_text(one + '[watchlist]\ncountries = ["Iran"]\n', encoding="utf-8")
    store = Store(tmp_path / "news.db")
    app = NewsdeskApp(store, load_config(path), scheduler_factory=functools.partial(ui_scheduler, watch_seconds=0.1))
    async with app.run_test(size=(140, 30)) as pilot:
        await _until(pilot, lambda: _titles(app) == ["Iran votes"])
        # A new feed and a new watchlist entry, written while the app runs.
        two = f'[[feeds]]\nname = "Two"\nurl = "{http_server.url("/two.xml")}"\n\n'
        path.write_text(one + two + '[watchlist]\ncountries = ["Iran", "Israel"]\n', encoding="utf-8")
        os.utime(path, ns=(path.stat().st_mtime_ns + 2_000_000_000,) * 2)
        await _until(pilot, lambda: sorted(_titles(app)) == ["Iran votes", "Israel votes"])
        panel = app.main.query_one(EntityPanel)
        assert "Israel" in {o.id for o in panel.options}
        # A broken edit is shown, and the last good config keeps running.
        path.write_text(one + "[[feeds]\n", encoding="utf-8")
        os.utime(path, ns=(path.stat().st_mtime_ns + 4_000_000_000,) * 2)
        await _until(pilot, lambda: app.config_error is not None)
        assert [f.name for f in app.config.feeds] == ["One", "Two"]


async def _until(pilot, condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "timed out"
        await settle(pilot)
        await asyncio.sleep(0.1)


async def test_slash_searches_every_story_and_escape_goes_back(store: Store) -> None:
    app = _app(store)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for key in "riyadh":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot)
        assert _titles(app) == ["Lavrov meets Gulf ministers"]
        assert app.sub_title == "search · riyadh"
        await pilot.press("escape")
        await settle(pilot)
        assert app.search is None and len(_titles(app)) == 3


async def test_the_list_loads_a_page_at_a_time_as_the_cursor_goes_down(tmp_path: Path) -> None:
    from datetime import timedelta

    from newsdesk.types import NewStory

    store = make_store(tmp_path / "big.db")
    feed_id = store.feeds()[0].id
    store.add_stories(feed_id, [
        (NewStory(key=f"k{i}", title=f"Story {i}", url=None, guid=None, author=None, published=NOW - timedelta(days=1, minutes=i),
                  fetched_at=NOW, summary="", text="", text_source="feed"), [])
        for i in range(450)
    ])
    app = _app(store)
    app.matched_only = False
    async with app.run_test() as pilot:
        await settle(pilot)
        table = app.main.query_one(StoryTable)
        assert table.row_count == _PAGE
        counts = []
        while not counts or counts[-1] < 454:
            await pilot.press("ctrl+end")
            await settle(pilot)
            counts.append(table.row_count)
            assert len(counts) < 10
        assert counts[0] > _PAGE and counts[-1] == 454
        assert _titles(app)[-1] == "Story 449"


async def test_r_in_the_running_app_downloads_and_extracts_pages(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real refresher inside the app: extraction workers start even though Textual has
    taken over the process's stdout and stderr."""
    page = (Path(__file__).parent / "data" / "pages" / "russia-defends-iran-attack.html").read_bytes()
    http_server.add("/seed.html", page, headers={"Content-Type": "text/html; charset=utf-8"})
    rss = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>Russia defends Iran</title>'
           f'<guid>seed</guid><link>{http_server.url("/seed.html")}</link><description>Moscow spoke.</description></item></channel></rss>')
    http_server.add("/feed.xml", rss.encode(), headers={"Content-Type": "application/rss+xml"})
    path = tmp_path / "feeds.toml"
    path.write_text(f'[[feeds]]\nname = "World"\nurl = "{http_server.url("/feed.xml")}"\n' + SEED_WATCHLIST, encoding="utf-8")
    store = Store(tmp_path / "news.db")
    app = NewsdeskApp(store, load_config(path))
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await _until(pilot, lambda: _titles(app) == ["Russia defends Iran"])
    (story,) = store.list_stories()
    detail = store.story(story.id)
    assert detail is not None and detail.text_source == "page"
    assert {h.entity for h in detail.hits} == {"Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov"}
