"""`newsdesk watchlist check`: what in a watchlist will match more, or less, than its reader thinks.

feeds.toml that cannot work at all (a name that is no country, a wrong type) is refused by
config with an error; this looks at watchlists that load but would surprise: aliases that are
everyday words, entries given twice, forms two entries share, surnames two people share.
Each finding names the line in feeds.toml, so the reader can go straight to it.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newsdesk import countries as country_data
from newsdesk.config import Config, CountryEntry, Watchlist, name_key
from newsdesk.match import Matcher, everyday_word_surname, is_month, surname_of


@dataclass(frozen=True, slots=True)
class Finding:
    line: int | None
    entry: str
    message: str


def check_watchlist(config: Config) -> list[Finding]:
    """Every finding for the watchlist in `config`, in the order of feeds.toml."""
    watchlist = config.watchlist
    findings: list[Finding] = []
    findings += _repeated(watchlist)
    findings += _aliases(watchlist)
    findings += _people(watchlist)
    return sorted(findings, key=lambda f: (f.line or 0, f.entry))


def _repeated(watchlist: Watchlist) -> list[Finding]:
    first: dict[str, int | None] = {c.code: c.line for c in watchlist.countries}
    first.update({name_key(p.name): p.line for p in watchlist.people})
    out = []
    for entry in watchlist.repeated:
        if isinstance(entry, CountryEntry):
            name, line = _country(entry.code), first.get(entry.code)
        else:
            name, line = entry.name, first.get(name_key(entry.name))
        out.append(Finding(entry.line, name, f"listed again (first on line {line}); only the first entry counts"))
    return out


def _aliases(watchlist: Watchlist) -> list[Finding]:
    out: list[Finding] = []
    owners: dict[str, list[str]] = defaultdict(list)
    entries: list[tuple[str, int | None, tuple[str, ...], str | None]]
    entries = [(_country(c.code), c.line, c.aliases, c.code) for c in watchlist.countries]
    entries += [(p.name, p.line, p.aliases, None) for p in watchlist.people]
    for entry, line, aliases, code in entries:
        for alias in aliases:
            owners[name_key(alias)].append(entry)
            if _is_word(alias):
                message = f"alias {alias!r} is an everyday English word: it counts wherever it is capitalised (headlines, sentence starts)"
                out.append(Finding(line, entry, message))
            meant = {m.code for m in _probe().find(alias, "") if m.form.casefold() == alias.casefold()}
            if code is not None and meant == {code}:
                out.append(Finding(line, entry, f"alias {alias!r} is already a form of {entry}: it can go"))
            elif meant - {code}:
                names = ", ".join(sorted(_country(c) for c in meant - {code} if c))
                out.append(Finding(line, entry, f"alias {alias!r} is also a name of {names}: a story using it counts for neither unless "
                                                "it names one of them otherwise"))
    for alias, who in owners.items():
        if len(set(who)) > 1:
            line = next((ln for name, ln, aliases, _ in entries if name == who[-1] for a in aliases if name_key(a) == alias), None)
            others = ", ".join(sorted(set(who) - {who[-1]}))
            out.append(Finding(line, who[-1], f"alias {alias!r} is shared with {others}: it counts for neither"))
    return out


def _people(watchlist: Watchlist) -> list[Finding]:
    out: list[Finding] = []
    by_surname: dict[str, list[str]] = defaultdict(list)
    for person in watchlist.people:
        if _caseless(person.name):
            latin = [a for a in person.aliases if not _caseless(a)]
            message = (
                "written in a script without capital letters: it counts wherever these letters stand as written, "
                "inside running text too in Chinese, Japanese, Korean or Thai"
            )
            if not latin:
                message += "; English-language news writes the name in Latin letters: add that spelling as an alias"
            out.append(Finding(person.line, person.name, message))
        surname = surname_of(person.name)
        if surname is None:
            if not person.aliases and _is_word(person.name):
                message = "a one-word name that is also an everyday word: it counts wherever it is capitalised"
                out.append(Finding(person.line, person.name, message))
            continue
        by_surname[name_key(surname)].append(person.name)
        if person.surname_alone and everyday_word_surname(surname):
            where = "" if is_month(surname) else " or mid-sentence"
            message = (f"surname_alone: {surname!r} is also an everyday word; alone it still counts only after a title "
                       f'("Mrs {surname}"){where}')
            out.append(Finding(person.line, person.name, message))
        elif person.surname_alone and _is_word(surname):
            message = f"surname_alone: {surname!r} is also an English word: it counts wherever it is capitalised"
            out.append(Finding(person.line, person.name, message))
        if any(m.kind == "country" for m in _probe().find(surname, "")):
            message = f"surname {surname!r} is also a country's name: alone it counts as the country unless {person.name} was named first"
            out.append(Finding(person.line, person.name, message))
    lines = {p.name: p.line for p in watchlist.people}
    for names in by_surname.values():
        if len(names) > 1:
            for name in names[1:]:
                others = ", ".join(dict.fromkeys(n for n in names if n != name))
                message = (f"shares the surname {surname_of(name)!r} with {others}: alone, it counts for whichever was named earlier "
                           "in a story, and for neither when both were")
                out.append(Finding(lines[name], name, message))
    return out


def _caseless(name: str) -> bool:
    """Whether a name's letters are all of scripts that have no capital letters."""
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.lower() == c.upper() for c in letters)


@cache
def _probe() -> Matcher:
    """Every country watched, nobody else: what a form means to the matcher on its own."""
    return Matcher(Watchlist(all_countries=True))


@cache
def _words() -> frozenset[str]:
    data = resources.files("newsdesk").joinpath("data/english-words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("ascii").split())


def _is_word(text: str) -> bool:
    return " " not in text.strip() and text.strip().lower() in _words()


def _country(code: str) -> str:
    country = country_data.lookup(code)
    return country.name if country else code
