"""The watchlist matcher: golden pairs on real and crafted text, and every rule pinned.

Golden pairs: tests/data/match/NAME.txt (first line the title, the rest the text) and
NAME.expected.json, the exact matches expected. After a deliberate rule change, regenerate
with `NEWSDESK_REGEN_GOLDEN=1 python -m pytest tests/test_match.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.config import parse_config
from newsdesk.match import Matcher, summarize, watchlist_fingerprint

GOLDEN = Path(__file__).parent / "data" / "match"

WATCHLIST = parse_config(
    """
[watchlist]
countries = ["Russia", "Iran", "Israel", "US", "GB", "Georgia", "Jordan", "Chad", "Oman", "Niger",
             "Turkey", "China", "France", "Netherlands", "Guinea", "Mexico", "Philippines",
             "Palestine", "South Korea", "North Korea", "DR Congo", "Ivory Coast", "Czechia",
             "Sudan", "Egypt"]

[[watchlist.people]]
name = "Vladimir Putin"

[[watchlist.people]]
name = "Sergei Lavrov"

[[watchlist.people]]
name = "Theresa May"

[[watchlist.people]]
name = "Recep Tayyip Erdoğan"

[[watchlist.people]]
name = "Volodymyr Zelensky"
surname_alone = true
"""
).watchlist

MATCHER = Matcher(WATCHLIST)


def _read(name: str) -> tuple[str, str]:
    title, _, text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    return title, text


def _actual(name: str) -> list[dict[str, object]]:
    title, text = _read(name)
    return [
        {"entity": m.entity, "kind": m.kind, "code": m.code, "form": m.form, "where": m.where, "start": m.start, "end": m.end}
        for m in MATCHER.find(title, text)
    ]


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.txt")))
def test_golden(name: str) -> None:
    expected_file = GOLDEN / f"{name}.expected.json"
    actual = _actual(name)
    if os.environ.get("NEWSDESK_REGEN_GOLDEN"):
        expected_file.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert actual == json.loads(expected_file.read_text(encoding="utf-8"))


def _entities(title: str, text: str = "") -> set[str]:
    return {h.entity for h in summarize(MATCHER.find(title, text))}


def _forms(title: str, text: str = "") -> list[str]:
    return [m.form for m in MATCHER.find(title, text)]


def test_seed_story_is_tagged_exactly() -> None:
    title, text = _read("seed")
    seed = parse_config(
        '[watchlist]\ncountries = ["Russia", "Iran", "Israel"]\n'
        '[[watchlist.people]]\nname = "Vladimir Putin"\naliases = ["Putin"]\n'
        '[[watchlist.people]]\nname = "Sergei Lavrov"\n'
    ).watchlist
    hits = summarize(Matcher(seed).find(title, text))
    assert {h.entity for h in hits} == {"Russia", "Iran", "Israel", "Vladimir Putin", "Sergei Lavrov"}
    everything = parse_config('[watchlist]\ncountries = ["*"]\n').watchlist
    assert "Syria" not in {h.entity for h in summarize(Matcher(everything).find(title, text))}


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("Russia said so.", "Russia"), ("the Russian Federation said so.", "the Russian Federation"),
        ("Russians voted.", "Russians"), ("Russia's army.", "Russia's"), ("Russia’s army.", "Russia’s"),
        ("The United States agreed.", "United States"), ("The US agreed.", "US"), ("The U.S. agreed.", "U.S."),
        ("Go USA!", "USA"), ("America first.", "America"), ("American voters.", "American"),
        ("Britons abroad.", "Britons"), ("The Dutch team.", "Dutch"), ("Filipinos abroad.", "Filipinos"),
        ("Israelis protested.", "Israelis"), ("Palestinians protested.", "Palestinians"),
        ("Turkiye said.", "Turkiye"), ("Türkiye said.", "Türkiye"), ("Côte d'Ivoire said.", "Côte d'Ivoire"),
        ("Ivory Coast said.", "Ivory Coast"), ("the Czech Republic said.", "Czech Republic"),
        ("RUSSIA WARNS", "RUSSIA"), ("The UK and", "UK"), ("Britain and", "Britain"),
        ("Great Britain and", "Great Britain"), ("the United Kingdom and", "United Kingdom"),
        ("British troops.", "British"), ("Americans voted.", "Americans"), ("A Filipino nurse.", "Filipino"),
        ("An Israeli strike.", "Israeli"), ("A Palestinian state.", "Palestinian"),
        ("Czechia voted.", "Czechia"), ("Turkey voted.", "Turkey"), ("South Korea voted.", "South Korea"),
        ("the Republic of Korea voted.", "Republic of Korea"),
    ],
)
def test_country_forms(text: str, form: str) -> None:
    assert _forms(text) == [form]


@pytest.mark.parametrize(
    "text",
    [
        "A woman spoke.", "Nigeria won.", "Nigerians cheered.", "Let us go.", "Tell us more.",
        "LET US PRAY FOR RAIN", "Roast turkey and china plates.", "French fries please.",
        "A Dutch oven.", "The Guinea pig ate.", "New Mexico voted.", "Latin America grew.",
        "Atlanta, Georgia, was hot.", "Georgia's governor spoke.", "The Georgia Senate voted.",
        "Michael Jordan scored.", "Jordan Henderson scored.", "Chad Smith drummed.",
        "Papua New Guinea voted.", "South Sudan voted.", "Korean food is popular.",
        "Damascus was hit.", "The Kremlin said.", "The Mid-American Conference title.",
        "She teaches at American University.", "He told USA TODAY.", "They played China Grove.",
        "Scotland voted.", "Chad Thomas sacked him.",
    ],
)
def test_traps_do_not_match(text: str) -> None:
    assert _forms(text) == []


def test_the_country_georgia_still_counts() -> None:
    assert _entities("Georgia's president met EU envoys in Tbilisi.") == {"Georgia"}
    assert _entities("Jordan and Israel signed a deal.") == {"Jordan", "Israel"}
    assert _entities("King Abdullah of Jordan spoke.") == {"Jordan"}


def test_ambiguous_adjectives_need_other_evidence() -> None:
    assert _entities("Congolese troops crossed.") == set()
    assert _entities("Congolese troops crossed into the DRC.") == {"DR Congo"}
    assert _entities("South Korea's and Korean officials.") == {"South Korea"}


def test_capitals_count_only_when_switched_on() -> None:
    with_capital = parse_config('[watchlist]\ncountries = [{ name = "Russia", include_capital = true }]\n').watchlist
    assert {m.form for m in Matcher(with_capital).find("The Kremlin said Moscow agreed.", "")} == {"Kremlin", "Moscow"}
    aliases = parse_config('[watchlist]\ncountries = [{ name = "Russia", aliases = ["Kremlin"] }]\n').watchlist
    assert [m.form for m in Matcher(aliases).find("The Kremlin said Moscow agreed.", "")] == ["Kremlin"]


def test_surname_alone_needs_the_full_name_first() -> None:
    assert _forms("Putin spoke.") == []
    assert _forms("Vladimir Putin spoke.", "Later Mr Putin left, and President Putin's aides stayed.") == [
        "Vladimir Putin", "Mr Putin", "President Putin's",
    ]
    assert _forms("Vladimir Putin backs a Putin-backed and pro-Putin line.") == ["Vladimir Putin", "Putin", "Putin"]


def test_may_is_not_theresa_may_unless_she_was_named() -> None:
    assert _forms("In May the talks stalled.") == []
    assert _forms("Theresa May spoke.", "Mrs May said no.") == ["Theresa May", "Mrs May"]


def test_a_headline_may_name_by_surname_whom_the_body_names_in_full() -> None:
    assert _forms("Putin warns the West", "Vladimir Putin said on Friday.") == ["Putin", "Vladimir Putin"]
    assert _forms("Putin warns the West", "Nobody else was named.") == []


def test_an_everyday_word_surname_counts_mid_sentence_but_not_opening_one() -> None:
    ward = parse_config('[watchlist]\n[[watchlist.people]]\nname = "Lewis Ward"\n').watchlist
    found = Matcher(ward).find("", 'Lewis Ward runs it. "It works," Ward says. Ward rooms are full, said Dr Ward.')
    assert [m.form for m in found] == ["Lewis Ward", "Ward", "Dr Ward"]


def test_a_middle_initial_is_still_the_full_name() -> None:
    ford = parse_config('[watchlist]\n[[watchlist.people]]\nname = "John Ford"\n').watchlist
    found = Matcher(ford).find("", "John M. Ford wrote it. Ford was 35. St. Ford's Day, Mount Ford.")
    assert [m.form for m in found] == ["John M. Ford", "Ford"]


@pytest.mark.parametrize(
    "text",
    ["It is written in German.", "She speaks Russian and French.", "A Russian-language channel.",
     "The German version of the text.", "Translated from Turkish, it sold."],
)
def test_a_language_is_not_its_country(text: str) -> None:
    star = Matcher(parse_config('[watchlist]\ncountries = ["*"]\n').watchlist)
    assert star.find("", text) == []


def test_adjective_after_in_still_names_the_country() -> None:
    star = Matcher(parse_config('[watchlist]\ncountries = ["*"]\n').watchlist)
    assert [m.code for m in star.find("", "A shift in German politics.")] == ["DE"]


@pytest.mark.parametrize(
    ("text", "code"),
    [("the U.S. Virgin Islands voted", "VI"), ("the Turks and Caicos Islands voted", "TC"),
     ("American Samoa voted", "AS"), ("Liberian troops", "LR"), ("the Falklands war", "FK"),
     ("Samoan rugby", "WS"), ("La Réunion voted", "RE")],
)
def test_territories_and_small_states_by_their_longest_name(text: str, code: str) -> None:
    star = Matcher(parse_config('[watchlist]\ncountries = ["*"]\n').watchlist)
    assert [m.code for m in star.find("", text)] == [code]


def test_every_iso_country_and_territory_has_news_names() -> None:
    import pycountry

    from newsdesk import countries

    table = {c.code: c for c in countries.all_countries()}
    assert {c.alpha_2 for c in pycountry.countries} <= set(table)
    for country in table.values():
        # Not ISO's inverted forms ("Korea, Republic of", "Virgin Islands, U.S.").
        assert not re.search(r", (?:.* of|U\.S\.|British|French part|Dutch part)$", country.name), country
        assert "(" not in country.name, country
        assert countries.lookup(country.code) == country
        assert countries.lookup(country.name) == country


def test_the_shipped_iso_table_is_pycountrys() -> None:
    """data/iso-3166-1.tsv is pycountry's ISO 3166-1, copied (commands read it without importing
    pycountry). After a pycountry upgrade changes it, write the file again from this test's rows."""
    import pycountry

    from newsdesk import countries

    assert countries.iso_countries() == tuple(
        countries.IsoCountry(c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", None), getattr(c, "official_name", None))
        for c in pycountry.countries
    )


def test_diacritics_and_capitals() -> None:
    assert _forms("Erdogan said.") == []  # surname alone, not named yet
    assert _forms("Recep Tayyip Erdogan said.", "Erdoğan left.") == ["Recep Tayyip Erdogan", "Erdoğan"]
    assert _forms("ZELENSKY TO VISIT") == ["ZELENSKY"]  # surname_alone = true


def test_people_sharing_a_surname_keep_their_own_mentions() -> None:
    two = parse_config(
        '[watchlist]\n[[watchlist.people]]\nname = "Boris Johnson"\n[[watchlist.people]]\nname = "Mike Johnson"\n'
    ).watchlist
    matcher = Matcher(two)
    only_mike = summarize(matcher.find("Mike Johnson spoke.", "Later Johnson left."))
    assert [(h.entity, h.count) for h in only_mike] == [("Mike Johnson", 2)]
    both = summarize(matcher.find("Mike Johnson met Boris Johnson.", "Johnson left."))
    assert [(h.entity, h.count) for h in both] == [("Mike Johnson", 1), ("Boris Johnson", 1)]


def test_offsets_point_into_the_original_text_and_snippets_are_short() -> None:
    text = "Ça va. " * 40 + "Erdoğan's Türkiye and Israel." + " Fin." * 40
    title = "Recep Tayyip Erdoğan"
    for m in MATCHER.find(title, text):
        source = title if m.where == "title" else text
        assert source[m.start : m.end] == m.form
        assert len(m.snippet) <= 160 and m.form in m.snippet


def test_fingerprint_follows_the_watchlist() -> None:
    other = parse_config('[watchlist]\ncountries = ["Iran"]\n').watchlist
    assert watchlist_fingerprint(WATCHLIST) == watchlist_fingerprint(WATCHLIST)
    assert watchlist_fingerprint(WATCHLIST) != watchlist_fingerprint(other)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_any_text_gives_well_formed_matches(title: str, text: str) -> None:
    for m in MATCHER.find(title, text):
        source = title if m.where == "title" else text
        assert 0 <= m.start < m.end <= len(source)
        assert source[m.start : m.end] == m.form
