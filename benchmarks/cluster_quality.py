"""How well newsdesk collapses one story carried by many feeds into one cluster, end to end.

    python benchmarks/cluster_quality.py [--corpus DIR] [--jitter-hours H] [--no-baselines]

The corpus (default ../shared/corpus/clusters/headlines.csv.gz, a week of 25,931 real
headlines from about 4,400 publishers, labelled by story; read its README) is served from a
local HTTP server on 127.0.0.1 as one RSS feed per publisher: titles only (the description
repeats the title, as many feeds do), each date moved by a random offset of up to
±`--jitter-hours` (default 6, seed 14), so the crawl stamps, which give the labels away,
say nothing finer than hours. The real refresh (`newsdesk.refresh.refresh`, extraction off)
stores every feed into a new SQLite file, and the clusters it stored are scored.

Scoring follows the corpus README: every predicted cluster is split by `crawl` before it is
compared with `story` (labels hold only within one crawl); B-cubed precision, recall and F1
are averaged over headlines. Beside newsdesk, on the same moved dates and the same 48-hour
rule, two baselines: identical normalised titles, and TF-IDF cosine >= 0.6 (English stop
words removed, sublinear tf, unigrams; needs scikit-learn) with single links.

Development and test halves: the eight crawls are split four and four by
`random.Random(14).sample(sorted(crawls), 4)` (development). newsdesk's thresholds were chosen
on the development half only; both halves are reported, and the whole week.

Goal (on titles alone): B-cubed precision >= 0.95 and recall >= 0.30 on the test half. The
exit status is 1 when it is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import gzip
import html
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import table
from newsdesk.cluster import WINDOW, single_link
from newsdesk.config import parse_config
from newsdesk.refresh import refresh
from newsdesk.store import Store
from tests.httpserver import LocalServer

_REPO = Path(__file__).resolve().parent.parent
_DEFAULT_CORPUS = _REPO.parent / "shared" / "corpus" / "clusters"
SPLIT_SEED = 14
JITTER_SEED = 14
GOAL_PRECISION, GOAL_RECALL = 0.95, 0.30


def load(corpus: Path, jitter_hours: float) -> list[dict[str, object]]:
    path = corpus / "headlines.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        rows: list[dict[str, object]] = list(csv.DictReader(f))
    rng = random.Random(JITTER_SEED)
    for row in rows:
        stamp = datetime.fromisoformat(str(row["timestamp"]).replace("Z", "+00:00"))
        row["date"] = stamp + timedelta(seconds=rng.uniform(-jitter_hours * 3600, jitter_hours * 3600))
    return rows


def split(rows: Sequence[dict[str, object]]) -> set[str]:
    """The development crawls (the rest are the test half)."""
    return set(random.Random(SPLIT_SEED).sample(sorted({str(r["crawl"]) for r in rows}), 4))


def bcubed(
    rows: Sequence[dict[str, object]], predicted: Sequence[object], keep: Callable[[dict[str, object]], bool]
) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 over the kept headlines, clusters split by crawl."""
    found: dict[tuple[object, object], set[int]] = defaultdict(set)
    truth: dict[tuple[object, object], set[int]] = defaultdict(set)
    for i, row in enumerate(rows):
        found[(predicted[i], row["crawl"])].add(i)
        truth[(row["story"], row["crawl"])].add(i)
    precision = recall = 0.0
    n = 0
    for i, row in enumerate(rows):
        if not keep(row):
            continue
        mine, theirs = found[(predicted[i], row["crawl"])], truth[(row["story"], row["crawl"])]
        shared = len(mine & theirs)
        precision += shared / len(mine)
        recall += shared / len(theirs)
        n += 1
    precision, recall = precision / n, recall / n
    return precision, recall, 2 * precision * recall / (precision + recall)


# ------------------------------------------------------------------ newsdesk, end to end


def _feeds(rows: Sequence[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    by_publisher: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_publisher[str(row["publisher"])].append(row)
    return by_publisher


def _rss(publisher: str, items: Sequence[dict[str, object]]) -> bytes:
    body = "".join(
        f"<item><title>{escape(str(r['title']))}</title><link>{escape(str(r['url']))}</link>"
        f"<guid isPermaLink=\"false\">{r['id']}</guid><description>{escape(str(r['title']))}</description>"
        f"<pubDate>{format_datetime(r['date'])}</pubDate></item>"  # type: ignore[arg-type]
        for r in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(publisher)}</title>'
        f"<link>http://example.invalid/</link><description>{escape(publisher)}</description>{body}</channel></rss>"
    ).encode()


def newsdesk_clusters(rows: Sequence[dict[str, object]]) -> tuple[list[object], float, int]:
    """Each headline's stored cluster, the refresh's wall time, and how many stories it stored."""
    server = LocalServer().start()
    try:
        feeds = _feeds(rows)
        lines = ["[settings]", "extract = false", "concurrency = 64", "per_host = 64", ""]
        for n, (publisher, items) in enumerate(sorted(feeds.items())):
            server.add(f"/feed/{n}.xml", _rss(publisher, items), headers={"Content-Type": "application/rss+xml"})
            name = publisher.replace("\\", "\\\\").replace('"', '\\"')
            lines += ["[[feeds]]", f'name = "{name}"', f'url = "{server.url(f"/feed/{n}.xml")}"', ""]
        config = parse_config("\n".join(lines))
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "clusters.db") as store:
            start = time.perf_counter()
            summary = asyncio.run(refresh(config, store))
            elapsed = time.perf_counter() - start
            if summary.failed:
                sys.exit(f"{summary.failed} feeds failed: {summary.problems[:3]}")
            by_key = store.story_clusters()
    finally:
        server.stop()
    missing = [r["id"] for r in rows if str(r["id"]) not in by_key]
    if missing:
        sys.exit(f"{len(missing)} headlines were not stored, e.g. {missing[:5]}")
    return [by_key[str(r["id"])] for r in rows], elapsed, summary.new_stories


# ------------------------------------------------------------------------------ baselines

_PUNCT = re.compile(r"[\W_]+")


def _normalised(title: str) -> str:
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", html.unescape(title)).casefold()).strip()


def _single_link(rows: Sequence[dict[str, object]], pairs: Sequence[tuple[int, int]]) -> list[object]:
    """Rows linked by `pairs` within the time window, in groups as newsdesk's clusters are."""
    close = [(a, b) for a, b in pairs if abs(rows[a]["date"] - rows[b]["date"]) <= WINDOW]  # type: ignore[operator]
    groups = single_link(range(len(rows)), close)
    return [groups[i] for i in range(len(rows))]


def exact_titles(rows: Sequence[dict[str, object]]) -> list[object]:
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_title[_normalised(str(row["title"]))].append(i)
    return _single_link(rows, [(a, b) for group in by_title.values() for a in group for b in group if a < b])


def tfidf(rows: Sequence[dict[str, object]], threshold: float = 0.6) -> list[object] | None:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        return None
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
        [_normalised(str(r["title"])) for r in rows]
    )
    similar = (vectors @ vectors.T).tocoo()
    keep = (similar.row < similar.col) & (similar.data >= threshold)
    return _single_link(rows, list(zip(similar.row[keep].tolist(), similar.col[keep].tolist(), strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=_DEFAULT_CORPUS)
    parser.add_argument("--jitter-hours", type=float, default=6.0)
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    if not (args.corpus / "headlines.csv.gz").is_file():
        print(f"skipped: {args.corpus / 'headlines.csv.gz'} not found (give --corpus the clusters folder)")
        return 0
    rows = load(args.corpus, args.jitter_hours)
    dev = split(rows)
    print(f"{len(rows)} headlines, {len({r['publisher'] for r in rows})} feeds, {len({r['story'] for r in rows})} stories; "
          f"development crawls: {', '.join(sorted(dev))}")
    predicted, elapsed, stored = newsdesk_clusters(rows)
    print(f"newsdesk refresh: {stored} stories stored and clustered in {elapsed:.1f} s ({elapsed / max(stored, 1) * 1000:.2f} ms a story)")
    methods: list[tuple[str, list[object] | None]] = [("newsdesk (end to end)", predicted)]
    if not args.no_baselines:
        methods += [("identical normalised title", exact_titles(rows)), ("TF-IDF cosine >= 0.6", tfidf(rows))]
    results = []
    halves = (
        ("development", lambda r: r["crawl"] in dev),
        ("test", lambda r: r["crawl"] not in dev),
        ("whole week", lambda r: True),
    )
    outcome = {}
    for name, clusters in methods:
        if clusters is None:
            results.append((name, "(scikit-learn is not installed)", "", "", ""))
            continue
        for half, keep in halves:
            p, r, f = bcubed(rows, clusters, keep)
            outcome[(name, half)] = (p, r)
            results.append((name, half, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"))
    table("B-cubed, within crawls", ("method", "half", "P", "R", "F1"), results)
    p, r = outcome[("newsdesk (end to end)", "test")]
    met = p >= GOAL_PRECISION and r >= GOAL_RECALL
    print(f"\ngoal (test half: P >= {GOAL_PRECISION}, R >= {GOAL_RECALL}): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
