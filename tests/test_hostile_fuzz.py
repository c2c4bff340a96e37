"""Property-based tests: whatever a config file, a feed body or a story's text holds, newsdesk
either handles it or says what is wrong; it never crashes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomlkit
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsdesk.config import Config, parse_config
from newsdesk.errors import ConfigError
from newsdesk.fetch import parse_feed
from newsdesk.match import Matcher
from newsdesk.types import FeedOutcome
from newsdesk.ui.text import highlighted

KEYS = ["settings", "feeds", "watchlist", "name", "url", "refresh_minutes", "concurrency", "timeout_seconds",
        "extract", "user_agent", "countries", "people", "aliases", "include_capital", "surname_alone", "*", "urll"]
SCALARS = st.one_of(
    st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False), st.text(max_size=30),
    st.sampled_from(["Russia", "RU", "Georgia", "*", "http://127.0.0.1:9/f.xml", "ftp://x", "", "Vladimir Putin"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4)),
    max_leaves=20,
)
DOCUMENTS = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=4)


def _load(text: str) -> Config | None:
    try:
        return parse_config(text, Path("feeds.toml"))
    except ConfigError as exc:
        assert str(exc).startswith("feeds.toml")  # every message names the file
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_toml_document_loads_or_gets_a_config_error(document: dict) -> None:  # type: ignore[type-arg]
    try:
        text = tomlkit.dumps(document)
        tomllib.loads(text)
    except Exception:  # not expressible as TOML (e.g. mixed arrays in old tomlkit): nothing to test
        return
    _load(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_feeds_toml_loads_or_gets_a_config_error(text: str) -> None:
    _load(text)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_feed_body_give_a_result(body: bytes) -> None:
    result = parse_feed(body, "http://127.0.0.1:9/feed.xml")
    assert result.outcome in (FeedOutcome.OK, FeedOutcome.PARSE_ERROR)
    assert result.outcome is FeedOutcome.OK or result.error


REAL_FEED = (Path(__file__).parent / "data" / "hostile_feeds" / "miniflux" / "parser__small_atom.xml").read_bytes()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(REAL_FEED) - 1), st.integers(0, 255)), min_size=1, max_size=20))
@example([(30, 128)])  # a corrupt byte in encoding="...": feedparser raised UnicodeDecodeError
@example([(30, 0)])  # a NUL there: feedparser raised ValueError
def test_a_real_feed_with_bytes_flipped_gives_a_result(flips: list[tuple[int, int]]) -> None:
    body = bytearray(REAL_FEED)
    for position, value in flips:
        body[position] = value
    result = parse_feed(bytes(body), "http://127.0.0.1:9/feed.xml")
    assert result.outcome in (FeedOutcome.OK, FeedOutcome.PARSE_ERROR)
    for entry in result.entries:
        assert entry.key


STAR = Matcher(parse_config('[watchlist]\ncountries = ["*"]\n[[watchlist.people]]\nname = "Recep Tayyip Erdoğan"\n').watchlist)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.text(alphabet=st.sampled_from(list("RussiaIranErdoğan USİı’'-.\u202e\x1b")), max_size=200))
def test_highlights_of_any_text_are_well_formed(noise: str, names: str) -> None:
    text = noise + " " + names
    matches = STAR.find(text[:60], text)
    for m in matches:
        field = text[:60] if m.where == "title" else text
        assert 0 <= m.start < m.end <= len(field)
    body = [m for m in matches if m.where == "text"]
    rendered = highlighted(text, body)
    assert len(rendered.plain) == len(text)
    assert all(0 <= span.start < span.end <= len(text) for span in rendered.spans)
