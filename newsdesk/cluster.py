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

The candidates are found with MinHash LSH: each story's word sets are sketched into 64 hash
values (MinHash: the least value of each of 64 hash functions over the set), and stories whose
sketches agree on a band of them are candidates. Only the candidates are compared exactly, so
a new story costs about the same however many stories are stored; and since only stories
within `WINDOW` can link, the index holds only recent stories. The sketches are what a
database stores (`Sketch.stored_title`); the index is what a process rebuilds from them
(`ClusterIndex`).

The sketch is the standard construction, written here with numpy rather than taken from a
library: a library's import (datasketch pulls in scipy) cost a cold refresh about a second of
CPU, more than all its sketching. Its hash functions are the ones databases have stored
sketches of since clustering began (CRC-32 of the word's UTF-8, the 32-bit MurmurHash3
finalizer, then `a * h + b mod 2**32` with 64 fixed odd `a`), so old and new sketches compare.
numpy is imported when the first story is sketched: a command that stores nothing new never
pays for it.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
import zlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

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

_FUTURE_SLACK = timedelta(hours=2)


def sort_time(published: datetime | None, fetched_at: datetime) -> datetime:
    """When a story happened, for ordering and clustering: published when it is believable,
    else fetched. A date in the future is a feed's mistake: it must not pin a story to the top."""
    if published is None or published > fetched_at + _FUTURE_SLACK:
        return fetched_at
    return published


_PERMUTATIONS = 64
# The hash functions' `a` and `b` (64 little-endian 32-bit values each; every `a` odd, so each
# function is a permutation of the 32-bit values). Fixed for good: a database's stored
# sketches were made with them, and a sketch made with others compares with none of them.
_A = bytes.fromhex(
    "d7942307b16a02d8194adc8b2d9373518fb2a8bdf35d89bbcdba1e04d5654a4c39b5959e15ed0e67a1094bea7b34a971"
    "d13bb706dbbe8ba3352df6a233e86dbaaf031214ed77f913d753487141b4e35cef1feb9c0902e5119bff3baf1579b77e"
    "153de913016cc2eeade30103a938874d0b71a7584b7c1b70f14c886bcb90c996533078ddd10dcfb0cf019dbf874490fb"
    "9f0d3d8189ea02749b27ba865b59a8f3f71ab2bdf1693f39237e6038f7fd9358eda7a59901af54993fd926f3138606d7"
    "77298b5837809111eb27e383b5417531574efd66edfd383ce54f62500362b887f91e305d8fa2da6fd170e5a47ff53e57"
    "154f6bc65b1033f7dfbdac2a3d50b90d"
)
_B = bytes.fromhex(
    "93d31ebf41e6f502392cf60f4be24deacd5842bb51392be2653915be0debd814b82b6d684f755eb2a946cbfd7f92a2b0"
    "1545bf730daac0fb43e19b303d8892a74a31045aeefe9830b9e5fdb6ce19c4d05ce2805bee3ccd5cbcdf360d098e340a"
    "4e11e050843903ffb2a8b1ff90e61faee521b449345a3fbc014138768b0845a9e4873abc712fbe5383f194f161d3ffba"
    "0c30e72c9c3b0b2f553f6136e8c9cc73910dea215335993877216c35301af27fa367e5fe20f7afb6672e243fd18f3c2e"
    "8a712c1c342371e83e0f9880d5acbc1b3466c474431103bb388d07bce6d36ec4f927f69e303422554875fe9eed9d2ec1"
    "b4b67126635202c5565ccc89d6f5329a"
)
# The LSH finds pairs somewhat less similar than the thresholds, so that an estimate a little
# low does not lose a pair: the exact comparison decides. Bands of rows are the standard tuning
# for 64 values (the split whose false positives and false negatives, integrated over the
# similarity below and above the threshold, weigh least): 28 bands of 2 values find headline
# pairs from about 0.2, 21 bands of 3 find leads from about 0.3.
_TITLE_BANDS = (28, 2)
_TEXT_BANDS = (21, 3)
_SKETCH_CHUNK = 32768
"""Words hashed at once: numpy's arrays stay a few MB however many stories a write holds."""
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
    """Import numpy (about a tenth of a second) and make the hash functions, so the first
    story sketched does not wait for them."""
    _permutations()


@lru_cache(maxsize=1)
def _permutations() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    import numpy as np

    return np.frombuffer(_A, dtype="<u4").astype(np.uint32), np.frombuffer(_B, dtype="<u4").astype(np.uint32)


def _sketches(sets: Sequence[Iterable[str]]) -> list[bytes | None]:
    """Each set's MinHash as stored (64 little-endian 32-bit values), None for an empty set.

    Sets are hashed many at a time: per story, numpy's call overhead would cost more than the
    arithmetic."""
    import numpy as np

    a, b = _permutations()
    found: list[bytes | None] = [None] * len(sets)
    hashed: list[int] = []
    starts: list[int] = []
    owners: list[int] = []

    def flush() -> None:
        if not hashed:
            return
        h = np.array(hashed, dtype=np.uint32)
        # The MurmurHash3 finalizer spreads CRC-32's structure over all 32 bits; uint32
        # arithmetic wraps, which is the mod 2**32 both steps mean.
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
        least = np.minimum.reduceat(h[:, None] * a + b, np.array(starts), axis=0)
        raw = least.astype("<u4", copy=False).tobytes()
        size = 4 * _PERMUTATIONS
        for n, owner in enumerate(owners):
            found[owner] = raw[n * size : (n + 1) * size]
        hashed.clear()
        starts.clear()
        owners.clear()

    for owner, words in enumerate(sets):
        values = [zlib.crc32(w.encode("utf-8")) for w in words]
        if not values:
            continue
        starts.append(len(hashed))
        owners.append(owner)
        hashed.extend(values)
        if len(hashed) >= _SKETCH_CHUNK:
            flush()
    flush()
    return found


def _similarities(sketch: bytes, others: Sequence[bytes]) -> list[float]:
    """The Jaccard similarity a sketch and each of others estimate: the share of their values
    that agree. All at once: a story of a busy event has dozens of candidates, and numpy's
    call overhead per pair cost more than the comparison. (Asked only while new stories are
    stored, which were sketched with numpy already.)"""
    import numpy as np

    if not others:
        return []
    mine = np.frombuffer(sketch, dtype=np.uint32)
    theirs = np.frombuffer(b"".join(others), dtype=np.uint32).reshape(len(others), _PERMUTATIONS)
    return [int(agree) / _PERMUTATIONS for agree in np.count_nonzero(theirs == mine, axis=1)]


@dataclass(frozen=True, slots=True)
class Sketch:
    """What one story is compared by: its headline words (compared exactly), the MinHash
    sketches of those words and of its lead's word triples (as stored: 64 little-endian
    32-bit values, None for none), and the time it links by."""

    time: datetime
    words: frozenset[str]
    title_hash: bytes | None = field(default=None, compare=False, repr=False)
    text_hash: bytes | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, title: str, text: str, summary: str, time: datetime) -> Sketch:
        """A story's sketch (see `many`)."""
        return cls.many([(title, text, summary, time)])[0]

    @classmethod
    def many(cls, stories: Sequence[tuple[str, str, str, datetime]]) -> list[Sketch]:
        """The sketches of stories given as (title, text, summary, time), made together (see
        `_sketches`). The lead is the text's opening, else the summary's, unless it only
        repeats the headline (feeds often do)."""
        words = [title_words(title) for title, _, _, _ in stories]
        shingles = [lead_shingles(text if len(text) >= len(summary) else summary) for _, text, summary, _ in stories]
        sets: list[frozenset[str]] = [w if len(w) >= _MIN_TITLE_WORDS else frozenset() for w in words]
        hashes = _sketches(sets + shingles)
        count = len(stories)
        return [
            cls(time=story[3], words=words[n], title_hash=hashes[n], text_hash=hashes[count + n])
            for n, story in enumerate(stories)
        ]

    def at(self, time: datetime) -> Sketch:
        """This sketch timed otherwise: a story's words are sketched where its entry is read,
        before the refresh knows when it fetched the story (see `sort_time`)."""
        return Sketch(time, self.words, self.title_hash, self.text_hash)  # (dataclasses.replace costs more)

    @property
    def stored_title(self) -> bytes | None:
        """The headline's sketch as stored, None for none."""
        return self.title_hash

    @property
    def stored_text(self) -> bytes | None:
        """The lead's sketch as stored, None for none."""
        return self.text_hash

    @classmethod
    def unpack(cls, title: str, time: datetime, title_hash: bytes | None, text_hash: bytes | None) -> Sketch:
        """A stored story's sketch, without re-reading its text."""
        return cls(time=time, words=title_words(title), title_hash=title_hash or None, text_hash=text_hash or None)


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
    if _headlines_link(a, b, thresholds):
        return True
    if a.text_hash is None or b.text_hash is None:
        return False
    return _similarities(a.text_hash, [b.text_hash])[0] >= thresholds.text


def _headlines_link(a: Sketch, b: Sketch, thresholds: Thresholds) -> bool:
    return _words_link(a.words, b.words, thresholds)


def _words_link(a: frozenset[str], b: Collection[str], thresholds: Thresholds) -> bool:
    if len(a) < _MIN_TITLE_WORDS or len(b) < _MIN_TITLE_WORDS:
        return False
    shared = len(a.intersection(b))
    similarity = shared / (len(a) + len(b) - shared)
    return similarity >= thresholds.title or (shared >= thresholds.shared_words and similarity >= thresholds.shared)


_MERGE_EVERY = 256
"""Stories a band table holds in a dict before it sorts them into its arrays."""

if TYPE_CHECKING:
    _Folded = npt.NDArray[np.uint32]


class _Bands:
    """An LSH table: stories whose sketches agree on every value of one band are candidates.

    A daemon holds every story of the last days here, so the table is kept in numpy arrays
    rather than a dict of sets (which cost about 13 KB a story): each band's values are
    folded, with the band's number, into one 32-bit key, and the (key, story) pairs are kept
    sorted by key, 8 bytes a band (a story's id in 32 bits, while ids fit). The latest stories wait in a small dict beside them and
    are sorted in a few hundred at a time. Two bands folding to one key only add a candidate,
    which the exact comparison then turns away: with 32 bits, among the 300,000 stories of two
    very busy days, about one story in twenty finds one such extra candidate, and the links
    are the same as with 64. Sketches are folded and looked up a write's
    stories at a time: per story, numpy's call overhead would cost more than the work."""

    def __init__(self, bands: int, rows: int) -> None:
        import numpy as np

        self._rows = rows
        self._salt = np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        self._keys = np.empty(0, dtype=np.uint32)
        self._ids: npt.NDArray[np.integer[Any]] = np.empty(0, dtype=np.uint32)
        self._waiting: dict[int, list[int]] = {}
        self._fresh: list[_Folded] = []
        self._fresh_ids: list[int] = []

    def fold(self, sketches: Sequence[bytes | None]) -> list[_Folded | None]:
        """Each sketch's band keys (None for no sketch)."""
        import numpy as np

        present = [n for n, sketch in enumerate(sketches) if sketch is not None]
        folded: list[_Folded | None] = [None] * len(sketches)
        if not present:
            return folded
        bands = len(self._salt)
        raw = np.frombuffer(b"".join(sketches[n] or b"" for n in present), dtype="<u4").reshape(len(present), -1)
        values = raw[:, : bands * self._rows].astype(np.uint64).reshape(len(present), bands, self._rows)
        keys = np.tile(self._salt, (len(present), 1))
        for row in range(self._rows):  # FNV-style: uint64 arithmetic wraps, as the folding means
            keys ^= values[:, :, row]
            keys *= np.uint64(0x100000001B3)
        keys = (keys ^ (keys >> np.uint64(32))).astype(np.uint32)  # 32 bits kept: see the class
        for n, key in zip(present, keys, strict=True):
            folded[n] = key
        return folded

    def sorted_hits(self, folded: Sequence[_Folded | None]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Which folded sketch (its position) shares a band with which story of the sorted
        arrays, as two arrays of pairs, repeats and all: found for all the sketches at once,
        so the pairs stay in numpy (a copy of a busy event shares every band with dozens of
        stories; one Python set update per band and story cost more than the search)."""
        import numpy as np

        keys = [key for key in folded if key is not None]
        if not keys or not len(self._keys):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        present = np.array([n for n, key in enumerate(folded) if key is not None], dtype=np.int64)
        wanted = np.concatenate(keys)
        starts = np.searchsorted(self._keys, wanted, side="left")
        lengths = np.searchsorted(self._keys, wanted, side="right") - starts
        hit = np.flatnonzero(lengths)
        lengths = lengths[hit]
        # Every position in [start, end) of every hit band, in one array.
        ends = np.cumsum(lengths)
        positions = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) + np.repeat(starts[hit] - ends + lengths, lengths)
        return np.repeat(present[hit // len(self._salt)], lengths), self._ids[positions].astype(np.int64)

    def waiting_candidates(self, folded: _Folded | None) -> set[int]:
        """The stories not yet sorted in that share a band with this one."""
        found: set[int] = set()
        if folded is not None:
            for key in folded.tolist():
                waiting = self._waiting.get(key)
                if waiting:
                    found.update(waiting)
        return found

    def insert(self, key: int, folded: _Folded | None) -> None:
        if folded is None:
            return
        for band_key in folded.tolist():
            self._waiting.setdefault(band_key, []).append(key)
        self._fresh.append(folded)
        self._fresh_ids.append(key)

    def settle(self) -> None:
        """Sort the waiting stories in once there are enough of them."""
        import numpy as np

        if len(self._fresh_ids) < _MERGE_EVERY:
            return
        keys = np.concatenate(self._fresh)
        ids = np.repeat(np.array(self._fresh_ids, dtype=np.int64), len(self._salt))
        if self._ids.dtype == np.uint32 and int(ids.max()) < 2**32:
            ids = ids.astype(np.uint32)  # story ids fit in 32 bits until four billion stories
        else:
            self._ids = self._ids.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        keys, ids = keys[order], ids[order]
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys, self._ids = np.insert(self._keys, at, keys), np.insert(self._ids, at, ids)
        self._waiting, self._fresh, self._fresh_ids = {}, [], []

    def remove(self, keys: Collection[int]) -> None:
        """Drop these stories (in one pass: a daemon lets go of an hour's stories at a time)."""
        import numpy as np

        gone = set(keys)
        kept = ~np.isin(self._ids, np.fromiter(gone, dtype=np.int64, count=len(gone)))
        self._keys, self._ids = self._keys[kept], self._ids[kept]
        fresh = [(folded, i) for folded, i in zip(self._fresh, self._fresh_ids, strict=True) if i not in gone]
        self._waiting, self._fresh, self._fresh_ids = {}, [], []
        for folded, i in fresh:
            self.insert(i, folded)


@dataclass(frozen=True, slots=True)
class _Held:
    """What the index keeps of a story besides its bands: the headline's words (a tuple of
    shared strings, a fifth of a set's size), the lead's sketch and the time."""

    time: datetime
    words: tuple[str, ...]
    text_hash: bytes | None


class Groups:
    """Which ids are joined (a union-find), each group named by its lowest id: single
    linkage's groups, the clusters a write merges, the stories an index's links joined.
    An id never joined is a group of its own, and costs nothing."""

    __slots__ = ("_parent",)

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}

    def root(self, i: int) -> int:
        """The lowest id of i's group (path halving on the way)."""
        parent = self._parent
        while (up := parent.get(i, i)) != i:
            higher = parent.get(up, up)
            parent[i] = higher
            i = higher
        return i

    def join(self, a: int, b: int) -> int:
        """Put a's and b's groups in one; its root (the lower of the two)."""
        ra, rb = self.root(a), self.root(b)
        low, high = min(ra, rb), max(ra, rb)
        if low != high:
            self._parent[high] = low
        return low

    def kept(self, keep: Collection[int]) -> Groups:
        """These groups over the ids in `keep` alone, each named by its lowest id kept: what
        stays joined stays so when the ids that joined it are let go."""
        members: dict[int, list[int]] = {}
        for i in list(self._parent):
            if i in keep:
                members.setdefault(self.root(i), []).append(i)
        kept = Groups()
        for group in members.values():
            low = min(group)
            kept._parent.update((i, low) for i in group if i != low)
        return kept


class ClusterIndex:
    """Recent stories' sketches, searchable by similarity: a process's in-memory view of the
    stored sketches (rebuilt from them, never the only copy).

    `link_each` answers with the ids of indexed stories each new story links to; which
    cluster each belongs to is the database's to say, since another process may have merged
    clusters since.

    The index also remembers which of its stories its own links joined (a union-find over
    story ids): a story need not be compared with a candidate its earlier links already
    joined it to. That is safe because clusters only ever merge: two stories this process
    linked, in a write that committed, stay in one cluster whatever other processes store
    (a write that fails makes the store forget the index). In a busy event the copies of a
    story are each other's candidates, so this spares most of the comparisons.
    """

    def __init__(self, thresholds: Thresholds = Thresholds()) -> None:
        self.thresholds = thresholds
        self._titles = _Bands(*_TITLE_BANDS)
        self._texts = _Bands(*_TEXT_BANDS)
        self._held: dict[int, _Held] = {}
        self._words: dict[tuple[str, ...], tuple[str, ...]] = {}
        """One tuple for each headline's words, which its copies share (memory, and `_confirm`
        compares each distinct headline once)."""
        self._joined = Groups()
        """The stories this index's links joined."""
        self.newest_id = 0
        """The highest story id indexed: stories stored after it (by any process) are next."""

    def __len__(self) -> int:
        return len(self._held)

    def add(self, stories: Sequence[tuple[int, Sketch]]) -> None:
        """Index these stories (ones already indexed are left as they are)."""
        self._walk(stories, ask=False)

    def link_each(self, stories: Sequence[tuple[int, Sketch]]) -> dict[int, list[int]]:
        """Each story's links (lowest id first) among the indexed stories and the ones before
        it in `stories`, which are indexed in turn: enough of them to join it to every story
        it links to. A candidate that the links found so far (in this call or an earlier
        one) already join it to is not compared, so its link is not listed: single linkage
        over the answer gives the same clusters as over every link."""
        return self._walk(stories, ask=True)

    def linked(self, sketch: Sketch) -> list[int]:
        """Every indexed story this one links to, lowest id first (it is not indexed)."""
        titles, texts = self._titles.fold([sketch.title_hash]), self._texts.fold([sketch.text_hash])
        found = set(self._candidates(titles, texts)[0])
        found |= self._titles.waiting_candidates(titles[0]) | self._texts.waiting_candidates(texts[0])
        return self._confirm(None, sketch, sorted(found))

    def _candidates(self, titles: Sequence[_Folded | None], texts: Sequence[_Folded | None]) -> list[list[int]]:
        """For each story, the stories of the sorted arrays that share a title or a text band
        with it, lowest id first, each once. Copies in one write (the same headline and lead
        from many feeds) are looked up once: each shares every band with the other's copies
        in the index, so a busy event's look-up is its copies squared."""
        import numpy as np

        first_of: dict[tuple[bytes, bytes], int] = {}
        sought = [
            first_of.setdefault((b"" if title is None else title.tobytes(), b"" if text is None else text.tobytes()), n)
            for n, (title, text) in enumerate(zip(titles, texts, strict=True))
        ]
        asked = [n for n, first in enumerate(sought) if first == n]
        title_owners, title_ids = self._titles.sorted_hits([titles[n] for n in asked])
        text_owners, text_ids = self._texts.sorted_hits([texts[n] for n in asked])
        owners, ids = np.concatenate([title_owners, text_owners]), np.concatenate([title_ids, text_ids])
        order = np.lexsort((ids, owners))
        owners, ids = owners[order], ids[order]
        first = np.ones(len(ids), dtype=bool)
        first[1:] = (owners[1:] != owners[:-1]) | (ids[1:] != ids[:-1])
        owners, ids = owners[first], ids[first]
        bounds = np.searchsorted(owners, np.arange(len(asked) + 1)).tolist()
        listed = ids.tolist()
        found = {n: listed[bounds[at] : bounds[at + 1]] for at, n in enumerate(asked)}
        return [found[first] for first in sought]

    def _walk(self, stories: Sequence[tuple[int, Sketch]], *, ask: bool) -> dict[int, list[int]]:
        titles = self._titles.fold([s.title_hash for _, s in stories])
        texts = self._texts.fold([s.text_hash for _, s in stories])
        if ask:
            sorted_found = self._candidates(titles, texts)
        links: dict[int, list[int]] = {}
        for n, (story_id, sketch) in enumerate(stories):
            if ask:
                waiting = self._titles.waiting_candidates(titles[n]) | self._texts.waiting_candidates(texts[n])
                found = sorted(waiting.union(sorted_found[n])) if waiting else sorted_found[n]
                links[story_id] = self._confirm(story_id, sketch, found)
            if story_id in self._held:
                continue
            words = tuple(sorted(sys.intern(w) for w in sketch.words))
            self._held[story_id] = _Held(sketch.time, self._words.setdefault(words, words), sketch.text_hash)
            self._titles.insert(story_id, titles[n])
            self._texts.insert(story_id, texts[n])
            self.newest_id = max(self.newest_id, story_id)
        self._titles.settle()
        self._texts.settle()
        return links

    def _confirm(self, story_id: int | None, sketch: Sketch, found: Sequence[int]) -> list[int]:
        # `links` for each candidate (lowest id first), the leads' estimates all at once. The
        # estimate is the sketches': near-copies are far above the threshold, and keeping
        # every recent story's triples in memory would cost a hundred times the sketch.
        # With a story id, candidates its links already join it to are passed over first
        # (in a busy event, most are), and each link found joins them (see the class).
        held, thresholds = self._held, self.thresholds
        joining = story_id is not None
        joined = self._joined
        mine = -1 if story_id is None else joined.root(story_id)
        linked: list[int] = []
        by_text: list[tuple[int, bytes]] = []
        verdicts: dict[int, bool] = {}
        """Whether the headlines link, by the candidate's words (which its copies share: `_walk`)."""
        for i in found:
            if joining and joined.root(i) == mine:
                continue
            other = held.get(i)
            if other is None or abs(sketch.time - other.time) > WINDOW:
                continue
            verdict = verdicts.get(id(other.words))
            if verdict is None:
                verdict = verdicts[id(other.words)] = _words_link(sketch.words, other.words, thresholds)
            if verdict:
                linked.append(i)
                mine = joined.join(mine, i) if joining else mine
            elif sketch.text_hash is not None and other.text_hash is not None:
                by_text.append((i, other.text_hash))
        if by_text:
            estimates = _similarities(sketch.text_hash or b"", [h for _, h in by_text])
            for (i, _), estimate in zip(by_text, estimates, strict=True):
                if estimate >= thresholds.text and not (joining and joined.root(i) == mine):
                    linked.append(i)
                    mine = joined.join(mine, i) if joining else mine
        return sorted(linked)

    def forget_before(self, when: datetime) -> None:
        """Drop the stories published before `when`: a long-running process would otherwise
        hold every story it ever stored (the store reads them back if an older story comes)."""
        gone = [i for i, held in self._held.items() if held.time < when]
        if not gone:
            return
        for story_id in gone:
            del self._held[story_id]
        self._titles.remove(gone)
        self._texts.remove(gone)
        self._words = {held.words: held.words for held in self._held.values()}
        self._joined = self._joined.kept(self._held)


def clusters(sketches: Iterable[tuple[int, Sketch]], thresholds: Thresholds = Thresholds()) -> dict[int, int]:
    """Each story's cluster (the lowest id in it), for stories given all at once: what
    the store does incrementally, in one function for the benchmark's baselines and tests."""
    stories = list(sketches)
    found = ClusterIndex(thresholds).link_each(stories)
    return single_link([i for i, _ in stories], ((i, other) for i, others in found.items() for other in others))


def single_link(ids: Iterable[int], links: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each id's group when every linked pair is in one group (single linkage), the group
    named by its lowest id."""
    groups = Groups()
    for a, b in links:
        groups.join(a, b)
    return {i: groups.root(i) for i in ids}
