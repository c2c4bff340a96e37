"""Changing feeds.toml for the reader: adding and removing feeds and watchlist entries, as
`newsdesk feeds`, `newsdesk watchlist add/remove` and `newsdesk import` do.

The file is the reader's: every comment, blank line and the order of what is in it stay as
they were. Values are rendered by tomlkit (so quoting and escapes are TOML's), and a table
is added or removed as text beside the others, so a comment above the next section stays
above it (tomlkit alone would count it as the end of the previous table, and move or remove
it with that table). Each change is checked twice: the new text must load with the same
loader as at start, and it must hold exactly the change meant (the feeds before, plus or
minus one); otherwise tomlkit's own edit is tried, and a change that cannot be made right is
refused. Nothing broken is ever written.

A write goes to a temporary file beside feeds.toml, is flushed to disk, loaded again from
there, and only then renamed over the old file: a crash at any moment leaves the old file or
the new one, never a part. Writers take a lock on the file, so two commands at once cannot
lose each other's change; a program watching the file (the UI, the daemon) sees one change.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import tomlkit
from tomlkit.items import AoT, Array, Table

from newsdesk.config import (
    Config,
    CountryEntry,
    FeedConfig,
    PersonEntry,
    load_config,
    name_key,
    parse_config,
)
from newsdesk.errors import ConfigError, EditError, NewsdeskError

try:
    import fcntl
except ImportError:  # Windows: no lock, the rename is still atomic
    fcntl = None  # type: ignore[assignment]  # None stands for the module Windows lacks

T = TypeVar("T")


def feed_identity(url: str) -> str:
    """One spelling per feed address, to refuse a feed already listed under another spelling:
    scheme, case of the host, default port, a trailing slash, fragment and tracking parameters
    do not make another feed."""
    from newsdesk.urls import normalise_link

    normal = normalise_link(url)
    return normal.split("://", 1)[-1].rstrip("/")


@dataclass(frozen=True, slots=True)
class NewFeed:
    """A feed to add: what `feeds add` and `import` know about it."""

    url: str
    name: str | None = None
    tags: tuple[str, ...] = ()
    refresh_minutes: float | None = None
    extract: bool | None = None


class Draft:
    """feeds.toml being changed: its text, and the config that text loads as."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.config = parse_config(text, path)
        self._identities: tuple[Config, dict[str, FeedConfig]] | None = None

    # ------------------------------------------------------------------ feeds

    def find_feed(self, url: str) -> FeedConfig | None:
        """The feed already listed at this address, however it is spelled."""
        if self._identities is None or self._identities[0] is not self.config:
            self._identities = (self.config, {feed_identity(f.url): f for f in reversed(self.config.feeds)})
        return self._identities[1].get(feed_identity(url))

    def add_feed(self, feed: NewFeed) -> FeedConfig:
        existing = self.find_feed(feed.url)
        if existing is not None:
            raise EditError(f"{feed.url} is already in {self.path} (as {existing.name!r}, {existing.url})")
        return self.add_feeds([feed])[0]

    def add_feeds(self, feeds: Sequence[NewFeed]) -> tuple[FeedConfig, ...]:
        """Add several feeds in one change (an import), after the feeds there are."""
        if not feeds:
            return ()
        tables = [_feed_values(feed) for feed in feeds]
        added = tuple(
            FeedConfig(
                name=feed.name or urlsplit(feed.url).netloc, url=feed.url, tags=feed.tags,
                refresh_minutes=feed.refresh_minutes, extract=feed.extract,
            )
            for feed in feeds
        )

        def edit(doc: Any) -> None:
            feeds_value = doc.get("feeds")
            if isinstance(feeds_value, Array):  # feeds = [{...}, ...]: the same form
                for values in tables:
                    feeds_value.append(_inline(values))
            else:
                for values in tables:
                    _aot(doc, "feeds").append(_table(values))

        what = f"add the feed {feeds[0].url}" if len(feeds) == 1 else f"add {len(feeds)} feeds"
        self._change(
            lambda text: _append_tables(text, "feeds", tables),
            edit,
            lambda config: replace(config, feeds=(*self.config.feeds, *added)),
            what,
        )
        return self.config.feeds[-len(feeds):]

    def remove_feed(self, feed: FeedConfig) -> None:
        index = self.config.feeds.index(feed)
        self._change(
            lambda text: _remove_table(text, "feeds", index),
            lambda doc: doc["feeds"].__delitem__(index),
            lambda config: replace(config, feeds=tuple(f for i, f in enumerate(config.feeds) if i != index)),
            f"remove the feed {feed.url}",
        )

    # ------------------------------------------------------------------ the watchlist

    def add_country(self, code: str, name: str) -> None:
        if any(c.code == code for c in self.config.watchlist.countries):
            raise EditError(f"{name} is already on the watchlist in {self.path}")
        entry = CountryEntry(code=code)

        def edit(doc: Any) -> None:
            watchlist = _watchlist(doc)
            if "countries" not in watchlist:
                watchlist["countries"] = tomlkit.array()
            watchlist["countries"].append(name)

        self._change(None, edit, lambda c: _with_watchlist(c, countries=(*c.watchlist.countries, entry)), f"add {name}")

    def remove_country(self, code: str, name: str) -> None:
        if not any(c.code == code for c in self.config.watchlist.countries):
            raise EditError(f"{name} is not on the watchlist in {self.path}")
        from newsdesk import countries as country_data

        def same(item: Any) -> bool:
            value = item.get("name") if isinstance(item, dict) else item
            found = country_data.lookup(str(value).strip()) if isinstance(value, str) else None
            return found is not None and found.code == code

        def edit(doc: Any) -> None:
            countries = doc["watchlist"]["countries"]
            for index in reversed(range(len(countries))):
                if same(countries[index]):
                    del countries[index]

        self._change(
            None, edit,
            lambda c: _with_watchlist(c, countries=tuple(e for e in c.watchlist.countries if e.code != code)),
            f"remove {name}",
        )

    def add_person(self, name: str, aliases: Sequence[str] = ()) -> None:
        key = name_key(name)
        if any(name_key(p.name) == key for p in self.config.watchlist.people):
            raise EditError(f"{name} is already on the watchlist in {self.path}")
        values: dict[str, Any] = {"name": name}
        if aliases:
            values["aliases"] = list(aliases)
        entry = PersonEntry(name=name, aliases=tuple(aliases))

        def edit(doc: Any) -> None:
            people = _watchlist(doc).get("people")
            if isinstance(people, Array):  # people = ["A", "B"]: the same form
                people.append(name if not aliases else _inline(values))
            else:
                _aot(_watchlist(doc), "people").append(_table(values))

        self._change(
            lambda text: _append_tables(text, "watchlist.people", [values]),
            edit,
            lambda c: _with_watchlist(c, people=(*c.watchlist.people, entry)),
            f"add {name}",
        )

    def remove_person(self, name: str) -> str:
        key = name_key(name)
        matches = [i for i, p in enumerate(self.config.watchlist.people) if name_key(p.name) == key]
        if not matches:
            raise EditError(f"{name} is not on the watchlist in {self.path}")
        index = matches[0]
        person = self.config.watchlist.people[index]

        def edit(doc: Any) -> None:
            people = doc["watchlist"]["people"]
            for i in reversed(range(len(people))):
                item = people[i]
                value = item.get("name") if isinstance(item, dict) else item
                if isinstance(value, str) and name_key(value) == key:
                    del people[i]

        self._change(
            lambda text: _remove_table(text, "watchlist.people", index),
            edit,
            lambda c: _with_watchlist(c, people=tuple(p for p in c.watchlist.people if name_key(p.name) != key)),
            f"remove {name}",
        )
        return person.name

    # ------------------------------------------------------------------ how a change is made

    def _change(
        self,
        as_text: Callable[[str], str | None] | None,
        as_tomlkit: Callable[[Any], None],
        expected: Callable[[Config], Config],
        what: str,
    ) -> None:
        """Make one change: by text when `as_text` can, else by tomlkit; keep the first result
        that loads and holds exactly `expected`."""
        want = expected(self.config)
        refused: ConfigError | None = None
        for attempt in (as_text, self._by_tomlkit(as_tomlkit)):
            if attempt is None:
                continue
            candidate = attempt(self.text)
            if candidate is None:
                continue
            try:
                loaded = parse_config(candidate, self.path)
            except ConfigError as exc:
                refused = exc
                continue
            if _same(loaded, want):
                self.text, self.config = candidate, loaded
                return
        if refused is not None:  # the loader refuses what the change holds: nothing is written
            raise ConfigError(f"the change was not written: {refused.reason}", path=self.path, line=refused.line, key=refused.key)
        raise EditError(f"cannot {what} in {self.path} by itself; the file is unchanged: edit it by hand")

    @staticmethod
    def _by_tomlkit(edit: Callable[[Any], None]) -> Callable[[str], str | None]:
        def run(text: str) -> str | None:
            doc = tomlkit.parse(text.removeprefix("\ufeff"))
            try:
                edit(doc)
            except (KeyError, IndexError, TypeError, ValueError):
                return None
            return ("\ufeff" if text.startswith("\ufeff") else "") + tomlkit.dumps(doc)

        return run


def _same(a: Config, b: Config) -> bool:
    # Watchlist entries compare without their lines; `repeated` is a lint finding, not the list.
    return (a.settings, a.feeds, a.watchlist.countries, a.watchlist.people, a.watchlist.all_countries) == (
        b.settings, b.feeds, b.watchlist.countries, b.watchlist.people, b.watchlist.all_countries,
    )


def _with_watchlist(config: Config, **changes: Any) -> Config:
    return replace(config, watchlist=replace(config.watchlist, **changes))


def _feed_values(feed: NewFeed) -> dict[str, Any]:
    """A feed's keys as feeds.toml holds them, in the order the reference lists them."""
    values: dict[str, Any] = {}
    if feed.name:
        values["name"] = feed.name
    values["url"] = feed.url
    if feed.tags:
        values["tags"] = list(feed.tags)
    if feed.refresh_minutes is not None:
        values["refresh_minutes"] = _number(feed.refresh_minutes)
    if feed.extract is not None:
        values["extract"] = feed.extract
    return values


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _value(value: Any) -> str:
    """A value as TOML writes it (quoting and escapes are tomlkit's)."""
    return str(tomlkit.item(value).as_string())


def _table(values: dict[str, Any]) -> Table:
    table = tomlkit.table()
    for key, value in values.items():
        table[key] = value
    return table


def _inline(values: dict[str, Any]) -> Any:
    table = tomlkit.inline_table()
    table.update(values)
    return table


def _aot(container: Any, key: str) -> AoT:
    if key not in container:
        container[key] = tomlkit.aot()
    value = container[key]
    if not isinstance(value, AoT):
        raise TypeError(key)
    return value


def _watchlist(doc: Any) -> Any:
    if "watchlist" not in doc:
        doc["watchlist"] = tomlkit.table()
    return doc["watchlist"]


# ---------------------------------------------------------------------- tables as text

_BLANK = re.compile(r"^\s*$")
_COMMENT = re.compile(r"^\s*#")


def _table_spans(text: str, dotted: str) -> list[tuple[int, int]]:
    """Each `[[dotted]]` table's lines as (first, end): its header to its last key or value,
    with the comments right under it (no blank line between); 0-based, end exclusive."""
    from newsdesk.config import table_headers

    lines = text.splitlines()
    headers = table_headers(text)
    starts = sorted(line - 1 for (name, _), line in headers.items() if name == dotted)
    every = sorted(line - 1 for line in headers.values())
    spans = []
    for start in starts:
        after = [line for line in every if line > start]
        stop = after[0] if after else len(lines)
        last = start
        for number in range(start + 1, stop):
            if not _BLANK.match(lines[number]) and not _COMMENT.match(lines[number]):
                last = number
        end = last + 1
        while end < stop and _COMMENT.match(lines[end]):
            end += 1
        spans.append((start, end))
    return spans


def _append_tables(text: str, dotted: str, tables: Sequence[dict[str, Any]]) -> str | None:
    """`text` with new `[[dotted]]` tables after the last one, before whatever follows it."""
    spans = _table_spans(text, dotted)
    if not spans:
        return None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    end = spans[-1][1]
    block: list[str] = []
    for values in tables:
        block += ["\n", f"[[{dotted}]]\n", *(f"{key} = {_value(value)}\n" for key, value in values.items())]
    if end < len(lines) and not _BLANK.match(lines[end]):
        block.append("\n")
    return "".join(lines[:end] + block + lines[end:])


def _remove_table(text: str, dotted: str, index: int) -> str | None:
    """`text` without the index-th `[[dotted]]` table; the comments and blank lines around it stay."""
    spans = _table_spans(text, dotted)
    if index >= len(spans):
        return None
    start, end = spans[index]
    lines = text.splitlines(keepends=True)
    # One blank line between what was before and what was after, as there was.
    while end < len(lines) and _BLANK.match(lines[end]) and (start == 0 or _BLANK.match(lines[start - 1])):
        end += 1
    if end >= len(lines):  # the last table: the blank lines that set it apart go with it
        while start > 0 and _BLANK.match(lines[start - 1]):
            start -= 1
    return "".join(lines[:start] + lines[end:])


# ---------------------------------------------------------------------- reading and writing


def edit(path: Path, change: Callable[[Draft], T]) -> T:
    """Apply `change` to feeds.toml at `path` and write the result, all under the file's lock."""
    with _locked(path) as text:
        draft = Draft(path, text)
        result = change(draft)
        if draft.text != text:
            write_checked(path, draft.text, checked=True)  # every change of the draft was loaded
        return result


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[str]:
    """The file's text, read under an exclusive lock that lasts until the change is written.

    The lock is on the file itself; a writer that waited for it checks that the file it locked
    is still the one at `path` (the previous writer renamed a new one into place)."""
    target = path.resolve()
    while True:
        try:
            handle = open(target, "rb")
        except FileNotFoundError:
            raise ConfigError("no such file", path=path) from None
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror}", path=path) from None
        with handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                current = os.stat(target)
            except FileNotFoundError:
                continue
            if (current.st_dev, current.st_ino) != (os.fstat(handle.fileno()).st_dev, os.fstat(handle.fileno()).st_ino):
                continue  # replaced while we waited: lock the new one
            data = handle.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ConfigError(f"not UTF-8 text (byte {exc.start})", path=path) from None
            yield text
            return


def write_checked(path: Path, text: str, *, checked: bool = False) -> None:
    """Write feeds.toml whole or not at all: checked by the loader (unless the caller just
    did), written to a temporary file beside it, flushed, checked again as read back from
    disk, then renamed over it."""
    if not checked:
        try:
            parse_config(text, path)
        except ConfigError as exc:
            raise ConfigError(f"the change was not written: {exc.reason}", path=path, line=exc.line, key=exc.key) from None
    target = path.resolve()
    temporary = target.with_name(f".{target.name}.newsdesk-write")
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, mode)
            data = text.encode("utf-8")
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        load_config(temporary)
        os.replace(temporary, target)
    except ConfigError as exc:
        _unlink(temporary)
        raise ConfigError(f"the change was not written: {exc.reason}", path=path, line=exc.line, key=exc.key) from None
    except OSError as exc:
        _unlink(temporary)
        from newsdesk import places

        raise NewsdeskError(f"cannot write {path}: {places.write_problem(exc, target)}; it is unchanged") from None
    with contextlib.suppress(OSError):
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
