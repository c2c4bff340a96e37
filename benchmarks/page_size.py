"""What a stored page costs, and what the ways of making it smaller would give.

    python benchmarks/page_size.py [--corpus ../shared/corpus/articles]

On the corpus's real article pages: the page as newsdesk kept it before (slimmed) and as
it keeps it now (as its text is read: extract._kept_page), packed (Zstandard level 3), and
whether re-reading the kept page gives the very text the first reading gave. Then, on the
odd half of the pages, Zstandard at other levels and with a dictionary trained on the even
half (pages of other sites, as a dictionary shipped with newsdesk would be), with the CPU
milliseconds a page each costs to compress.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import DEFAULT_SHARED, table
from newsdesk.extract import read_page
from newsdesk.store import pack_page, slim_page

if sys.version_info >= (3, 14):
    from compression import zstd
else:
    from backports import zstd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SHARED / "corpus" / "articles")
    args = parser.parse_args()
    truth = json.loads((args.corpus / "ground-truth.json").read_text(encoding="utf-8"))
    slim, kept, same = [], [], 0
    for path in sorted((args.corpus / "html").glob("*.html.gz")):
        key = path.name.split(".")[0]
        url, body = truth.get(key, {}).get("url"), truth.get(key, {}).get("articleBody", "")
        html = slim_page(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        first = read_page(html, url, body[:300])
        page = first.page or html
        again = read_page(page, url, body[:300], metadata=False)
        same += (first.article and first.article.text) == (again.article and again.article.text)
        slim.append(html.encode())
        kept.append(page.encode())
    n = len(slim)

    def packed(pages: list[bytes]) -> str:
        return f"{sum(len(pack_page(p.decode(), slimmed=True) or b'') for p in pages) / n:,.0f}"

    table(f"stored page, {n} real pages (Zstandard level 3)", ("form", "bytes", "packed bytes", "same text re-read"), [
        ("slimmed (before)", f"{sum(map(len, slim)) / n:,.0f}", packed(slim), ""),
        ("as read (now)", f"{sum(map(len, kept)) / n:,.0f}", packed(kept), f"{same} of {n}"),
    ])
    train, test = kept[0::2], kept[1::2]
    rows = []
    for size in (0, 16 * 1024, 64 * 1024, 112 * 1024):
        made = zstd.train_dict(train, size) if size else None
        for level in (3, 9, 19):
            start = time.process_time()
            sizes = [len(zstd.compress(p, level, zstd_dict=made)) for p in test]
            ms = (time.process_time() - start) * 1000 / len(test)
            rows.append((f"{size // 1024} KiB" if size else "none", level, f"{sum(sizes) / len(test):,.0f}", f"{ms:.2f}"))
    table(f"the kept page, {len(test)} pages: levels and dictionaries (trained on the other {len(train)})",
          ("dictionary", "level", "packed bytes", "CPU ms a page"), rows)


if __name__ == "__main__":
    main()
