"""Every ISO 3166-1 country and territory, with the forms news text names it by.

Codes, ISO names and official names are pycountry's (Debian's iso-codes data), copied into
data/iso-3166-1.tsv: importing pycountry (which reads its own installed version through
importlib.metadata) cost every command that reads feeds.toml about 0.02 s, more than reading
the table; a test keeps the copy equal to pycountry. The names, demonyms and capitals that
news writing uses come from data/countries.tsv, written for newsdesk (see data/SOURCES.md).
Loaded once, on first use.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    """The common English name, used as the watchlist entity's name ("Russia")."""
    official_name: str | None
    names: tuple[str, ...]
    """Every name and short form, the common name first."""
    demonyms: tuple[str, ...]
    """Base demonyms and adjectives ("Russian"); plurals and possessives are derived."""
    capitals: tuple[str, ...]


NOT_COUNTRIES = frozenset({"AQ"})
"""ISO 3166-1 entries that are no country: Antarctica, a continent. `countries = ["*"]` leaves
them out (a story about the Antarctic is no story about a country); named, they are watched."""


def lookup(name_or_code: str) -> Country | None:
    """A country by ISO alpha-2 or alpha-3 code, or by any of its names (any case)."""
    return _index().get(_key(name_or_code))


def all_countries() -> tuple[Country, ...]:
    return _table()


@cache
def places_named_after_countries() -> tuple[str, ...]:
    """Places named after a country that are in another one ("British Columbia", "Northern
    Ireland"): a mention of the place is no mention of the country (data/SOURCES.md)."""
    text = _data("places-named-after-countries.txt")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def us_states() -> tuple[tuple[str, str], ...]:
    """(name, postal code) of each US state and of the District of Columbia, from ISO 3166-2:
    "City, State" is how news writes an American place ("Lincoln, Nebraska", "Houston, TX")."""
    import pycountry  # ISO 3166-2 is read by the matcher alone, never by a command's start-up

    found = [
        (s.name, s.code.removeprefix("US-"))
        for s in pycountry.subdivisions
        if s.country_code == "US" and s.type in ("State", "District")
    ]
    return tuple(sorted(found))


def suggest(name: str) -> str | None:
    """The country name nearest to a misspelt one, for error messages."""
    names = {_key(n): c.name for c in _table() for n in c.names}
    near = difflib.get_close_matches(_key(name), list(names), n=1, cutoff=0.75)
    return names[near[0]] if near else None


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("’", "'").casefold()
    return folded.removeprefix("the ")


@dataclass(frozen=True, slots=True)
class IsoCountry:
    """An ISO 3166-1 entry as pycountry gives it (data/iso-3166-1.tsv)."""

    alpha_2: str
    alpha_3: str
    name: str
    common_name: str | None
    official_name: str | None


@cache
def iso_countries() -> tuple[IsoCountry, ...]:
    """Every ISO 3166-1 entry, in pycountry's order."""
    return tuple(
        IsoCountry(alpha_2, alpha_3, name, common or None, official or None)
        for alpha_2, alpha_3, name, common, official in _rows("iso-3166-1.tsv", 5)
    )


def _rows(name: str, cells: int) -> list[list[str]]:
    """A shipped table's rows (tab-separated, `#` comments), each with `cells` cells."""
    return [[*line.split("\t"), *[""] * cells][:cells] for line in _data(name).splitlines() if line.strip() and not line.startswith("#")]


def _data(name: str) -> str:
    """A file of the package's data/ folder. Read beside this module: newsdesk is installed as
    files, and importlib.resources (with the zip and temporary-file modules it imports) cost a
    command about 0.005 s to find them."""
    return (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")


@cache
def _table() -> tuple[Country, ...]:
    extra: dict[str, tuple[str, list[str], list[str], list[str]]] = {}
    for code, name, names_cell, demonyms_cell, capitals_cell in _rows("countries.tsv", 5):
        extra[code] = (name, _split(names_cell), _split(demonyms_cell), _split(capitals_cell))
    countries: list[Country] = []
    for entry in iso_countries():
        code = entry.alpha_2
        name, names, demonyms, capitals = extra.pop(code, ("", [], [], []))
        common = name or entry.common_name or entry.name
        official = entry.official_name
        forms = [common, *names]
        for candidate in (entry.name, official):
            # ISO's inverted forms ("Korea, Republic of") are nobody's way of writing a name.
            if candidate and "," not in candidate and "(" not in candidate:
                forms.append(candidate)
        countries.append(Country(code, common, official, _unique(forms), _unique(demonyms), _unique(capitals)))
    for code, (name, names, demonyms, capitals) in extra.items():  # not in ISO 3166-1 (Kosovo)
        countries.append(Country(code, name, None, _unique([name, *names]), _unique(demonyms), _unique(capitals)))
    return tuple(countries)


@cache
def _index() -> dict[str, Country]:
    index: dict[str, Country] = {}
    iso = {entry.alpha_2: entry for entry in iso_countries()}
    for country in _table():
        index[_key(country.code)] = country
        entry = iso.get(country.code)
        if entry is not None:
            index.setdefault(_key(entry.alpha_3), country)
            index.setdefault(_key(entry.name), country)
    # Other names after every code and ISO name: a short name two countries share ("Congo",
    # ISO's name of the Republic of the Congo and news's of the Democratic Republic) looks
    # up the one ISO gives it to.
    for country in _table():
        for name in country.names:
            index.setdefault(_key(name), country)
    return index


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
