"""A large newsdesk database built from real article texts, for the at-scale benchmarks.

Each story is a window of two to four paragraphs of one of the corpus's real articles
(ground-truth.json), its first sentence as the title, spread over 200 feeds and a year of
dates. One story in five is tagged with one or two watchlist entries, as a refresh would
have tagged it (the tags come from a fixed rotation, so building stays fast and the matched
share is exactly 20%). Built once and reused: a second run with the same path and size
opens the file as it is.

Above 100,000 stories (`STORED`), the first 100,000 are stored through the Store as above and
the rest are copies of them, made with SQL: copy k of a story is the same story (its text,
feed, tags, its event's hashes) k × 100,000 × 5 minutes earlier, so a million stories span
about ten years at the same pace, 20% of them matched, and the full-text index (its
triggers) and the events (one per copy of each event) grow as stored stories' do. Storing
every story through the Store took about 100 stories a second at 2026-12-07's load (the
clustering's sketch of each story dominates): a million would take hours.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsdesk.config import FeedConfig
from newsdesk.store import Store, register_functions
from newsdesk.types import EntityHit, FeedWrite, Match, NewStory, StoryWrite

ENTITIES = (
    ("Russia", "country", "RU"), ("Iran", "country", "IR"), ("Israel", "country", "IL"),
    ("China", "country", "CN"), ("Ukraine", "country", "UA"), ("France", "country", "FR"),
    ("Brazil", "country", "BR"), ("India", "country", "IN"), ("Vladimir Putin", "person", None),
    ("Sergei Lavrov", "person", None),
)
NOW = datetime(2024, 4, 14, 12, 0, tzinfo=UTC)
STORED = 100_000
"""Stories stored through the Store; a larger database copies them (see the docstring)."""
MINUTES = 5
"""Minutes between one story and the next, as a busy reader's feeds bring them."""


def articles(shared: Path) -> list[str]:
    truth = json.loads((shared / "corpus" / "articles" / "ground-truth.json").read_text(encoding="utf-8"))
    return [a["articleBody"] for a in truth.values() if len(a["articleBody"]) > 400]


def _hit(entity: str, kind: str, code: str | None, text: str) -> EntityHit:
    match = Match(entity, kind, code, entity, "text", 0, len(entity), text[:80])  # type: ignore[arg-type]
    return EntityHit(entity, kind, code, 1, text[:80], (match,))  # type: ignore[arg-type]


def build(path: Path, shared: Path, stories: int, *, feeds: int = 200, seed: int = 5, base: Path | None = None) -> float:
    """Create (or reuse) the database at `path`; returns the seconds building took (0 if reused).
    `base`: a database this function built of STORED stories (same feeds and seed), whose
    file is copied as the first STORED stories of a larger one rather than stored again."""
    marker = path.with_suffix(".built")
    if path.exists() and marker.exists() and marker.read_text() == str(stories):
        return 0.0
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    if stories > STORED and base is not None and base.with_suffix(".built").exists() \
            and base.with_suffix(".built").read_text() == str(STORED):
        source = sqlite3.connect(f"file:{base}?mode=ro", uri=True)
        with sqlite3.connect(path) as target:
            source.backup(target)  # the whole file, whatever its write-ahead log still holds
        source.close()
    else:
        rng = random.Random(seed)
        texts = [[p for p in a.split("\n") if p.strip()] for a in articles(shared)]
        _store(path, texts, rng, min(stories, STORED), feeds)
    for copy in range(1, -(-stories // STORED)):
        _copy(path, copy, min(STORED, stories - copy * STORED))
    marker.write_text(str(stories))
    return time.perf_counter() - started


def _store(path: Path, texts: list[list[str]], rng: random.Random, stories: int, feeds: int) -> None:
    with Store(path) as store:
        store.sync_feeds([FeedConfig(f"Feed {i}", f"http://127.0.0.1:9/feeds/{i}.xml") for i in range(feeds)])
        feed_ids = [f.id for f in store.feeds()]
        batch: dict[int, list[tuple[NewStory, list[EntityHit]]]] = {}
        for n in range(stories):
            paragraphs = texts[n % len(texts)]
            start = rng.randrange(max(1, len(paragraphs) - 2))
            body = "\n\n".join(paragraphs[start : start + rng.randint(2, 4)])
            title = body.split(". ")[0][:110]
            published = NOW - timedelta(minutes=MINUTES * n + rng.randrange(MINUTES))
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


def _copy(path: Path, copy: int, stories: int) -> None:
    """Copy `copy` of the first `stories` stored stories (ids 1 to STORED), their tags and
    events, `copy` × STORED × MINUTES earlier, with new ids, keys and links. Times keep the
    text form the Store writes ("2024-04-14 11:58:00.000000")."""
    shift = f"-{copy * STORED * MINUTES} minutes"

    def earlier(column: str) -> str:
        return f"strftime('%Y-%m-%d %H:%M:%S', {column}, '{shift}') || substr({column}, 20)"

    offset, first = copy * STORED, f"id <= {stories}"
    db = sqlite3.connect(path)
    register_functions(db)  # the full-text index's triggers unpack each copied text with it
    try:
        with db:
            db.execute(
                "INSERT INTO story (id, feed_id, key, guid, url, title, author, published, fetched_at, sort_time, "
                "summary, text, text_source, text_note, matched) "
                f"SELECT id + {offset}, feed_id, key || '~{copy}', guid || '~{copy}', url || '?copy={copy}', title, author, "
                f"{earlier('published')}, {earlier('fetched_at')}, {earlier('sort_time')}, summary, text, text_source, "
                f"text_note, matched FROM story WHERE {first}"
            )
            db.execute(
                "INSERT INTO match (story_id, entity, kind, code, count, snippet, occurrences) "
                f"SELECT story_id + {offset}, entity, kind, code, count, snippet, occurrences FROM match "
                f"WHERE story_id <= {stories}"
            )
            db.execute(
                "INSERT INTO story_cluster (story_id, cluster_id, time, title_hash, text_hash) "
                f"SELECT story_id + {offset}, cluster_id + {offset}, {earlier('time')}, title_hash, text_hash "
                f"FROM story_cluster WHERE story_id <= {stories}"
            )
    finally:
        db.close()
