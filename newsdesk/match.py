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
  ("LET US PRAY"); those that are no English word ("USA", "UAE") count in capitals. Other
  forms must start with a capital: "turkey" the bird and "china" plates do not count;
  "RUSSIA" in a headline does. A form written with a small first letter counts as written too ("mainland China", "al-Quaety").
- Set phrases that name no country never count, in the singular and the plural: "French
  fries", "Dutch oven", "German shepherds", "Turkish delight", "an Irish pub", "New Mexico",
  "Latin America", "Indian Ocean", "Indian" of the Americas' indigenous peoples ("American
  Indians", "Indian Country") and the like (see _BLOCKED); nor do ISO 3166-2 places named
  after another country ("British Columbia", "Northern Ireland":
  countries.places_named_after_countries).
- Names of other things: a country or person inside a run of capitalised words whose head
  is a thing's noun ("Turkish Airlines", "Agence France-Presse", "the Greek Orthodox Church",
  "the Philippine Red Cross", "the Cyprus Mail", "Facebook Ireland Limited", "the Nobel
  Prize", "Trump Tower", "Mexico City", "the Chinese Communist Party", "the Drudge Report"),
  or after such a head and "of" ("the Times of India"), or after a ship's prefix ("MV",
  "HMS", "USS") or a form of address ("Captain America", "Mr Jordan"), or after a brand
  that names companies by country ("Virgin America"), is part of that name, unless the run
  names a state institution ("US Air Force", "Bank of Japan", "the Kuwait News Agency", "the
  Road Transport and Highways Minister"); "France Inc." with nothing capitalised before it is
  the country's business world. A capitalised direction word before a country's name makes a
  region ("Inner Mongolia", "North India"), and waters are named after countries ("the Gulf
  of Oman", "the Irish Sea"). Only in a line written in title case (a headline) is just the
  next word read, or an organisation's head one or two words on ("American Cancer
  Society"). See _in_longer_name. In a title, a short capitalised name after the last " | "
  is the site's ("... | Malaysia Sun", "| USA NOW"): no country there. A surname followed by a US state ("Washington, D.C.",
  "Lincoln, Nebraska") is a city named after the person.
- Antarctica has an ISO code but is a continent: `countries = ["*"]` leaves it out.
- Georgia the US state: "Georgia" does not count when a US cue sits near it (Atlanta,
  governor, Senate, senators, county, Republicans, a federal court's "Middle District", ...)
  unless the story also names the country another way (Tbilisi, Georgian).
- Jordan and Chad as people's names: not counted when followed by another capitalised word
  ("Jordan Henderson", "Chad Smith"), preceded by a common given name ("Michael Jordan") or
  by any capitalised word mid-sentence ("... said Eddie Jordan").
- A language only in a tight pattern: right after speaking or writing ("speaks Russian and
  French", "written in German"), "in German." closing a phrase, or compared with the
  language the sentence speaks of ("their language differs from Russian.").
- Dotted abbreviations count in all-capital lines ("U.S. DOLLAR"); underscores are spaces.
  "US" opening a line that goes on in small letters is the country, capitals after it or not
  (a wire's slug: "US STOCKS SNAPSHOT-Nasdaq falls").
- Ambiguous adjectives and short names name no country by themselves: "Congolese" and
  "Congo" count for a Congo only when the story names that Congo otherwise; plain "Korean"
  is not a form of either Korea. Communities named with "American" ("African American") are
  neither the United States nor a continent's country; nor do two demonyms in a row ("Turkish
  Cypriot", "Mexican American"), nor a demonym after a combining form ("Russo-Japanese").
- Capitals and seats of government ("Moscow", "Kremlin") count only for a country entered
  with include_capital = true; a country's aliases always count.
- People: the full name and the aliases always count; the surname alone (possibly after a
  title: "Mr Putin", "President Putin", whose title becomes part of the form) counts when
  the full name or an alias appears anywhere in the story, or always with surname_alone =
  true; where the surname is also another entry's form (a country's), only after it. So
  does the name's first word (a given name used alone, or the family name of a name written
  family name first: "Tan Kong Yam" ... "Tan"), and in a name of three words or more the
  word before the surname (the first of two family names: "Ricardo Rosselló Nevares" ...
  "Rosselló"), unless a capitalised word joins it to
  another name ("Kim Yo-jong", "Anna Tan"); a title that starts the name ("Pope Francis")
  is no first name. A surname two watched people share goes to the one the story named
  first, when it named the other in a later sentence ("Tony Mendez ... his wife Jonna
  Mendez ... Mendez said"), and to neither when both were named in one sentence. A surname
  that is also an everyday word ("May", "Rice", "Brown") counts alone only after a title
  ("Mrs May"). Once named, a person's surname wins over a country of that name ("Jordan").
  A person and a country of one name ("Chad") go by context.
- Scripts without capital letters have no case to check; names in scripts written without
  spaces (Chinese, Japanese, Korean, Thai) are found inside running text too.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeAlias

from newsdesk import countries as country_data
from newsdesk.config import Watchlist
from newsdesk.types import EntityHit, Match, MatchKind, MatchWhere

# Bump when the rules change, so stored stories are re-tagged by the new matcher.
MATCHER_VERSION = "10"

_SNIPPET_RADIUS = 60

_BLOCKED = (
    "French fries", "French fry", "French toast", "French kiss", "French horn", "French press",
    "French doors", "French windows", "French bread", "French braid", "French dressing",
    "Dutch oven", "Dutch courage", "Dutch uncle", "go Dutch", "Dutch auction", "Irish pub", "Irish bar",
    "Guinea pig", "Guinea pigs", "Guinea fowl", "Turkish delight", "Turkish bath",
    "Swiss cheese", "Swiss army knife", "Swiss roll", "Panama hat", "Panama hats",
    "Brussels sprouts", "Brussels sprout", "Russian roulette", "Russian doll", "Russian dolls",
    "Russian dressing", "Danish pastry", "Mexican wave", "Irish coffee", "Irish stew",
    "Chinese checkers", "Chinese whispers", "Chinese lantern", "Spanish omelette",
    "Scotch egg", "German shepherd", "German measles", "Great Dane", "Indian Ocean",
    "Indian summer", "Native American", "Native Americans", "Latin America", "Latin American",
    "Latin Americans", "South America", "South American", "South Americans", "North America",
    "North American", "North Americans", "Central America", "Central American", "the Americas",
    # "Indian" of the indigenous peoples of the Americas.
    "American Indian", "American Indians", "Indian Country", "Indian reservation", "Indian tribe",
    "Indian Affairs",
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
    # Communities named by a continent or a people and "American": neither the United States
    # nor a country of that continent ("Native American" above).
    "African American", "African Americans", "African-American", "African-Americans",
    "Asian American", "Asian Americans", "Asian-American", "Asian-Americans",
    "Arab American", "Arab Americans", "Arab-American", "Arab-Americans",
)
_US_STATE_CUES = re.compile(
    r"\b(Atlanta|Savannah|Augusta|Macon|Athens, Ga|Ga\.|Peach State|governors?|Gov\.|Senate|"
    r"senators?|county|County|counties|Republicans?|Democrats?|Democratic|Bulldogs|Falcons|Braves|state of Georgia|"
    r"(?:Northern|Middle|Southern) District|District Court|"
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
# Only right after a verb of speaking or writing ("speaks Russian", "writes in German", "speaks
# Russian and French") is a demonym a language: "spoke to Italian officials" and "met Italian
# President X" are the country.
_LANGUAGE_VERB_BEFORE = re.compile(
    r"\b(?:speak|speaks|spoke|spoken|speaking|fluent in|learn|learns|learned|learning|taught in|"
    r"write|writes|wrote|written|writing|written in|translated into|translated from|subtitled in|"
    r"dubbed into|words in)\s+"
    r"(?:(?-i:[A-Z][a-z]+)(?:,|\s+and|\s+or)\s+)*$",
    re.IGNORECASE,
)
_IN_BEFORE = re.compile(r"\b(?:in|into)\s+$", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\b(?:from|than|to)\s+$", re.IGNORECASE)
_LANGUAGE_WORDS = re.compile(r"\b(?:language|languages|tongue|dialect|dialects|alphabet|script)\b", re.IGNORECASE)
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
# The head nouns of names of things: a country or a person followed by one of these, in a run
# of capitalised words, is part of the thing's name ("Turkish Airlines", "Agence
# France-Presse", "the Jordan Times", "the Nobel Prize", "Trump Tower", "John Radcliffe
# Hospital"), not a mention of the country or the person.
_HEADS = frozenset(
    (
        "Airlines Airline Airways Air Lines Railways Rail Motors Steel Oil Petroleum Telecom "
        "Energy Gazette Times Herald Post Press Presse Tribune Journal Daily Today Express "
        "Broadcasting Television News Club FC Open Prix Award Awards Prize Prizes Medal Trophy "
        "Cup Idol League Association Federation Union Society Foundation Institute University "
        "College School Academy Museum Library Festival Games Championship Championships Stadium "
        "Arena Park Airport Street Avenue Road Boulevard Square Bridge Tower Towers Building "
        "Center Centre Hall Hospital Hotel Memorial Lecture Fellowship Scholarship Holdings Group "
        "Inc Ltd Corp Corporation Company Co Construction Organization Organisation Enterprises "
        "Industries Bank Curve Doctrine Theorem Principle Index Scale Effect Paradox Syndrome Disease "
        "Church Conference Cross Crescent Community Limited LLC PLC GmbH Movement Party Parties City Report "
        "Mail Observer Reporter Chronicle Courier Monitor Mirror Inquirer Bulletin Telegraph Guardian Independent Sun "
        "Sea Ocean Gulf Bay Strait Straits Bight"
    )
    .lower()
    .split()
)
# ... unless the run also names a state's own institution ("US Air Force", "Chinese Foreign
# Ministry", "Bank of Japan"): a state institution is a mention of its state.
_STATE_NOUNS = frozenset(
    (
        "Government Ministry Minister Embassy Consulate Army Navy Force Forces Guard Police "
        "Parliament Senate Congress Court Constitution President Prime Chancellor Council "
        "Department State Central Reserve Treasury Cabinet Assembly Defence Defense Military "
        "Marines Coast Customs Border Federal Foreign Interior Security Intelligence Space Agency "
        "Electoral"
    )
    .lower()
    .split()
)
# Names of things that begin with their head: "Air India", "Radio Free Asia", and the brand
# whose companies are named after the countries they fly or sell in ("Virgin America",
# "Virgin Australia").
_HEADS_BEFORE = frozenset({"Air", "Radio", "Club", "Virgin"})
# Heads of organisations' names: in a headline in title case, where only the next word is
# read, these end the name one or two words further on too ("American Cancer Society",
# "American Civil Liberties Union"); other heads there ("Report", "Index", "Bank") are as often
# a headline's next word ("US Jobs Report Beats...", "US Dollar Index Rises").
_ORG_HEADS = frozenset("society association foundation institute federation union academy".split())
# A head before "of" names a thing too ("the Times of India", "the University of the
# Philippines", "the National Museum of Ireland"); not a bank ("the Bank of Japan" is the
# country's central bank: a state institution) nor a union or federation ("the Union of
# Myanmar", "the Federation of Malaysia" are names of the states themselves).
_HEADS_OF = _HEADS - {"bank", "union", "federation"}
_HEAD_OF = re.compile(r"(?<![\w'’])([A-Z][\w'’]*) of (?:the )?$")
# A ship's prefix before a name makes it the ship ("MV Alan Kurdi", "HMS Ireland").
_SHIP_PREFIXES = tuple(f"{p} " for p in "MV MS M/V SS HMS USS RV HMAS HMCS HMNZS INS RFA FV MT".split())
# A form of address or a rank right before a country's name makes a name of someone, real or
# fictional ("Captain America", "Mr Jordan"): titles stand before people, never before a
# country. Office titles ("President", "Leader", "General") are left out: in a headline in
# title case they end a phrase as often ("Hamas Leader Egypt Talks").
_ADDRESS = "Captain Capt Mister Mr Mrs Ms Dr Sir Colonel Col Sergeant Sgt Lieutenant Lt".split()
_ADDRESS_SUFFIXES = tuple(f"{word}{dot} " for word in _ADDRESS for dot in ("", "."))
_ADDRESS_BEFORE = re.compile(rf"(?<!\w)(?:{'|'.join(_ADDRESS)})\.? $")
# Words that join one name's parts: a state noun after them is still the name's
# ("the Bangladeshi Road Transport and Bridges Minister").
_RUN_JOIN = re.compile(r" (?:and|of|for|&) (?:the )?(?=[A-Z])")
# A capitalised direction word before a country's name makes a region named after it ("Inner
# Mongolia", "North India", "Western Australia", "New Ireland"): a place, not the country, as
# the labelling rules have it. Lower case ("northern Syria") is the country's own north. Places
# elsewhere named after a country without one ("British Columbia", "Port of Spain") come
# from ISO 3166-2 (countries.places_named_after_countries).
_OTHER_PLACE = frozenset(
    "Northern Southern Eastern Western Inner Outer Upper Lower North South East West Central New".split()
)
# Waters named after a country ("the Gulf of Oman", "the Gulf of Guinea", "the Sea of Japan"),
# as "the Irish Sea" is by a head after it: a sea, not the country.
_WATER_OF = re.compile(r"\b(?:Gulf|Sea|Bay|Straits?|Bight)\s+of\s+(?:the\s+)?$")
_RUN_WORD = re.compile(r"(?: |-)([A-Z][\w'’.&]*)")
_MAX_RUN = 4
# Given names that are also everyday words: alone, they count only as everyday-word surnames do.
_WORD_GIVEN = frozenset(
    "will mark bill grace faith joy hope sky summer dawn pat sue rob art guy jack frank ray hunter earl max "
    "iris ivy lily rose robin don gene chase van de la le al el bin ben".split()
)


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
    declared: str | None = None
    """The form as written, folded, when it starts with a small letter ("mainland China",
    "al-Quaety"): then it counts written so, as well as capitalised."""


@dataclass(frozen=True, slots=True)
class _Roles:
    """What a set of forms (one matched string's) can mean, worked out once per string."""

    blocked: bool
    named: frozenset[int]
    """The one person it names by full name or alias (empty when none, or several)."""
    evidence: frozenset[int]
    """The one entity it names by a form nobody else shares (empty otherwise)."""
    surnamed: tuple[int, ...]
    """People it may name by one word of their name (surname, or first word)."""
    known: frozenset[int]
    """People whose surname it is."""
    person_name: bool
    """It is some person's full name or alias."""
    direct: frozenset[int]
    """Entities it names by itself: a name, demonym, capital, or a surname that counts alone."""
    all_names: bool
    """No demonym among the forms."""
    surnames: frozenset[int]
    givens: frozenset[int]
    alone: frozenset[int]
    """People whose surname counts alone (surname_alone = true)."""


@dataclass(frozen=True, slots=True)
class _Raw:
    where: MatchWhere
    start: int
    end: int
    forms: tuple[_Form, ...]
    roles: _Roles


class Matcher:
    """A watchlist compiled once, then applied to any number of stories."""

    def __init__(self, watchlist: Watchlist) -> None:
        self._entities: list[_Entity] = []
        self._forms: dict[str, tuple[_Form, ...]] = {}
        # Unwatched countries are compiled too (they tell "Georgia" the state from the
        # country); with nothing watched, no story can match: nothing is compiled (the
        # pattern of every country's forms takes tens of milliseconds).
        self._watching = watchlist.all_countries or bool(watchlist.countries or watchlist.people)
        self._unspaced: re.Pattern[str] | None = None
        self._roles_cache: dict[int, tuple[tuple[_Form, ...], _Roles]] = {}
        self._given_patterns: dict[int, re.Pattern[str]] = {}
        """Compiled on first use: few people are named in any one story."""
        self._demonyms: set[str] = set()
        """Every country's demonyms, folded and lower-cased: two in a row name a community."""
        self._given_forms: dict[str, tuple[_Form, ...]] = {}
        """First words of people's names, matched in a second pass (see `find`)."""
        if not self._watching:
            return
        self._add_countries(watchlist)
        self._add_people(watchlist)
        for phrase in _BLOCKED:
            for form in _number_forms(phrase):
                self._add(form, -1, "blocked")
        for place in country_data.places_named_after_countries():
            self._add(place, -1, "blocked")
        # Matched against lower-cased folded text: much faster than re.IGNORECASE.
        self._regex = re.compile(r"(?<!\w)(?:" + _trie_pattern(self._forms) + r")(?!\w)")
        unspaced = [form for form in self._forms if _unspaced(form)]
        self._unspaced = re.compile(_trie_pattern(unspaced)) if unspaced else None
        self._given_of: dict[int, list[str]] = {}
        for form, owners in self._given_forms.items():
            for owner in owners:
                self._given_of.setdefault(owner.entity, []).append(form)
        self._given_word = {e: tuple(sorted(w)) for e in self._given_of if len(w := self._given_words(e)) <= 2}
        """A person's first word and the word before the surname, when they are one or two
        (the usual case: then each is found with str.find)."""
        self._given_small = {f.entity for forms in self._given_forms.values() for f in forms if f.declared is not None}
        """People whose first word is written with a small letter ("al-", "de"): it counts so."""
        self._ge = next((i for i, e in enumerate(self._entities) if e.code == "GE"), None)

    # ------------------------------------------------------------- building

    def _add(self, text: str, entity: int, role: str, forms: dict[str, tuple[_Form, ...]] | None = None) -> None:
        text = _fold(text.strip().translate(_APOSTROPHES))
        if not text:
            return
        letters = [c for c in text if c.isalpha()]
        exact = len(letters) >= 2 and all(c.isupper() for c in letters)
        table = self._forms if forms is None else forms
        key = text.lower()
        declared = text if text[0].islower() else None
        table[key] = (*table.get(key, ()), _Form(entity, role, exact, declared))

    def _add_each(
        self, names: Iterable[str], spellings: Callable[[str], Iterable[str]], entity: int, role: str,
        forms: dict[str, tuple[_Form, ...]] | None = None,
    ) -> None:
        """Every spelling (`spellings`: a name's possessives, a demonym's forms) of every name."""
        for name in names:
            for form in spellings(name):
                self._add(form, entity, role, forms)

    def _add_countries(self, watchlist: Watchlist) -> None:
        entries = {c.code: c for c in watchlist.countries}
        for country in country_data.all_countries():
            entry = entries.get(country.code)
            # "*" is every country: Antarctica, a continent with an ISO code, only when named.
            watched = (watchlist.all_countries and country.code not in country_data.NOT_COUNTRIES) or entry is not None
            index = len(self._entities)
            self._entities.append(_Entity(country.name, "country", country.code, watched))
            self._add_each(country.names, _possessives, index, "name")
            self._add_each(country.demonyms, _demonym_forms, index, "demonym")
            self._demonyms.update(_fold_lower(form) for d in country.demonyms for form in _demonym_forms(d))
            if entry is not None:
                if entry.include_capital:
                    self._add_each(country.capitals, _possessives, index, "capital")
                self._add_each(entry.aliases, _possessives, index, "name")

    def _add_people(self, watchlist: Watchlist) -> None:
        for person in watchlist.people:
            index = len(self._entities)
            parts = person.name.split()
            first = _fold_lower(parts[0]) if len(parts) >= 2 else None
            self._entities.append(_Entity(person.name, "person", None, True, first))
            self._add_each((person.name, *person.aliases), _possessives, index, "name")
            surname = surname_of(person.name)
            if surname is not None:
                self._add_each((surname,), _possessives, index, "surname_alone" if person.surname_alone else "surname")
                # The first word alone, once the full name was given: the family name of a name
                # written family name first ("Tan Kong Yam" ... "Tan said"), or a given name
                # used alone for the person.
                given = parts[0]
                # A title the name starts with ("Pope Francis", "Queen Elizabeth II") is no given
                # name: "the Pope" alone is anyone who holds the office.
                if given != surname and len(given.rstrip(".")) > 1 and not given.endswith(".") and not _TITLES.fullmatch(f"{given} "):
                    self._add_each((given,), _possessives, index, "given", self._given_forms)
                # The word before the surname, alone, in a name of three words or more: the
                # first family name of a name with two ("Ricardo Rosselló Nevares" ...
                # "Rosselló said"), as Spanish and Portuguese names are written. Not an
                # initial ("George W. Bush") nor a particle ("bin", "da"): those have no
                # capital or end in a dot.
                middle = _middle_family_name(person.name)
                if middle is not None and middle not in (given, surname):
                    self._add_each((middle,), _possessives, index, "given", self._given_forms)

    # ------------------------------------------------------------- matching

    def find(self, title: str, text: str, summary: str = "") -> list[Match]:
        """Every occurrence of every watched entry, in reading order: title, summary, text."""
        if not self._watching:
            return []
        fields: dict[MatchWhere, str] = {"title": title or "", "summary": summary or "", "text": text or ""}
        folded = {where: _folded(value) for where, value in fields.items() if value}
        raws = [raw for where, f in folded.items() for raw in self._scan(where, fields[where], f, self._regex, self._forms)]
        evidence = self._evidence(raws, fields)
        # A person's surname and first word count anywhere in a story that names them in full
        # (`first_named`); a surname that is also a country's name, in the text only after the
        # full name (`named`, filled in reading order below).
        naming = [self._named_in(raw) for raw in raws]
        first_named = {e: n for n, people in reversed(list(enumerate(naming))) for e in people}
        """Person -> the occurrence (index into raws) where the story first names them in full."""
        anywhere = set(first_named)
        wanted = [e for e in anywhere if e in self._given_of]
        if wanted:
            # First words alone count only for people the story names in full: looked for
            # only in stories that name one of them, and only theirs.
            given: list[_Raw] = []
            for where, f in folded.items():
                given += self._given_in(where, fields[where], f, dict.fromkeys(wanted, 0), raws)
            raws = _merged(raws, given, self._roles)
        named: set[int] = set()
        matches: list[Match] = []
        for raw in raws:
            value = fields[raw.where]
            chosen = self._choose(raw, value, evidence, anywhere if raw.where != "text" else named, first_named, raws, fields)
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
                    where=raw.where, start=start, end=raw.end, snippet=snippet(value, start, raw.end),
                )
            )
        return matches

    def _scan(
        self, where: MatchWhere, value: str, folded: str, regex: re.Pattern[str], forms_of: dict[str, tuple[_Form, ...]]
    ) -> Iterable[_Raw]:
        found_all: Iterable[re.Match[str]] = regex.finditer(folded)
        if self._unspaced is not None and regex is self._regex and not value.isascii():
            # Names in scripts written without spaces stand inside running text ("習近平主席").
            spaced = list(found_all)
            taken = [(m.start(), m.end()) for m in spaced]
            more = [m for m in self._unspaced.finditer(folded) if not any(a < m.end() and m.start() < b for a, b in taken)]
            found_all = sorted(spaced + more, key=lambda m: m.start())
        for found in found_all:
            forms = forms_of.get(found.group())
            if forms and _case_ok(forms, value, found.start(), found.end()):
                yield _Raw(where, found.start(), found.end(), forms, self._roles(forms))

    def _given_in(self, where: MatchWhere, value: str, folded: str, people: dict[int, int], raws: list[_Raw]) -> Iterable[_Raw]:
        """Occurrences of these people's first words in this field from an offset (`people`:
        entity -> offset), outside every occurrence already found.

        One pattern per word that starts with the word itself, so the regex engine can skip
        ahead to it; the look-behind the main pattern uses would make it try every position.
        """
        taken = sorted((r.start, r.end) for r in raws if r.where == where)
        for entity, since in people.items():
            cased = entity not in self._given_small
            for at, end in self._given_spans(entity, folded, since):
                if cased and value[at].islower():  # "star", "magic": an everyday word, not the name
                    continue
                if at and _is_word_char(folded[at - 1]):
                    continue
                n = bisect.bisect_left(taken, (end, end))
                if n and taken[n - 1][1] > at:
                    continue
                forms = self._given_forms[folded[at:end]]
                if _case_ok(forms, value, at, end):
                    yield _Raw(where, at, end, forms, self._roles(forms))

    def _given_spans(self, entity: int, folded: str, since: int) -> Iterable[tuple[int, int]]:
        """Where a person's first word stands in `folded` from `since` (with "'s" or "'" after
        it), as whole words on the right; the caller checks the left.

        One or two words (the usual case) are looked for with str.find, several C times
        faster than a regex over the same text; more words go through one pattern.
        """
        words = self._given_word.get(entity)
        if words is None:
            for found in self._given_pattern(entity).finditer(folded, since):
                yield found.span()
            return
        for word in words:
            yield from _word_spans(word, folded, since)

    def _given_pattern(self, entity: int) -> re.Pattern[str]:
        pattern = self._given_patterns.get(entity)
        if pattern is None:
            words = sorted(self._given_words(entity), key=len, reverse=True)
            pattern = re.compile("(?:" + "|".join(map(re.escape, words)) + r")(?:'s|')?(?!\w)")
            self._given_patterns[entity] = pattern
        return pattern

    def _given_words(self, entity: int) -> set[str]:
        return {w for w in self._given_of[entity] if not w.endswith(("'s", "'"))}

    def _roles(self, forms: tuple[_Form, ...]) -> _Roles:
        """The meanings of one matched string, cached by its forms (a tuple per string)."""
        found = self._roles_cache.get(id(forms))
        if found is not None and found[0] is forms:
            return found[1]
        person = self._is_person
        named = {f.entity for f in forms if f.role in ("name", "surname_alone") and person(f.entity)}
        entities = {f.entity for f in forms if f.role != "blocked"}
        roles = _Roles(
            blocked=any(f.role == "blocked" for f in forms),
            named=frozenset(named if len(named) == 1 else ()),
            evidence=frozenset(
                entities if len(entities) == 1 and all(f.role in ("name", "demonym", "capital") for f in forms) else ()
            ),
            surnamed=tuple(f.entity for f in forms if f.role in ("surname", "surname_alone", "given")),
            known=frozenset(f.entity for f in forms if f.role in ("surname", "surname_alone")),
            person_name=any(f.role == "name" and person(f.entity) for f in forms),
            direct=frozenset(f.entity for f in forms if f.role in ("name", "demonym", "capital", "surname_alone")),
            all_names=all(f.role != "demonym" for f in forms),
            surnames=frozenset(f.entity for f in forms if f.role == "surname"),
            givens=frozenset(f.entity for f in forms if f.role == "given"),
            alone=frozenset(f.entity for f in forms if f.role == "surname_alone"),
        )
        self._roles_cache[id(forms)] = (forms, roles)
        return roles

    def _named_in(self, raw: _Raw) -> frozenset[int]:
        """People this occurrence names by full name or alias (a surname does not count)."""
        return frozenset() if raw.roles.blocked else raw.roles.named

    def _evidence(self, raws: list[_Raw], fields: dict[MatchWhere, str]) -> set[int]:
        """Entities the story names unambiguously, by a form no other entity shares."""
        found: set[int] = set()
        for raw in raws:
            found.update(raw.roles.evidence)
        return found

    def _choose(
        self,
        raw: _Raw,
        value: str,
        evidence: set[int],
        named: set[int],
        anywhere: dict[int, int] | None = None,
        raws: list[_Raw] | None = None,
        fields: dict[MatchWhere, str] | None = None,
    ) -> tuple[int, int] | None:
        roles = raw.roles
        if roles.blocked:
            return None
        if roles.surnamed and _capitalised_before(value, raw.start):
            before = value[max(0, raw.start - 60) : raw.start]
            if _PLACE_BEFORE.search(before):
                return None
            middle = _MIDDLE_INITIALS.search(before)
            if middle:
                first = _fold_lower(middle.group(1))
                for entity in roles.surnamed:
                    if self._entities[entity].first == first:  # "John M. Ford" is John Ford in full
                        return entity, raw.start - (len(before) - middle.start(1))
        # Once the story has named a watched person, their surname is the person, even where it
        # is also a country's name ("Bill Jordan ... Jordan said").
        known = roles.known & named
        if len(known) == 1 and not roles.person_name:
            return self._surname(next(iter(known)), raw, value)
        direct: frozenset[int] | set[int] = roles.direct
        if len(direct) > 1:
            countries = {e for e in direct if not self._is_person(e)}
            if len(countries) == 1 and roles.all_names:
                # A person and a country of one name ("Chad"): the country, unless the words
                # around it make it a person's name ("Chad Smith", "said Chad").
                (country,) = countries
                direct = {country} if self._context_ok(country, raw, value, evidence) else direct - countries
            else:  # an adjective shared by two countries ("Congolese")
                direct = direct & evidence
        if len(direct) == 1:
            (entity,) = direct
            if not self._is_person(entity):
                return (entity, raw.start) if self._context_ok(entity, raw, value, evidence) else None
            if _in_longer_name(value, raw.start, raw.end, country=False):
                return None
            if entity in roles.alone:
                return self._surname(entity, raw, value)
            return entity, raw.start
        if direct:
            return None
        # A plain surname no other entry claims counts when the story names the person in full
        # anywhere ("Bridenstine said" a paragraph before "Jim Bridenstine"); a first word, or
        # a surname that is also a country's name, only after the full name.
        if not (roles.surnames or roles.givens):
            return None
        pool = anywhere.keys() if anywhere else named
        surnames = roles.surnames & pool
        givens = roles.givens & pool
        if len(surnames) > 1 and not givens and anywhere and raws and fields:
            surnames = _first_introduced(surnames, anywhere, raws, fields)
        if len(surnames) == 1 and not givens:
            return self._surname(next(iter(surnames)), raw, value)
        if len(givens) == 1 and not surnames and self._given_ok(value, raw):
            return self._surname(next(iter(givens)), raw, value)
        return None

    def _is_person(self, entity: int) -> bool:
        return self._entities[entity].kind == "person"

    def _surname(self, entity: int, raw: _Raw, value: str) -> tuple[int, int] | None:
        """A person named by one word of their name: with its title, unless it is no mention."""
        if _in_longer_name(value, raw.start, raw.end, country=False):  # "the Nobel Prize", "Trump Tower"
            return None
        if value.startswith(",", raw.end) and _us_state_after(value, raw.end):  # "Washington, D.C."
            return None
        start = _title_start(value, raw.start)
        if start == raw.start and not self._word_surname_ok(value, raw):
            return None
        return entity, start

    @staticmethod
    def _given_ok(value: str, raw: _Raw) -> bool:
        """A name's first word alone is the person unless it starts another person's name.

        "Kim Yo-jong" after "Kim Jong-un", "Anna Tan" after "Tan Kong Yam": a capitalised word
        right after it, or one right before it mid-sentence, makes it part of another name.
        An everyday word that is also a given name ("Will", "Mark") never counts alone at the
        start of a sentence.
        """
        if _WORD_AFTER.match(value, raw.end) and not value[raw.end :].startswith(("'", "’")):
            return False
        before_text = value[max(0, raw.start - 40) : raw.start]
        before = _WORD_BEFORE.search(before_text)
        if before and not _SENTENCE_BEFORE.search(before_text[: before.start()]) and not _TITLES.search(before_text):
            return False
        word = value[raw.start : raw.end].lower().removesuffix("'s").removesuffix("’s").rstrip("'’")
        return word not in _WORD_GIVEN or not _sentence_start(value, raw.start)

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
        if info.kind == "country" and _in_longer_name(value, raw.start, raw.end, country=True):
            return False
        if info.kind == "country" and raw.where == "title" and _site_name_at(value, raw.start):
            return False
        if info.kind == "country" and all(f.role == "demonym" for f in raw.forms if f.entity == entity):
            return not self._compound_demonym(value, raw.start, raw.end) and not _language_use(value, raw.start, raw.end)
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


    def _compound_demonym(self, value: str, start: int, end: int) -> bool:
        """Whether a demonym is part of a compound that names no country: two demonyms in a
        row name a community ("Turkish Cypriot", "Mexican American", "Swiss German" the
        dialect), and a combining form before a hyphen a relation ("Russo-Japanese")."""
        # Cheap looks at the characters around it first: most demonyms stand alone.
        if value[end : end + 1] == " " and value[end + 1 : end + 2].isupper():
            after = _WORD_AFTER.match(value, end)
            if after and _fold_lower(after.group(1)).rstrip("'’") in self._demonyms:
                return True
        if start < 2:
            return False
        if value[start - 1] == "-":
            combining = _COMBINING_BEFORE.search(value, max(0, start - 20), start)
            return combining is not None and _fold_lower(combining.group(1)) not in self._forms
        if value[start - 1] != " ":
            return False
        word = value[value.rfind(" ", max(0, start - 30), start - 1) + 1 : start - 1]
        return word[:1].isupper() and _fold_lower(word).rstrip("'’") in self._demonyms


def _word_spans(word: str, folded: str, since: int) -> Iterable[tuple[int, int]]:
    """Where `word` stands in `folded` from `since`, with "'s" or "'" after it, whole on the
    right (the caller checks the left)."""
    size = len(word)
    at = folded.find(word, since)
    while at != -1:
        end = at + size
        for stop in (end + 2, end + 1, end):  # as the pattern's (?:'s|')?(?!\w) would try them
            if stop == end or folded.startswith("'s" if stop == end + 2 else "'", end):
                if stop >= len(folded) or not _is_word_char(folded[stop]):
                    yield at, stop
                    at = folded.find(word, stop)
                    break
        else:
            at = folded.find(word, at + 1)


def surname_of(name: str) -> str | None:
    """The surname a story uses alone ("Kennedy" for "James Kennedy Jr."); None for one-word names."""
    parts = _name_words(name)
    return parts[-1] if len(parts) >= 2 else None


def _name_words(name: str) -> list[str]:
    """A name's words without a suffix ("Jr.", "III") or the comma before one."""
    parts = name.split()
    while len(parts) > 2 and parts[-1].rstrip(".,").lower() in _SUFFIXES:
        parts.pop()
    if parts and parts[-1].endswith(","):
        parts[-1] = parts[-1].rstrip(",")
    return parts


def _middle_family_name(name: str) -> str | None:
    """The word before the surname of a name of three words or more, when it can be a family
    name ("Rosselló" of "Ricardo Rosselló Nevares"); None otherwise."""
    parts = _name_words(name)
    if len(parts) < 3:
        return None
    word = parts[-2]
    if len(word) < 3 or not word[0].isupper() or word.endswith(".") or _TITLES.fullmatch(f"{word} "):
        return None
    return word


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


def _first_introduced(
    people: frozenset[int] | set[int], first_named: dict[int, int], raws: list[_Raw], fields: dict[MatchWhere, str]
) -> frozenset[int]:
    """Of people who share a surname, the one the story names first, when it named the others
    only in a later sentence: news names its subject first and the subject's relatives and
    namesakes later, by first name or in full ("Tony Mendez ... his wife Jonna Mendez ...
    Mendez said"). Introduced in one sentence ("Mike Johnson met Boris Johnson"): neither."""
    order = sorted(people, key=lambda e: first_named.get(e, len(raws)))
    first, second = (raws[first_named[e]] if e in first_named else None for e in order[:2])
    if first is None:
        return frozenset()
    if second is not None and second.where == first.where and not _SENTENCE_END.search(fields[first.where], first.end, second.start):
        return frozenset()
    return frozenset(order[:1])


_SENTENCE_END = re.compile(r"[.!?][\"”’')]?\s|\n")


def _possessives(name: str) -> list[str]:
    return [name, f"{name}'s", f"{name}'"] if name.endswith("s") else [name, f"{name}'s"]


def _demonym_forms(demonym: str) -> list[str]:
    forms = _possessives(demonym)
    if not demonym.endswith(_NO_PLURAL) and not demonym.endswith("s"):
        plural = demonym[:-3] + "men" if demonym.endswith("man") else demonym + "s"
        forms += [plural, f"{plural}'"]
    return forms


_ORDER = {"title": 0, "summary": 1, "text": 2}


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"



def _merged(raws: list[_Raw], more: list[_Raw], roles: Callable[[tuple[_Form, ...]], _Roles]) -> list[_Raw]:
    """`raws` with `more` added in reading order: a span found by both gets both's forms; one
    overlapping a longer occurrence is part of it and is dropped."""
    at = {(r.where, r.start, r.end): n for n, r in enumerate(raws)}
    spans = {where: sorted((r.start, r.end) for r in raws if r.where == where) for where in _ORDER}
    out = list(raws)
    for raw in more:
        same = at.get((raw.where, raw.start, raw.end))
        if same is not None:
            forms = out[same].forms + raw.forms
            out[same] = _Raw(raw.where, raw.start, raw.end, forms, roles(forms))
            continue
        taken = spans[raw.where]
        n = bisect.bisect_left(taken, (raw.end, raw.end))  # spans starting before raw's end
        if n == 0 or taken[n - 1][1] <= raw.start:  # the last of them ends before raw starts
            out.append(raw)
    out.sort(key=lambda r: (_ORDER[r.where], r.start))
    return out


def _folded(value: str) -> str:
    """The text the patterns run on: folded, lower-cased, underscores made spaces ("Director_Jane
    Doe" is page furniture glued to a name); as long as `value`, so offsets are the same."""
    folded = _fold_lower(value)
    return folded.replace("_", " ") if "_" in folded else folded


def _number_forms(phrase: str) -> list[str]:
    """A set phrase in the singular and the plural ("German shepherd", "German shepherds")."""
    words = phrase.split()
    last = words[-1]
    if len(words) < 2 or not last.islower() or not last.isalpha():
        return [phrase]
    if last.endswith("ies"):
        other = last[:-3] + "y"
    elif last.endswith(("ches", "shes", "sses", "xes")):
        other = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        other = last[:-1]
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        other = last[:-1] + "ies"
    elif last.endswith(("ch", "sh", "ss", "x")):
        other = last + "es"
    else:
        other = last + "s"
    return [phrase, " ".join([*words[:-1], other])]


def _in_longer_name(value: str, start: int, end: int, *, country: bool) -> bool:
    """Whether a mention is a word inside the name of something else.

    The run of capitalised words right after it (up to three, joined by spaces or hyphens)
    ends in, or starts with, a head noun of a thing's name ("Turkish Airlines", "Agence
    France-Presse", "the Nobel Prize", "Trump Tower"). For a country the run may instead
    name one of its state's institutions ("US Air Force", "Chinese Foreign Ministry"), and
    then it counts; and a head or a capitalised direction word right before it ("Air
    India", "Inner Mongolia", "Northern Ireland") makes the name something else. After a possessive
    ("India's Tata Steel") what follows is another thing, and the mention counts. In a
    headline written in title case every word is capitalised: only the very next word is
    read there.
    """
    if country and value.endswith(_BEFORE_SUFFIXES, 0, start):
        before = _GLUED_BEFORE.search(value, max(0, start - 30), start)
        if before and (before.group(1) in _HEADS_BEFORE or before.group(1) in _OTHER_PLACE):
            return True
    if start > 2 and value[start - 2].isupper() and value.endswith(_SHIP_PREFIXES, 0, start):
        return True
    if country and value.endswith(_ADDRESS_SUFFIXES, 0, start) and _ADDRESS_BEFORE.search(value, max(0, start - 12), start):
        return True  # "Captain America"
    if country and value.endswith((" of ", " of the "), 0, start):
        if _WATER_OF.search(value, max(0, start - 20), start):
            return True
        head = _HEAD_OF.search(value, max(0, start - 40), start)
        if head and head.group(1).lower() in _HEADS_OF:
            return True
    if not (value[end : end + 1] in (" ", "-") and value[end + 1 : end + 2].isupper()):
        return False  # nothing capitalised follows: the common case, decided cheaply
    if value.endswith(("'s", "’s", "'", "’"), start, end):
        return False
    run: list[str] = []
    pos = end
    while len(run) < _MAX_RUN:
        found = _RUN_WORD.match(value, pos)
        if not found:
            break
        run.append(found.group(1).rstrip(".'’").lower())  # "AIRLINES" in a headline in capitals
        pos = found.end()
    if not run or (country and any(word in _STATE_NOUNS for word in run)):
        return False
    if country and run[0] == "inc" and not _capitalised_before(value, start):
        return False  # "France Inc.", "Japan Inc.": the country's business world, not a company
    if _title_case(value, start):
        return (run[0] in _HEADS and (run[0] != "air" or len(run) == 1)) or any(w in _ORG_HEADS for w in run[1:3])
    if not (run[-1] in _HEADS or (run[0] in _HEADS and run[0] != "air")):
        return False
    return not (country and _state_noun_further(value, pos))


def _site_name_at(title: str, start: int) -> bool:
    """Whether a title's word stands in the site's name a feed puts after its last " | "
    ("... MTV Movie Awards | Malaysia Sun", "Your guide to Coachella | USA NOW"): a name of at
    most three words, each capitalised (or cut off: "| Malaysia  ..."), is the publisher, not
    what the story is about. A byline there ("| Don Brunell") is still its writer."""
    bar = title.rfind(" | ", 0, start)
    if bar == -1 or "|" in title[start:]:
        return False
    words = [w for w in title[bar + 3 :].split() if any(c.isalpha() for c in w)]
    return len(words) <= 3 and all(w[0].isupper() for w in words)


def _state_noun_further(value: str, pos: int) -> bool:
    """Whether the name goes on past "and", "of" or "for" to a state noun: "the Bangladeshi
    Road Transport and Bridges Minister" is a minister of the state, though "Road" is a
    thing's head."""
    seen = 0
    while seen < _MAX_RUN:
        joined = _RUN_JOIN.match(value, pos)
        if joined:
            pos = joined.end() - 1
        found = _RUN_WORD.match(value, pos)
        if not found:
            return False
        if found.group(1).rstrip(".'’").lower() in _STATE_NOUNS:
            return True
        pos = found.end()
        seen += 1
    return False


# Abbreviations that are also English words ("US" is "us"): in an all-capitals line they count
# only beside a word that is not in capitals.
_WORD_ABBREVIATIONS = frozenset({"us"})
# A combining form before a hyphen ("Russo-Japanese", "Sino-Indian", "Franco-German"): the
# compound names a relation, not the country (as the labelling rules have it).
_COMBINING_BEFORE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+o)-$")
_GLUED_BEFORE = re.compile(r"(?<![\w'’])([A-Z][\w'’]*)[ -]$")
_BEFORE_SUFFIXES = tuple(f"{word}{sep}" for word in sorted(_HEADS_BEFORE | _OTHER_PLACE) for sep in " -")
_TITLE_WINDOW = 200


def _us_state_after(value: str, at: int) -> bool:
    """Whether a US state (or D.C.) follows a comma at `at`: the word before is a city named
    after a person ("Washington, D.C.", "Lincoln, Nebraska", "Houston, TX"), not the person."""
    return _us_state_pattern().match(value, at) is not None


@functools.cache
def _us_state_pattern() -> re.Pattern[str]:
    states = country_data.us_states()
    names = sorted({name for name, _ in states}, key=len, reverse=True)
    codes = "|".join(sorted(code for _, code in states))
    return re.compile(r",\s*(?:(?:" + "|".join(map(re.escape, names)) + "|" + codes + r")(?![\w.])|D\.\s?C\.)")


def _title_case(value: str, at: int) -> bool:
    """Whether the line around `at` is written in title case (a headline's style).

    The whole line is read, not a few words around `at`: a sentence thick with names ("the
    American Civil Liberties Union of Montana and the Native American Rights Fund") has
    capitals all around its country word, but a running sentence's other words are small.
    """
    left = value.rfind("\n", max(0, at - _TITLE_WINDOW), at) + 1
    right = value.find("\n", at, at + _TITLE_WINDOW)
    if right == -1 and at + _TITLE_WINDOW >= len(value):
        right = len(value)
    if (not left and at > _TITLE_WINDOW) or right == -1:
        return False  # a line this long is running text, not a headline
    words = [w for w in value[left:right].split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].islower() for w in words) <= len(words) // 8


def _case_ok(forms: tuple[_Form, ...], value: str, start: int, end: int) -> bool:
    found = value[start:end]
    if forms[0].exact_case:
        if not found.isupper():
            return False
        if "." in found:  # "U.S." is never a pronoun: it counts in an all-capitals line too
            return True
        if found.lower().removesuffix("'s") not in _WORD_ABBREVIATIONS:  # "USA", "UK" are no words
            return True
        # A wire's slug opening a headline in capitals ("US STOCKS SNAPSHOT-Nasdaq falls",
        # "UPDATE 2-US STOCKS SNAPSHOT-...") is the country when the line goes on in small
        # letters: only a line all in capitals leaves the pronoun possible.
        if _SLUG_START.search(value, max(0, start - 12), start) and _lower_in_line(value, end):
            return True
        # In an all-capitals line "US" may be the pronoun: ask the neighbouring words.
        before = value[max(0, start - 12) : start].split()
        after = value[end : end + 12].split()
        caps = [w for w in (before[-1:] + after[:1]) if any(c.isalpha() for c in w)]
        return not caps or not all(w.isupper() and len(w) > 1 for w in caps)
    first = found[0]
    # Scripts without capital letters (Chinese, Japanese, Arabic, Hebrew...) have no case to ask.
    if not first.isalpha() or first.isupper() or first.lower() == first.upper() or found[:4].lower() == "the ":
        return True
    # A form declared with a small first letter counts as declared: "mainland China", "al-Quaety".
    for form in forms:
        if form.declared is not None:
            written = _fold(found).translate(_APOSTROPHES)
            return any(f.declared == written for f in forms)
    return False


# Where a headline's first word stands: the line's start, or after a wire's "UPDATE 2-".
_SLUG_START = re.compile(r"(?:^|\n)(?:[A-Z]+ \d+-)?$")


def _lower_in_line(value: str, at: int) -> bool:
    """Whether the rest of the line from `at` has a small letter (it is not all capitals)."""
    stop = value.find("\n", at)
    return any(c.islower() for c in value[at : stop if stop != -1 else len(value)])


def _language_use(value: str, start: int, end: int) -> bool:
    """Whether a demonym names a language here ("written in German.", "Russian-language")."""
    if _LANGUAGE_AFTER.match(value, end):
        return True
    before = value[max(0, start - 60) : start]
    words = before.split()
    last = words[-1].lower() if words and before[-1:].isspace() else ""
    if not (last in _LANGUAGE_LAST or last.endswith(",")):  # no verb, list or "in" right before
        return False
    if _LANGUAGE_VERB_BEFORE.search(before):
        return True
    if not _PHRASE_END.match(value, end):
        return False
    if _IN_BEFORE.search(before):
        return True
    # Compared with a language the sentence speaks of: "their language differs from Russian."
    sentence = before[max(before.rfind(". "), before.rfind("\n")) + 1 :]
    return bool(_FROM_BEFORE.search(before) and _LANGUAGE_WORDS.search(sentence))


# The last word before a demonym that names a language: a verb of the pattern above, "in",
# "into", "from", or the "and"/"or" of a list of languages.
_LANGUAGE_LAST = frozenset(
    "speak speaks spoke spoken speaking learn learns learned learning write writes wrote written "
    "writing in into from than to and or".split()
)


def _capitalised_before(value: str, start: int) -> bool:
    """Whether the word right before `start` (after a space) starts with a capital: a title,
    a place word or a middle initial can only be such a word."""
    i = start - 1
    while i >= 0 and value[i].isspace():
        i -= 1
    if i == start - 1 or i < 0:
        return False
    j = i
    while j > 0 and j > i - 40 and not value[j - 1].isspace():
        j -= 1
    return value[j].isupper()


def _sentence_start(value: str, start: int) -> bool:
    """Whether a word opens a sentence: only spaces and opening quotes after . ! ? : or a new line."""
    i = start - 1
    while i >= 0 and value[i] in " \t\"“‘'(":
        i -= 1
    return i < 0 or value[i] in ".!?:\n"


def _title_start(value: str, start: int) -> int:
    """Where a surname's title begins ("President Putin"), so the title is part of the form."""
    if not _capitalised_before(value, start):
        return start
    found = _TITLES.search(value[max(0, start - 40) : start])
    if not found:
        return start
    return start - (len(value[max(0, start - 40) : start]) - found.start())


def snippet(value: str, start: int, end: int) -> str:
    """The words around value[start:end], cut at spaces, on one line, … where cut: the
    evidence a match shows (and an export's row of any occurrence)."""
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
    """Folded and lower-cased, one character for one.

    Text mostly in ASCII (English with curly quotes and a few accents) sends only its other
    characters through the folding table, whose per-character lookups would cost as much as
    the matching over a whole article; they are found with the ASCII encoder (one "?" for
    each), which is much faster than a regex testing every character.
    """
    if text.isascii():
        return text.lower()
    lower = text.lower()
    if len(lower) == len(text):
        data = lower.encode("ascii", "replace")
        if data.count(b"?") < len(text) // 16:
            return _fold_sparse(lower, data)
    return text.translate(_LOWER)


def _fold_sparse(lower: str, data: bytes) -> str:
    """`lower` folded, where `data` is `lower` encoded to ASCII with "?" for other characters."""
    pieces: list[str] = []
    last = 0
    at = data.find(b"?")
    while at != -1:
        char = lower[at]
        if char != "?":
            folded = _LOWER[ord(char)]
            if folded != char:
                pieces += (lower[last:at], folded)
                last = at + 1
        at = data.find(b"?", at + 1)
    if not pieces:
        return lower
    pieces.append(lower[last:])
    return "".join(pieces)


def _unspaced(form: str) -> bool:
    """Whether a form is written in a script that puts no spaces between words."""
    return any(_UNSPACED_SCRIPT.match(unicodedata.name(c, "")) for c in (form[0], form[-1]))


_UNSPACED_SCRIPT = re.compile(r"CJK |HIRAGANA|KATAKANA|HANGUL|THAI|LAO |KHMER|MYANMAR|TIBETAN")


_Trie: TypeAlias = dict[str, "_Trie"]  # a character to the rest of the words; "" ends a word


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation shaped as a trie: shared prefixes are tried once, longest first.

    Built without recursion (a node's pattern once its children's are known), so a name of
    any length compiles: a recursive walk would go one call deep per character.
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    built: dict[int, str] = {}
    stack: list[tuple[_Trie, bool]] = [(trie, False)]
    while stack:
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for ch, child in node.items() if ch)
            continue
        end = "" in node
        branches = [re.escape(ch) + built.pop(id(child)) for ch, child in sorted(node.items()) if ch]
        if not branches:
            built[id(node)] = ""
            continue
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            body = "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        built[id(node)] = body
    return built[id(trie)]
