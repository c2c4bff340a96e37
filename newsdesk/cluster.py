"""Which stories report the same event: the features a story is compared by, and an index of
recent stories that finds a new story's likely copies without comparing every pair.

Two stories are *linked* when they were published at most `WINDOW` apart and either

- their headlines share enough words: the Jaccard similarity of their headline word sets
  (normalised: HTML entities decoded, NFKC, case-folded, punctuation dropped, a handful of
  function words left out, plural and tense endings cut, the word an aggregator cut off with
  "..." dropped) is at least `TITLE_THRESHOLD`, or at least `SHARED_THRESHOLD` when they
  share `SHARED_WORDS` words or more (two long headlines that share four content words
  rarely report different events; two short ones that share two often do); or
- their texts are near-copies: the Jaccard similarity of the word triples of their leads
  (the first `_LEAD_WORDS` words of the text, else the summary) is at least
  `TEXT_THRESHOLD`. Agency copy re-posted by several sites links this way even when each
  site writes its own headline.

A cluster is a connected group of linked stories (single link), so it does not depend on the
order in which stories arrive: a refresh stores feeds in whatever order they answer, and two
processes may store the copies of one event.

The candidates are found with MinHash LSH (datasketch): each story's word sets are sketched
into a few dozen hash values, and stories whose sketches agree on a band are candidates.
Only the candidates are compared exactly, so a new story costs about the same however many
stories are stored; and since only stories within `WINDOW` can link, the index holds only
recent stories. The sketches are what a database stores (`Sketch.pack`); the index is what a
process rebuilds from them (`ClusterIndex`).

datasketch (with numpy and scipy) is imported when the first story is sketched: a command
that stores nothing new never pays for it.
"""

from __future__ import annotations

import html
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datasketch import LeanMinHash

WINDOW = timedelta(hours=48)
"""Stories published further apart than this are never linked: a story that runs for days
comes back as new events (a new verdict, a new day of talks)."""
TITLE_THRESHOLD = 0.5
"""Jaccard similarity of two headlines' word sets from which they report one event."""
SHARED_THRESHOLD = 0.38
SHARED_WORDS = 4
"""Headlines sharing this many content words link from SHARED_THRESHOLD. The three values were
chosen on the development half of the cluster benchmark (benchmarks/README.md)."""
TEXT_THRESHOLD = 0.5
"""Jaccard similarity of two leads' word triples above which one is a copy of the other."""

_PERMUTATIONS = 64
_SCHEME = "affine32"
_SEED = 14
# The LSH finds pairs somewhat less similar than the thresholds, so that an estimate a little
# low does not lose a pair: the exact comparison decides.
_TITLE_LSH_THRESHOLD = 0.2
_TEXT_LSH_THRESHOLD = 0.3
_LEAD_WORDS = 120
_MIN_LEAD_WORDS = 25
"""A shorter text (a teaser, a headline repeated as summary) is no evidence of a copy."""
_MIN_TITLE_WORDS = 2
"""A headline with fewer content words ("Video", "Live") links to nothing by its words."""

_WORD = re.compile(r"[^\W_]+")
_CUT_OFF = re.compile(r"(?:\.\.\.|…)\s*$")
# Words that carry no event: articles, pronouns, auxiliaries, prepositions and conjunctions.
_STOP = frozenset(
    """a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so
    some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours s t""".split()
)
_SUFFIXES = ("ing", "ed", "es", "s")


def title_words(title: str) -> frozenset[str]:
    """A headline's content words, normalised so that the forms of one word compare equal."""
    text = unicodedata.normalize("NFKC", html.unescape(title)).casefold()
    words = _WORD.findall(text)
    if words and _CUT_OFF.search(text):
        words = words[:-1]  # "... announces new  ..." : the last word may be cut short
    return frozenset(_stem(w) for w in words if w not in _STOP)


def lead_shingles(text: str) -> frozenset[str]:
    """The word triples of a text's opening, or none when it is too short to tell a copy by."""
    words = _WORD.findall(unicodedata.normalize("NFKC", html.unescape(text)).casefold())[:_LEAD_WORDS]
    if len(words) < _MIN_LEAD_WORDS:
        return frozenset()
    return frozenset(" ".join(words[i : i + 3]) for i in range(len(words) - 2))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _stem(word: str) -> str:
    # Enough to make "forecasts"/"forecast", "talking"/"talk", "warned"/"warn" one word; short
    # words are left alone, since cutting them confuses more words than it joins.
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def preload() -> None:
    """Import datasketch (with numpy and scipy: a second or more) and make the permutations,
    so the first story sketched does not wait for them."""
    _permutations()


@lru_cache(maxsize=1)
def _permutations() -> object:
    from datasketch import MinHash

    return MinHash(num_perm=_PERMUTATIONS, seed=_SEED, scheme=_SCHEME).permutations


def _minhash(words: Iterable[str]) -> LeanMinHash:
    from datasketch import LeanMinHash, MinHash

    sketch = MinHash(
        num_perm=_PERMUTATIONS, seed=_SEED, permutations=_permutations(), scheme=_SCHEME, hashfunc=zlib.crc32
    )
    sketch.update_batch([w.encode("utf-8") for w in words])
    return LeanMinHash(sketch)


def _from_values(values: bytes) -> LeanMinHash:
    import numpy as np
    from datasketch import LeanMinHash

    return LeanMinHash(seed=_SEED, hashvalues=np.frombuffer(values, dtype="<u4").astype(np.uint32), scheme=_SCHEME)


def _values(sketch: LeanMinHash) -> bytes:
    import numpy as np

    return np.asarray(sketch.hashvalues).astype("<u4").tobytes()


@dataclass(frozen=True, slots=True)
class Sketch:
    """What one story is compared by: its headline words (compared exactly), the MinHash
    sketches of those words and of its lead's word triples, and the time it links by."""

    time: datetime
    words: frozenset[str]
    title_hash: LeanMinHash | None = field(default=None, compare=False, repr=False)
    text_hash: LeanMinHash | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, title: str, text: str, summary: str, time: datetime) -> Sketch:
        """A story's sketch. The lead is the text's opening, else the summary's, unless it
        only repeats the headline (feeds often do)."""
        words = title_words(title)
        lead = text if len(text) >= len(summary) else summary
        shingles = lead_shingles(lead)
        return cls(
            time=time,
            words=words,
            title_hash=_minhash(words) if len(words) >= _MIN_TITLE_WORDS else None,
            text_hash=_minhash(shingles) if shingles else None,
        )

    @property
    def stored_title(self) -> bytes | None:
        """The headline's sketch as stored (64 little-endian 32-bit values), None for none."""
        return _values(self.title_hash) if self.title_hash is not None else None

    @property
    def stored_text(self) -> bytes | None:
        """The lead's sketch as stored, None for none."""
        return _values(self.text_hash) if self.text_hash is not None else None

    @classmethod
    def unpack(cls, title: str, time: datetime, title_hash: bytes | None, text_hash: bytes | None) -> Sketch:
        """A stored story's sketch, without re-reading its text."""
        return cls(
            time=time,
            words=title_words(title),
            title_hash=_from_values(title_hash) if title_hash else None,
            text_hash=_from_values(text_hash) if text_hash else None,
        )


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When two stories link (see the module's docstring); the benchmark varies them."""

    title: float = TITLE_THRESHOLD
    shared: float = SHARED_THRESHOLD
    shared_words: int = SHARED_WORDS
    text: float = TEXT_THRESHOLD


def links(a: Sketch, b: Sketch, thresholds: Thresholds = Thresholds()) -> bool:
    """Whether two stories report the same event (see the module's docstring)."""
    if abs(a.time - b.time) > WINDOW:
        return False
    if len(a.words) >= _MIN_TITLE_WORDS and len(b.words) >= _MIN_TITLE_WORDS:
        shared = len(a.words & b.words)
        similarity = shared / (len(a.words) + len(b.words) - shared)
        if similarity >= thresholds.title or (shared >= thresholds.shared_words and similarity >= thresholds.shared):
            return True
    if a.text_hash is None or b.text_hash is None:
        return False
    # The estimate from the sketches: near-copies are far above the threshold, and keeping
    # every recent story's triples in memory would cost a hundred times the sketch.
    return float(a.text_hash.jaccard(b.text_hash)) >= thresholds.text


class ClusterIndex:
    """Recent stories' sketches, searchable by similarity: a process's in-memory view of the
    stored sketches (rebuilt from them, never the only copy).

    `linked` answers with the ids of indexed stories a new story links to; which cluster each
    belongs to is the database's to say, since another process may have merged clusters since.
    """

    def __init__(self, thresholds: Thresholds = Thresholds()) -> None:
        from datasketch import MinHashLSH

        self.thresholds = thresholds
        self._titles = MinHashLSH(threshold=_TITLE_LSH_THRESHOLD, num_perm=_PERMUTATIONS)
        self._texts = MinHashLSH(threshold=_TEXT_LSH_THRESHOLD, num_perm=_PERMUTATIONS)
        self._sketches: dict[int, Sketch] = {}
        self.newest_id = 0
        """The highest story id indexed: stories stored after it (by any process) are next."""

    def add(self, story_id: int, sketch: Sketch) -> None:
        if story_id in self._sketches:
            return
        self._sketches[story_id] = sketch
        if sketch.title_hash is not None:
            self._titles.insert(story_id, sketch.title_hash)
        if sketch.text_hash is not None:
            self._texts.insert(story_id, sketch.text_hash)
        self.newest_id = max(self.newest_id, story_id)

    def forget_before(self, when: datetime) -> None:
        """Drop the stories published before `when`: a long-running process would otherwise
        hold every story it ever stored (the store reads them back if an older story comes)."""
        for story_id in [i for i, s in self._sketches.items() if s.time < when]:
            sketch = self._sketches.pop(story_id)
            if sketch.title_hash is not None:
                self._titles.remove(story_id)
            if sketch.text_hash is not None:
                self._texts.remove(story_id)

    def linked(self, sketch: Sketch) -> list[int]:
        """The indexed stories this one links to, lowest id first."""
        found: set[int] = set()
        if sketch.title_hash is not None:
            found.update(self._titles.query(sketch.title_hash))
        if sketch.text_hash is not None:
            found.update(self._texts.query(sketch.text_hash))
        return sorted(
            i for i in found
            if links(sketch, self._sketches[i], self.thresholds)
        )


def clusters(sketches: Iterable[tuple[int, Sketch]], thresholds: Thresholds = Thresholds()) -> dict[int, int]:
    """Each story's cluster (the lowest id in it), for stories given all at once: what
    the store does incrementally, in one function for the benchmark's baselines and tests."""
    index = ClusterIndex(thresholds)
    ids: list[int] = []
    links: list[tuple[int, int]] = []
    for story_id, sketch in sketches:
        ids.append(story_id)
        links += ((story_id, other) for other in index.linked(sketch))
        index.add(story_id, sketch)
    return single_link(ids, links)


def single_link(ids: Iterable[int], links: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each id's group when every linked pair is in one group (single linkage), the group
    named by its lowest id."""
    parent = {i: i for i in ids}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: root(i) for i in parent}
