"""The terminal UI, driven the way a reader drives it (Textual's Pilot), on a real database:
every key of the keymap, checked against what is stored or what the screen shows."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import stat
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from textual.widgets import Input, OptionList, Static

from newsdesk.config import FeedConfig, parse_config
from newsdesk.match import Matcher, summarize
from newsdesk.refresh import RefreshProgress, RefreshSummary
from newsdesk.store import Store
from newsdesk.types import FeedOutcome, FeedResult, FetchRecord, NewStory, StoryQuery
from newsdesk.ui import NewsdeskApp
from newsdesk.ui.screens import (
    ConfirmScreen,
    EntityScreen,
    FeedsScreen,
    HelpScreen,
    LinksScreen,
    ReaderScreen,
    SortScreen,
    StoryListScreen,
)
from newsdesk.ui.state import load_state
from newsdesk.ui.widgets import EntityPanel, FeedList, FeedProblem, StoryList
from tests.store_fixtures import feed_named, write_stories
from tests.ui_fixtures import CONFIG, NOW, SEED_WATCHLIST, add_story, make_store, settle
from tests.ui_fixtures import until as _until


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return make_store(tmp_path / "news.db")


def _app(store: Store, config=CONFIG, **options) -> NewsdeskApp:  # type: ignore[no-untyped-def]
    return NewsdeskApp(store, config, clock=lambda: NOW, **options)


def _list(app: NewsdeskApp) -> StoryList:
    return app.screen.query_one(StoryList)


def _titles(app: NewsdeskApp) -> list[str]:
    return [s.title for s in _list(app).rows]


def _selected(app: NewsdeskApp) -> str:
    story = _list(app).current
    assert story is not None
    return story.title


def _status(app: NewsdeskApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


def _text(app: NewsdeskApp, selector: str) -> str:
    """What a Static shows, as plain text."""
    shown = app.screen.query_one(selector, Static).content
    if isinstance(shown, Text):
        return shown.plain
    console = Console(width=200, file=io.StringIO())
    lines = console.render_lines(shown, pad=False)  # type: ignore[arg-type]
    return "\n".join("".join(segment.text for segment in line) for line in lines)


async def _press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _select(pilot, app: NewsdeskApp, title: str) -> None:  # type: ignore[no-untyped-def]
    """j down the list to the story."""
    await _press(pilot, "home")
    for _ in _titles(app):
        if _selected(app) == title:
            return
        await _press(pilot, "j")
    raise AssertionError(f"{title!r} is not in the list")


def _many(store: Store, count: int, *, matched: bool = False) -> list[int]:
    """`count` more stories, one a minute, newest first by number: "Story 0" is the newest."""
    feed_id = store.feeds()[0].id
    matcher = Matcher(CONFIG.watchlist)
    ids = []
    for i in range(count):
        title = f"Story {i}" + (" in Iran" if matched else "")
        ids.append(add_story(store, feed_id, matcher, f"many-{i}", title, "Text.", NOW - timedelta(days=1, minutes=i)))
    return [i for i in ids if i is not None]


# ---------------------------------------------------------------- the list


async def test_lists_matched_stories_newest_first_with_their_entities(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _titles(app) == [
            "Russia defends Iran's attack on Israel, calls for restraint",
            "Lavrov meets Gulf ministers",
            "[bold]x[/bold] [@click=app.quit]Iran[/] \x1b[31mred\x1b[0m",
        ]
        assert _list(app).rows[0].entities == ("Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov")
        assert app.screen.sub_title == "matched — 3 stories, 3 unread"
        await _press(pilot, "a")
        assert "Storms expected across the north" in _titles(app)
        assert app.screen.sub_title == "all stories — 4 stories, 4 unread"


async def test_the_panel_counts_filters_and_hides(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(EntityPanel)
        assert panel.display  # 120 columns: room for it
        labels = {o.id: o.prompt.plain for o in panel.options if o.id}
        assert labels["Iran"].startswith("Iran  2")
        assert labels["Sergei Lavrov"].startswith("Sergei Lavrov  2")
        panel.focus()
        panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == "Sergei Lavrov")
        await _press(pilot, "enter")  # the entry's screen, and under it the list shows its stories
        assert isinstance(app.screen, EntityScreen)
        await _press(pilot, "q")
        assert _titles(app) == ["Russia defends Iran's attack on Israel, calls for restraint", "Lavrov meets Gulf ministers"]
        assert app.screen.sub_title.startswith("Sergei Lavrov — 2 stories")
        await _press(pilot, "escape")
        assert len(_titles(app)) == 3
        await _press(pilot, "w")
        assert not panel.display
        await _press(pilot, "w")
        assert panel.display
    narrow = _app(store)
    async with narrow.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not narrow.screen.query_one(EntityPanel).display  # below 100 columns it starts hidden


async def test_moving_keys(store: Store) -> None:
    _many(store, 30)
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _press(pilot, "a")
        rows = _list(app).rows
        await _press(pilot, "j", "j", "down")
        assert _list(app).cursor == 3
        await _press(pilot, "k", "up")
        assert _list(app).cursor == 1
        await _press(pilot, "pagedown")
        page = _list(app).cursor
        assert page > 10
        await _press(pilot, "pageup")
        assert _list(app).cursor == 1
        await _press(pilot, "space")
        assert _list(app).cursor == page
        await _press(pilot, "end")
        assert _selected(app) == rows[-1].title
        await _press(pilot, "home")
        assert _list(app).cursor == 0


async def test_N_toggles_read_s_stars_and_S_shows_starred(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        story = _list(app).current
        assert story is not None
        await _press(pilot, "N")
        assert store.story(story.id).read is True  # type: ignore[union-attr]
        assert _list(app).current.read  # type: ignore[union-attr]
        assert app.screen.sub_title == "matched — 3 stories, 2 unread"
        await _press(pilot, "N")
        assert store.story(story.id).read is False  # type: ignore[union-attr]
        await _press(pilot, "s")
        assert store.story(story.id).starred is True  # type: ignore[union-attr]
        await _press(pilot, "S")
        assert _titles(app) == [story.title]
        assert app.screen.sub_title == "starred — 1 stories, 1 unread"
        await _press(pilot, "S")
        assert len(_titles(app)) == 3


async def test_l_hides_read_stories_and_d_steps_the_date_window(store: Store) -> None:
    store.set_read(store.list_stories()[0].id, True)
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _press(pilot, "l")
        assert _titles(app) == ["Lavrov meets Gulf ministers", "[bold]x[/bold] [@click=app.quit]Iran[/] \x1b[31mred\x1b[0m"]
        assert app.screen.sub_title == "matched · unread — 2 stories, 2 unread"
        await _press(pilot, "l")
        assert len(_titles(app)) == 3
        # NOW is 12:00 UTC; the stories are 1, 3 and 5 hours old: all today, in 7 and 30 days.
        await _press(pilot, "d")
        assert app.screen.sub_title.startswith("matched · today")
        await _press(pilot, "d", "d")
        assert app.screen.sub_title.startswith("matched · 30 days — 3 stories")
        await _press(pilot, "d")
        assert app.screen.sub_title.startswith("matched — 3 stories")


async def test_g_chooses_the_order_and_G_reverses_it(store: Store) -> None:
    first = store.list_stories()[0]
    store.set_read(first.id, True)
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _press(pilot, "G")
        assert _titles(app)[0].startswith("[bold]x")  # oldest first
        assert "newest first, reversed" in app.screen.sub_title
        await _press(pilot, "G", "g")
        assert isinstance(app.screen, SortScreen)
        await _press(pilot, "j", "j", "enter")  # unread first
        assert isinstance(app.screen, StoryListScreen)
        assert _titles(app)[-1] == first.title
        await _press(pilot, "g", "j", "escape")  # Escape chooses nothing
        assert "unread first" in app.screen.sub_title
        await _press(pilot, "g", "end", "y")  # y takes the highlighted one: most matches
        assert _titles(app)[0] == first.title  # five entries


async def test_slash_searches_within_the_view_and_escape_goes_back(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _press(pilot, "a", "slash", *"iran", "enter")
        assert sorted(_titles(app)) == sorted([
            "Russia defends Iran's attack on Israel, calls for restraint",
            "[bold]x[/bold] [@click=app.quit]Iran[/] \x1b[31mred\x1b[0m",
        ])
        assert app.screen.sub_title.startswith("all stories · “iran”")
        await _press(pilot, "escape")
        assert len(_titles(app)) == 4  # the search is gone, the view (all) stays
        # Within a view: Sergei Lavrov's stories holding "riyadh".
        panel = app.screen.query_one(EntityPanel)
        panel.focus()
        panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == "Sergei Lavrov")
        await _press(pilot, "enter", "q", "slash", *"riyadh", "enter")
        assert _titles(app) == ["Lavrov meets Gulf ministers"]
        await _press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        body = app.screen.query_one("#story-text", Static).render()
        text = body.plain  # type: ignore[union-attr]
        assert {text[s.start : s.end] for s in body.spans} >= {"Riyadh", "Sergei Lavrov"}  # type: ignore[union-attr]
        await _press(pilot, "q", "escape", "escape")
        assert not app.screen.query_one("#search", Input).has_class("-shown")
        assert app.screen.sub_title.startswith("matched — 3 stories")


async def test_the_list_reads_a_page_at_a_time_as_the_cursor_goes_down(store: Store) -> None:
    _many(store, 450)
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _press(pilot, "a")
        assert len(_titles(app)) == 100
        counts = []
        while not counts or counts[-1] < 454:
            await _press(pilot, "end")
            counts.append(len(_titles(app)))
            assert len(counts) < 10
        assert counts[0] > 100 and counts[-1] == 454
        assert _titles(app)[-1] == "Story 449"


# ---------------------------------------------------------------- triage


async def test_n_and_p_go_through_unread_stories_in_the_list_and_the_reader(store: Store) -> None:
    _many(store, 150, matched=True)
    for story in store.list_stories(limit=300)[1:140]:
        store.set_read(story.id, True)  # unread: the newest, and Story 137 to 149
    # "Story 137 in Iran" and "Story 138 in Iran" are one event to the clustering: each is a row here.
    app = _app(store, dataclasses.replace(CONFIG, settings=dataclasses.replace(CONFIG.settings, collapse=False)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _list(app).cursor == 0
        await _press(pilot, "n")  # past the first page of 100 rows, to Story 137
        assert _selected(app) == "Story 137 in Iran"
        await _press(pilot, "n")
        assert _selected(app) == "Story 138 in Iran"
        await _press(pilot, "p", "p")
        assert _list(app).cursor == 0
        await _press(pilot, "p")  # nothing above: it stays
        assert _list(app).cursor == 0
        # From the reader: n opens the next unread story, without going back.
        await _press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        await _press(pilot, "n")
        assert _text(app, "#story-head").startswith("Story 137 in Iran")
        await _press(pilot, "n")
        assert _text(app, "#story-head").startswith("Story 138 in Iran")
        await _press(pilot, "p")  # every story before is read now: it stays
        assert _text(app, "#story-head").startswith("Story 138 in Iran")
        await _press(pilot, "K")  # the previous story, read or not
        assert _text(app, "#story-head").startswith("Story 137 in Iran")
        await _press(pilot, "J", "J")
        assert _text(app, "#story-head").startswith("Story 139 in Iran")
        await _press(pilot, "q")
        assert isinstance(app.screen, StoryListScreen)
        assert _selected(app) == "Story 139 in Iran"  # the list's cursor follows the reader
        assert store.count_view(StoryQuery()).unread == 153 - 139 - 4


async def test_A_asks_then_marks_the_view_read_and_z_undoes_it(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(EntityPanel)
        panel.focus()
        panel.highlighted = next(i for i, o in enumerate(panel.options) if o.id == "Sergei Lavrov")
        await _press(pilot, "enter", "q", "A")
        assert isinstance(app.screen, ConfirmScreen)
        assert _text(app, ".question") == "Mark 2 stories in this view read?"
        await _press(pilot, "n")  # no: nothing changes
        assert store.count_view(StoryQuery(matched_only=False)).unread == 4
        await _press(pilot, "A", "y")
        assert store.count_view(StoryQuery(entity="Sergei Lavrov")).unread == 0
        assert store.count_view(StoryQuery(matched_only=False)).unread == 2  # only the view's
        assert all(s.read for s in _list(app).rows)
        await _press(pilot, "z")
        assert store.count_view(StoryQuery(matched_only=False)).unread == 4
        await _press(pilot, "z")  # one undo per mark-all
        assert store.count_view(StoryQuery(matched_only=False)).unread == 4


async def test_C_asks_then_marks_every_story_read(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _press(pilot, "C")
        assert _text(app, ".question") == "Mark 4 stories (every stored story) read?"
        await _press(pilot, "enter")
        assert store.count_view(StoryQuery(matched_only=False)).unread == 0
        assert app.screen.sub_title == "matched — 3 stories, 0 unread"
        await _press(pilot, "C")  # nothing left: no question
        assert isinstance(app.screen, StoryListScreen)


# ---------------------------------------------------------------- the reader


async def test_reader_shows_text_with_highlights_why_and_marks_read(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        story = _list(app).current
        assert story is not None
        await _press(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        body = app.screen.query_one("#story-text", Static).render()
        text = body.plain  # type: ignore[union-attr]
        assert text.startswith("Vladimir Putin and Russian FM Sergei Lavrov")
        assert {"Vladimir Putin", "Sergei Lavrov", "Russian", "Iran", "Israel", "Russia"} <= {text[s.start : s.end] for s in body.spans}  # type: ignore[union-attr]
        why = _text(app, "#why")
        assert "Sergei Lavrov  person, 1 mention: 1 in the text; as “Sergei Lavrov”" in why
        assert "Russia  country, 6 mentions: 5 in the text, 1 in the title" in why
        head = _text(app, "#story-head")
        assert "Feed: World desk" in head and "Author: Staff writer" in head
        assert _text(app, "#story-link") == "Link: https://news.example/seed"
        assert store.story(story.id).read is True  # type: ignore[union-attr]
        assert _text(app, "#story-source") == "Text from the article page\nread"
        await _press(pilot, "N")  # unread again, from the reader
        assert store.story(story.id).read is False  # type: ignore[union-attr]
        assert _text(app, "#story-source").endswith("unread")
        await _press(pilot, "s")
        assert store.story(story.id).starred is True  # type: ignore[union-attr]
        await _press(pilot, "j", "space", "end", "home", "k")
        await _press(pilot, "escape")
        assert isinstance(app.screen, StoryListScreen)
        assert _list(app).current.starred and not _list(app).current.read  # type: ignore[union-attr]


async def test_the_why_list_counts_a_feed_text_once(tmp_path: Path) -> None:
    """A story whose text is the feed's summary: its mentions are counted once, not twice."""
    store = Store(tmp_path / "news.db")
    store.sync_feeds(CONFIG.feeds)
    text = "Mr Putin spoke. Vladimir Putin said Putin would go."
    story = NewStory(key="k", title="Putin speaks", url=None, guid=None, author=None, published=NOW, fetched_at=NOW,
                     summary=text, text=text, text_source="feed")
    from newsdesk.match import summarize

    hits = summarize(Matcher(CONFIG.watchlist).find(story.title, story.text, story.summary))
    write_stories(store, store.feeds()[0].id, [(story, hits)])
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)  # the list's first rows, which Enter opens
        await _press(pilot, "enter")
        assert "Vladimir Putin  person, 4 mentions: 3 in the text, 1 in the title" in _text(app, "#why")


async def test_hostile_markup_is_shown_literally_and_runs_nothing(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _press(pilot, "end", "enter")
        assert isinstance(app.screen, ReaderScreen)
        head = _text(app, "#story-head")
        assert "[bold]x[/bold] [@click=app.quit]Iran[/]" in head and "\x1b" not in head
        assert _text(app, "#story-text") == "Iran said [link=file:///etc/passwd]nothing[/link]."
        await pilot.click("#story-head")
        await settle(pilot)
        assert app.is_running


# ---------------------------------------------------------------- links


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$BROWSER: a console browser that writes down each link it is given. No display."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "w3m"
    script.write_text(f"#!/bin/sh\necho \"$1\" >> {opened}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return opened


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="a desktop there: links open in its browser")
async def test_o_O_u_and_digits_open_links(store: Store, browser: Path) -> None:
    feed_id = store.feeds()[0].id
    add_story(store, feed_id, Matcher(CONFIG.watchlist), "links", "Iran links",
              "Iran, see https://example.org/report. And http://example.net/b, again https://example.org/report.", NOW)
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        story = _list(app).current
        assert story is not None and story.title == "Iran links"
        await _press(pilot, "o")
        assert browser.read_text().split() == ["https://news.example/links"]
        assert store.story(story.id).read is False  # type: ignore[union-attr]
        await _press(pilot, "O")
        assert store.story(story.id).read is True  # type: ignore[union-attr]
        await _press(pilot, "u")
        assert isinstance(app.screen, LinksScreen)
        options = app.screen.query_one(OptionList)
        assert [o.prompt.plain for o in options.options] == [  # type: ignore[union-attr]
            " 1  https://news.example/links", " 2  https://example.org/report", " 3  http://example.net/b"]
        await _press(pilot, "3", "j", "enter", "9")
        assert browser.read_text().split()[2:] == ["http://example.net/b", "https://example.org/report"]
        await _press(pilot, "q", "enter", "2")  # the reader knows the numbers too
        assert browser.read_text().split()[-1] == "https://example.org/report"
        await _press(pilot, "u", "escape", "q")
        assert isinstance(app.screen, StoryListScreen)


_ARTICLE_PAGE = """<html><head><title>Iran talks</title></head><body>
<header><a href="/">Home</a> <a href="/world">World news from the region and beyond</a></header>
<nav><ul><li><a href="/politics">Politics</a></li>
<li><a href="https://other.example/ad">Iran talks resume in Vienna today</a></li></ul></nav>
<article><h1>Iran talks resume</h1>
<p>Iran and the agency met again, <a href="/reports/iaea-2024.pdf">the agency's report</a> says, after
<a href="https://gov.example/statement#full">a statement from Tehran</a> on Monday.</p>
<p>Talks go on <a href="#comments">in Vienna</a> and <a href="mailto:desk@news.example">by mail</a>.</p>
<p><a href="https://teaser.example/x">More</a></p>
</article>
<aside><p>Related: <a href="/other">Iran and the agency met again last year too</a></p></aside>
<footer><a href="/about">About us and our standards of reporting</a></footer>
</body></html>"""


async def test_u_lists_the_links_the_stored_article_cites(store: Store, browser: Path) -> None:
    """With the page stored, `u` lists the story's link, then the anchors of its article
    (the menus, teasers, asides and footer of the page are not the story's links)."""
    from newsdesk.store import pack_page
    from newsdesk.types import NewStory

    text = ("Iran and the agency met again, the agency's report says, after a statement from Tehran on Monday.\n"
            "Talks go on in Vienna and by mail. See https://example.org/written-out.")
    story = NewStory(key="talks", title="Iran talks resume", url="https://news.example/world/talks", guid="talks",
                     author=None, published=NOW, fetched_at=NOW, summary="", text=text, text_source="page")
    (story_id,) = write_stories(store, store.feeds()[0].id, [(story, summarize(Matcher(CONFIG.watchlist).find(story.title, text)))],
                                pages=[pack_page(_ARTICLE_PAGE)])
    assert story_id is not None
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _select(pilot, app, "Iran talks resume")
        await _press(pilot, "u")
        assert isinstance(app.screen, LinksScreen)
        shown = [o.prompt.plain.split()[1] for o in app.screen.query_one(OptionList).options]  # type: ignore[union-attr]
        assert shown == ["https://news.example/world/talks", "https://news.example/reports/iaea-2024.pdf",
                         "https://gov.example/statement", "https://example.org/written-out"]
        await _press(pilot, "2")
        assert browser.read_text().split() == ["https://news.example/reports/iaea-2024.pdf"]
        await _press(pilot, "escape", "enter")  # the reader numbers them the same way
        assert isinstance(app.screen, ReaderScreen)
        await _press(pilot, "3")
        assert browser.read_text().split()[-1] == "https://gov.example/statement"
        await _press(pilot, "5")
        assert browser.read_text().split()[-1] == "https://gov.example/statement", "there is no link 5"


# ---------------------------------------------------------------- refresh, feeds, leaving


def _rss(*titles: str) -> bytes:
    items = "".join(f"<item><title>{t}</title><guid>{t}</guid><description>{t} today.</description></item>" for t in titles)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'.encode()


def _served_config(http_server, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "feeds.toml"
    feeds = "".join(f'[[feeds]]\nname = "{name}"\nurl = "{http_server.url(f"/{name}.xml")}"\n\n' for name in ("One", "Two"))
    path.write_text("[settings]\nextract = false\n\n" + feeds + SEED_WATCHLIST, encoding="utf-8")
    return path


async def test_r_refreshes_the_storys_feed_and_R_every_feed(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from newsdesk.config import load_config

    http_server.add("/One.xml", _rss("Iran votes"), headers={"Content-Type": "application/rss+xml"})
    http_server.add("/Two.xml", _rss("Israel votes"), headers={"Content-Type": "application/rss+xml"})
    config = load_config(_served_config(http_server, tmp_path))
    store = Store(tmp_path / "news.db")
    app = NewsdeskApp(store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await _press(pilot, "R")
        await _until(pilot, lambda: sorted(_titles(app)) == ["Iran votes", "Israel votes"])
        assert "Last refresh" in _status(app) and "2 new stories" in _status(app)
        assert http_server.hits("/One.xml") == 1 and http_server.hits("/Two.xml") == 1
        http_server.add("/One.xml", _rss("Iran votes", "Iran counts"), headers={"Content-Type": "application/rss+xml"})
        await _select(pilot, app, "Iran votes")  # from feed One
        await _press(pilot, "r")
        await _until(pilot, lambda: "Iran counts" in _titles(app))
        assert http_server.hits("/One.xml") == 2 and http_server.hits("/Two.xml") == 1
        assert _selected(app) == "Iran votes"  # the cursor stays on its story
        # The feeds screen: r refreshes the selected feed; Enter shows its stories.
        await _press(pilot, "f")
        assert isinstance(app.screen, FeedsScreen)
        feeds = app.screen.query_one(FeedList)
        assert [f.feed.name for f in feeds.rows] == ["One", "Two"]
        await _press(pilot, "j", "r")
        await _until(pilot, lambda: http_server.hits("/Two.xml") == 2)
        await _press(pilot, "k", "enter")
        assert isinstance(app.screen, StoryListScreen)
        assert sorted(_titles(app)) == ["Iran counts", "Iran votes"]
        assert app.screen.sub_title.startswith("One — 2 stories")
        await _press(pilot, "q")
        assert isinstance(app.screen, FeedsScreen)
        await _press(pilot, "R")
        await _until(pilot, lambda: http_server.hits("/Two.xml") == 3)
        await _press(pilot, "escape")
        assert isinstance(app.screen, StoryListScreen)


async def test_a_refresh_reports_its_progress_in_the_status_bar(store: Store) -> None:
    seen: list[str] = []

    def refresher(feeds: Sequence[FeedConfig], progress: Callable[[RefreshProgress], None], force: bool) -> RefreshSummary:
        progress(RefreshProgress(1, 1, "World desk"))
        text = "Vladimir Putin landed in Iran."
        add_story(store, store.feeds()[0].id, Matcher(CONFIG.watchlist), "new", "Putin visits Tehran", text, NOW)
        return RefreshSummary(ok=1, new_stories=1, new_matches=2)

    app = _app(store, refresher=refresher)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Every status the bar is given (the bar shows status.line(); a refresh this quick
        # replaces its progress before a test could read the bar).
        app.status_signal.subscribe(app.screen, lambda status: seen.append(status.line()), immediate=True)
        await _press(pilot, "R")
        await _until(pilot, lambda: _titles(app)[0] == "Putin visits Tehran")
        assert any("Refreshing 1/1 · World desk" in line for line in seen)
        assert "1 new stories" in _status(app)


async def test_the_feeds_screen_shows_each_feeds_health(store: Store) -> None:
    broken = FeedConfig("Broken feed", "http://127.0.0.1:9/broken.xml")
    config = dataclasses.replace(CONFIG, feeds=(*CONFIG.feeds, broken))
    store.sync_feeds(config.feeds)
    feed = feed_named(store, broken.url)
    store.record_fetches([FetchRecord(
        feed.id, FeedResult(broken.url, FeedOutcome.HTTP_ERROR, http_status=500, error="HTTP 500 [bold]Internal[/bold]"),
        NOW, failures=3, next_try=NOW + timedelta(days=3650),
    )])
    app = _app(store, config)
    async with app.run_test(size=(140, 30)) as pilot:
        await _press(pilot, "f")
        assert isinstance(app.screen, FeedsScreen)
        feeds = app.screen.query_one(FeedList)
        rows = {f.feed.name: feeds.render_row(f, 140).plain for f in feeds.rows}
        assert "waiting (3×)" in rows["Broken feed"] and "0/0" in rows["Broken feed"]
        assert "never fetched" in rows["World desk"]
        # The selected feed's problem, whole, under the list.
        await _press(pilot, "home")
        assert feeds.current.feed.name == "Broken feed"
        assert "HTTP 500 [bold]Internal[/bold]; next try " in str(app.screen.query_one(FeedProblem).render())
        await _press(pilot, "j")
        assert "no problem" in str(app.screen.query_one(FeedProblem).render())
        assert app.screen.sub_title == "feeds — 2 feeds, 1 with a problem"
        await _press(pilot, "q")
        assert isinstance(app.screen, StoryListScreen)


async def test_q_goes_back_one_level_and_Q_quits_from_anywhere(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)  # the list's first rows, which Enter opens (they load after the first frame)
        await _press(pilot, "enter", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await _press(pilot, "q")
        assert isinstance(app.screen, ReaderScreen)
        await _press(pilot, "q")
        assert isinstance(app.screen, StoryListScreen)
        await _press(pilot, "f", "Q")
    assert app.return_code == 0 and not app.is_running
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _press(pilot, "q")
    assert not app.is_running


# ---------------------------------------------------------------- help, commands, keys, theme


async def test_help_lists_every_key_of_the_screen(store: Store) -> None:
    from newsdesk.keymap import ACTIONS

    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        for keys, scope in (((), "list"), (("enter",), "reader"), (("q", "f"), "feeds")):
            await _press(pilot, *keys, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            shown = _text(app, "#help-keys")
            for action in ACTIONS:
                if scope in action.scopes or "app" in action.scopes:
                    assert action.help in shown, (scope, action.name)
            await _press(pilot, "question_mark")  # ? again closes it
            assert not isinstance(app.screen, HelpScreen)


async def test_ctrl_p_offers_newsdesks_actions(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Mark view read", "Mark all read", "Starred", "Feeds", "Sort", "Theme", "Watchlist", "Refresh all", "Quit"} <= titles
        assert "Screenshot" in titles  # Textual's own stay
        await pilot.press("ctrl+p")
        await settle(pilot)
        for key in "mark view":
            await pilot.press(key)
        await asyncio.sleep(0.3)
        await _press(pilot, "enter")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert _text(app, ".question") == "Mark 3 stories in this view read?"


async def test_keys_from_feeds_toml_replace_the_defaults(store: Store) -> None:
    config = parse_config(CONFIG_TEXT + '\n[keys]\nnext_unread = ["x", "ctrl+n"]\nhelp = "h"\n')
    app = _app(store, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await _press(pilot, "x")
        assert _list(app).cursor == 1
        await _press(pilot, "ctrl+n")
        assert _list(app).cursor == 2
        await _press(pilot, "n")  # n does nothing now
        assert _list(app).cursor == 2
        await _press(pilot, "h")
        assert isinstance(app.screen, HelpScreen)
        assert "x Ctrl+N" in _text(app, "#help-keys")


CONFIG_TEXT = '[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n' + SEED_WATCHLIST


async def test_the_theme_chosen_is_kept_for_the_next_start(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "state" / "ui.json"
    app = _app(store, state_path=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await _until(pilot, lambda: path.exists())
    assert load_state(path).theme == "nord"
    again = _app(store, state=load_state(path), state_path=path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"


# ---------------------------------------------------------------- feeds.toml edits


async def test_a_fixed_feeds_toml_clears_its_error_at_once(tmp_path: Path) -> None:
    """Even when the fix is the very text that was there before the mistake."""
    path = tmp_path / "feeds.toml"
    path.write_text(CONFIG_TEXT, encoding="utf-8")
    store = make_store(tmp_path / "news.db")
    from newsdesk.config import load_config

    app = NewsdeskApp(store, load_config(path), watch_seconds=0.1, clock=lambda: NOW)

    def write(text: str) -> None:
        before = path.stat().st_mtime_ns
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(before + 2_000_000_000,) * 2)

    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        write(CONFIG_TEXT + "[[feeds]\n")
        await _until(pilot, lambda: "feeds.toml has an error" in _status(app))
        assert f"{path}:" in _status(app)
        write(CONFIG_TEXT)
        await _until(pilot, lambda: "error" not in _status(app), timeout=5)


async def test_the_running_app_picks_up_a_feeds_toml_edit_and_shows_new_stories(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real scheduler inside the real app: no restart between editing feeds.toml and reading."""
    from newsdesk.config import load_config

    http_server.add("/one.xml", _rss("Iran votes"), headers={"Content-Type": "application/rss+xml"})
    http_server.add("/two.xml", _rss("Israel votes"), headers={"Content-Type": "application/rss+xml"})
    path = tmp_path / "feeds.toml"
    one = f'[settings]\nextract = false\n\n[[feeds]]\nname = "One"\nurl = "{http_server.url("/one.xml")}"\n\n'
    path.write_text(one + '[watchlist]\ncountries = ["Iran"]\n', encoding="utf-8")
    store = Store(tmp_path / "news.db")
    app = NewsdeskApp(store, load_config(path), periodic=True, watch_seconds=0.1)
    async with app.run_test(size=(140, 30)) as pilot:
        await _until(pilot, lambda: _titles(app) == ["Iran votes"])
        two = f'[[feeds]]\nname = "Two"\nurl = "{http_server.url("/two.xml")}"\n\n'
        path.write_text(one + two + '[watchlist]\ncountries = ["Iran", "Israel"]\n', encoding="utf-8")
        os.utime(path, ns=(path.stat().st_mtime_ns + 2_000_000_000,) * 2)
        await _until(pilot, lambda: sorted(_titles(app)) == ["Iran votes", "Israel votes"])
        assert "Israel" in {o.id for o in app.screen.query_one(EntityPanel).options}


async def test_r_in_the_running_app_downloads_and_extracts_pages(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The real refresher inside the app: extraction workers start even though Textual has
    taken over the process's stdout and stderr."""
    from newsdesk.config import load_config

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
        await _press(pilot, "R")
        await _until(pilot, lambda: _titles(app) == ["Russia defends Iran"])
    (story,) = store.list_stories()
    detail = store.story(story.id)
    assert detail is not None and detail.text_source == "page"
    assert {h.entity for h in detail.hits} == {"Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov"}


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
        panel = app.screen.query_one(EntityPanel)
        labels = [o.prompt.plain.split("  ")[0] for o in panel.options if o.id]
        assert labels[1:] == ["Chile", "Peru"]  # after "All matches"
        assert sorted(_titles(app)) == ["Chile and Peru sign a deal", "Peru votes"]


# ---------------------------------------------------------------- layout


def _rows_shown(app: NewsdeskApp) -> list[str]:
    """Each row as the story list draws it, at its width now."""
    stories = _list(app)
    return [stories.render_row(s, stories.scrollable_content_region.width).plain for s in stories.rows]


async def test_titles_take_the_room_and_matches_shrink_to_codes(tmp_path: Path) -> None:
    store = make_store(tmp_path / "news.db")
    title = "Iran and Israel trade strikes as Russia calls for calm in th"  # 60 characters
    assert len(title) == 60
    add_story(store, store.feeds()[0].id, Matcher(CONFIG.watchlist), "long", title, f"{title}. Vladimir Putin spoke.", NOW)
    # At 80 the whole title shows, and the codes that fit whole beside it, then how many more.
    for size, shown, matches in (((80, 24), 60, "IR IL +2"), ((60, 20), 37, "IR IL"), ((120, 40), 60, "Iran, Israel, Russia")):
        app = _app(store)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            if size[0] >= 100:
                await _press(pilot, "w")  # the panel hidden: the room is the list's
            row = _rows_shown(app)[0]
            assert title[:shown] in row, (size, row)
            assert matches in row, (size, row)
            assert len(row) <= size[0]


async def test_rows_leave_no_blank_matches_column_at_any_size(tmp_path: Path) -> None:
    """Most stories match one entry, one matches many: the matches end at the row's right
    edge, a row with one match gives its title the cells the column has spare, and the one
    with many shows whole codes, then how many more."""
    from newsdesk.config import parse_config

    # The ten "Iran opens talks ... N" are one event to the clustering: each is a row here.
    config = parse_config('[settings]\ncollapse = false\n[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n'
                          '[watchlist]\ncountries = ["Iran", "Israel", "Russia", "Chile", "Peru", "Brazil", "Japan"]\n')
    store = Store(tmp_path / "news.db")
    store.sync_feeds(config.feeds)
    feed_id, matcher = store.feeds()[0].id, Matcher(config.watchlist)
    long_title = "Iran opens talks with the agency as inspectors return to site"  # 61 characters
    add_story(store, feed_id, matcher, "many", "Iran, Israel, Russia, Chile, Peru, Brazil and Japan meet",
              "Iran, Israel, Russia, Chile, Peru, Brazil and Japan met.", NOW - timedelta(hours=1))
    for n in range(10):
        add_story(store, feed_id, matcher, f"one{n}", f"{long_title} {n}", "Iran said so.", NOW - timedelta(hours=2 + n))
    from newsdesk.match import watchlist_fingerprint

    store.set_watchlist_fingerprint(watchlist_fingerprint(config.watchlist))
    for size, title_shown in (((60, 20), 40), ((80, 24), 52), ((120, 40), 62)):
        app = NewsdeskApp(store, config, clock=lambda: NOW)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            width = _list(app).scrollable_content_region.width
            rows = _rows_shown(app)
            assert len(rows) == 11
            for row in rows:
                assert len(row) == width, (size, row)
            many, *ones = rows
            assert many.endswith("+4") or many.endswith("+3") or "Iran, Israel" in many, (size, many)
            for row in ones:
                assert row.endswith(" IR") or row.endswith(" Iran"), (size, row)
                assert f"{long_title} "[:title_shown] in row + " ", (size, row, title_shown)


async def test_a_surname_shows_whole_where_most_stories_match_nothing(tmp_path: Path) -> None:
    """All stories, nine in ten without a match: the matches column still holds a surname
    ("Putin", not "P…")."""
    store = make_store(tmp_path / "news.db")
    feed_id, matcher = store.feeds()[0].id, Matcher(CONFIG.watchlist)
    for n in range(30):
        add_story(store, feed_id, matcher, f"plain{n}", f"Local council meets about roads, week {n}", "Roads.",
                  NOW - timedelta(hours=10 + n))
    add_story(store, feed_id, matcher, "putin", "Putin speaks at a forum", "Vladimir Putin spoke.", NOW)
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _press(pilot, "a")  # all stories
        row = next(r for r in _rows_shown(app) if "Putin speaks" in r)
        assert row.endswith(" Putin"), row


async def test_ctrl_t_chooses_a_theme_and_escape_closes_the_help(store: Store) -> None:
    app = _app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _press(pilot, "question_mark", "escape")
        assert isinstance(app.screen, StoryListScreen)
        before = app.theme
        await _press(pilot, "ctrl+t")
        await asyncio.sleep(0.3)
        await _press(pilot, "down", "enter")
        await _until(pilot, lambda: app.theme != before)
