"""feeds.toml: the feeds, the watchlist and the settings, validated before anything runs.

A config that cannot be used raises ConfigError naming file, line and key; newsdesk never
writes to the user's feeds.toml.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from newsdesk.errors import ConfigError


@dataclass(frozen=True, slots=True)
class CountryEntry:
    """A watched country, by ISO 3166-1 alpha-2 code."""

    code: str
    include_capital: bool = False
    """Count the capital and seat of government ("Moscow", "the Kremlin") as a mention."""
    aliases: tuple[str, ...] = ()
    """Extra forms the reader wants counted (e.g. ["Kremlin"])."""
    line: int | None = field(default=None, repr=False, compare=False)
    """Where feeds.toml names it, for `newsdesk watchlist check`; not part of the watchlist's identity."""


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A watched person: the full name as written in the watchlist, plus extra forms."""

    name: str
    aliases: tuple[str, ...] = ()
    surname_alone: bool = False
    """Count the surname alone even when the full name was not given earlier in the story."""
    line: int | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Watchlist:
    countries: tuple[CountryEntry, ...] = ()
    people: tuple[PersonEntry, ...] = ()
    all_countries: bool = False
    """`countries = ["*"]`: every country is watched."""
    repeated: tuple[CountryEntry | PersonEntry, ...] = field(default=(), repr=False, compare=False)
    """Entries listed again after their first: ignored (the first counts), reported by the linter."""


@dataclass(frozen=True, slots=True)
class Settings:
    refresh_minutes: float = 30.0
    concurrency: int = 32
    """Downloads (feeds and pages) in flight at once, over all sites."""
    per_host: int = 16
    """Downloads in flight at once from one site (host and port), so none is hammered.

    16: a site that serves 200 of a reader's feeds answers a refresh with nothing new in
    200 / 16 round trips (under a second at 50 ms), and no site sees more than 16 requests
    at once, most of them conditional GETs answered with an empty 304."""
    timeout_seconds: float = 20.0
    max_feed_bytes: int = 10 * 1024 * 1024
    max_page_bytes: int = 5 * 1024 * 1024
    extract: bool = True
    user_agent: str | None = None

    def interval(self, feed: FeedConfig) -> float:
        """Minutes between a feed's refreshes: its own, else the default."""
        return feed.refresh_minutes or self.refresh_minutes

    def extracts(self, feed: FeedConfig) -> bool:
        """Whether a feed's pages are downloaded and extracted: its own switch, else the default."""
        return self.extract if feed.extract is None else feed.extract


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str
    url: str
    refresh_minutes: float | None = None
    extract: bool | None = None


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    settings: Settings = field(default_factory=Settings)
    feeds: tuple[FeedConfig, ...] = ()
    watchlist: Watchlist = field(default_factory=Watchlist)


# ---------------------------------------------------------------------------- loading

APP_NAME = "newsdesk"
CONFIG_ENV = "NEWSDESK_CONFIG"
DB_ENV = "NEWSDESK_DB"
CONFIG_NAME = "feeds.toml"

_TOP_KEYS = ("settings", "feeds", "watchlist")
_SETTINGS_KEYS = ("refresh_minutes", "concurrency", "per_host", "timeout_seconds", "extract", "user_agent")
_FEED_KEYS = ("name", "url", "refresh_minutes", "extract")
_WATCHLIST_KEYS = ("countries", "people")
_COUNTRY_KEYS = ("name", "include_capital", "aliases")
_PERSON_KEYS = ("name", "aliases", "surname_alone")


def name_key(name: str) -> str:
    """Two ways of writing one name ("Michael  jordan", "Michael Jordan") compare equal."""
    return " ".join(name.casefold().split())


def user_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / CONFIG_NAME


def user_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "newsdesk.db"


def default_config_text() -> str:
    """The feeds.toml a new user starts from (shipped inside the package)."""
    return resources.files("newsdesk").joinpath("default_feeds.toml").read_text(encoding="utf-8")


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config, else $NEWSDESK_CONFIG, else ./feeds.toml, else the user config dir.

    Only the last one is created when missing (a copy of the default): a path the user
    named and that does not exist is their mistake, and is reported.
    """
    for candidate in (explicit, os.environ.get(CONFIG_ENV) or None):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise ConfigError("no such file (give --config a path to a feeds.toml)", path=path)
            return path
    local = Path.cwd() / CONFIG_NAME
    if local.is_file():
        return local
    path = user_config_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(default_config_text(), encoding="utf-8")
    return path


def find_db(explicit: str | None = None) -> str:
    """--db, else $NEWSDESK_DB, else newsdesk.db in the user data dir: a path or SQLAlchemy URL."""
    return explicit or os.environ.get(DB_ENV) or str(user_db_path())


def load_config(path: str | os.PathLike[str]) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", path=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ConfigError(f"TOML syntax error: {reason}", path=path, line=line) from None
    return _Validator(text, path).config(data)


class _Validator:
    """Turns parsed TOML into Config, or a ConfigError pointing at the line at fault."""

    def __init__(self, text: str, path: Path | None) -> None:
        self.path = path
        self.lines = _KeyLines(text)

    def fail(self, message: str, key: str, line: int | None) -> ConfigError:
        return ConfigError(message, path=self.path, line=line, key=key)

    def check_keys(self, table: Mapping[str, Any], known: tuple[str, ...], where: str, table_id: tuple[str, int]) -> None:
        for key in table:
            if key not in known:
                near = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else f" (known keys: {', '.join(known)})"
                dotted = f"{where}.{key}" if where else key
                raise self.fail(f"unknown key{hint}", dotted, self.lines.line(table_id, key))

    def typed(self, value: Any, types: type | tuple[type, ...], what: str, key: str, line: int | None) -> Any:
        # bool is an int in Python; a setting that wants a number must not accept true.
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            raise self.fail(f"must be {what}, not {_toml_type(value)}", key, line)
        if not isinstance(value, types):
            raise self.fail(f"must be {what}, not {_toml_type(value)}", key, line)
        return value

    def config(self, data: dict[str, Any]) -> Config:
        self.check_keys(data, _TOP_KEYS, "", ("", 0))
        settings = self.settings(data.get("settings", {}))
        feeds = self.feeds(data.get("feeds", []))
        watchlist = self.watchlist(data.get("watchlist", {}))
        return Config(path=self.path, settings=settings, feeds=feeds, watchlist=watchlist)

    def settings(self, raw: Any) -> Settings:
        tid = ("settings", 0)
        if not isinstance(raw, dict):
            raise self.fail("must be a table ([settings])", "settings", self.lines.line(("", 0), "settings"))
        self.check_keys(raw, _SETTINGS_KEYS, "settings", tid)
        values: dict[str, Any] = {}
        for key, value in raw.items():
            line = self.lines.line(tid, key)
            dotted = f"settings.{key}"
            if key in ("refresh_minutes", "timeout_seconds"):
                values[key] = float(self.positive(value, dotted, line))
            elif key in ("concurrency", "per_host"):
                number = self.typed(value, int, "a whole number", dotted, line)
                if not 1 <= number <= 256:
                    raise self.fail("must be between 1 and 256", dotted, line)
                values[key] = number
            elif key == "extract":
                values[key] = self.typed(value, bool, "true or false", dotted, line)
            elif key == "user_agent":
                values[key] = self.typed(value, str, "a string", dotted, line)
        return Settings(**values)

    def positive(self, value: Any, key: str, line: int | None) -> float:
        number = self.typed(value, (int, float), "a number", key, line)
        if number <= 0:
            raise self.fail("must be greater than 0", key, line)
        return number

    def feeds(self, raw: Any) -> tuple[FeedConfig, ...]:
        if not isinstance(raw, list):
            raise self.fail("must be an array of tables ([[feeds]])", "feeds", self.lines.line(("", 0), "feeds"))
        feeds: list[FeedConfig] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            tid = ("feeds", index)
            where = f"feeds[{index + 1}]"
            header = self.lines.header(tid)
            if not isinstance(item, dict):
                raise self.fail("must be a table with name and url", where, header)
            self.check_keys(item, _FEED_KEYS, where, tid)
            if "url" not in item:
                raise self.fail("this feed has no url (add url = \"https://...\")", where, header)
            url_line = self.lines.line(tid, "url")
            url = self.typed(item["url"], str, "a string", f"{where}.url", url_line).strip()
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise self.fail(f"{url!r} is not an http:// or https:// URL", f"{where}.url", url_line)
            if url in seen:
                raise self.fail(f"{url} is already listed as feed {seen[url]}", f"{where}.url", url_line)
            seen[url] = index + 1
            name = self.typed(item.get("name", parts.netloc), str, "a string", f"{where}.name", self.lines.line(tid, "name")).strip()
            minutes = item.get("refresh_minutes")
            if minutes is not None:
                minutes = float(self.positive(minutes, f"{where}.refresh_minutes", self.lines.line(tid, "refresh_minutes")))
            extract = item.get("extract")
            if extract is not None:
                extract = self.typed(extract, bool, "true or false", f"{where}.extract", self.lines.line(tid, "extract"))
            feeds.append(FeedConfig(name=name or parts.netloc, url=url, refresh_minutes=minutes, extract=extract))
        return tuple(feeds)

    def watchlist(self, raw: Any) -> Watchlist:
        tid = ("watchlist", 0)
        if not isinstance(raw, dict):
            raise self.fail("must be a table ([watchlist])", "watchlist", self.lines.line(("", 0), "watchlist"))
        self.check_keys(raw, _WATCHLIST_KEYS, "watchlist", tid)
        countries, all_countries, repeated = self.countries(raw.get("countries", []))
        people: list[PersonEntry] = []
        seen: set[str] = set()
        for person in self.people(raw.get("people", [])):
            key = name_key(person.name)
            (repeated if key in seen else people).append(person)  # type: ignore[arg-type]
            seen.add(key)
        return Watchlist(countries=countries, people=tuple(people), all_countries=all_countries, repeated=tuple(repeated))

    def countries(self, raw: Any) -> tuple[tuple[CountryEntry, ...], bool, list[CountryEntry | PersonEntry]]:
        key_line = self.lines.line(("watchlist", 0), "countries")
        if not isinstance(raw, list):
            raise self.fail("must be a list of country names or ISO codes", "watchlist.countries", key_line)
        if not raw:
            return (), False, []
        from newsdesk import (
            countries as country_data,  # the country table loads on first use
        )
        entries: list[CountryEntry] = []
        repeated: list[CountryEntry | PersonEntry] = []
        all_countries = False
        seen: set[str] = set()
        for index, item in enumerate(raw):
            where = f"watchlist.countries[{index + 1}]"
            options: dict[str, Any] = {}
            if isinstance(item, dict):
                line = self.lines.find_after(key_line, "name")
                self.check_keys(item, _COUNTRY_KEYS, where, ("watchlist", 0))
                if "name" not in item:
                    raise self.fail("needs a name (a country name or ISO code)", where, line)
                options = item
                item = item["name"]
            line = self.lines.find_after(key_line, str(item)) or key_line
            name = self.typed(item, str, "a country name or ISO code", where, line).strip()
            if name == "*":
                all_countries = True
                continue
            country = country_data.lookup(name)
            if country is None:
                near = country_data.suggest(name)
                hint = f" (did you mean {near!r}?)" if near else ""
                raise self.fail(f"{name!r} is not a country name or ISO 3166 code{hint}", where, line)
            include_capital = self.typed(options.get("include_capital", False), bool, "true or false", f"{where}.include_capital", line)
            aliases = self.strings(options.get("aliases", []), f"{where}.aliases", line)
            entry = CountryEntry(code=country.code, include_capital=include_capital, aliases=aliases, line=line)
            (repeated if country.code in seen else entries).append(entry)
            seen.add(country.code)
        return tuple(entries), all_countries, repeated

    def people(self, raw: Any) -> tuple[PersonEntry, ...]:
        if not isinstance(raw, list):
            raise self.fail("must be an array of tables ([[watchlist.people]])", "watchlist.people", self.lines.line(("watchlist", 0), "people"))
        people: list[PersonEntry] = []
        for index, item in enumerate(raw):
            tid = ("watchlist.people", index)
            where = f"watchlist.people[{index + 1}]"
            header = self.lines.header(tid)
            if isinstance(item, str):  # people = ["Vladimir Putin"] is a natural thing to write
                item = {"name": item}
            if not isinstance(item, dict):
                raise self.fail("must be a table with a name", where, header)
            self.check_keys(item, _PERSON_KEYS, where, tid)
            if "name" not in item:
                raise self.fail('needs a name (name = "Full Name")', where, header)
            name = self.typed(item["name"], str, "a string", f"{where}.name", self.lines.line(tid, "name")).strip()
            if not name:
                raise self.fail("must not be empty", f"{where}.name", self.lines.line(tid, "name"))
            aliases = self.strings(item.get("aliases", []), f"{where}.aliases", self.lines.line(tid, "aliases"))
            surname_alone = self.typed(item.get("surname_alone", False), bool, "true or false", f"{where}.surname_alone", self.lines.line(tid, "surname_alone"))
            if isinstance(raw[index], dict):
                line = self.lines.line(tid, "name")
            else:
                line = self.lines.find_after(self.lines.line(("watchlist", 0), "people"), name)
            people.append(PersonEntry(name=name, aliases=aliases, surname_alone=surname_alone, line=line))
        return tuple(people)

    def strings(self, raw: Any, key: str, line: int | None) -> tuple[str, ...]:
        if not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise self.fail("must be a list of strings", key, line)
        return tuple(a.strip() for a in raw if a.strip())


def _toml_type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


class _KeyLines:
    """Where each key of each table sits in the file, for error messages.

    tomllib parses without positions, so the file is scanned line by line for table headers
    and `key =` lines; good enough for the hand-written files feeds.toml is.
    """

    def __init__(self, text: str) -> None:
        self.text_lines = text.splitlines()
        self.keys: dict[tuple[str, int, str], int] = {}
        self.headers: dict[tuple[str, int], int] = {}
        counts: dict[str, int] = {}
        current: tuple[str, int] = ("", 0)
        for number, line in enumerate(self.text_lines, start=1):
            header = _HEADER.match(line)
            if header and not _KEY.match(line):
                name = header.group(2).replace('"', "").replace(" ", "")
                if header.group(1) == "[[":
                    index = counts.get(name, -1) + 1
                    counts[name] = index
                else:
                    index = 0
                current = (name, index)
                self.headers.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                self.keys.setdefault((current[0], current[1], key.group(1)), number)

    def line(self, table: tuple[str, int], key: str) -> int | None:
        return self.keys.get((table[0], table[1], key)) or self.headers.get(table)

    def header(self, table: tuple[str, int]) -> int | None:
        return self.headers.get(table)

    def find_after(self, start: int | None, needle: str) -> int | None:
        """The first line at or after `start` that mentions `needle` (an array item)."""
        if start is None:
            return None
        for number in range(start, len(self.text_lines) + 1):
            if needle in self.text_lines[number - 1]:
                return number
        return None
