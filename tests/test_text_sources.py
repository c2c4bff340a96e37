"""Where a story's text comes from, end to end: a local site → refresh → SQLite → reextract/list.

The page's text, the feed's (when the page has none, or a stub), or the page's with the
feed's opening sentence in front; and re-extraction from the stored page, downloading nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import zlib
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import parse_config
from newsdesk.refresh import reextract, refresh
from newsdesk.store import MAX_STORED_PAGE_BYTES, Store, pack_page, register_functions, unpack_page
from tests.article_pages import STORY, news_page

DATA = Path(__file__).parent / "data"
SEED_PAGE = (DATA / "pages" / "russia-defends-iran-attack.html").read_bytes()
SEED_SUMMARY = "Moscow says Tehran acted in self-defence."
FULL_TEXT = " ".join(STORY * 3)
LOST_LEDE = "Harbour chiefs have pushed back the opening of the new container terminal by two years."


def _rss(base: str, items: list[tuple[str, str, str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<description>{escape(summary)}</description>"
        + (f"<content:encoded>{escape(f'<p>{content}</p>')}</content:encoded>" if content else "")
        + "<pubDate>Sun, 14 Apr 2024 09:00:00 GMT</pubDate></item>"
        for title, path, summary, content in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Coast desk</title>'
        f"<link>{base}/</link><description>test</description>{body}</channel></rss>"
    ).encode()


@pytest.fixture
def site(http_server):  # type: ignore[no-untyped-def]
    html = {"Content-Type": "text/html; charset=utf-8"}
    http_server.add("/seed.html", SEED_PAGE, headers=html)
    http_server.add("/teaser.html", news_page(STORY[:2]), headers=html)
    http_server.add("/menu.html", "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>", headers=html)
    http_server.add("/harbour.html", news_page(), headers=html)
    base = http_server.url("")
    http_server.add(
        "/feed.xml",
        _rss(base, [
            ("Russia defends Iran's attack on Israel", "/seed.html", SEED_SUMMARY, ""),
            ("Port terminal: the full story", "/teaser.html", STORY[0], FULL_TEXT),
            ("Menu only", "/menu.html", "Russia and Israel agree a prisoner exchange, officials said on Monday.", ""),
            # The feed's summary opens with a sentence the page lost, then follows the page.
            ("Port terminal delayed", "/harbour.html", f"{LOST_LEDE} {STORY[0]}", ""),
        ]),
        headers={"Content-Type": "application/rss+xml"},
    )
    return http_server


def _config_file(site, tmp_path: Path, countries: str = '"Russia", "Iran", "Israel"') -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "feeds.toml"
    path.write_text(
        f'[[feeds]]\nname = "Coast desk"\nurl = "{site.url("/feed.xml")}"\n\n'
        f"[watchlist]\ncountries = [{countries}]\n\n[[watchlist.people]]\nname = \"Sergei Lavrov\"\n"
    )
    return path


def _by_title(store: Store) -> dict[str, object]:
    return {s.title: store.story(s.id) for s in store.list_stories(matched_only=False)}


def test_each_story_records_where_its_text_came_from(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = parse_config(_config_file(site, tmp_path).read_text())
    with Store(tmp_path / "news.db") as store:
        asyncio.run(refresh(config, store))
        stories = _by_title(store)

        seed = stories["Russia defends Iran's attack on Israel"]
        assert (seed.text_source, seed.text_note) == ("page", None)  # type: ignore[attr-defined]
        # The feed's summary is an editor's standfirst, not the page's lost lede: not added.
        assert SEED_SUMMARY not in seed.text  # type: ignore[attr-defined]

        teaser = stories["Port terminal: the full story"]
        assert teaser.text_source == "feed"  # type: ignore[attr-defined]
        assert teaser.text == FULL_TEXT  # type: ignore[attr-defined]
        # Two paragraphs of a story the feed carries whole: a teaser page.
        assert "much less text than the feed's own" in teaser.text_note  # type: ignore[attr-defined]

        menu = stories["Menu only"]
        assert menu.text_source == "feed" and "no article text" in menu.text_note  # type: ignore[attr-defined]
        assert {h.entity for h in menu.hits} == {"Russia", "Israel"}  # type: ignore[attr-defined]

        harbour = stories["Port terminal delayed"]
        assert harbour.text_source == "page"  # type: ignore[attr-defined]
        # The feed's first sentence stands nowhere on the page: a summary written for the feed
        # (a standfirst), which stays the summary and out of the text (README, "Standfirsts").
        assert harbour.text.split("\n\n") == STORY  # type: ignore[attr-defined]
        assert harbour.text_note is None  # type: ignore[attr-defined]

        # Every downloaded page is kept, slimmed and compressed, for re-extraction.
        assert len(list(store.stored_pages())) == 4


def test_reextract_rereads_stored_pages_without_downloading(site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = _config_file(site, tmp_path, countries='"Iran"')
    db = tmp_path / "news.db"
    assert main(["refresh", "--config", str(path), "--db", str(db)]) == 0
    capsys.readouterr()
    # What an older extractor might have stored: the menu of the page, nothing matched.
    with sqlite3.connect(db) as conn:
        register_functions(conn)  # the search index's triggers read stored texts with it
        conn.execute("update story set text = 'Home News Sport', matched = 0 where title like 'Russia defends%'")
        conn.execute("delete from match")
    downloads = site.hits("/seed.html")

    assert main(["reextract", "--feed", "Coast desk", "--config", str(path), "--db", str(db)]) == 0
    assert "re-extracted 4 stories from their stored pages: 1 changed" in capsys.readouterr().out
    assert site.hits("/seed.html") == downloads  # nothing downloaded again
    with Store(db) as store:
        seed = _by_title(store)["Russia defends Iran's attack on Israel"]
        assert "Vladimir Putin and Russian FM Sergei Lavrov" in seed.text  # type: ignore[attr-defined]
        assert [h.entity for h in seed.hits] == ["Iran", "Sergei Lavrov"]  # type: ignore[attr-defined]
        assert [s.title for s in store.list_stories()] == ["Russia defends Iran's attack on Israel"]

    # --since picks stories by when they were fetched; an unknown feed is a clear error.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    assert main(["reextract", "--since", yesterday, "--config", str(path), "--db", str(db)]) == 0
    assert "re-extracted 4 stories from their stored pages: 0 changed" in capsys.readouterr().out
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert main(["reextract", "--since", tomorrow, "--config", str(path), "--db", str(db)]) == 0
    assert "re-extracted 0 stories" in capsys.readouterr().out
    assert main(["reextract", "--feed", "Nope", "--config", str(path), "--db", str(db)]) == 1
    assert "no feed named 'Nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["reextract", "--since", "last week", "--config", str(path), "--db", str(db)])
    assert "is not a date like 2024-04-14" in capsys.readouterr().err


def test_reextract_keeps_the_figures_of_a_fresh_refresh(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = parse_config(_config_file(site, tmp_path).read_text())
    with Store(tmp_path / "news.db") as store:
        asyncio.run(refresh(config, store))
        before = {t: (d.text, d.text_source, d.text_note) for t, d in _by_title(store).items()}  # type: ignore[attr-defined]
        summary = reextract(config, store)
        assert (summary.stories, summary.changed, summary.from_feed) == (4, 0, 2)
        after = {t: (d.text, d.text_source, d.text_note) for t, d in _by_title(store).items()}  # type: ignore[attr-defined]
        assert after == before
        # The page is kept as its text is read: the article and the headline, without the
        # site's menus, asides and footer, which no reading takes text from.
        harbour = _by_title(store)["Port terminal delayed"]
        page = store.story_page(harbour.id)  # type: ignore[attr-defined]
        assert page is not None and STORY[0] in page and "<h1>Port terminal delayed</h1>" in page
        assert "<title>Port terminal delayed</title>" in page
        assert "Most read" not in page and "Sport" not in page and "Coast News" not in page


def test_list_json_with_text(site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    path = _config_file(site, tmp_path)
    db = tmp_path / "news.db"
    assert main(["refresh", "--config", str(path), "--db", str(db)]) == 0
    capsys.readouterr()
    # (every copy: two of these stories open with the same text, which makes them one event)
    assert main(["list", "--json", "--all", "--all-copies", "--with-text", "--config", str(path), "--db", str(db)]) == 0
    rows = {r["title"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows["Menu only"]) == {
        "id", "title", "url", "feed", "published", "read", "starred", "matches", "cluster", "sources", "text", "text_source"
    }
    assert rows["Menu only"]["text_source"] == "feed"
    assert rows["Port terminal delayed"]["text_source"] == "page"
    assert rows["Port terminal delayed"]["text"].startswith(STORY[0])
    assert main(["list", "--json", "--all", "--config", str(path), "--db", str(db)]) == 0
    assert all("text" not in r for r in json.loads(capsys.readouterr().out))


def test_pages_are_stored_slim_and_capped() -> None:
    page = '<html><head><script>var a = 1;</script><script type="application/ld+json">{"author": "A"}</script>' \
           '<style>p {}</style></head><body><!-- ad --><a><SVG viewBox="0 0 9 9"><path d="M0 0h9"/></svg></a><p>Text</p></body></html>'
    assert unpack_page(pack_page(page)) == (  # type: ignore[arg-type]
        '<html><head><script type="application/ld+json">{"author": "A"}</script></head><body><a></a><p>Text</p></body></html>'
    )
    noise = os.urandom(MAX_STORED_PAGE_BYTES).hex()  # incompressible
    assert pack_page(f"<p>{noise}</p>") is None


def test_a_page_stored_by_an_older_newsdesk_is_still_read() -> None:
    # Pages were zlib streams before they were Zstandard frames; a database keeps both.
    assert unpack_page(zlib.compress(b"<html><p>Kept since last year</p></html>", 3)) == "<html><p>Kept since last year</p></html>"


def test_pages_older_than_keep_pages_days_go_after_a_refresh_and_their_stories_stay(
    site, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    path = _config_file(site, tmp_path)
    path.write_text("[settings]\nkeep_pages_days = 30\n\n" + path.read_text())
    db = tmp_path / "news.db"
    assert main(["refresh", "--config", str(path), "--db", str(db)]) == 0
    with sqlite3.connect(db) as conn:  # two stories arrived 40 days ago
        conn.execute("update story set fetched_at = datetime(fetched_at, '-40 days') where title like 'Port terminal%'")
    assert main(["refresh", "--config", str(path), "--db", str(db)]) == 0
    capsys.readouterr()
    with Store(db) as store:
        assert len(list(store.stored_pages())) == 2
        assert len(store.list_stories(matched_only=False)) == 4
    assert main(["reextract", "--config", str(path), "--db", str(db)]) == 0
    assert "re-extracted 2 stories from their stored pages: 0 changed" in capsys.readouterr().out
