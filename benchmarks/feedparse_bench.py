"""Feed parsing alone: the lxml reading (newsdesk.fetch._xmlfeed) against feedparser's, in one
process, on the same bytes, alternating, and whether the two agree.

    python benchmarks/feedparse_bench.py [--shared ../shared] [--feeds 200] [--items 25] [--rounds 5] [--full-text]

The feeds are the local news site's (../shared/tools/newsite.py), downloaded once, plain, with
their Content-Type, and then parsed in this process: each round parses all of them with
feedparser's reading (`read_with_feedparser`, what every feed went through before) and with
`parse_feed` (the lxml reading, feedparser for what it declines), one after the other, and
reports the CPU seconds of each (time.process_time: the kernel's accounting, less moved than
the wall clock by other processes on a shared machine). Before timing, every feed's two results
are compared; with --corpus, so is every file of the shared corpus's feeds (with no headers and
with the headers a feedparser test names), and the counts of files read fast, declined and
different are printed: a difference is a bug in the fast reading.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import add_site_options, newsite, table
from newsdesk.fetch._feeds import parse_feed, read_with_feedparser
from newsdesk.fetch._xmlfeed import read_feed
from newsdesk.types import FeedResult
from tests.feed_headers import corpus_headers

Feed = tuple[str, bytes, dict[str, str]]


def _download(base: str, count: int) -> list[Feed]:
    feeds: list[Feed] = []
    for i in range(count):
        url = f"{base}/feeds/{i}.xml"
        with urllib.request.urlopen(url, timeout=30) as answer:
            feeds.append((url, answer.read(), {"Content-Type": answer.headers.get("Content-Type", "")}))
    return feeds


def _compare(feeds: list[Feed]) -> tuple[int, int, list[str]]:
    """(read fast, declined, the feeds whose two readings differ)."""
    fast = declined = 0
    different: list[str] = []
    for url, body, headers in feeds:
        if not body.strip() or read_feed(body, {k.lower(): v for k, v in headers.items()}) is None:
            declined += 1
            continue
        fast += 1
        if parse_feed(body, url, headers) != read_with_feedparser(body, url, headers):
            different.append(url)
    return fast, declined, different


def _corpus(shared: Path) -> list[Feed]:
    root = shared / "corpus" / "feeds"
    feeds: list[Feed] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("LICENSE") or path.suffix in (".md", ".json"):
            continue
        body = path.read_bytes()
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        rel = str(path.relative_to(root))
        feeds.append((f"http://127.0.0.1/{rel}", body, {}))
        feeds.append((f"http://127.0.0.1/{rel}", body, corpus_headers(rel, body)))
    return feeds


def _cpu(parse: Callable[[bytes, str, dict[str, str]], FeedResult], feeds: list[Feed]) -> float:
    started = time.process_time()
    for url, body, headers in feeds:
        parse(body, url, headers)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_options(parser, "folder with tools/newsite.py and corpus/ (default ../shared)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--full-text", action="store_true", help="feeds carrying each article's whole text")
    parser.add_argument("--corpus", action="store_true", help="also compare the two readings on the shared corpus's feeds")
    args = parser.parse_args()
    site_args = ["--feeds", str(args.feeds), "--items", str(args.items), "--latency-ms", "0"]
    if args.full_text:
        site_args.append("--full-text")
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp, newsite(args.shared.resolve(), Path(tmp), *site_args) as site:
        feeds = _download(site.url, args.feeds)
    size = sum(len(body) for _, body, _ in feeds)
    fast, declined, different = _compare(feeds)
    print(f"{len(feeds)} news site feeds ({size / 1e6:.1f} MB): read fast {fast}, declined {declined}, different {len(different)}")
    if args.corpus:
        cfast, cdeclined, cdifferent = _compare(_corpus(args.shared.resolve()))
        print(f"corpus files x (no headers, their headers): read fast {cfast}, declined {cdeclined}, "
              f"different {len(cdifferent)} {cdifferent[:5]}")
    url, body, headers = feeds[0]
    parse_feed(body, url, headers)  # feedparser and lxml imported before either is timed
    read_with_feedparser(body, url, headers)
    rows = []
    old_all, new_all = [], []
    for number in range(1, args.rounds + 1):
        old = _cpu(read_with_feedparser, feeds)
        new = _cpu(parse_feed, feeds)
        old_all.append(old)
        new_all.append(new)
        rows.append((number, f"{old:.3f}", f"{new:.3f}", f"{new / old:.3f}"))
    table(f"CPU seconds to parse {len(feeds)} feeds x {args.items} items{' (full text)' if args.full_text else ''}, "
          "alternating in one process", ("round", "feedparser", "parse_feed (lxml)", "new / old"), rows)
    print(f"median: feedparser {statistics.median(old_all):.3f} s, parse_feed {statistics.median(new_all):.3f} s, "
          f"new / old {statistics.median(n / o for n, o in zip(new_all, old_all, strict=True)):.3f}")
    if different:
        sys.exit(f"the two readings differ on {len(different)} feeds: {different[:5]}")


if __name__ == "__main__":
    main()
