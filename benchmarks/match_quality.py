"""How right the matcher is on real articles, against a naive baseline, on the same labels.

    python benchmarks/match_quality.py [--quiet]

Runs newsdesk's matcher with every country (`countries = ["*"]`) and every labelled person on
the watchlist over the hand-labelled articles, set by set (tests/data/README.md):

- development sets (rules may be written from their misses): the web articles of
  tests/data/match_quality in their development half, tests/data/worldnews_dev,
  tests/data/worldnews_dev2, tests/data/worldnews_dev3, tests/data/worldnews_dev4 and
  tests/data/headlines_dev (real 2014 headlines, each a story with no text);
- seen test sets (held out when labelled, their misses since read: reported, never tuned on):
  the web articles' test half and tests/data/worldnews;
- the held-out test sets: tests/data/worldnews_test (its misses have been read, to report
  them), tests/data/worldnews_test2 (labelled with worldnews_dev3 before the matcher ran
  on either) and tests/data/headlines_test (labelled with headlines_dev, likewise).

It prints precision and recall per kind, then every miss and false hit of the development sets
with the text around it (`--held-out` lists those of the test sets too: to report them, never
to write a rule from them; `--only dev` scores the development sets alone, for working on
rules without seeing test figures). The baseline is what a newsboat user would write: one
case-insensitive whole-word regex per country name and per full name.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsdesk import countries
from newsdesk.match import Matcher
from tests.match_labels import (
    Article,
    Found,
    Score,
    labelled_sets,
    run_matcher,
    score,
    watched_people,
    watchlist,
)


def _baseline(people: list[str]):  # type: ignore[no-untyped-def]
    patterns = [(c.code, "country", re.compile(rf"\b{re.escape(c.name)}\b", re.IGNORECASE)) for c in countries.all_countries()]
    patterns += [(p, "person", re.compile(rf"\b{re.escape(p)}\b", re.IGNORECASE)) for p in people]

    def run(article: Article) -> Found:
        found = Found()
        for ident, kind, rx in patterns:
            for m in rx.finditer(article.full_text):
                found.add(kind, ident, m.start(), m.end())
        return found

    return run


def _line(name: str, kind: str, result: Score) -> str:
    return (
        f"{name:<9} {kind:<8} precision {result.precision:5.3f}  recall {result.recall:5.3f}  "
        f"({result.true_hits} right, {len(result.false_hits)} false, {len(result.misses)} missed)   "
        f"occurrences: precision {result.occurrence_precision:5.3f}  recall {result.occurrence_recall:5.3f} "
        f"({result.occurrences_found}/{result.occurrences})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    parser.add_argument(
        "--held-out", action="store_true",
        help="also list the misses of the held-out sets (read them to report, never to write a rule)",
    )
    parser.add_argument("--only", choices=["dev", "seen", "held out"], help="score only the sets of this role")
    args = parser.parse_args()

    for labelled in labelled_sets():
        if args.only and labelled.role != args.only:
            continue
        role, name, articles, watched = labelled.role, labelled.name, labelled.articles, labelled.watched
        people = watched_people(watched)
        matcher = Matcher(watchlist(watched))
        started = time.perf_counter()
        for article in articles:
            matcher.find(article.title, article.text)
        elapsed = time.perf_counter() - started
        ours = score(articles, run_matcher(matcher))
        base = score(articles, _baseline(people))
        words = sum(len((a.text or a.title).split()) for a in articles)  # a headline alone: its words
        print(f"== {name}: {len(articles)} labelled articles, {words} words; "
              f"watchlist: every country and {len(people)} people; matcher {elapsed * 1000:.0f} ms")
        for kind in ("country", "person"):
            print(_line("newsdesk", kind, ours[kind]))
            print(_line("baseline", kind, base[kind]))
        print()
        if args.quiet or role != "dev" and not args.held_out:
            continue
        _details(articles, matcher, ours)


def _details(articles: list[Article], matcher: Matcher, ours: dict[str, Score]) -> None:
    by_key = {a.key: a for a in articles}
    for kind in ("country", "person"):
        result = ours[kind]
        print(f"\n{kind}: false hits")
        for key, ident in result.false_hits:
            article = by_key[key]
            snippet = next(m.snippet for m in matcher.find(article.title, article.text) if (m.code or m.entity) == ident)
            print(f"  {key} {ident}: {snippet}")
        print(f"{kind}: misses")
        for key, ident in result.misses:
            forms = (by_key[key].countries if kind == "country" else by_key[key].people).get(ident, [])
            print(f"  {key} {ident}: labelled forms {forms}")
        print(f"{kind}: occurrences reported where no labelled form is")
        for key, ident, text in result.false_spans:
            print(f"  {key} {ident}: {text!r}")
        print(f"{kind}: occurrences not found")
        for key, ident, text in result.missed_spans:
            print(f"  {key} {ident}: {text!r}")
    print()


if __name__ == "__main__":
    main()
