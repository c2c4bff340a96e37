"""OPML in and out through the real commands: the exports of newsboat, Miniflux, FreshRSS,
Feedly, Inoreader, NetNewsWire and Thunderbird, hostile files, a round trip, and the export
checked against newsboat's own import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from newsdesk.cli import main
from newsdesk.config import load_config
from tests.httpserver import LocalServer

OPML = Path(__file__).parent / "data" / "opml"


def _newsdesk(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (exit status, stdin, nothing shared)."""
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", *args],
        capture_output=True,
        check=False,
        input=stdin,
        timeout=60,
    )
    result = subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """The real command in this process (cheaper than a process each, for the many fixtures)."""

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return call


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text("# imported feeds go below\n", encoding="utf-8")
    return path


def _imported(config: Path) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.url, f.name, f.tags) for f in load_config(config).feeds]


EXPORTS = {
    "newsboat-2.21-export.opml": [
        ("https://feeds.bbci.co.uk/news/world/rss.xml", "BBC News - World", ()),
        ("https://www.theguardian.com/world/rss", "www.theguardian.com", ()),
        ("https://lwn.net/headlines/newrss", "LWN.net", ()),
        ("https://feeds.arstechnica.com/arstechnica/index", "Ars Technica: Q&A and more", ()),
        ("https://www.youtube.com/feeds/videos.xml?channel_id=UCR-DXc1voovS8nhAvccRZhg&x=1", "www.youtube.com", ()),
    ],
    "miniflux.opml": [
        ("https://news.ycombinator.com/rss", "Hacker News", ("All",)),
        ("https://www.aljazeera.com/xml/rss/all.xml", "Al Jazeera – Breaking News, World News and Video", ("World news",)),
        ("https://rss.dw.com/rdf/rss-en-world", "Deutsche Welle & Partner", ("World news",)),
    ],
    "freshrss.opml.xml": [
        ("https://github.com/FreshRSS/FreshRSS/releases.atom", "FreshRSS releases", ()),
        ("https://www.youtube.com/feeds/videos.xml?channel_id=UCR-DXc1voovS8nhAvccRZhg", "Jeff Geerling", ("Youtube",)),
    ],
    "feedly.opml": [
        ("http://feeds.bbci.co.uk/news/world/rss.xml", "BBC News - World", ("World",)),
        ("https://www.theatlantic.com/feed/all/", "The Atlantic", ("World",)),
        ("https://www.nature.com/nature.rss", "Nature News & Comment", ("Science & Tech",)),
        ("http://feeds.feedburner.com/HighScalability", "High Scalability", ("Science & Tech",)),
    ],
    "inoreader.xml": [
        ("http://cdc.tencent.com/feed/", "腾讯CDC", ("设计",)),
        ("http://www.rologo.com/feed", "Rologo 标志共和国", ("设计",)),
        ("https://feeds.npr.org/1004/rss.xml", "NPR Topics: World", ("News",)),
    ],
    "netnewswire.opml": [
        ("https://daringfireball.net/feeds/main", "Daring Fireball", ()),
        ("https://feeds.npr.org/1001/rss.xml", "NPR & Friends", ("News",)),
        ("https://www.france24.com/en/rss", "France 24 - World", ("News", "Europe")),
    ],
    "thunderbird.opml": [
        ("https://medium.com/feed/better-programming", "Better Programming - Medium", ("Programming",)),
        ("https://codeascraft.com/feed/atom/", "Code as Craft", ("Programming",)),
        ("https://www.tagesschau.de/xml/rss2/", "Tagesschau & Aktuelles", ("Nachrichten",)),
        ("https://www.heise.de/rss/heise-atom.xml", "Heise Öffentlichkeit", ("Nachrichten",)),
    ],
    "bare-ampersand.opml": [
        ("https://about.att.com/rss/newsroom.xml", "AT&T Newsroom", ("Business & Markets",)),
        ("https://qa.example.org/feed?a=1&b=2", "Tom & Jerry's Q&A", ("Business & Markets",)),
    ],
    "html-entities.opml": [
        ("https://www.lemonde.fr/international/rss_full.xml", "Le Monde – International", ("Actualités — Monde",)),
        ("https://cafe.example.org/rss", "Café & Crème © &unknownentity; €", ("Actualités — Monde",)),
    ],
    "bom.opml": [("https://rss.sueddeutsche.de/rss/Topthemen", "Süddeutsche Zeitung", ("Welt",))],
    "wrong-encoding-declared-latin1.opml": [
        ("https://feeds.elpais.com/mrss-s/pages/ep/site/elpais.com/section/internacional/portada", "El País — Internacional", ("España",)),
    ],
    "wrong-encoding-declared-utf8.opml": [
        ("https://www.liberation.fr/arc/outboundfeeds/rss/category/international/", "Libération – Monde", ("Français",)),
    ],
    "nested-text-only.opml": [
        ("https://feeds.yle.fi/uutiset/v1/majorHeadlines/YLE_UUTISET.rss", "Yle News", ("News", "Europe", "Nordics")),
        ("https://www.irishtimes.com/cmlink/news-1.1319192", "Irish Times", ("News", "Europe")),
        ("https://untitled.example.org/feed.xml", "No title at all", ("News",)),
        ("https://bare.example.org/atom.xml", "bare.example.org", ()),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_each_readers_export_imports(name: str, empty: Path, run) -> None:  # type: ignore[no-untyped-def]
    proc = run("import", str(OPML / name), "--config", str(empty))
    assert proc.returncode == 0, proc.stderr
    assert _imported(empty) == EXPORTS[name]
    assert f"added {len(EXPORTS[name])} feeds" in proc.stdout
    assert empty.read_text(encoding="utf-8").startswith("# imported feeds go below\n")
    again = run("import", str(OPML / name), "--config", str(empty))
    assert f"added 0 feeds to {empty}, skipped" in again.stdout
    assert again.stdout.count("already in feeds.toml as") == len(EXPORTS[name])


def test_stdin_and_the_reasons_for_skipping(empty: Path) -> None:
    proc = _newsdesk("import", "-", "--config", str(empty), stdin=(OPML / "not-feeds.opml").read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert _imported(empty) == [("https://good.example.org/rss.xml", "Good one", ())]
    assert "stdin: added 1 feeds" in proc.stdout and "skipped 4" in proc.stdout
    for line in (
        "- Local file: file:///etc/passwd: not an http(s) feed address",
        "- Script: javascript:alert(1): not an http(s) feed address",
        "- feed scheme: feed://example.org/rss: not an http(s) feed address",
        "- Broken: 'http://[::1' is not an address newsdesk can read",
    ):
        assert line in proc.stdout
    freshrss = _newsdesk("import", str(OPML / "freshrss.opml.xml"), "--config", str(empty), "--dry-run")
    assert 'type="html+xpath": a web page to scrape, not a feed' in freshrss.stdout
    assert "would add 2 feeds" in freshrss.stdout and len(_imported(empty)) == 1


def test_a_feed_in_two_folders_gets_both_tags_and_the_same_feed_twice_is_added_once(empty: Path, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    twice = tmp_path / "twice.opml"
    twice.write_text(
        '<opml version="2.0"><body><outline text="world"><outline xmlUrl="https://a.example/rss" text="A"/></outline>'
        '<outline text="tech"><outline xmlUrl="https://a.example/rss" text="A"/>'
        '<outline xmlUrl="HTTPS://A.example/rss/" text="A again"/></outline></body></opml>'
    )
    proc = run("import", str(twice), "--config", str(empty))
    assert _imported(empty) == [("https://a.example/rss", "A", ("world", "tech"))]
    assert "- A again: the same feed as 'A' above" in proc.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
            "it is a feed: add it with `newsdesk feeds add URL`",
        ),
        (b"<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>", "it is a web page"),
        (b"just some text, not XML at all", "not XML"),
        (b"", "the file is empty"),
        (b'<?xml version="1.0"?><opml version="2.0"><head/></opml>', "without a <body>"),
        (b'<?xml version="1.0"?><outlines><outline xmlUrl="https://a.example/rss"/></outlines>', "its root element is <outlines>"),
    ],
)
def test_a_file_that_is_not_opml_is_refused_clearly(content: bytes, words: str, empty: Path, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.opml"
    bad.write_bytes(content)
    before = empty.read_bytes()
    proc = (_newsdesk if b"<rss" in content else run)("import", str(bad), "--config", str(empty))
    assert proc.returncode == 2
    assert f"{bad}: " in proc.stderr and words in proc.stderr
    assert empty.read_bytes() == before


def test_an_entity_bomb_or_external_entity_is_not_expanded_or_fetched(empty: Path, tmp_path: Path, http_server: LocalServer, run) -> None:  # type: ignore[no-untyped-def]
    http_server.add("/secret", b"SECRET")
    bomb = tmp_path / "bomb.opml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        f'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY ext SYSTEM "{http_server.url("/secret")}">]>'
        '<opml version="2.0"><body><outline text="&c;&ext;" xmlUrl="https://a.example/rss"/></body></opml>'
    )
    proc = run("import", str(bomb), "--config", str(empty))
    assert proc.returncode == 0, proc.stderr
    [(url, name, _)] = _imported(empty)
    assert url == "https://a.example/rss" and "aaaaaaaaaa" not in name and "SECRET" not in name
    assert http_server.counts["/secret"] == 0


def test_nothing_an_opml_file_names_is_fetched_at_import(empty: Path, tmp_path: Path, http_server: LocalServer, run) -> None:  # type: ignore[no-untyped-def]
    listed = tmp_path / "local.opml"
    listed.write_text(
        f'<opml version="2.0"><body><outline text="x" xmlUrl="{http_server.url("/feed.xml")}" '
        f'htmlUrl="{http_server.url("/")}"/></body></opml>'
    )
    assert run("import", str(listed), "--config", str(empty)).returncode == 0
    assert sum(http_server.counts.values()) == 0


TAGGED = """\
[[feeds]]
name = "BBC News - World"
url = "https://feeds.bbci.co.uk/news/world/rss.xml"
tags = ["world", "uk"]

[[feeds]]
name = "Q&A <weekly> \\"quoted\\" — ünïcödé"
url = "https://qa.example.org/feed?a=1&b=2"
tags = ["tech & science"]

[[feeds]]
name = "Untagged"
url = "https://untagged.example.org/atom.xml"

[[feeds]]
name = "Deutsche Welle"
url = "https://rss.dw.com/rdf/rss-en-world"
tags = ["world"]
"""


def test_export_then_import_into_an_empty_feeds_toml_gives_the_same_feeds(tmp_path: Path, empty: Path, run) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "source.toml"
    source.write_text(TAGGED, encoding="utf-8")
    exported = tmp_path / "out.opml"
    proc = run("export", "opml", "-o", str(exported), "--config", str(source))
    assert proc.returncode == 0, proc.stderr
    assert "wrote 4 feeds" in proc.stderr
    root = etree.fromstring(exported.read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert [o.get("text") for o in root.find("body")] == ["world", "uk", "tech & science", "Untagged"]
    assert run("import", str(exported), "--config", str(empty)).returncode == 0
    key = sorted
    assert key(_imported(empty)) == key((f.url, f.name, f.tags) for f in load_config(source).feeds)
    stdout = _newsdesk("export", "opml", "--config", str(source)).stdout
    assert stdout.encode() == exported.read_bytes().replace(
        exported.read_bytes().split(b"<dateCreated>")[1].split(b"</dateCreated>")[0],
        stdout.encode().split(b"<dateCreated>")[1].split(b"</dateCreated>")[0],
    )


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed (apt-get install -y newsboat)")
def test_newsboat_imports_the_export(tmp_path: Path) -> None:
    source = tmp_path / "source.toml"
    source.write_text(TAGGED, encoding="utf-8")
    exported = tmp_path / "out.opml"
    assert _newsdesk("export", "opml", "-o", str(exported), "--config", str(source)).returncode == 0
    urls = tmp_path / "urls"
    urls.write_text("")
    proc = subprocess.run(
        ["newsboat", "-u", str(urls), "-c", str(tmp_path / "cache.db"), "-i", str(exported)],
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) if " " in line else (line, "") for line in urls.read_text().splitlines())
    # Every feed, each under its first folder (newsboat takes a feed's first appearance only).
    assert lines == {
        "https://feeds.bbci.co.uk/news/world/rss.xml": '"world"',
        "https://rss.dw.com/rdf/rss-en-world": '"world"',
        "https://qa.example.org/feed?a=1&b=2": '"tech & science"',
        "https://untagged.example.org/atom.xml": "",
    }
