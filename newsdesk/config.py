"""feeds.toml: the feeds, the watchlist and the settings, validated before anything runs.

Every key is declared once, below, as a field of the dataclass that holds it: its kind of
value and bounds, its default and one line of help (see `newsdesk.schema`). The loader
checks the file against those declarations, and the README's reference table is generated
from them (`newsdesk config reference`; a test compares the two). A value the loader accepts
must run: anything a later stage would trip on (a port out of range, a non-ASCII header,
a timer of 1e12 minutes) is refused here, with the file, line and key.

A config that cannot be used raises ConfigError naming file, line and key (exit status 2).
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from newsdesk import places
from newsdesk.errors import ConfigError, EnvironmentProblem
from newsdesk.schema import (
    Boolean,
    DeclaredKey,
    Integer,
    Invalid,
    Number,
    Section,
    Strings,
    Text,
    WebUrl,
    array,
    declared_keys,
    derived,
    key,
    reference_table,
    required,
    table,
    toml_type,
)

if TYPE_CHECKING:
    from newsdesk.keymap import KeyBinding

# ---------------------------------------------------------------------------- kinds of its own

_MINUTES = Number(0.01, 525_600, "minutes")  # 0.6 seconds to a year


@dataclass(frozen=True, slots=True)
class _CountryName:
    """A country's name, short name or ISO 3166 code, read as its alpha-2 code."""

    doc: str = "country name or ISO 3166 code"

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise Invalid(f"must be a country name or ISO code, not {toml_type(value)}")
        from newsdesk import (
            countries as country_data,  # the country table loads on first use
        )

        name = value.strip()
        country = country_data.lookup(name)
        if country is None:
            near = country_data.suggest(name)
            hint = f" (did you mean {near!r}?)" if near else ""
            raise Invalid(f"{name!r} is not a country name or ISO 3166 code{hint}")
        return country.code


@dataclass(frozen=True, slots=True)
class _Tags:
    """Words that group feeds (`tags = ["world", "tech"]`): the feeds screen groups by them, the
    story list can show one, OPML export makes them folders. Each once, whatever its case."""

    doc: str = "array of strings"

    def check(self, value: object) -> tuple[str, ...]:
        tags: list[str] = []
        for tag in Strings(max_length=100).check(value):
            if tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(" ".join(tag.split()))
        return tuple(tags)


@dataclass(frozen=True, slots=True)
class _Countries:
    """`countries = ["Russia", "IR", { name = "Israel", aliases = [...] }]`, or `["*"]`."""

    doc: str = 'array of country names or ISO codes, or tables; `"*"` for all'

    @property
    def item(self) -> type[CountryEntry]:
        return CountryEntry


@dataclass(frozen=True, slots=True)
class _KeyTable:
    """`[keys]`: the UI's actions given other keys (newsdesk.keymap checks them)."""

    doc: str = "table: action = key, or array of keys"

    def check(self, value: object) -> tuple[KeyBinding, ...]:
        if not isinstance(value, dict):
            raise Invalid(f"must be a table ([keys]), not {toml_type(value)}")
        from newsdesk.keymap import parse_keys  # the UI's whole table of actions: read when [keys] is there

        return parse_keys(value)


# ---------------------------------------------------------------------------- the declarations


@dataclass(frozen=True, slots=True)
class CountryEntry:
    """A watched country, by ISO 3166-1 alpha-2 code."""

    code: str = required(_CountryName(), "the country, by name or ISO 3166 code", toml="name")
    include_capital: bool = key(False, Boolean(), 'count the capital and seat of government ("Moscow", "the Kremlin") as a mention')
    aliases: tuple[str, ...] = key((), Strings(), 'extra forms that mean this country (e.g. ["Kremlin"])')
    line: int | None = field(default=None, repr=False, compare=False)
    """Where feeds.toml names it, for `newsdesk watchlist check`; not part of the watchlist's identity."""


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """A watched person: the full name as written in the watchlist, plus extra forms."""

    name: str = required(Text(), "the person's full name")
    aliases: tuple[str, ...] = key((), Strings(), "other forms that mean this person")
    surname_alone: bool = key(False, Boolean(), "the surname alone counts even before the full name appears in the story")
    line: int | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Watchlist:
    countries: tuple[CountryEntry, ...] = key((), _Countries(), "the countries to watch")
    people: tuple[PersonEntry, ...] = array(PersonEntry, "the people to watch")
    all_countries: bool = False
    """`countries = ["*"]`: every country is watched."""
    repeated: tuple[CountryEntry | PersonEntry, ...] = field(default=(), repr=False, compare=False)
    """Entries listed again after their first: ignored (the first counts), reported by the linter."""


@dataclass(frozen=True, slots=True)
class Settings:
    refresh_minutes: float = key(30.0, _MINUTES, "how often each feed is fetched (a feed may set its own)")
    concurrency: int = key(32, Integer(1, 256), "downloads at once over all sites (feeds and pages)")
    per_host: int = key(16, Integer(1, 256), "downloads at once from one site (host and port), so no site is hammered")
    """16: a site that serves 200 of a reader's feeds answers a refresh with nothing new in
    200 / 16 round trips, and no site sees more than 16 requests at once, most of them
    conditional GETs answered with an empty 304."""
    timeout_seconds: float = key(20.0, Number(0.01, 3600, "seconds"), "a server that does not answer in time is recorded as a timeout")
    max_feed_bytes: int = key(
        10 * 1024 * 1024, Integer(64 * 1024, 1024**3, bytes=True),
        "a feed larger than this (after decompression) is cut off and reported as too large",
    )
    max_page_bytes: int = key(
        5 * 1024 * 1024, Integer(64 * 1024, 1024**3, bytes=True),
        "an article page larger than this is not extracted (the feed's text is used)",
    )
    extract: bool = key(True, Boolean(), "download the article page of each new entry and extract its text")
    user_agent: str | None = key(None, Text(header=True), "the User-Agent header sent", default_doc="newsdesk's")
    keep_days: int | None = key(
        None, Integer(1, 36_500), "stories older than this many days are deleted after each refresh (starred ones never)",
        default_doc="off: kept for ever",
    )
    max_stories_per_feed: int | None = key(
        None, Integer(1, 10_000_000), "a feed's stories beyond its newest N are deleted after each refresh (starred ones never)",
        default_doc="off",
    )
    keep_pages_days: int = key(
        30, Integer(1, 36_500),
        "article pages (kept for `newsdesk reextract`) older than this many days are deleted after each refresh; "
        "their stories stay",
    )
    """30: a page is two thirds of what a new story costs on disk; kept a month, pages are a
    tenth of a year's database, and a better extractor still reaches the month's stories."""
    collapse: bool = key(
        True, Boolean(), "show one row per event: copies of a story from several feeds collapse into one, with their sources"
    )
    database: str | None = key(
        None, Text(),
        "the database: a file, or a URL such as postgresql+psycopg://newsdesk@db.example/newsdesk for a newsroom"
        " (--db and $NEWSDESK_DB come first)",
        default_doc="newsdesk.db in the user data dir",
    )
    lease_seconds: float = key(
        60.0, Number(2, 3600, "seconds"),
        "several daemons on one PostgreSQL: how long a daemon's claim on a feed lasts unless renewed"
        " (a daemon that dies loses its feeds after this)",
    )

    def interval(self, feed: FeedConfig) -> float:
        """Minutes between a feed's refreshes: its own, else the default."""
        return feed.refresh_minutes or self.refresh_minutes

    def extracts(self, feed: FeedConfig) -> bool:
        """Whether a feed's pages are downloaded and extracted: its own switch, else the default."""
        return self.extract if feed.extract is None else feed.extract


@dataclass(frozen=True, slots=True)
class _QuietHours:
    """`quiet_hours = "22:00-07:00"`: a range of local times, which may run past midnight."""

    doc: str = 'local times "HH:MM-HH:MM"'

    def check(self, value: object) -> tuple[clock_time, clock_time]:
        if not isinstance(value, str):
            raise Invalid(f"must be a range of times like \"22:00-07:00\", not {toml_type(value)}")
        try:
            start, end = (clock_time.fromisoformat(part.strip()) for part in value.split("-"))
        except ValueError:
            raise Invalid(f"{value!r} is not a range of times like \"22:00-07:00\"") from None
        if start == end:
            raise Invalid(f"{value!r} starts and ends at the same time")
        return start, end


@dataclass(frozen=True, slots=True)
class AlertRules:
    """`[alerts]`: which watchlist entries alert, from how many mentions, when not, and where
    alerts go (newsdesk.alerts sends them)."""

    entries: tuple[str, ...] = key(
        (), Strings(), 'watchlist names that alert (as in the watchlist), or ["*"] for every entry; none: no alerts'
    )
    min_mentions: int = key(1, Integer(1, 1000), "a story alerts for an entry only when it mentions it at least this many times")
    quiet_hours: tuple[clock_time, clock_time] | None = key(
        None, _QuietHours(), "alerts stored in these local hours wait until they end", default_doc="none"
    )
    bell: bool = key(True, Boolean(), "ring the terminal bell (the UI's terminal, or the daemon's)")
    desktop: bool = key(True, Boolean(), "a desktop notification through notify-send, where the system has it")
    command: tuple[str, ...] = key(
        (), Strings(), "a command (program and arguments) that receives each alert as one JSON object on its standard input"
    )
    webhook: str | None = key(
        None, WebUrl(), "an http(s) URL each alert is POSTed to as JSON (ntfy's plain text for an ntfy topic)", default_doc="none"
    )

    @property
    def enabled(self) -> bool:
        return bool(self.entries)

    def watches(self, entity: str, count: int) -> bool:
        """Whether a story that mentions `entity` `count` times alerts for it."""
        if count < self.min_mentions:
            return False
        return "*" in self.entries or any(name_key(entity) == name_key(name) for name in self.entries)

    def due(self, created: datetime) -> datetime:
        """When an alert stored at `created` may go out: then, or at the end of the quiet hours."""
        if self.quiet_hours is None:
            return created
        start, end = self.quiet_hours
        local = created.astimezone()
        now = local.time()
        quiet = (start <= now < end) if start <= end else (now >= start or now < end)
        if not quiet:
            return created
        until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if until <= local:
            until += timedelta(days=1)
        return until.astimezone(created.tzinfo)


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str = derived(Text(), "the feed's name in the UI", default_doc="the URL's host")
    url: str = required(WebUrl(), "the feed's address (http or https)")
    tags: tuple[str, ...] = key((), _Tags(), "words that group this feed with others (the feeds screen, a tag's stories, OPML folders)")
    refresh_minutes: float | None = key(None, _MINUTES, "this feed's interval", default_doc="settings'")
    extract: bool | None = key(None, Boolean(), "this feed's extraction switch", default_doc="settings'")


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None = None
    settings: Settings = table(Settings, "settings for every feed")
    feeds: tuple[FeedConfig, ...] = array(FeedConfig, "the feeds to read")
    watchlist: Watchlist = table(Watchlist, "the countries and people to watch")
    keys: tuple[KeyBinding, ...] = key(
        (), _KeyTable(), "the UI's actions with other keys than their defaults (see Keys)", default_doc="the key table's"
    )
    alerts: AlertRules = table(AlertRules, "which watchlist entries alert, and where alerts go")


def reference() -> str:
    """The Markdown table of every feeds.toml key, as the README shows it."""
    return reference_table(Config)


# ---------------------------------------------------------------------------- where files are

APP_NAME = places.APP_NAME
CONFIG_ENV = "NEWSDESK_CONFIG"
DB_ENV = "NEWSDESK_DB"
CONFIG_NAME = "feeds.toml"


def name_key(name: str) -> str:
    """Two ways of writing one name ("Michael  jordan", "Michael Jordan") compare equal."""
    return " ".join(name.casefold().split())


def user_config_path() -> Path:
    return places.user_dir("config") / CONFIG_NAME


def user_db_path() -> Path:
    return places.user_dir("data") / "newsdesk.db"


def default_config_text() -> str:
    """The feeds.toml a new user starts from (shipped inside the package)."""
    from importlib import resources

    return resources.files("newsdesk").joinpath("default_feeds.toml").read_text(encoding="utf-8")


def find_config(explicit: str | os.PathLike[str] | None = None, *, on_create: Callable[[Path], object] | None = None) -> Path:
    """--config, else $NEWSDESK_CONFIG, else feeds.toml in the user config directory.

    A feeds.toml in the current directory is used only when named: which sources and
    watchlist are in use must not depend on where the command runs. Only the user's file is
    created when missing (a copy of the default, and `on_create` is told where): a path the
    user named and that does not exist is their mistake, and is reported.
    """
    for candidate in (explicit, os.environ.get(CONFIG_ENV) or None):
        if candidate:
            path = Path(candidate).expanduser()
            if not path.is_file():
                raise ConfigError("no such file (give --config a path to a feeds.toml)", path=path)
            return path
    path = user_config_path()
    if not path.exists():
        places.make_dir(path.parent, "the folder for feeds.toml", places.fix_for("config"))
        try:
            with path.open("x", encoding="utf-8") as out:  # "x": a second first run at once keeps the first's
                out.write(default_config_text())
        except FileExistsError:
            return path
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot write {path}: {places.write_problem(exc, path)}; {places.fix_for('config')}"
            ) from None
        if on_create is not None:
            on_create(path)
    return path


def find_db(explicit: str | None = None, configured: str | None = None) -> str:
    """--db, else $NEWSDESK_DB, else feeds.toml's `[settings] database`, else newsdesk.db in the
    user data dir: a path or SQLAlchemy URL."""
    return explicit or os.environ.get(DB_ENV) or configured or str(user_db_path())


# ---------------------------------------------------------------------------- loading


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
    # Many Windows editors start a UTF-8 file with a byte order mark; TOML has no use for it.
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        raise ConfigError(f"TOML syntax error: {reason}", path=path, line=line) from None
    return _Validator(text, path).config(data)


_TableId = tuple[str, int]


class _Validator:
    """Turns parsed TOML into Config by the declarations, or a ConfigError pointing at the line at fault.

    `read` checks any declared table; the methods named after a table (`feeds`, `watchlist`,
    ...) add the rules that span keys (a feed's name defaults to its host, a URL listed twice)."""

    RULES: dict[str, Callable[[_Validator, Any], Any]]
    """The tables with rules of their own, by dotted name; the others are read by their declarations alone."""

    def __init__(self, text: str, path: Path | None) -> None:
        self.path = path
        self.lines = _KeyLines(text)

    def in_table(self, tid: _TableId) -> Callable[[str], int | None]:
        """The line of each key of one table (a `[header]` table, or one of an array's)."""
        return lambda name: self.lines.line(tid, name)

    def at(self, line: int | None) -> Callable[[str], int | None]:
        """Every key on one line (an inline table)."""
        return lambda _name: line

    def fail(self, message: str, key: str, line: int | None) -> ConfigError:
        return ConfigError(message, path=self.path, line=line, key=key)

    def check_keys(self, table: Mapping[str, Any], known: tuple[str, ...], where: str, line_of: Callable[[str], int | None]) -> None:
        for name in table:
            if name not in known:
                near = difflib.get_close_matches(name, known, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else f" (known keys: {', '.join(known)})"
                dotted = f"{where}.{name}" if where else name
                raise self.fail(f"unknown key{hint}", dotted, line_of(name))

    def require(
        self, table: Mapping[str, Any], key: str, declared: type[Any], where: str, line_of: Callable[[str], int | None],
        line: int | None, problem: str,
    ) -> None:
        """A table without its one required key: an unknown key in it is said first (most often
        the required one misspelt), else `problem`."""
        if key not in table:
            self.check_keys(table, tuple(declared_keys(declared)), where, line_of)
            raise self.fail(problem, where, line)

    def read(
        self, raw: Mapping[str, Any], cls: type[Any], where: str, line_of: Callable[[str], int | None], *, header: int | None = None
    ) -> dict[str, Any]:
        """Every declared key of `cls` that `raw` holds, checked: {field name: value}."""
        keys = declared_keys(cls)
        self.check_keys(raw, tuple(keys), where, line_of)
        values: dict[str, Any] = {}
        for name, declared in keys.items():
            dotted = f"{where}.{name}" if where else name
            if name not in raw:
                if declared.spec.required:
                    raise self.fail(f"needs {name} ({name} = ...)", where, header)
                continue
            values[declared.attribute] = self.value(raw[name], declared, dotted, line_of(name))
        return values

    def value(self, raw: Any, declared: DeclaredKey, dotted: str, line: int | None) -> Any:
        kind = declared.spec.kind
        if isinstance(kind, Section):
            rule = self.RULES.get(dotted)
            if rule is not None:
                return rule(self, raw)
            if kind.many:
                return self.tables(raw, kind.of, dotted)
            return self.section(raw, kind.of, dotted)
        if isinstance(kind, _Countries):
            return raw  # read whole by watchlist(): it needs the lines of its items
        try:
            return kind.check(raw)
        except Invalid as exc:
            return self.invalid(exc, dotted, line)

    def invalid(self, exc: Invalid, dotted: str, line: int | None) -> Any:
        if exc.inner:  # a key inside a table-valued key: its own line when it has one
            raise self.fail(exc.message, f"{dotted}.{exc.inner}", self.lines.line((dotted, 0), exc.inner) or line)
        raise self.fail(exc.message, dotted, line)

    def section(self, raw: Any, cls: type[Any], dotted: str) -> Any:
        if not isinstance(raw, dict):
            raise self.fail(f"must be a table ([{dotted}])", dotted, self.lines.line(("", 0), dotted))
        tid = (dotted, 0)
        return cls(**self.read(raw, cls, dotted, self.in_table(tid), header=self.lines.header(tid)))

    def tables(self, raw: Any, cls: type[Any], dotted: str) -> tuple[Any, ...]:
        if not isinstance(raw, list):
            raise self.fail(f"must be an array of tables ([[{dotted}]])", dotted, self.lines.line(("", 0), dotted))
        out = []
        for index, item in enumerate(raw):
            tid = (dotted, index)
            where = f"{dotted}[{index + 1}]"
            if not isinstance(item, dict):
                raise self.fail("must be a table", where, self.lines.header(tid))
            out.append(cls(**self.read(item, cls, where, self.in_table(tid), header=self.lines.header(tid))))
        return tuple(out)

    # -------------------------------------------------------------- rules spanning keys

    def config(self, data: dict[str, Any]) -> Config:
        values = self.read(data, Config, "", self.in_table(("", 0)))
        return Config(path=self.path, **values)

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
            self.require(item, "url", FeedConfig, where, self.in_table(tid), header, 'this feed has no url (add url = "https://...")')
            values = self.read(item, FeedConfig, where, self.in_table(tid), header=header)
            url = values["url"]
            if url in seen:
                raise self.fail(f"{url} is already listed as feed {seen[url]}", f"{where}.url", self.lines.line(tid, "url"))
            seen[url] = index + 1
            values["name"] = values.get("name") or urlsplit(url).netloc
            feeds.append(FeedConfig(**values))
        return tuple(feeds)

    def watchlist(self, raw: Any) -> Watchlist:
        tid = ("watchlist", 0)
        if not isinstance(raw, dict):
            raise self.fail("must be a table ([watchlist])", "watchlist", self.lines.line(("", 0), "watchlist"))
        values = self.read(raw, Watchlist, "watchlist", self.in_table(tid), header=self.lines.header(tid))
        countries, all_countries, repeated = self.countries(values.get("countries", []))
        people: list[PersonEntry] = []
        seen: set[str] = set()
        for person in values.get("people", ()):
            name = name_key(person.name)
            (repeated if name in seen else people).append(person)
            seen.add(name)
        return Watchlist(countries=countries, people=tuple(people), all_countries=all_countries, repeated=tuple(repeated))

    def countries(self, raw: Any) -> tuple[tuple[CountryEntry, ...], bool, list[CountryEntry | PersonEntry]]:
        key_line = self.lines.line(("watchlist", 0), "countries")
        if not isinstance(raw, list):
            raise self.fail("must be a list of country names or ISO codes", "watchlist.countries", key_line)
        entries: list[CountryEntry] = []
        repeated: list[CountryEntry | PersonEntry] = []
        all_countries = False
        seen: set[str] = set()
        for index, item in enumerate(raw):
            where = f"watchlist.countries[{index + 1}]"
            if isinstance(item, dict):
                line = self.lines.find_after(key_line, "name")
                self.require(item, "name", CountryEntry, where, self.at(line), line, "needs a name (a country name or ISO code)")
                line = self.lines.find_after(key_line, str(item["name"])) or key_line
                if item["name"] == "*":
                    all_countries = True
                    continue
                values = self.read(item, CountryEntry, where, self.at(line))
            else:
                line = self.lines.find_after(key_line, str(item)) or key_line
                if isinstance(item, str) and item.strip() == "*":
                    all_countries = True
                    continue
                try:
                    values = {"code": _CountryName().check(item)}
                except Invalid as exc:
                    raise self.fail(exc.message, where, line) from None
            entry = CountryEntry(**values, line=line)
            (repeated if entry.code in seen else entries).append(entry)
            seen.add(entry.code)
        return tuple(entries), all_countries, repeated

    def watchlist_people(self, raw: Any) -> tuple[PersonEntry, ...]:
        people_line = self.lines.line(("watchlist", 0), "people")
        if not isinstance(raw, list):
            raise self.fail("must be an array of tables ([[watchlist.people]])", "watchlist.people", people_line)
        people: list[PersonEntry] = []
        for index, item in enumerate(raw):
            tid = ("watchlist.people", index)
            where = f"watchlist.people[{index + 1}]"
            header = self.lines.header(tid)
            shorthand = isinstance(item, str)  # people = ["Vladimir Putin"] is a natural thing to write
            if shorthand:
                item = {"name": item}
            if not isinstance(item, dict):
                raise self.fail("must be a table with a name", where, header)
            self.require(item, "name", PersonEntry, where, self.in_table(tid), header, 'needs a name (name = "Full Name")')
            values = self.read(item, PersonEntry, where, self.in_table(tid), header=header)
            if not values["name"]:
                raise self.fail("must not be empty", f"{where}.name", self.lines.line(tid, "name"))
            line = self.lines.find_after(people_line, values["name"]) if shorthand else self.lines.line(tid, "name")
            people.append(PersonEntry(**values, line=line))
        return tuple(people)


def table_headers(text: str) -> dict[tuple[str, int], int]:
    """The line of each table header in a feeds.toml text: ("feeds", 0) for the first
    `[[feeds]]`, ("settings", 0) for `[settings]` (for writers that edit the text beside tomlkit)."""
    return dict(_KeyLines(text).headers)


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

    def line(self, table: _TableId, key: str) -> int | None:
        return self.keys.get((table[0], table[1], key)) or self.headers.get(table)

    def header(self, table: _TableId) -> int | None:
        return self.headers.get(table)

    def find_after(self, start: int | None, needle: str) -> int | None:
        """The first line at or after `start` that mentions `needle` (an array item)."""
        if start is None:
            return None
        for number in range(start, len(self.text_lines) + 1):
            if needle in self.text_lines[number - 1]:
                return number
        return None


_Validator.RULES = {
    "feeds": _Validator.feeds,
    "watchlist": _Validator.watchlist,
    "watchlist.people": _Validator.watchlist_people,
}
