"""What a feed's summary may and may not do to the stored text, end to end (issue 15).

A local feed and its pages on 127.0.0.1, the real refresh into a real SQLite file: a summary
that repeats the title is no lede and the title never lands in the text; a standfirst the page
shows apart from the story stays out of the text; a story's own opening sentence that the
reading lost is put back; a reading of nothing but a copyright line and a link loses to the
reading that has the article.
"""

from __future__ import annotations

import asyncio
from html import escape
from pathlib import Path

import pytest

from newsdesk.config import parse_config
from newsdesk.extract import extract_article, lede_of
from newsdesk.refresh import refresh
from newsdesk.store import Store
from tests.article_pages import STORY, news_page
from tests.httpserver import LocalServer

TITLE = "Port terminal delayed"


def _stored(server: LocalServer, tmp_path: Path, pages: dict[str, tuple[str, str | None]]) -> dict[str, tuple[str, str | None]]:
    """Serve `pages` (path -> (html, feed description)) behind one feed; refresh; (text, note) by path."""
    base = server.url("")
    items = ""
    for path, (html, description) in pages.items():
        server.add(path, html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        said = f"<description>{escape(description)}</description>" if description is not None else ""
        items += f"<item><title>{TITLE}</title><link>{base}{path}</link><guid>{path}</guid>{said}</item>"
    server.add("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode(),
               headers={"Content-Type": "application/rss+xml"})
    config = parse_config(f'[[feeds]]\nname = "T"\nurl = "{server.url("/feed.xml")}"\n')
    with Store(tmp_path / "news.db") as store:
        asyncio.run(refresh(config, store))
        out = {}
        for item in store.list_stories(matched_only=False):
            detail = store.story(item.id)
            assert detail is not None and detail.url
            out[detail.url.removeprefix(base)] = (detail.text, detail.text_note)
    return out


@pytest.mark.parametrize("description", [TITLE, TITLE + ".", f"{TITLE} - Coast News", "Port terminal"])
def test_a_description_that_repeats_the_title_is_no_lede(http_server: LocalServer, tmp_path: Path, description: str) -> None:
    # The story's first paragraph is missing from the page: with a real lede, it would be put back.
    page = news_page(STORY[1:])
    (text, note), = _stored(http_server, tmp_path, {"/a.html": (page, description)}).values()
    assert not text.startswith(TITLE.split()[0]), text[:80]
    assert TITLE not in text
    assert note is None


def test_the_storys_own_opening_is_kept_when_the_page_shows_it(http_server: LocalServer, tmp_path: Path) -> None:
    # Bare text at the top of the story's box, outside any paragraph (as some sites print it).
    lost = "Harbour officials said on Monday that the new container terminal would open a year late."
    page = news_page(STORY).replace(f"<h1>{TITLE}</h1>", f"<h1>{TITLE}</h1>{lost}")
    (text, _), = _stored(http_server, tmp_path, {"/a.html": (page, lost + " " + STORY[0])}).values()
    assert text.startswith(lost)


def test_a_summary_written_for_the_feed_is_not_put_in_front(http_server: LocalServer, tmp_path: Path) -> None:
    # Shares most words with the story but stands nowhere on the page: the feed's standfirst.
    summary = "The harbour's new container terminal will open in the spring, two years late, after a dispute."
    (text, note), = _stored(http_server, tmp_path, {"/a.html": (news_page(STORY), summary)}).values()
    assert summary not in text
    assert text.startswith(STORY[0][:40])
    assert note is None


def test_a_standfirst_the_page_shows_apart_stays_out_of_the_text(http_server: LocalServer, tmp_path: Path) -> None:
    standfirst = "The harbour's new container terminal will open a year late, officials said on Monday."
    page = news_page(STORY).replace(
        f"<h1>{TITLE}</h1>", f'<h1>{TITLE}</h1><div class="standfirst"><p>{standfirst}</p></div>'
    )
    (text, note), = _stored(http_server, tmp_path, {"/a.html": (page, standfirst)}).values()
    assert standfirst not in text
    assert text.startswith(STORY[0][:40])
    assert note is None


def test_a_copyright_line_and_a_link_lose_to_the_article() -> None:
    # A paywall's markup: the precise reading keeps the notice, the default one the story.
    story = "".join(f"<p>{p}</p>" for p in STORY)
    page = (
        "<html><head><title>x</title></head><body>"
        f'<div class="paywall"><p>© 2024 Coast News. All rights reserved.</p><p>https://coast.example/subscribe</p></div>'
        f'<div class="article-body">{story}</div></body></html>'
    )
    article = extract_article(page, "https://coast.example/a")
    assert article is not None
    assert STORY[0][:40] in article.text
    assert "All rights reserved" not in article.text


@pytest.mark.parametrize(
    ("summary", "titles", "expected"),
    [
        ("Port terminal delayed", ("Port terminal delayed",), ""),
        ("PORT TERMINAL DELAYED", ("Port terminal delayed",), ""),
        ("Port terminal", ("Port terminal delayed | Coast News",), ""),
        ("The terminal opens late. More later.", ("Port terminal delayed",), "The terminal opens late."),
        ("", ("Port terminal delayed",), ""),
    ],
)
def test_lede_of(summary: str, titles: tuple[str, ...], expected: str) -> None:
    assert lede_of(summary, *titles) == expected
