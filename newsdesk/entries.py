"""Which watchlist entry a person means: "russia", "RU", "RUS", "Putin", "vladimir putin" all
name an entry, in any case and with or without accents; a name that is none gets the nearest
ones suggested."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from newsdesk import countries
from newsdesk.config import Watchlist
from newsdesk.errors import UnknownEntry


def find_entry(watchlist: Watchlist, written: str, stored: Iterable[str] = ()) -> str:
    """The entry's name as stories are tagged with it ("Russia", "Vladimir Putin").

    `stored`: entry names the database holds stories for (an entry since removed from the
    watchlist still has its stories). Raises UnknownEntry, naming the nearest entries.
    """
    forms = _forms(watchlist, stored)
    wanted = _fold(written)
    if wanted in forms:
        return forms[wanted]
    country = countries.lookup(written)  # any name or ISO code (alpha-2 or alpha-3)
    if country is not None and (watchlist.all_countries or country.code in {c.code for c in watchlist.countries}):
        return country.name
    near = difflib.get_close_matches(wanted, list(forms), n=5, cutoff=0.6)
    names = list(dict.fromkeys(forms[n] for n in near))[:3]
    hint = f"; the nearest: {', '.join(names)}" if names else "; `newsdesk watchlist check` lists the watchlist"
    raise UnknownEntry(f"no watchlist entry is called {written!r}{hint}")


def _forms(watchlist: Watchlist, stored: Iterable[str]) -> dict[str, str]:
    """Every way of writing each entry, folded, to its name."""
    forms: dict[str, str] = {}
    for name in stored:
        forms.setdefault(_fold(name), name)
    for entry in watchlist.countries:
        country = countries.lookup(entry.code)
        if country is None:
            continue
        for form in (country.code, *country.names, *entry.aliases):
            forms.setdefault(_fold(form), country.name)
    for person in watchlist.people:
        for form in (person.name, *person.aliases, person.name.split()[-1]):
            forms.setdefault(_fold(form), person.name)
    return forms


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().removeprefix("the ")
