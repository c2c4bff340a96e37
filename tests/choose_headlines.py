"""Which headlines of the shared corpus's clustering week make tests/data/headlines_dev and
tests/data/headlines_test: a fixed rule that reads no headline beyond a cheap prefilter.

    python tests/choose_headlines.py PATH/TO/headlines.csv.gz

prints the chosen rows (half, sample, id, story, title) as tab-separated lines. The rule, as
tests/data/headlines_dev/README.md states it:

1. Every row of the week, in the order of sha256("newsdesk-headlines-1:" + id) (hex digest).
   A title already taken (the same string) is skipped, and so is any row of a story that
   already gave `PER_STORY` headlines: a big story would otherwise fill the set with copies.
2. Sample "any": the first `ANY` rows in that order, whatever they say.
3. Sample "country": the next `COUNTRY` rows in the same order (those of sample "any" taken out)
   whose title holds, as a whole word and case as written, one of the country table's names or
   demonyms (newsdesk.countries: `names` and `demonyms`, a demonym with "s", "'s" or "’s"
   after it too): the prefilter that makes country mentions dense. It is a string test, not the
   matcher.
4. The half is the story's: "dev" when the first byte of sha256("newsdesk-headlines-split-1:" +
   story) is even, else "test". Splitting by story keeps two wordings of one event out of
   opposite halves.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from newsdesk import countries

SAMPLE_SEED = "newsdesk-headlines-1"
SPLIT_SEED = "newsdesk-headlines-split-1"
ANY = 200
COUNTRY = 300
PER_STORY = 2


@dataclass(frozen=True)
class Chosen:
    id: str
    story: str
    title: str
    sample: str
    """"any" or "country" (the prefiltered sample)."""

    @property
    def half(self) -> str:
        return "dev" if hashlib.sha256(f"{SPLIT_SEED}:{self.story}".encode()).digest()[0] % 2 == 0 else "test"


def _prefilter() -> re.Pattern[str]:
    forms = {form for c in countries.all_countries() for form in (*c.names, *c.demonyms)}
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:s|'s|’s)?(?!\w)")


def choose(rows: Iterable[dict[str, str]]) -> list[Chosen]:
    ordered = sorted(rows, key=lambda r: hashlib.sha256(f"{SAMPLE_SEED}:{r['id']}".encode()).hexdigest())
    mentions = _prefilter()
    titles: set[str] = set()
    per_story: Counter[str] = Counter()
    chosen: list[Chosen] = []
    for sample, wanted, test in (("any", ANY, None), ("country", COUNTRY, mentions)):
        taken = 0
        for row in ordered:
            if taken == wanted:
                break
            if row["title"] in titles or per_story[row["story"]] >= PER_STORY:
                continue
            if test is not None and not test.search(row["title"]):
                continue
            titles.add(row["title"])
            per_story[row["story"]] += 1
            chosen.append(Chosen(row["id"], row["story"], row["title"], sample))
            taken += 1
    return chosen


def read(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


if __name__ == "__main__":
    for c in choose(read(Path(sys.argv[1]))):
        print(c.half, c.sample, c.id, c.story, c.title, sep="\t")
