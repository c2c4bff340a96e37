"""`newsdesk feeds add/remove/list` and `watchlist add/remove` through the real commands:
discovery of the feed behind a web page, refusing a feed already there, the watchlist edits,
and `reextract --feed` in any case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.config import load_config
from tests.httpserver import LocalServer

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>{items}</feed>"""


def _rss(title: str, entries: int) -> str:
    items = "".join(f"<item><title>Story {n}</title><guid>{title}-{n}</guid></item>" for n in range(entries))
    return RSS.format(title=title, items=items)


def _page(*links: tuple[str, str, str]) -> str:
    heads = "".join(f'<link rel="alternate" type="{kind}" title="{title}" href="{href}">' for href, kind, title in links)
    return f"<!DOCTYPE html><html><head><title>A site</title>{heads}</head><body><p>Hello</p></body></html>"


@pytest.fixture
def site(http_server: LocalServer) -> LocalServer:
    html = {"Content-Type": "text/html; charset=utf-8"}
    rss = {"Content-Type": "application/rss+xml"}
    http_server.add("/", _page(("/feeds/world.xml", "application/rss+xml", "World")), headers=html)
    http_server.add("/feeds/world.xml", _rss("World desk", 7), headers=rss)
    http_server.add("/feeds/tech.xml", _rss("Tech desk", 3), headers=rss)
    http_server.add(
        "/atom.xml",
        ATOM.format(title="Blog", items="<entry><title>x</title><id>1</id></entry>"),
        headers={"Content-Type": "application/atom+xml"},
    )
    http_server.add(
        "/two",
        _page(("/feeds/world.xml", "application/rss+xml", "World"), ("/feeds/tech.xml", "application/rss+xml", "Tech")),
        headers=html,
    )
    http_server.add("/blog/", _page(), headers=html)  # declares nothing; /atom.xml exists
    http_server.add("/nothing/", _page(), headers=html)
    http_server.add("/broken-links", _page(("/missing.xml", "application/rss+xml", "Gone")), headers=html)
    return http_server


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(
        "# my feeds\n[settings]\ntimeout_seconds = 5\n\n[[feeds]]\nname = \"Existing\"\nurl = \"https://existing.example/rss\"\n"
    )
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_feeds_add_of_a_web_page_that_declares_its_feed(site: LocalServer, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        capsys, "feeds", "add", site.url("/"), "--tag", "world", "--tag", "news", "--every", "15", "--config", str(config)
    )
    assert code == 0, err
    assert "found: World desk: 7 entries, declared by the page" in out
    assert f"added 'World desk' to {config}" in out
    feed = load_config(config).feeds[-1]
    assert (feed.name, feed.url, feed.tags, feed.refresh_minutes, feed.extract) == (
        "World desk",
        site.url("/feeds/world.xml"),
        ("world", "news"),
        15.0,
        None,
    )
    assert config.read_text().startswith("# my feeds\n")
    assert site.hits("/") == 1  # the URL is fetched once


def test_feeds_add_of_a_feed_with_a_name_and_no_extract(site: LocalServer, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "feeds", "add", site.url("/feeds/tech.xml"), "--name", "My tech", "--no-extract", "--config", str(config))
    assert code == 0 and "found: Tech desk: 3 entries, the URL is a feed" in out
    feed = load_config(config).feeds[-1]
    assert (feed.name, feed.extract) == ("My tech", False)


def test_feeds_add_tries_the_usual_paths_when_a_page_declares_none(
    site: LocalServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "feeds", "add", site.url("/blog/"), "--config", str(config))
    assert code == 0, err
    assert "found: Blog: 1 entries, at a usual path" in out
    assert load_config(config).feeds[-1].url == site.url("/atom.xml")


def test_several_feeds_are_listed_and_one_is_picked(site: LocalServer, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "feeds", "add", site.url("/two"), "--config", str(config))
    assert code == 1
    assert "2 feeds found:" in out and "1. World desk: 7 entries" in out and "2. Tech desk: 3 entries" in out
    assert "choose one with --pick N" in err
    assert len(load_config(config).feeds) == 1
    code, out, _ = _run(capsys, "feeds", "add", site.url("/two"), "--pick", "2", "--config", str(config))
    assert code == 0 and load_config(config).feeds[-1].url == site.url("/feeds/tech.xml")


def test_several_feeds_ask_at_a_terminal(
    site: LocalServer, config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    answers = iter(["9", "1"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    code, _, _ = _run(capsys, "feeds", "add", site.url("/two"), "--config", str(config))
    assert code == 0 and load_config(config).feeds[-1].url == site.url("/feeds/world.xml")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/nothing/", "it declares no feed (<link rel=\"alternate\">) and there is none at /feed, /rss, /rss.xml, /atom.xml, /index.xml"),
        ("/broken-links", "declares feeds, but none of them works"),
        ("/missing", "HTTP 404"),
    ],
)
def test_no_feed_found_says_why(site: LocalServer, config: Path, capsys: pytest.CaptureFixture[str], path: str, words: str) -> None:
    site.answers.pop("/atom.xml")  # the site has no feed at a usual path either
    before = config.read_text()
    code, _, err = _run(capsys, "feeds", "add", site.url(path), "--config", str(config))
    assert code == 1 and words in err
    assert config.read_text() == before


def test_a_feed_already_there_is_refused_before_anything_is_fetched(
    site: LocalServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "feeds", "add", site.url("/feeds/world.xml"), "--config", str(config))[0] == 0
    hits = site.hits("/feeds/world.xml")
    for spelling in (
        site.url("/feeds/world.xml"),
        site.url("/feeds/world.xml/").replace("127.0.0.1", "127.0.0.1"),
        site.url("/feeds/world.xml?utm_source=x"),
    ):
        code, _, err = _run(capsys, "feeds", "add", spelling, "--config", str(config))
        assert code == 1 and "is already in" in err and "'World desk'" in err
    assert site.hits("/feeds/world.xml") == hits
    # The page that declares it: discovered, then refused.
    code, _, err = _run(capsys, "feeds", "add", site.url("/"), "--config", str(config))
    assert code == 1 and "is already in" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [(("--every", "nan"), "--every: must be a number, not nan"), (("--every", "0"), "--every: must be at least 0.01 minutes")],
)
def test_command_line_values_are_checked_by_the_declaration(
    config: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    code, _, err = _run(capsys, "feeds", "add", "https://new.example/rss", *args, "--config", str(config))
    assert code == 1 and words in err


def test_a_bad_url_is_refused_before_any_fetch(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "feeds", "add", "ftp://example.org/feed", "--config", str(config))
    assert code == 1 and "URL: 'ftp://example.org/feed' is not an http:// or https:// address" in err


def test_feeds_list_and_remove(config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config.write_text(
        config.read_text()
        + '\n[[feeds]]\nname = "Second"\nurl = "https://second.example/rss"\ntags = ["b"]\nrefresh_minutes = 5\nextract = false\n'
    )
    code, out, _ = _run(capsys, "feeds", "list", "--json", "--config", str(config))
    assert json.loads(out) == [
        {"name": "Existing", "url": "https://existing.example/rss", "tags": [], "refresh_minutes": 30.0, "extract": True},
        {"name": "Second", "url": "https://second.example/rss", "tags": ["b"], "refresh_minutes": 5.0, "extract": False},
    ]
    code, out, _ = _run(capsys, "feeds", "list", "--config", str(config))
    assert "Existing" in out and "5 min, feed text" in out
    code, out, err = _run(capsys, "feeds", "remove", "existing", "--config", str(config))
    assert code == 0 and "removed 'Existing'" in out and "its stored stories stay" in err
    code, out, _ = _run(capsys, "feeds", "remove", "HTTPS://SECOND.example/rss/", "--config", str(config))
    assert code == 0 and load_config(config).feeds == ()
    code, _, err = _run(capsys, "feeds", "remove", "nothing", "--config", str(config))
    assert code == 1 and "no feed 'nothing'" in err


def test_feeds_remove_purge_deletes_the_stored_stories(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from newsdesk.store import Store
    from newsdesk.types import StoryQuery
    from tests.ui_fixtures import make_store

    config.write_text(
        '[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n[[feeds]]\nname = "Other"\nurl = "http://127.0.0.1:9/other.xml"\n'
    )
    db = tmp_path / "news.db"
    make_store(db).close()
    code, out, _ = _run(capsys, "feeds", "remove", "World desk", "--purge", "--config", str(config), "--db", str(db))
    assert code == 0 and "deleted its 4 stored stories" in out
    with Store(db) as store:
        assert store.count_view(StoryQuery(matched_only=False)).stories == 0
        assert [f.name for f in store.feeds(active_only=False)] == ["Other"]
        assert store.search("Iran") == []


def test_watchlist_add_and_remove(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "watchlist", "add", "country", "ua", "--config", str(config))[1].startswith("added Ukraine (UA)")
    assert _run(capsys, "watchlist", "add", "country", "Germany", "--config", str(config))[0] == 0
    code, _, err = _run(capsys, "watchlist", "add", "country", "Ukraine", "--config", str(config))
    assert code == 1 and "already on the watchlist" in err
    code, _, err = _run(capsys, "watchlist", "add", "country", "Rusia", "--config", str(config))
    assert code == 1 and "(did you mean 'Russia'?)" in err
    assert (
        _run(
            capsys,
            "watchlist",
            "add",
            "person",
            "Volodymyr Zelensky",
            "--alias",
            "Zelenskyy",
            "--alias",
            "Zelenskiy",
            "--config",
            str(config),
        )[0]
        == 0
    )
    code, _, err = _run(capsys, "watchlist", "add", "person", "volodymyr  ZELENSKY", "--config", str(config))
    assert code == 1 and "already on the watchlist" in err
    watch = load_config(config).watchlist
    assert [c.code for c in watch.countries] == ["UA", "DE"]
    assert [(p.name, p.aliases) for p in watch.people] == [("Volodymyr Zelensky", ("Zelenskyy", "Zelenskiy"))]
    assert _run(capsys, "watchlist", "remove", "person", "volodymyr zelensky", "--config", str(config))[0] == 0
    assert _run(capsys, "watchlist", "remove", "country", "UA", "--config", str(config))[0] == 0
    code, _, err = _run(capsys, "watchlist", "remove", "country", "France", "--config", str(config))
    assert code == 1 and "is not on the watchlist" in err
    watch = load_config(config).watchlist
    assert [c.code for c in watch.countries] == ["DE"] and watch.people == ()


def test_reextract_feed_in_any_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.ui_fixtures import make_store

    db = tmp_path / "news.db"
    make_store(db).close()
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nname = "World desk"\nurl = "http://127.0.0.1:9/feed.xml"\n[watchlist]\ncountries = ["Iran"]\n')
    for name in ("world desk", "WORLD  DESK", "World desk"):
        code, out, err = _run(capsys, "reextract", "--feed", name, "--config", str(config), "--db", str(db))
        assert code == 0, err
        assert out.startswith("re-extracted")
    code, _, err = _run(capsys, "reextract", "--feed", "nope", "--config", str(config), "--db", str(db))
    assert code == 1 and "no feed named 'nope'" in err


def test_feeds_add_through_its_own_process_shows_progress_on_stderr(site: LocalServer, config: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "feeds", "add", site.url("/"), "--config", str(config)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"fetching {site.url('/')} ..." in proc.stderr
    assert "found: World desk: 7 entries" in proc.stdout
