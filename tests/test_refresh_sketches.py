"""Stories sketched where their entries are read (the parse workers) are stored and clustered
exactly as the store sketches them itself: the same bytes, the same clusters.

A refresh of many feeds parses them in worker processes, which sketch each entry there; a
refresh of one feed parses it in the refreshing process, and the store sketches its stories.
The same feeds (a few hundred real headlines labelled by story, some with a shared lead) go
through both ways into two SQLite files.
"""

from __future__ import annotations

import asyncio
import csv
from collections import defaultdict
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import create_engine, text

from newsdesk.cluster import Sketch
from newsdesk.config import parse_config
from newsdesk.refresh import refresh
from newsdesk.store import Store
from newsdesk.workers import Workers
from tests.httpserver import LocalServer

DATA = Path(__file__).parent / "data"
FEEDS = 40  # more than a refresh parses in its own process


def _headlines() -> list[dict[str, str]]:
    with (DATA / "clusters" / "headlines.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _leads() -> list[str]:
    return [p.read_text(encoding="utf-8").split("\n", 1)[1] for p in sorted((DATA / "worldnews").glob("*.txt"))]


def _feeds(server: LocalServer) -> str:
    """FEEDS feeds sharing the headlines; one story in three carries a long lead, the same in
    each of its copies (they link by their text), and one entry in ten has no date."""
    leads = _leads()
    items: dict[int, list[str]] = defaultdict(list)
    for n, row in enumerate(_headlines()):
        story = int(row["story"].encode().hex(), 16)
        summary = leads[story % len(leads)] if story % 3 == 0 else row["publisher"]
        when = datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
        date = "" if n % 10 == 0 else f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
        items[n % FEEDS].append(
            f"<item><title>{escape(row['title'])}</title><guid>h{row['id']}</guid>"
            f"<description>{escape(summary)}</description>{date}</item>"
        )
    config = "[settings]\nextract = false\n"
    for f in range(FEEDS):
        body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {f}</title>'
        server.add(f"/{f}.xml", (body + "".join(items[f]) + "</channel></rss>").encode(),
                   headers={"Content-Type": "application/rss+xml"})
        config += f'\n[[feeds]]\nname = "Feed {f}"\nurl = "{server.url(f"/{f}.xml")}"\n'
    return config


def _stored(db: Path) -> tuple[dict[str, tuple[bytes | None, bytes | None]], set[frozenset[str]]]:
    """Each story's stored sketches by its key, and the clusters as sets of keys."""
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT s.key, c.title_hash, c.text_hash, c.cluster_id FROM story s JOIN story_cluster c ON c.story_id = s.id"
        )).all()
    engine.dispose()
    groups: dict[int, set[str]] = defaultdict(set)
    for key, _, _, cluster in rows:
        groups[cluster].add(key)
    return {key: (title, lead) for key, title, lead, _ in rows}, {frozenset(g) for g in groups.values()}


def test_sketches_made_in_the_parse_workers_store_and_cluster_as_the_stores_own(
    http_server: LocalServer, tmp_path: Path
) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(_feeds(http_server))
    config = parse_config(path.read_text(), path)
    with Store(tmp_path / "workers.db") as store:
        summary = asyncio.run(refresh(config, store))
    assert (summary.ok, summary.new_stories) == (FEEDS, len(_headlines()))
    with Store(tmp_path / "here.db") as store:
        for feed in config.feeds:  # one feed at a time: parsed here, sketched by the store
            asyncio.run(refresh(config, store, feeds=[feed]))

    sketched, clusters = _stored(tmp_path / "workers.db")
    expected, expected_clusters = _stored(tmp_path / "here.db")
    assert len(sketched) == len(_headlines())
    assert sketched == expected
    assert sum(lead is not None for _, lead in sketched.values()) >= 30  # leads were sketched too
    assert clusters == expected_clusters
    assert len(clusters) <= len(sketched) - 60  # copies were linked, by headline and by lead


def test_a_parse_worker_sketches_each_entry_as_its_story_will_be(http_server: LocalServer, tmp_path: Path) -> None:
    _feeds(http_server)
    body = http_server.body("/0.xml")

    async def parse() -> list[Sketch | None]:
        with Workers(1, preload=("newsdesk.workers",)) as workers:
            result = await workers.parse_feed(body, http_server.url("/0.xml"), {"content-type": "application/rss+xml"})
        return [e.sketch for e in result.entries]

    from newsdesk.fetch import parse_feed

    entries = parse_feed(body, "http://example.org/0.xml").entries
    made = asyncio.run(parse())
    alone = Sketch.many([(e.title, e.summary, e.summary, e.published or datetime.now()) for e in entries])
    assert [(s.words, s.stored_title, s.stored_text) for s in made if s] == [
        (s.words, s.stored_title, s.stored_text) for s in alone
    ]
    assert len(made) == len(entries) > 5


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
