"""The matcher on hand-labelled real articles: the floor it must stay above.

The labels and the scoring are in tests/match_labels.py; benchmarks/match_quality.py prints
the same figures with every miss and a naive baseline beside them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsdesk.match import Matcher
from tests.choose_headlines import choose, read
from tests.match_labels import (
    HEADLINES_DEV,
    HEADLINES_TEST,
    WORLDNEWS,
    WORLDNEWS_DEV,
    WORLDNEWS_DEV2,
    WORLDNEWS_DEV3,
    WORLDNEWS_DEV4,
    WORLDNEWS_TEST,
    WORLDNEWS_TEST2,
    labelled_sets,
    load,
    load_headlines,
    run_matcher,
    score,
    watchlist,
)

SHARED_WORLDNEWS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "worldnews" / "articles"

ARTICLES = load()


def test_the_labelled_set_is_big_enough() -> None:
    assert len(ARTICLES) >= 40
    assert sum(len(a.expected("person")) for a in ARTICLES) >= 100


SETS = {labelled.key: labelled for labelled in labelled_sets()}


@dataclass(frozen=True)
class _Floor:
    precision: float
    recall: float
    occurrence_recall: float


# What each set must stay at or above (benchmarks/README.md has the figures). The development
# sets are at 1.000 (occurrences 0.99+): any loss there is a regression. The test sets' floors
# sit just under today's figures; the goals of issue 15 (precision 0.99, recall 0.985,
# occurrence recall 0.92) are not all met on them, and the benchmark says where.
_DEV = {"country": _Floor(0.99, 0.99, 0.99), "person": _Floor(0.99, 0.99, 0.98)}
FLOORS: dict[str, dict[str, _Floor]] = {
    **{key: _DEV for key, labelled in SETS.items() if labelled.role == "dev"},
    # Below 1 by design on the web test half: first names alone and surnames before the full
    # name (see the benchmark's list); the floor catches regressions.
    "web_test": {"country": _Floor(0.98, 0.98, 0.98), "person": _Floor(0.99, 0.98, 0.85)},
    "worldnews": {"country": _Floor(0.97, 0.985, 0.97), "person": _Floor(0.99, 0.985, 0.97)},
    # Five false stories: Iraq inside "Islamic State of Iraq and the Levant", Georgia in lists
    # of US states; no development text shows either class.
    "worldnews_test": {"country": _Floor(0.95, 0.985, 0.97), "person": _Floor(0.99, 0.985, 0.97)},
    "worldnews_test2": {"country": _Floor(0.99, 0.985, 0.97), "person": _Floor(0.99, 0.985, 0.97)},
    # Headlines: false stories left on the development half are one of a kind each (an airline
    # called "American", "Britain's Got Talent", "National Bank of Greece", a Georgia with no
    # cue in the headline); benchmarks/README.md lists them.
    "headlines_dev": {"country": _Floor(0.95, 0.99, 0.99), "person": _DEV["person"]},
    "headlines_test": {"country": _Floor(0.94, 0.98, 0.98), "person": _Floor(0.99, 0.97, 0.97)},
}


def test_every_set_has_a_floor() -> None:
    assert sorted(FLOORS) == sorted(SETS)


@pytest.mark.parametrize("kind", ["country", "person"])
@pytest.mark.parametrize("key", sorted(SETS))
def test_precision_and_recall_on_every_labelled_set(key: str, kind: str) -> None:
    labelled = SETS[key]
    result = score(labelled.articles, run_matcher(Matcher(watchlist(labelled.watched))))[kind]
    floor = FLOORS[key][kind]
    assert result.precision >= floor.precision, result.false_hits
    assert result.recall >= floor.recall, result.misses
    assert result.occurrence_recall >= floor.occurrence_recall, result.missed_spans


WORLD = load(WORLDNEWS)


def test_the_world_news_test_set_is_there() -> None:
    assert len(WORLD) >= 36
    assert all(a.half in ("dev", "test") for a in ARTICLES)


def _words(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").split("\n", 2)[2].split())


@pytest.mark.skipif(not SHARED_WORLDNEWS.is_dir(), reason="the shared world-news corpus is not beside the repository")
def test_the_second_world_news_sets_are_the_ones_the_rule_picks() -> None:
    """tests/data/worldnews_dev/README.md: nothing was chosen for what it says."""
    first = {p.stem for p in WORLDNEWS.glob("*.txt")}
    rest = sorted(
        (p for p in SHARED_WORLDNEWS.glob("*.txt") if p.stem not in first),
        key=lambda p: hashlib.sha256(f"newsdesk-worldnews-2:{p.stem}".encode()).hexdigest(),
    )
    every = [p.stem for p in rest if _words(p) <= 700]
    later = every[80:110]
    last = every[110:]
    picked = every[:80]
    assert sorted(picked[0::2]) == sorted(p.stem for p in WORLDNEWS_DEV.glob("*.txt"))
    assert sorted(picked[1::2]) == sorted(p.stem for p in WORLDNEWS_TEST.glob("*.txt"))
    for stem in picked:
        folder = WORLDNEWS_DEV if stem in picked[0::2] else WORLDNEWS_TEST
        assert (folder / f"{stem}.txt").read_bytes() == (SHARED_WORLDNEWS / f"{stem}.txt").read_bytes()
    # tests/data/worldnews_dev2/README.md: the next 30 in the same order.
    assert sorted(later) == sorted(p.stem for p in WORLDNEWS_DEV2.glob("*.txt"))
    for stem in later:
        assert (WORLDNEWS_DEV2 / f"{stem}.txt").read_bytes() == (SHARED_WORLDNEWS / f"{stem}.txt").read_bytes()
    # tests/data/worldnews_dev3/README.md: the rest, split alternately with worldnews_test2.
    assert sorted(last[0::2]) == sorted(p.stem for p in WORLDNEWS_DEV3.glob("*.txt"))
    assert sorted(last[1::2]) == sorted(p.stem for p in WORLDNEWS_TEST2.glob("*.txt"))
    for stem, folder in [*((s, WORLDNEWS_DEV3) for s in last[0::2]), *((s, WORLDNEWS_TEST2) for s in last[1::2])]:
        assert (folder / f"{stem}.txt").read_bytes() == (SHARED_WORLDNEWS / f"{stem}.txt").read_bytes()
    # tests/data/worldnews_dev4/README.md: every article left, the long ones.
    long = sorted(p.stem for p in rest if _words(p) > 700)
    assert long == sorted(p.stem for p in WORLDNEWS_DEV4.glob("*.txt"))


SHARED_HEADLINES = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "clusters" / "headlines.csv.gz"


@pytest.mark.skipif(not SHARED_HEADLINES.is_file(), reason="the shared clustering week is not beside the repository")
def test_the_headline_sets_are_the_ones_the_rule_picks() -> None:
    """tests/data/headlines_dev/README.md: chosen by hash order and a string prefilter, split by story."""
    chosen = choose(read(SHARED_HEADLINES))
    for half, folder in (("dev", HEADLINES_DEV), ("test", HEADLINES_TEST)):
        labelled = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        picked = sorted((c for c in chosen if c.half == half), key=lambda c: int(c.id))
        assert [(e["id"], e["sample"], e["title"]) for e in labelled] == [(c.id, c.sample, c.title) for c in picked]


@pytest.mark.parametrize("folder", [HEADLINES_DEV, HEADLINES_TEST], ids=["dev", "test"])
def test_every_labelled_headline_form_is_in_its_headline(folder: Path) -> None:
    """A form or a not-counted phrase that is not in the text would score nothing: a typo in
    the labels, not the matcher's fault."""
    for article in load_headlines(folder):
        forms = [f for fs in (*article.countries.values(), *article.people.values()) for f in fs]
        for form in [*forms, *article.not_counted]:
            assert re.search(rf"(?<!\w){re.escape(form)}(?!\w)", article.title), (article.key, form)
