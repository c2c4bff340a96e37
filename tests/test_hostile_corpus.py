"""Real ill-formed and oddly encoded feeds (feedparser's and Miniflux's test files), all in one
refresh through the real path: nothing crashes, every feed ends with an outcome and, when it
failed, a reason in words; what parses is stored. A golden file pins what each one gives.

tests/data/hostile_feeds/expected.json holds, per file: outcome, error, stories stored, and the
first story's title and date. After a deliberate change, regenerate it with
`NEWSDESK_REGEN_GOLDEN=1 python -m pytest tests/test_hostile_corpus.py` and review the diff.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from newsdesk.config import parse_config
from newsdesk.refresh import refresh
from newsdesk.store import Store
from tests.feed_headers import corpus_headers
from tests.httpserver import LocalServer

CORPUS = Path(__file__).parent / "data" / "hostile_feeds"
EXPECTED = CORPUS / "expected.json"


def _files() -> list[str]:
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.xml"))


def test_every_hostile_feed_gives_an_outcome_and_what_parses_is_stored(http_server: LocalServer, tmp_path: Path) -> None:
    files = _files()
    assert len(files) > 100
    feeds_toml = "[settings]\nextract = false\nconcurrency = 16\n\n"
    for i, rel in enumerate(files):
        data = (CORPUS / rel).read_bytes()
        http_server.add(f"/{i}.xml", data, headers=corpus_headers(rel, data))
        feeds_toml += f'[[feeds]]\nname = "{rel}"\nurl = "{http_server.url(f"/{i}.xml")}"\n\n'
    path = tmp_path / "feeds.toml"
    path.write_text(feeds_toml, encoding="utf-8")
    config = parse_config(feeds_toml, path)
    with Store(tmp_path / "news.db") as store:
        summary = asyncio.run(refresh(config, store))
        assert summary.ok + summary.failed == len(files)
        stories: dict[str, list] = {}  # type: ignore[type-arg]
        for story in store.list_stories(matched_only=False, limit=100_000):
            stories.setdefault(story.feed, []).append(story)
        actual = {}
        for feed in store.feeds():
            assert feed.last_outcome is not None
            if feed.last_outcome not in ("ok", "not modified"):
                assert feed.last_error and "Traceback" not in feed.last_error and "<" not in feed.last_error[:1]
            mine = sorted(stories.get(feed.name, []), key=lambda s: (s.time, s.title))
            actual[feed.name] = {
                "outcome": feed.last_outcome,
                "error": feed.last_error,
                "stories": len(mine),
                "first_title": mine[0].title if mine else None,
                "first_published": mine[0].published.isoformat() if mine and mine[0].published else None,
            }
    if os.environ.get("NEWSDESK_REGEN_GOLDEN"):
        EXPECTED.write_text(json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    assert actual == json.loads(EXPECTED.read_text(encoding="utf-8"))
