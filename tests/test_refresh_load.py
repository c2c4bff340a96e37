"""A refresh under load: CPU work never stalls the downloads (a timeout measures the server),
a server that drops idle keep-alive connections costs nothing, and an interrupted refresh of
many feeds on one site keeps most of what it had done."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from newsdesk.config import Settings, parse_config
from newsdesk.fetch import FeedRequest, Fetcher
from newsdesk.refresh import refresh
from newsdesk.store import Store
from newsdesk.types import FeedOutcome, FeedResult
from tests.httpserver import LocalServer
from tests.terminal import AS_FROM_A_TERMINAL

_PARAGRAPH = "<p>" + "The minister said the harvest was good and the rain came late this year. " * 20 + "</p>"


def _full_text_feed(items: int, paragraphs: int) -> bytes:
    body = "".join(
        f"<item><title>Story {i}</title><guid>g{i}</guid><description>Short.</description>"
        f"<content:encoded><![CDATA[{_PARAGRAPH * paragraphs}]]></content:encoded></item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>T</title>{body}</channel></rss>"
    ).encode()


def test_parsing_long_feeds_never_makes_a_prompt_server_time_out(http_server: LocalServer, tmp_path: Path) -> None:
    # Three full-text feeds of about 3 MB each take several seconds of feedparser between
    # them; with fewer than 32 feeds and nothing to extract there are no worker processes.
    # The prompt feed answers in 0.5 s, while the long ones are being parsed.
    for n in range(3):
        http_server.add(f"/long{n}.xml", _full_text_feed(25, 90), headers={"Content-Type": "application/rss+xml"})
    http_server.add("/prompt.xml", _full_text_feed(2, 1), headers={"Content-Type": "application/rss+xml"}, delay=0.5)
    config_path = tmp_path / "feeds.toml"
    config_path.write_text(
        "[settings]\nextract = false\ntimeout_seconds = 1\n\n"
        + "".join(f'[[feeds]]\nname = "Long {n}"\nurl = "{http_server.url(f"/long{n}.xml")}"\n\n' for n in range(3))
        + f'[[feeds]]\nname = "Prompt"\nurl = "{http_server.url("/prompt.xml")}"\n\n[watchlist]\ncountries = ["*"]\n',
        encoding="utf-8",
    )
    config = parse_config(config_path.read_text(encoding="utf-8"), config_path)
    with Store(tmp_path / "news.db") as store:
        store.sync_feeds(config.feeds)
        summary = asyncio.run(refresh(config, store))
    assert (summary.ok, summary.failed) == (4, 0), summary.problems
    assert summary.new_stories == 3 * 25 + 2


def test_a_server_that_drops_an_idle_keep_alive_connection_costs_no_download(http_server: LocalServer) -> None:
    # The server closes a kept-alive connection as the next request arrives, without a word
    # ("Server disconnected without sending a response"): the GET goes again, once, on a new
    # connection.
    http_server.add("/feed.xml", _full_text_feed(1, 1), headers={"Content-Type": "application/rss+xml"})
    http_server.drop_reused = 1

    async def go() -> list[FeedResult]:
        async with Fetcher(Settings()) as fetcher:
            return [await fetcher.fetch_feed(FeedRequest(http_server.url("/feed.xml"))) for _ in range(3)]

    results = asyncio.run(go())
    assert [r.outcome for r in results] == [FeedOutcome.OK] * 3, [r.error for r in results]
    assert http_server.dropped == 1 and http_server.connections == 2


def test_a_server_that_keeps_dropping_connections_is_reported_in_words(http_server: LocalServer) -> None:
    http_server.add("/feed.xml", _full_text_feed(1, 1), headers={"Content-Type": "application/rss+xml"})
    http_server.drop_reused = 10**6
    http_server.drop_fresh = True

    async def go() -> FeedResult:
        async with Fetcher(Settings()) as fetcher:
            return await fetcher.fetch_feed(FeedRequest(http_server.url("/feed.xml")))

    result = asyncio.run(go())
    assert result.outcome is FeedOutcome.NETWORK_ERROR
    assert result.error == "download failed: Server disconnected without sending a response."
    assert http_server.dropped == 2  # one retry, not more


def _stories(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return int(conn.execute("select count(*) from story").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _grandchildren(pid: int) -> int:
    """Processes two levels below `pid` (Linux /proc): a refresh's extraction workers, the
    children of its fork server."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            children.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return sum(len(children.get(child, [])) for child in children.get(pid, []))


def test_ctrl_c_during_a_refresh_of_many_feeds_on_one_site_keeps_most_of_its_work(http_server: LocalServer, tmp_path: Path) -> None:
    # 100 feeds of 4 stories on one site, 2 downloads at a time: pages that complete a feed go
    # before the feeds still waiting, so stories are stored all along. (Downloading every
    # feed before any page, as a first-come queue does, stores nothing until the last feed.)
    # All but the first feeds answer once the refresh's workers are up, however slow their
    # start is on a busy machine: from then on, feeds and pages compete for the two slots.
    page = (Path(__file__).parent / "data" / "pages" / "russia-defends-iran-attack.html").read_bytes()
    feeds, items = 100, 4
    workers_up = threading.Event()
    for f in range(feeds):
        entries = "".join(
            f"<item><title>Story {f}-{n}</title><guid>s{f}-{n}</guid><link>{http_server.url(f'/p/{f}-{n}.html')}</link>"
            f"<description>Iran and Israel.</description></item>"
            for n in range(items)
        )
        http_server.add(f"/f{f}.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>F{f}</title>{entries}</channel></rss>',
                        headers={"Content-Type": "application/rss+xml"}, delay=0.05, gate=workers_up if f >= 4 else None)
        for n in range(items):
            http_server.add(f"/p/{f}-{n}.html", page, headers={"Content-Type": "text/html"}, delay=0.02)
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[settings]\nconcurrency = 2\nper_host = 2\n\n"
        + "".join(f'[[feeds]]\nname = "F{f}"\nurl = "{http_server.url(f"/f{f}.xml")}"\n\n' for f in range(feeds)),
        encoding="utf-8",
    )
    db = tmp_path / "news.db"
    proc = subprocess.Popen([*AS_FROM_A_TERMINAL, "refresh", "--config", str(config), "--db", str(db)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})

    def served(prefix: str) -> int:
        return sum(http_server.hits(path) for path in list(http_server.answers) if path.startswith(prefix))

    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and _grandchildren(proc.pid) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        workers_up.set()
    deadline = time.monotonic() + 120
    while proc.poll() is None and served("/p/") < 40 and served("/f") < feeds and time.monotonic() < deadline:
        time.sleep(0.02)
    feeds_before, pages_before = served("/f"), served("/p/")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    kept = _stories(db)
    assert pages_before >= 40 and feeds_before < feeds, (pages_before, feeds_before)
    # What was read was stored as each feed's last page came in, but for the feeds whose pages
    # were still being read (two at a time) and the pages in the workers.
    assert kept >= pages_before - 16, (kept, pages_before)
