"""The hand-labelled articles in tests/data/match_quality, and how a matcher is scored on them.

Each article is KEY.txt (first line the headline, then the body, from the shared corpus's
ground truth) with KEY.labels.json: the countries it names (ISO code -> forms), the people it
names (full name -> forms), what looks like a name but is not one, and who is named only by
surname. The rules the labels follow are in tests/data/README.md.

Scoring is per (article, entity): a reader asks "is this story tagged with Russia?", not how
many times. A person named only by surname ("Trump" with no "Donald Trump") is neither
expected nor counted against the matcher: under newsdesk's rules the surname alone needs the
full name first, or `surname_alone = true`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.config import PersonEntry, Watchlist
from newsdesk.match import Matcher

LABELS = Path(__file__).parent / "data" / "match_quality"
WORLDNEWS = Path(__file__).parent / "data" / "worldnews"
"""World-news articles labelled after the first rules were frozen: a test set whose misses have
since been read (reported as seen, never tuned on)."""
WORLDNEWS_DEV = Path(__file__).parent / "data" / "worldnews_dev"
"""World-news articles labelled for tuning: a development set, all of it."""
WORLDNEWS_DEV2 = Path(__file__).parent / "data" / "worldnews_dev2"
"""30 more world-news articles labelled for tuning when the first development sets had no miss left."""
WORLDNEWS_TEST = Path(__file__).parent / "data" / "worldnews_test"
"""World-news articles labelled with WORLDNEWS_DEV, before the matcher ran on either: held out."""
WORLDNEWS_DEV3 = Path(__file__).parent / "data" / "worldnews_dev3"
"""26 more world-news articles labelled for tuning when the held-out sets still had misses the
development sets did not show."""
WORLDNEWS_DEV4 = Path(__file__).parent / "data" / "worldnews_dev4"
"""The corpus's last 10 world-news articles (the long ones), labelled for tuning."""
WORLDNEWS_TEST2 = Path(__file__).parent / "data" / "worldnews_test2"
"""World-news articles labelled with WORLDNEWS_DEV3, before the matcher ran on either: held out."""
HEADLINES_DEV = Path(__file__).parent / "data" / "headlines_dev"
"""Real headlines of one week of 2014 (business, technology, entertainment, health), one
labelled story each: the development half (tests/data/headlines_dev/README.md)."""
HEADLINES_TEST = Path(__file__).parent / "data" / "headlines_test"
"""The held-out half of the same headlines, labelled with HEADLINES_DEV before the matcher ran."""

SPLIT_SEED = "newsdesk-split-1"
"""The fixed seed of the development/test split (tests/data/README.md): never change it."""

Kind = str  # "country" or "person"


@dataclass(frozen=True)
class Article:
    key: str
    title: str
    text: str
    countries: dict[str, list[str]]
    people: dict[str, list[str]]
    partly_named: frozenset[str]
    not_counted: tuple[str, ...] = ()
    """Phrases the labels say are no mention ("Air India Express"): a labelled form inside one
    is no occurrence to find."""
    _found: dict[str, list[tuple[int, int]]] = field(default_factory=dict, compare=False, repr=False)
    """Where each phrase stands in the text, found once: scoring one entity looks for every
    other entity's forms, so each phrase is asked for once per entity of the article."""

    def expected(self, kind: Kind) -> set[str]:
        if kind == "country":
            return set(self.countries)
        return {name for name in self.people if name not in self.partly_named and len(name.split()) >= 2}


    @property
    def half(self) -> str:
        """"dev" (rules may be tuned on it) or "test" (held out): see `half`."""
        return half(self.key)

    @property
    def full_text(self) -> str:
        """Headline and body as one string: the offsets a Found uses."""
        return f"{self.title}\n{self.text}"

    def _other_forms(self, kind: Kind, ident: str) -> list[str]:
        """Every other labelled entity's forms: one of this entity's forms inside one of them
        ("Sudan" in "South Sudan", Usman Khan's "Khan" in "Sadiq Khan") is the other's."""
        other = [f for code, fs in self.countries.items() if (kind, code) != ("country", ident) for f in fs]
        return other + [f for name, fs in self.people.items() if (kind, name) != ("person", ident) for f in fs]

    def _where(self, phrase: str) -> list[tuple[int, int]]:
        if phrase not in self._found:
            pattern = rf"(?<!\w){re.escape(phrase)}(?!\w)"
            self._found[phrase] = [(m.start(), m.end()) for m in re.finditer(pattern, self.full_text)]
        return self._found[phrase]

    def spans(self, kind: Kind, ident: str) -> list[tuple[int, int]]:
        """Where the labelled forms of one entity occur, overlapping occurrences merged."""
        forms = (self.countries if kind == "country" else self.people).get(ident, [])
        found = sorted(span for form in forms for span in self._where(form))
        excluded = [
            span
            for phrase in {*self.not_counted, *self._other_forms(kind, ident)}
            if phrase not in forms
            for span in self._where(phrase)
        ]
        found = [(a, b) for a, b in found if not any(x <= a and b <= y and (x, y) != (a, b) for x, y in excluded)]
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


@dataclass
class Found:
    """What a matcher reports for one article: per kind, entity id -> spans in Article.full_text.

    The id is the ISO code for a country and the watchlist name for a person.
    """

    countries: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    people: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def of(self, kind: Kind) -> dict[str, list[tuple[int, int]]]:
        return self.countries if kind == "country" else self.people

    def add(self, kind: Kind, ident: str, start: int, end: int) -> None:
        self.of(kind).setdefault(ident, []).append((start, end))


@dataclass
class Score:
    """Per (article, entity), plus the same per occurrence of a labelled form."""

    true_hits: int = 0
    false_hits: list[tuple[str, str]] = field(default_factory=list)
    misses: list[tuple[str, str]] = field(default_factory=list)
    occurrences: int = 0
    occurrences_found: int = 0
    spans_reported: int = 0
    spans_right: int = 0
    missed_spans: list[tuple[str, str, str]] = field(default_factory=list)
    """(article, entity, the text of the occurrence not found)."""
    false_spans: list[tuple[str, str, str]] = field(default_factory=list)
    """(article, entity, the text reported where no labelled form of it is)."""

    @property
    def occurrence_recall(self) -> float:
        return self.occurrences_found / self.occurrences if self.occurrences else 1.0

    @property
    def occurrence_precision(self) -> float:
        return self.spans_right / self.spans_reported if self.spans_reported else 1.0

    @property
    def precision(self) -> float:
        found = self.true_hits + len(self.false_hits)
        return self.true_hits / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_hits + len(self.misses)
        return self.true_hits / wanted if wanted else 1.0


def half(key: str) -> str:
    """The half an article belongs to, by its key alone: "dev" or "test".

    The first byte of sha256("newsdesk-split-1:" + the key's first 12 characters), even for
    "dev". The same page is in the same half in every set that holds it (the matcher's
    labels use the extraction corpus's keys cut to 12 characters).
    """
    digest = hashlib.sha256(f"{SPLIT_SEED}:{key[:12]}".encode()).digest()
    return "dev" if digest[0] % 2 == 0 else "test"


def load(folder: Path = LABELS, which: str | None = None) -> list[Article]:
    """The labelled articles of `folder`; only one half ("dev", "test") when `which` says so."""
    articles = []
    for labels_path in sorted(folder.glob("*.labels.json")):
        key = labels_path.name.removesuffix(".labels.json")
        if which is not None and half(key) != which:
            continue
        title, _, text = (folder / f"{key}.txt").read_text(encoding="utf-8").partition("\n")
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        articles.append(
            Article(
                key=key, title=title, text=text, countries=labels["countries"], people=labels["people"],
                partly_named=frozenset(labels.get("named_only_partly", ())),
                not_counted=tuple(n["form"] for n in labels.get("not_counted", ())),
            )
        )
    return articles


def load_headlines(folder: Path) -> list[Article]:
    """The labelled headlines of `folder`'s labels.json: each a story with a title and no text,
    labelled in the fields of a KEY.labels.json (tests/data/headlines_dev/README.md)."""
    return [
        Article(
            key=f"h{entry['id']}", title=entry["title"], text="", countries=entry["countries"],
            people=entry["people"], partly_named=frozenset(entry.get("named_only_partly", ())),
            not_counted=tuple(n["form"] for n in entry.get("not_counted", ())),
        )
        for entry in json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    ]


@dataclass(frozen=True)
class LabelledSet:
    """One labelled set in its role: "dev" (rules may be written from its misses), "seen"
    (held out when labelled, its misses since read: reported, never tuned on) or "held out"."""

    key: str
    role: str
    name: str
    articles: list[Article]
    watched: list[Article]
    """The articles whose people make the watchlist (a web half watches all 80 articles' people)."""


def labelled_sets() -> list[LabelledSet]:
    """Every labelled set, in the order the benchmark prints them; the test and
    benchmarks/match_quality.py both score these, so a new set is added here once."""
    web = load()
    world = [
        ("worldnews_dev", "dev", "world news, development set", WORLDNEWS_DEV),
        ("worldnews_dev2", "dev", "world news, second development set", WORLDNEWS_DEV2),
        ("worldnews_dev3", "dev", "world news, third development set", WORLDNEWS_DEV3),
        ("worldnews_dev4", "dev", "world news, fourth development set", WORLDNEWS_DEV4),
        ("worldnews", "seen", "world news, first test set (seen)", WORLDNEWS),
        ("worldnews_test", "held out", "world news, second test set (held out)", WORLDNEWS_TEST),
        ("worldnews_test2", "held out", "world news, third test set (held out)", WORLDNEWS_TEST2),
    ]
    sets = [LabelledSet("web_dev", "dev", "web articles, development half", [a for a in web if a.half == "dev"], web)]
    for key, role, name, folder in world:
        articles = load(folder)
        sets.append(LabelledSet(key, role, name, articles, articles))
    sets.insert(5, LabelledSet("web_test", "seen", "web articles, test half (seen)", [a for a in web if a.half == "test"], web))
    headlines_dev, headlines_test = load_headlines(HEADLINES_DEV), load_headlines(HEADLINES_TEST)
    sets.insert(5, LabelledSet("headlines_dev", "dev", "headlines, development half", headlines_dev, headlines_dev))
    sets.append(LabelledSet("headlines_test", "held out", "headlines, test half (held out)", headlines_test, headlines_test))
    return sets


def watched_people(articles: Iterable[Article]) -> list[str]:
    """Every labelled person a watchlist can name: a full name, not a lone surname."""
    return sorted({name for a in articles for name in a.people if len(name.split()) >= 2})


def watchlist(articles: Iterable[Article]) -> Watchlist:
    """Every country and every labelled person, each by full name only, as a user would start."""
    return Watchlist(people=tuple(PersonEntry(name=p) for p in watched_people(articles)), all_countries=True)


def run_matcher(matcher: Matcher) -> Callable[[Article], Found]:
    def run(article: Article) -> Found:
        found = Found()
        shift = {"title": 0, "summary": 0, "text": len(article.title) + 1}
        for m in matcher.find(article.title, article.text):
            found.add(m.kind, m.code or m.entity, m.start + shift[m.where], m.end + shift[m.where])
        return found

    return run


def score(articles: Iterable[Article], run: Callable[[Article], Found]) -> dict[Kind, Score]:
    scores = {"country": Score(), "person": Score()}
    for article in articles:
        found = run(article)
        for kind, result in scores.items():
            expected = article.expected(kind)
            reported = found.of(kind)
            got = set(reported) - (article.partly_named if kind == "person" else set())
            result.true_hits += len(expected & got)
            result.false_hits += [(article.key, e) for e in sorted(got - expected)]
            result.misses += [(article.key, e) for e in sorted(expected - got)]
            for ident in expected:
                labelled = article.spans(kind, ident)
                spans = reported.get(ident, [])
                hit = [s for s in labelled if any(_overlap(s, f) for f in spans)]
                result.occurrences += len(labelled)
                result.occurrences_found += len(hit)
                result.missed_spans += [(article.key, ident, article.full_text[a:b]) for a, b in labelled if (a, b) not in hit]
            for ident in got:
                labelled = article.spans(kind, ident) if ident in expected else []
                spans = reported[ident]
                result.spans_reported += len(spans)
                right = [f for f in spans if any(_overlap(s, f) for s in labelled)]
                result.spans_right += len(right)
                result.false_spans += [(article.key, ident, article.full_text[a:b]) for a, b in spans if (a, b) not in right]
    return scores


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
