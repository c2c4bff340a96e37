"""The watchlist matcher: which countries and people a story mentions, and where.

How it decides, rule by rule:

- One pass per field. Every form of every country (watched or not) and of every watched
  person is compiled into one trie-shaped regex, matched against a diacritic-folded copy of
  the text that has the same length, so offsets point into the original. Unwatched
  countries' forms are there to win the longest-match race: "South Sudan" is not "Sudan",
  "Papua New Guinea" is not "Guinea".
- Whole words only: nothing matches inside a word ("Oman" in "woman", "Niger" in "Nigeria");
  hyphens and apostrophes end a word, so "Putin-backed", "pro-Putin" and "Russia's" count.
- Case: forms written in capitals only (US, U.S., UK, UAE, DRC) match only in capitals, so
  the pronoun "us" is never the United States, nor "US" inside an all-capitals headline
  ("LET US PRAY"). Other forms must start with a capital: "turkey" the bird and "china"
  plates do not count; "RUSSIA" in a headline does.
- Set phrases that name no country never count: "French fries", "Dutch oven", "Guinea pig",
  "Turkish delight", "New Mexico", "Latin America", "Indian Ocean" and the like (see _BLOCKED).
- Georgia the US state: "Georgia" does not count when a US cue sits near it (Atlanta,
  governor, Senate, county, ...) unless the story also names the country another way
  (Tbilisi, Georgian).
- Jordan and Chad as people's names: not counted when followed by another capitalised word
  ("Jordan Henderson", "Chad Smith"), preceded by a common given name ("Michael Jordan") or
  by any capitalised word mid-sentence ("... said Eddie Jordan").
- Ambiguous adjectives name no country by themselves: "Congolese" counts for a Congo only
  when the story names that Congo otherwise; plain "Korean" is not a form of either Korea.
- Capitals and seats of government ("Moscow", "Kremlin") count only for a country entered
  with include_capital = true; a country's aliases always count.
- People: the full name and the aliases always count; the surname alone (possibly after a
  title: "Mr Putin", "President Putin", whose title becomes part of the form) counts once
  the full name or an alias has appeared earlier in the story (title, then summary, then
  text), or always with surname_alone = true. A surname two watched people share goes to
  the one named earlier, and to neither when both or none were. A surname that is also an
  everyday word ("May", "Rice", "Brown") counts alone only after a title ("Mrs May").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

from newsdesk import countries as country_data
from newsdesk.config import Watchlist
from newsdesk.types import EntityHit, Match, MatchKind, MatchWhere

# Bump when the rules change, so stored stories are re-tagged by the new matcher.
MATCHER_VERSION = "2"

_SNIPPET_RADIUS = 60

_BLOCKED = (
    "French fries", "French fry", "French toast", "French kiss", "French horn", "French press",
    "French doors", "French windows", "French bread", "French braid", "French dressing",
    "Dutch oven", "Dutch courage", "Dutch uncle", "go Dutch", "Dutch auction",
    "Guinea pig", "Guinea pigs", "Guinea fowl", "Turkish delight", "Turkish bath",
    "Swiss cheese", "Swiss army knife", "Swiss roll", "Panama hat", "Panama hats",
    "Brussels sprouts", "Brussels sprout", "Russian roulette", "Russian doll", "Russian dolls",
    "Russian dressing", "Danish pastry", "Mexican wave", "Irish coffee", "Irish stew",
    "Chinese checkers", "Chinese whispers", "Chinese lantern", "Spanish omelette",
    "Scotch egg", "German shepherd", "German measles", "Great Dane", "Indian Ocean",
    "Indian summer", "Native American", "Native Americans", "Latin America", "Latin American",
    "Latin Americans", "South America", "South American", "South Americans", "North America",
    "North American", "North Americans", "Central America", "Central American", "the Americas",
    "Pan-American", "American football", "New Mexico", "New Mexican", "New Guinea",
    "New Jersey", "New South Wales", "New England", "Georgia Tech",
    "Jordan River", "Indiana", "Java", "Sudanese grass", "Arabic", "Dominica's",
    # Names of things that are not about the country.
    "Mid-American", "Mid-America", "American University", "American Airlines",
    "American Express", "Bank of America", "American Idol", "USA Today", "China Grove",
    "Jersey City", "Jersey Shore", "South Georgia", "North Georgia", "Bermuda shorts",
    "Bermuda Triangle", "Manx cat", "St. Martin's", "St Martin's",  # the publisher, mostly
    "Reunion",  # the everyday word, in title-case headlines; "La Réunion", "Réunion Island" count
    # The ancient world is not the modern state.
    "ancient Greek", "ancient Greeks", "ancient Greece", "ancient Egypt", "ancient Egyptian",
    "ancient Egyptians",
)
_US_STATE_CUES = re.compile(
    r"\b(Atlanta|Savannah|Augusta|Macon|Athens, Ga|Ga\.|Peach State|governor|Gov\.|Senate|"
    r"senator|county|County|Republican|Democrat|Democratic|Bulldogs|Falcons|Braves|state of Georgia|"
    r"Georgia's (?:governor|legislature|election|voters|secretary of state))\b"
)
_TITLES = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sen|Rep|Gen|Gov|Lt|Col|Capt|Sgt|Adm)\.?|President|"
    r"Vice President|Prime Minister|Deputy Prime Minister|Chancellor|Senator|Representative|"
    r"Congressman|Congresswoman|General|Minister|Foreign Minister|Defence Minister|"
    r"Defense Minister|Finance Minister|Secretary|Secretary of State|Foreign Secretary|FM|PM|"
    r"King|Queen|Prince|Princess|Pope|Sheikh|Emir|Crown Prince|Judge|Justice|Governor|Mayor|"
    r"Ambassador|Speaker|Premier|Commissioner|Admiral|Marshal|Field Marshal|Ayatollah|"
    r"Supreme Leader|Leader|Chairman|Chairwoman|Director|Professor|Dame|Sir|Lord|Lady)\s+$"
)
# A surname after these is a place or a saint, not the watched person ("St. Martin's Press").
_PLACE_BEFORE = re.compile(r"(?:\b(?:St|Mt|Ft)\.?|\bSaint|\bSainte|\bFort|\bMount|\bLake|\bPort|\bCape|\bSan|\bSanta)\s+$")
# A middle initial or two between the first name and the surname: "John M. Ford", "George R.R. Martin".
_MIDDLE_INITIALS = re.compile(r"(?<![\w.])([^\W\d_][\w'’-]*)\s+(?:[A-Z]\.\s?){1,3}\s*$")
# A demonym used as the name of a language is not the country: "in German,", "speaks Russian".
_LANGUAGE_AFTER = re.compile(
    r"(?:\s|-)(?:language|languages|translation|translations|version|edition|subtitles|dubbed|"
    r"speaker|speakers|speaking|-speaking|word|words|accent|dialect)\b",
    re.IGNORECASE,
)
_LANGUAGE_VERB_BEFORE = re.compile(
    r"\b(?:speak|speaks|spoke|spoken|speaking|fluent in|learn|learns|learned|learning|taught in|"
    r"written in|translated into|translated from|subtitled in|dubbed into|words in)\s+"
    r"(?:[A-Z][\w-]*(?:,|\s+and|\s+or)?\s+)*$",  # "speaks Russian and French"
    re.IGNORECASE,
)
_IN_BEFORE = re.compile(r"\b(?:in|into)\s+$", re.IGNORECASE)
_PHRASE_END = re.compile(r"\s*(?:[.,;:!?)\]\"”]|$|\s(?:and|or|but)\b)")
_FIRST_NAME_COUNTRIES = {"JO", "TD"}
# Given names often seen before "Jordan" or "Chad" in sport and entertainment news.
_GIVEN_NAMES = frozenset(
    [
        "Michael", "Mike", "Jordan", "Chad", "Ryan", "Eddie", "DeAndre", "DeAndré", "Vernon", "Jim", "James", "John",
        "Joe", "Kevin", "Robert", "Bob", "Thomas", "Tom", "Ben", "Brian", "Chris", "David", "Dan", "Daniel", "Mark",
        "Matt", "Paul", "Peter", "Steve", "Sam", "Scott", "Tony", "Katie", "Kathryn", "Barbara", "Michelle", "Pamela",
        "Sarah", "Lisa", "Karen", "Lauren", "Emily", "Anna", "Alex", "Andrew", "Jack", "Luke",
    ]
)
# Surnames that are also everyday words: alone, they count only after a title ("Mrs May").
_MONTHS = frozenset(["may", "march", "june", "april", "august"])
_WORD_SURNAMES = frozenset(
    [
        "may", "march", "june", "april", "august", "rice", "brown", "black", "white", "green", "king", "cook", "bush",
        "little", "long", "young", "hope", "wells", "page", "rose", "short", "sharp", "strong", "love", "price",
        "hunt", "hall", "ward", "wood", "field", "major", "lord", "bishop", "pope", "mayor", "best", "rich", "church",
    ]
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_NEXT_OK = {"River", "Valley", "Rift", "Times", "Basin", "Lake"}
_WORD_AFTER = re.compile(r"\s+([A-Z][\w'’-]*)")
_WORD_BEFORE = re.compile(r"([A-Z][\w'’-]*)\s+$")
_SENTENCE_BEFORE = re.compile(r"(?:^|[.!?:;\"“”]\s*)$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_NO_PLURAL = ("ese", "sh", "ch", "ss", "Thai", "Lao", "Basotho", "Malagasy", "Maltese", "Kiwi")


@dataclass(frozen=True, slots=True)
class _Entity:
    name: str
    kind: MatchKind
    code: str | None
    watched: bool
    first: str | None = None
    """A person's first name, folded and lower-cased, for "John M. Ford"."""


@dataclass(frozen=True, slots=True)
class _Form:
    entity: int
    """Index into Matcher._entities, or -1 for a blocked phrase."""
    role: str
    """"name", "demonym", "capital", "surname" (people only) or "blocked"."""
    exact_case: bool


@dataclass(frozen=True, slots=True)
class _Raw:
    where: MatchWhere
    start: int
    end: int
    forms: tuple[_Form, ...]


class Matcher:
    """A watchlist compiled once, then applied to any number of stories."""

    def __init__(self, watchlist: Watchlist) -> None:
        self._entities: list[_Entity] = []
        self._forms: dict[str, list[_Form]] = {}
        # Unwatched countries are compiled too (they tell "Georgia" the state from the
        # country); with nothing watched, no story can match: nothing is compiled (the
        # pattern of every country's forms takes tens of milliseconds).
        self._watching = watchlist.all_countries or bool(watchlist.countries or watchlist.people)
        if not self._watching:
            return
        self._add_countries(watchlist)
        self._add_people(watchlist)
        for phrase in _BLOCKED:
            self._add(phrase, -1, "blocked")
        # Matched against lower-cased folded text: much faster than re.IGNORECASE.
        self._regex = re.compile(r"(?<!\w)(?:" + _trie_pattern(self._forms) + r")(?!\w)")
        self._ge = next((i for i, e in enumerate(self._entities) if e.code == "GE"), None)

    # ------------------------------------------------------------- building

    def _add(self, text: str, entity: int, role: str) -> None:
        text = _fold(text.strip().translate(_APOSTROPHES))
        if not text:
            return
        letters = [c for c in text if c.isalpha()]
        exact = len(letters) >= 2 and all(c.isupper() for c in letters)
        self._forms.setdefault(text.lower(), []).append(_Form(entity, role, exact))

    def _add_countries(self, watchlist: Watchlist) -> None:
        entries = {c.code: c for c in watchlist.countries}
        for country in country_data.all_countries():
            entry = entries.get(country.code)
            watched = watchlist.all_countries or entry is not None
            index = len(self._entities)
            self._entities.append(_Entity(country.name, "country", country.code, watched))
            for name in country.names:
                for form in _possessives(name):
                    self._add(form, index, "name")
            for demonym in country.demonyms:
                for form in _demonym_forms(demonym):
                    self._add(form, index, "demonym")
            if entry is not None:
                if entry.include_capital:
                    for capital in country.capitals:
                        for form in _possessives(capital):
                            self._add(form, index, "capital")
                for alias in entry.aliases:
                    for form in _possessives(alias):
                        self._add(form, index, "name")

    def _add_people(self, watchlist: Watchlist) -> None:
        for person in watchlist.people:
            index = len(self._entities)
            parts = person.name.split()
            first = _fold_lower(parts[0]) if len(parts) >= 2 else None
            self._entities.append(_Entity(person.name, "person", None, True, first))
            for name in (person.name, *person.aliases):
                for form in _possessives(name):
                    self._add(form, index, "name")
            surname = surname_of(person.name)
            if surname is not None:
                for form in _possessives(surname):
                    self._add(form, index, "surname_alone" if person.surname_alone else "surname")

    # ------------------------------------------------------------- matching

    def find(self, title: str, text: str, summary: str = "") -> list[Match]:
        """Every occurrence of every watched entry, in reading order: title, summary, text."""
        if not self._watching:
            return []
        fields: dict[MatchWhere, str] = {"title": title or "", "summary": summary or "", "text": text or ""}
        raws = [raw for where, value in fields.items() for raw in self._scan(where, value)]
        evidence = self._evidence(raws, fields)
        # A headline or standfirst speaks of the people the body introduces: there, a surname
        # counts when the full name is anywhere in the story; in the text, only after it.
        anywhere = {e for raw in raws for e in self._named_in(raw)}
        named: set[int] = set()
        matches: list[Match] = []
        for raw in raws:
            value = fields[raw.where]
            chosen = self._choose(raw, value, evidence, anywhere if raw.where != "text" else named)
            if chosen is not None and self._entities[chosen[0]].kind == "person":
                named.add(chosen[0])
            if chosen is None:
                continue
            entity, start = chosen
            info = self._entities[entity]
            if not info.watched:
                continue
            matches.append(
                Match(
                    entity=info.name, kind=info.kind, code=info.code, form=value[start : raw.end],
                    where=raw.where, start=start, end=raw.end, snippet=_snippet(value, start, raw.end),
                )
            )
        return matches

    def _scan(self, where: MatchWhere, value: str) -> Iterable[_Raw]:
        if not value:
            return
        folded = _fold_lower(value)
        for found in self._regex.finditer(folded):
            forms = self._forms.get(found.group())
            if forms and _case_ok(forms, value, found.start(), found.end()):
                yield _Raw(where, found.start(), found.end(), tuple(forms))

    def _named_in(self, raw: _Raw) -> set[int]:
        """People this occurrence names by full name or alias (a surname does not count)."""
        if any(f.role == "blocked" for f in raw.forms):
            return set()
        people = {f.entity for f in raw.forms if f.role in ("name", "surname_alone") and self._entities[f.entity].kind == "person"}
        return people if len(people) == 1 else set()

    def _evidence(self, raws: list[_Raw], fields: dict[MatchWhere, str]) -> set[int]:
        """Entities the story names unambiguously, by a form no other entity shares."""
        found: set[int] = set()
        for raw in raws:
            entities = {f.entity for f in raw.forms if f.role != "blocked"}
            if len(entities) == 1 and all(f.role in ("name", "demonym", "capital") for f in raw.forms):
                found.update(entities)
        return found

    def _choose(self, raw: _Raw, value: str, evidence: set[int], named: set[int]) -> tuple[int, int] | None:
        if any(f.role == "blocked" for f in raw.forms):
            return None
        surname_of_people = [f.entity for f in raw.forms if f.role in ("surname", "surname_alone")]
        if surname_of_people:
            before = value[max(0, raw.start - 60) : raw.start]
            if _PLACE_BEFORE.search(before):
                return None
            middle = _MIDDLE_INITIALS.search(before)
            if middle:
                first = _fold_lower(middle.group(1))
                for entity in surname_of_people:
                    if self._entities[entity].first == first:  # "John M. Ford" is John Ford in full
                        return entity, raw.start - (len(before) - middle.start(1))
        direct = {f.entity for f in raw.forms if f.role in ("name", "demonym", "capital", "surname_alone")}
        if len(direct) > 1:  # an adjective shared by two countries ("Congolese")
            direct &= evidence
        if len(direct) == 1:
            (entity,) = direct
            if not self._context_ok(entity, raw, value, evidence):
                return None
            if self._entities[entity].kind == "person":
                if any(f.role == "surname_alone" and f.entity == entity for f in raw.forms):
                    start = _title_start(value, raw.start)
                    if start == raw.start and not self._word_surname_ok(value, raw):
                        return None
                    return entity, start
            return entity, raw.start
        if direct:
            return None
        surnames = {f.entity for f in raw.forms if f.role == "surname"} & named
        if len(surnames) == 1:
            start = _title_start(value, raw.start)
            if start == raw.start and not self._word_surname_ok(value, raw):
                return None
            return surnames.pop(), start
        return None

    @staticmethod
    def _word_surname_ok(value: str, raw: _Raw) -> bool:
        """An everyday-word surname with no title: a name mid-sentence, a word at its start.

        "Ward says" mid-sentence is the person; "Brown rice ..." opening a sentence may not be,
        and "May" is a month wherever it stands.
        """
        word = value[raw.start : raw.end].lower().removesuffix("'s").removesuffix("’s").rstrip("'’")
        if word not in _WORD_SURNAMES:
            return True
        return word not in _MONTHS and not _sentence_start(value, raw.start)

    def _context_ok(self, entity: int, raw: _Raw, value: str, evidence: set[int]) -> bool:
        info = self._entities[entity]
        if info.kind == "country" and all(f.role == "demonym" for f in raw.forms if f.entity == entity):
            return not _language_use(value, raw.start, raw.end)
        if info.kind != "country" or not any(f.role == "name" for f in raw.forms if f.entity == entity):
            return True
        if entity == self._ge:
            near = value[max(0, raw.start - 80) : raw.end + 80]
            other_evidence = any(
                f.role in ("demonym", "capital") for f in raw.forms if f.entity == entity
            )
            return not _US_STATE_CUES.search(near) or other_evidence
        if info.code in _FIRST_NAME_COUNTRIES:
            after = _WORD_AFTER.match(value, raw.end)
            if after and after.group(1) not in _NEXT_OK and not value[raw.end:].startswith(("'", "’")):
                return False
            before_text = value[max(0, raw.start - 40) : raw.start]
            before = _WORD_BEFORE.search(before_text)
            if before and before.group(1) in _GIVEN_NAMES:
                return False
            if before and not _SENTENCE_BEFORE.search(before_text[: before.start()]):
                if before.group(1) not in ("King", "Queen", "Kingdom", "Hashemite", "Republic"):
                    return False
        return True


def surname_of(name: str) -> str | None:
    """The surname a story uses alone ("Kennedy" for "James Kennedy Jr."); None for one-word names."""
    parts = name.split()
    while len(parts) > 2 and parts[-1].rstrip(".,").lower() in _SUFFIXES:
        parts.pop()
    if parts and parts[-1].endswith(","):
        parts[-1] = parts[-1].rstrip(",")
    return parts[-1] if len(parts) >= 2 else None


def everyday_word_surname(surname: str) -> bool:
    """Whether a surname is one of the everyday words that count alone only with a title or mid-sentence."""
    return surname.lower() in _WORD_SURNAMES


def is_month(word: str) -> bool:
    return word.lower() in _MONTHS


def summarize(matches: Iterable[Match]) -> list[EntityHit]:
    """One EntityHit per entity, in order of first appearance, snippet of the first one."""
    grouped: dict[tuple[str, str], list[Match]] = {}
    for match in matches:
        grouped.setdefault((match.kind, match.entity), []).append(match)
    return [
        EntityHit(entity=ms[0].entity, kind=ms[0].kind, code=ms[0].code, count=len(ms), snippet=ms[0].snippet, occurrences=tuple(ms))
        for ms in grouped.values()
    ]


def watchlist_fingerprint(watchlist: Watchlist) -> str:
    """Changes whenever the watchlist or the matcher's rules do: then stories are re-tagged."""
    return hashlib.sha256(f"{MATCHER_VERSION}\n{watchlist!r}".encode()).hexdigest()[:32]


# ------------------------------------------------------------------ helpers


def _possessives(name: str) -> list[str]:
    return [name, f"{name}'s", f"{name}'"] if name.endswith("s") else [name, f"{name}'s"]


def _demonym_forms(demonym: str) -> list[str]:
    forms = _possessives(demonym)
    if not demonym.endswith(_NO_PLURAL) and not demonym.endswith("s"):
        plural = demonym[:-3] + "men" if demonym.endswith("man") else demonym + "s"
        forms += [plural, f"{plural}'"]
    return forms


def _case_ok(forms: list[_Form], value: str, start: int, end: int) -> bool:
    found = value[start:end]
    if forms[0].exact_case:
        if not found.isupper():
            return False
        # In an all-capitals line "US" may be the pronoun: ask the neighbouring words.
        before = value[max(0, start - 12) : start].split()
        after = value[end : end + 12].split()
        caps = [w for w in (before[-1:] + after[:1]) if any(c.isalpha() for c in w)]
        return not caps or not all(w.isupper() and len(w) > 1 for w in caps)
    first = found[0]
    return not first.isalpha() or first.isupper() or found[:4].lower() == "the "


def _language_use(value: str, start: int, end: int) -> bool:
    """Whether a demonym names a language here ("written in German.", "Russian-language")."""
    before = value[max(0, start - 60) : start]
    if _LANGUAGE_AFTER.match(value, end) or _LANGUAGE_VERB_BEFORE.search(before):
        return True
    return bool(_IN_BEFORE.search(before) and _PHRASE_END.match(value, end))


def _sentence_start(value: str, start: int) -> bool:
    """Whether a word opens a sentence: only spaces and opening quotes after . ! ? : or a new line."""
    i = start - 1
    while i >= 0 and value[i] in " \t\"“‘'(":
        i -= 1
    return i < 0 or value[i] in ".!?:\n"


def _title_start(value: str, start: int) -> int:
    """Where a surname's title begins ("President Putin"), so the title is part of the form."""
    found = _TITLES.search(value[max(0, start - 40) : start])
    if not found:
        return start
    return start - (len(value[max(0, start - 40) : start]) - found.start())


def _snippet(value: str, start: int, end: int) -> str:
    left = max(0, start - _SNIPPET_RADIUS)
    right = min(len(value), end + _SNIPPET_RADIUS)
    if left > 0:
        space = value.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(value):
        space = value.rfind(" ", end, right)
        right = space if space != -1 else right
    text = " ".join(value[left:right].split())
    return ("…" if left > 0 else "") + text + ("…" if right < len(value) else "")


class _FoldTable(dict[int, str]):
    """Maps a character to its base letter ("ğ" → "g"), one character for one, cached."""

    _SPECIAL = {"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ı": "i", "ħ": "h"}

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = self._SPECIAL.get(char)
        if base is None:
            decomposed = unicodedata.normalize("NFKD", char)
            stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
            base = stripped if len(stripped) == 1 else char
        self[code] = base
        return base


_FOLD = _FoldTable()


def _fold(text: str) -> str:
    """Diacritics off, length unchanged, so offsets in the folded text are offsets in the text."""
    return text if text.isascii() else text.translate(_FOLD)


class _LowerTable(_FoldTable):
    """Folded and lower-cased, still one character for one ("İ".lower() would be two)."""

    def __missing__(self, code: int) -> str:
        base = _FoldTable.__missing__(self, code)
        lower = base.lower()
        base = lower if len(lower) == 1 else base
        base = base.translate(_APOSTROPHES)
        self[code] = base
        return base


_LOWER = _LowerTable()


def _fold_lower(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_LOWER)


_Trie: TypeAlias = dict[str, "_Trie"]  # a character to the rest of the words; "" ends a word


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation shaped as a trie: shared prefixes are tried once, longest first."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return build(trie)
