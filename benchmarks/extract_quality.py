"""How close the text newsdesk stores is to the true article text, next to trafilatura alone.

    python benchmarks/extract_quality.py [--corpus DIR] [--worst N] [--quiet] [--options] [--repeat N]

Serves every page of the article-extraction benchmark corpus (`--corpus`, default
../shared/corpus/articles from the repository root) from a local HTTP server on 127.0.0.1,
behind one RSS feed whose entries' summaries are the first sentences of the true text (as
news sites' feeds do, and as the project's news-site simulator does), then runs the real
refresh into a SQLite file and scores each stored text against ground-truth.json's
articleBody. In the same run it scores trafilatura.extract() called directly, with default
options, on the very bytes served, and newsdesk's extractor without the feed's evidence.

The measure is the benchmark's usual one: a bag of lower-cased word tokens (\\w+) per page,
precision and recall per page, overall precision and recall their means over the pages and
F1 the harmonic mean of those two. Finally the stored pages are re-extracted
(`newsdesk reextract`'s code) and scored again: it must give the same figures.
`--options` also scores trafilatura.extract with each option newsdesk sets, one at a time.

"Extraction alone" is CPU time (this process's, not wall time: other work on the machine
does not count), newsdesk's extract_article and trafilatura.extract taking turns page by
page, the best of `--repeat` rounds for each.

Goal: newsdesk's F1 >= 0.965 and >= the direct call's, no page more than 0.05 below the
direct call. The exit status is 1 when the goal is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura

from newsdesk.config import parse_config
from newsdesk.extract import extract_article
from newsdesk.refresh import reextract, refresh
from newsdesk.store import Store
from tests.httpserver import LocalServer

_REPO = Path(__file__).resolve().parent.parent
_DEFAULT_CORPUS = _REPO.parent / "shared" / "corpus" / "articles"
_TOKEN = re.compile(r"\w+")
_GOAL_F1 = 0.965
# The options newsdesk's extractor sets, each measured on its own (see newsdesk/extract.py).
_OPTIONS: dict[str, dict[str, bool]] = {
    "defaults": {},
    "include_comments=False": {"include_comments": False},
    "include_tables=False": {"include_tables": False},
    "include_images=True": {"include_images": True},
    "favor_precision=True": {"favor_precision": True},
    "favor_recall=True": {"favor_recall": True},
    "include_comments=False, favor_precision": {"include_comments": False, "favor_precision": True},
    "deduplicate=True": {"deduplicate": True},
    "fast=True (no fallback extractors)": {"fast": True},
}
_GOAL_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score(truth: str, text: str | None) -> Score:
    """Token precision and recall of `text` against `truth` (bags of lower-cased words)."""
    want, got = Counter(_TOKEN.findall(truth.lower())), Counter(_TOKEN.findall((text or "").lower()))
    hit = sum((want & got).values())
    return Score(hit / sum(got.values()) if got else 0.0, hit / sum(want.values()) if want else 0.0)


def overall(scores: list[Score]) -> Score:
    return Score(statistics.mean(s.precision for s in scores), statistics.mean(s.recall for s in scores))


def feed_summary(body: str, limit: int = 300) -> str:
    """The first sentences of the true text, up to about `limit` characters: a feed's summary."""
    text = " ".join(body.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[: cut + 1] if cut > limit // 3 else text[:limit].rsplit(" ", 1)[0] + " …"


def _rss(base: str, keys: list[str], truth: dict[str, dict[str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{escape(key)}</title><link>{base}/articles/{key}.html</link>"
        f"<guid>urn:bench:{key}</guid><description>{escape(feed_summary(truth[key]['articleBody']))}</description>"
        f"<pubDate>Sun, 14 Apr 2024 09:00:00 GMT</pubDate></item>"
        for key in keys
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Benchmark pages</title>'
        f"<link>{base}/</link><description>article-extraction benchmark</description>{items}</channel></rss>"
    ).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=_DEFAULT_CORPUS, help="folder with html/*.html.gz and ground-truth.json")
    parser.add_argument("--worst", type=int, default=10, metavar="N", help="list the N worst pages (default 10)")
    parser.add_argument("--quiet", action="store_true", help="no per-page table")
    parser.add_argument("--options", action="store_true", help="also score trafilatura.extract with each option newsdesk weighs")
    parser.add_argument("--repeat", type=int, default=3, metavar="N", help="rounds of the extraction-alone timing (default 3)")
    args = parser.parse_args()

    truth: dict[str, dict[str, str]] = json.loads((args.corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {key: gzip.decompress((args.corpus / "html" / f"{key}.html.gz").read_bytes()) for key in sorted(truth)}
    keys = sorted(pages)

    server = LocalServer().start()
    try:
        base = server.url("")
        for key, page in pages.items():
            server.add(f"/articles/{key}.html", page, headers={"Content-Type": "text/html; charset=utf-8"})
        server.add("/feed.xml", _rss(base, keys, truth), headers={"Content-Type": "application/rss+xml"})
        config = parse_config(f'[[feeds]]\nname = "bench"\nurl = "{server.url("/feed.xml")}"\n[watchlist]\ncountries = ["*"]\n')
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
            started = time.perf_counter()
            summary = asyncio.run(refresh(config, store))
            refresh_s = time.perf_counter() - started
            stored = _stored(store, base)
            sources = Counter(d[1] for d in stored.values())
            notes = sum(1 for d in stored.values() if d[2])
            pages_stored, page_bytes = store.count_pages()
            started = time.perf_counter()
            again = reextract(config, store)
            reextract_s = time.perf_counter() - started
            restored = _stored(store, base)
    finally:
        server.stop()

    direct_texts: dict[str, str | None] = {}
    alone_texts: dict[str, str] = {}
    direct_s = alone_s = bare_s = float("inf")
    for _ in range(max(args.repeat, 1)):
        direct_round = alone_round = bare_round = 0.0
        for key, page in pages.items():
            started = time.process_time()
            direct_texts[key] = trafilatura.extract(page)
            direct_round += time.process_time() - started
            html = page.decode("utf-8", "replace")
            started = time.process_time()
            article = extract_article(html, truth[key]["url"])
            alone_round += time.process_time() - started
            alone_texts[key] = article.text if article else ""
            # As a refresh reads a page whose feed gave its title, author and date.
            started = time.process_time()
            extract_article(html, truth[key]["url"], metadata=False)
            bare_round += time.process_time() - started
        direct_s, alone_s, bare_s = min(direct_s, direct_round), min(alone_s, alone_round), min(bare_s, bare_round)

    ours = {key: score(truth[key]["articleBody"], stored.get(key, ("", "", None))[0]) for key in keys}
    direct = {key: score(truth[key]["articleBody"], direct_texts[key]) for key in keys}
    alone = {key: score(truth[key]["articleBody"], alone_texts[key]) for key in keys}
    redone = {key: score(truth[key]["articleBody"], restored.get(key, ("", "", None))[0]) for key in keys}

    print(f"{len(keys)} pages from {args.corpus.name}/; refresh: {summary.new_stories} stories stored "
          f"({sources['page']} text from the page, {sources['feed']} from the feed, {notes} with a note)")
    print(f"stored pages: {pages_stored}, {page_bytes / max(pages_stored, 1) / 1024:.1f} KiB each on average "
          f"(slimmed and compressed; the served HTML averages "
          f"{sum(len(p) for p in pages.values()) / len(pages) / 1024:.1f} KiB)")
    print(f"time: refresh {refresh_s:.2f} s (download, extract, match, store), "
          f"re-extraction {reextract_s:.2f} s (wall time)")
    print(f"extraction alone (CPU, best of {max(args.repeat, 1)}): newsdesk {alone_s / len(keys) * 1000:.1f} ms a page, "
          f"trafilatura.extract {direct_s / len(keys) * 1000:.1f} ms a page (ratio {alone_s / direct_s:.2f}); "
          f"without the page's metadata (the feed gave title, author and date) {bare_s / len(keys) * 1000:.1f} ms "
          f"(ratio {bare_s / direct_s:.2f})")
    if not args.quiet:
        print(f"\n{'page':<14} {'newsdesk P/R/F1':<20} {'direct P/R/F1':<20} {'ΔF1':>7}  source")
        for key in keys:
            print(f"{key[:12]:<14} {_fig(ours[key]):<20} {_fig(direct[key]):<20} {ours[key].f1 - direct[key].f1:>+7.3f}  "
                  f"{stored.get(key, ('', 'missing', None))[1]}")
    worst = sorted(keys, key=lambda k: ours[k].f1)[: args.worst]
    print(f"\n{len(worst)} worst pages for newsdesk (F1), with the direct call's:")
    for key in worst:
        print(f"  {key[:12]}  newsdesk {_fig(ours[key])}  direct {_fig(direct[key])}  {truth[key]['url'][:70]}")
    behind = [k for k in keys if ours[k].f1 < direct[k].f1 - _GOAL_MARGIN]
    print("\noverall (mean precision, mean recall, F1 of the two):")
    for name, result in (
        ("newsdesk, end to end", overall(list(ours.values()))),
        ("trafilatura.extract, defaults", overall(list(direct.values()))),
        ("newsdesk extractor, no feed evidence", overall(list(alone.values()))),
        ("newsdesk after reextract", overall(list(redone.values()))),
    ):
        print(f"  {name:<38} precision {result.precision:.4f}  recall {result.recall:.4f}  F1 {result.f1:.4f}")
    ours_f1, direct_f1 = overall(list(ours.values())).f1, overall(list(direct.values())).f1
    deltas = {k: ours[k].f1 - direct[k].f1 for k in keys}
    drop = min(keys, key=lambda k: deltas[k])
    print(f"pages better than the direct call: {sum(d > 0.0005 for d in deltas.values())}, "
          f"within 0.0005: {sum(abs(d) <= 0.0005 for d in deltas.values())}, "
          f"worse: {sum(d < -0.0005 for d in deltas.values())} (largest drop {deltas[drop]:+.3f}, {drop[:12]})")
    print(f"pages more than {_GOAL_MARGIN} F1 below the direct call: {len(behind)}"
          + (f" ({', '.join(k[:12] for k in behind)})" if behind else ""))
    print(f"re-extraction: {again.stories} stories, {again.changed} changed")
    if args.options:
        print("\ntrafilatura.extract alone, one option changed from the defaults (no feed evidence):")
        for name, options in _OPTIONS.items():
            result = overall([score(truth[k]["articleBody"], trafilatura.extract(pages[k], **options)) for k in keys])
            print(f"  {name:<38} precision {result.precision:.4f}  recall {result.recall:.4f}  F1 {result.f1:.4f}")
    met = ours_f1 >= _GOAL_F1 and ours_f1 >= direct_f1 and not behind
    print(f"goal (F1 >= {_GOAL_F1}, >= direct, no page {_GOAL_MARGIN} below direct): {'met' if met else 'NOT met'}")
    return 0 if met else 1


def _stored(store: Store, base: str) -> dict[str, tuple[str, str, str | None]]:
    """Each page's stored (text, text_source, text_note), by corpus key."""
    out: dict[str, tuple[str, str, str | None]] = {}
    for item in store.list_stories(matched_only=False, limit=100_000):
        detail = store.story(item.id)
        if detail is not None and detail.url:
            key = detail.url.removeprefix(f"{base}/articles/").removesuffix(".html")
            out[key] = (detail.text, detail.text_source, detail.text_note)
    return out


def _fig(s: Score) -> str:
    return f"{s.precision:.3f}/{s.recall:.3f}/{s.f1:.3f}"


if __name__ == "__main__":
    sys.exit(main())
