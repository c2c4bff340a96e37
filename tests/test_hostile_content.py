"""Feeds that try to act on the reader's terminal or files: escape sequences, control and bidi
characters, Rich/Textual markup, and links to local files or scripts. They are shown as literal
text everywhere, and nothing but http(s) is ever downloaded or opened."""

from __future__ import annotations

import asyncio
import json
import webbrowser
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import parse_config
from newsdesk.refresh import refresh
from newsdesk.store import Store
from newsdesk.ui import NewsdeskApp
from tests.httpserver import LocalServer
from tests.ui_fixtures import settle

HOSTILE_TITLE = "Iran \x1b[2J\x1b]0;owned\x07 [bold]loud[/bold] [@click=app.quit]quit[/] \u202egnp.exe\u202c"
HOSTILE_TEXT = "Iran said [link=file:///etc/passwd]nothing[/link] \x1b[31mred\x1b[0m \x00\x08."


def _feed(base: str) -> bytes:
    def item(guid: str, link: str) -> str:
        return (
            f"<item><title><![CDATA[{HOSTILE_TITLE} {guid}]]></title><guid>{guid}</guid><link>{link}</link>"
            f"<author><![CDATA[\x1b[5mblink\x1b[0m]]></author><description><![CDATA[{HOSTILE_TEXT}]]></description></item>"
        )

    items = item("file", "file:///etc/passwd") + item("js", "javascript:alert(1)") + item("data", "data:text/html,<b>x</b>")
    items += item("web", f"{base}/page.html")
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode("utf-8", "surrogatepass")


@pytest.fixture
def refreshed(http_server: LocalServer, tmp_path: Path) -> tuple[Path, Path]:
    http_server.add("/feed.xml", _feed(http_server.url("")), headers={"Content-Type": "application/rss+xml"})
    page = f"<html><head><title>x</title></head><body><article><p>{HOSTILE_TEXT} " + "Iran words. " * 40 + "</p></article></body></html>"
    http_server.add("/page.html", page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    config_path = tmp_path / "feeds.toml"
    config_path.write_text(f'[[feeds]]\nname = "T"\nurl = "{http_server.url("/feed.xml")}"\n\n[watchlist]\ncountries = ["Iran"]\n')
    db = tmp_path / "news.db"
    with Store(db) as store:
        asyncio.run(refresh(parse_config(config_path.read_text(), config_path), store))
    return config_path, db


def test_only_http_links_are_downloaded_and_no_local_file_is_read(refreshed, http_server) -> None:  # type: ignore[no-untyped-def]
    _, db = refreshed
    with Store(db) as store:
        stories = {s.title.rsplit(" ", 1)[-1]: store.story(s.id) for s in store.list_stories(matched_only=False)}
    assert set(stories) == {"file", "js", "data", "web"}
    for key in ("file", "js", "data"):
        story = stories[key]
        assert story is not None and story.text_source == "feed"
        assert story.text_note == "the entry has no web link to download"
        assert "root:" not in story.text
    assert stories["web"] is not None and stories["web"].text_source == "page"
    assert sorted({p.split("?")[0] for p, _ in http_server.requests}) == ["/feed.xml", "/page.html"]


def test_the_command_line_prints_hostile_text_literally(refreshed, capsys, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "300")
    config, db = refreshed
    assert main(["list", "--all", "--config", str(config), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "[bold]loud[/bold] [@click=app.quit]quit[/]" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out

    assert main(["list", "--json", "--all", "--config", str(config), "--db", str(db)]) == 0
    raw = capsys.readouterr().out
    assert "\x1b" not in raw  # JSON escapes it as \u001b; the value itself is kept
    assert any("\x1b[2J" in story["title"] for story in json.loads(raw))

    hostile = tmp_path / "hostile.txt"
    hostile.write_text(HOSTILE_TITLE + "\n" + HOSTILE_TEXT, encoding="utf-8")
    assert main(["match", "--config", str(config), str(hostile)]) == 0
    out = capsys.readouterr().out
    assert "Iran" in out and "\x1b" not in out and "[bold]loud[/bold]" in out


async def test_the_ui_never_opens_a_link_that_is_not_http(refreshed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setenv("DISPLAY", ":0")  # a desktop: the link goes to webbrowser
    monkeypatch.delenv("BROWSER", raising=False)
    config_path, db = refreshed
    store = Store(db)
    app = NewsdeskApp(store, parse_config(config_path.read_text(), config_path))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for story in store.list_stories(matched_only=False):
            app.open_link(story.url)
            await settle(pilot)
    assert [u.split("/")[-1] for u in opened] == ["page.html"]
