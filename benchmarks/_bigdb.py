"""A large newsdesk database built from real article texts, for the at-scale benchmarks.

Each story is a window of two to four paragraphs of one of the corpus's real articles
(ground-truth.json), its first sentence as the title, spread over 200 feeds and a year of
dates. One story in five is tagged with one or two watchlist entries, as a refresh would
have tagged it (the tags come from a fixed rotation, so building stays fast and the matched
share is exactly 20%). Built once and reused: a second run with the same path and size
opens the file as it is.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.config import FeedConfig
from newsdesk.store import Store
from newsdesk.types import EntityHit, FeedWrite, Match, NewStory, StoryWrite

ENTITIES = (
    ("Russia", "country", "RU"), ("Iran", "country", "IR"), ("Israel", "country", "IL"),
    ("China", "country", "CN"), ("Ukraine", "country", "UA"), ("France", "country", "FR"),
    ("Brazil", "country", "BR"), ("India", "country", "IN"), ("Vladimir Putin", "person", None),
    ("Sergei Lavrov", "person", None),
)
NOW = datetime(2024, 4, 14, 12, 0, tzinfo=UTC)


def articles(shared: Path) -> list[str]:
    truth = json.loads((shared / "corpus" / "articles" / "ground-truth.json").read_text(encoding="utf-8"))
    return [a["articleBody"] for a in truth.values() if len(a["articleBody"]) > 400]


def _hit(entity: str, kind: str, code: str | None, text: str) -> EntityHit:
    match = Match(entity, kind, code, entity, "text", 0, len(entity), text[:80])  # type: ignore[arg-type]
    return EntityHit(entity, kind, code, 1, text[:80], (match,))  # type: ignore[arg-type]


def build(path: Path, shared: Path, stories: int, *, feeds: int = 200, seed: int = 5) -> float:
    """Create (or reuse) the database at `path`; returns the seconds building took (0 if reused)."""
    marker = path.with_suffix(".built")
    if path.exists() and marker.exists() and marker.read_text() == str(stories):
        return 0.0
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    rng = random.Random(seed)
    texts = [[p for p in a.split("\n") if p.strip()] for a in articles(shared)]
    with Store(path) as store:
        store.sync_feeds([FeedConfig(f"Feed {i}", f"http://127.0.0.1:9/feeds/{i}.xml") for i in range(feeds)])
        feed_ids = [f.id for f in store.feeds()]
        batch: dict[int, list[tuple[NewStory, list[EntityHit]]]] = {}
        for n in range(stories):
            paragraphs = texts[n % len(texts)]
            start = rng.randrange(max(1, len(paragraphs) - 2))
            body = "\n\n".join(paragraphs[start : start + rng.randint(2, 4)])
            title = body.split(". ")[0][:110]
            published = NOW - timedelta(minutes=5 * n + rng.randrange(5))
            story = NewStory(
                key=f"story-{n}", title=title, url=f"http://127.0.0.1:9/articles/{n}.html", guid=f"story-{n}",
                author=None, published=published, fetched_at=NOW, summary=body[:200], text=body, text_source="page",
            )
            hits: list[EntityHit] = []
            if n % 5 == 0:
                first = ENTITIES[(n // 5) % len(ENTITIES)]
                hits.append(_hit(*first, body))
                if n % 3 == 0:
                    second = ENTITIES[(n // 5 + 3) % len(ENTITIES)]
                    hits.append(_hit(*second, body))
            batch.setdefault(feed_ids[n % len(feed_ids)], []).append((story, hits))
            if (n + 1) % 5000 == 0 or n + 1 == stories:
                store.write_feeds([
                    FeedWrite(feed_id, tuple(StoryWrite(story, tuple(hits), None) for story, hits in items), None)
                    for feed_id, items in batch.items()
                ])
                batch = {}
    marker.write_text(str(stories))
    return time.perf_counter() - started
