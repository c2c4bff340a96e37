"""How feeds.toml's keys are declared: each key is a dataclass field that carries its kind of
value, its bounds and one line of help, so that the loader, the reference table in the README
and `newsdesk config reference` are all read from that one field.

A kind checks one value as TOML parsed it and returns it converted, or raises `Invalid` with
words for the user (the loader adds the file, line and key). Checking here is the whole
contract: a value a kind accepts must work everywhere newsdesk uses it, so a kind is as
strict as the strictest consumer (an HTTP header, a timer, a URL parser).

To add a setting, add one field to `config.Settings`:

    keep_days: int | None = key(None, Integer(1, 36500), "stories older than this are removed")

To add a table (`[alerts]`), declare a frozen dataclass whose fields are `key(...)`s and add a
`table(...)` field for it to `config.Config`; an array of tables (`[[alerts]]`) is `array(...)`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Invalid(Exception):
    """A value a kind refuses: the reason in words, and optionally the key inside it at fault
    (one entry of a table-valued key), so the loader can point at its line."""

    def __init__(self, message: str, inner: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.inner = inner


class Kind(Protocol[T_co]):
    """What a key may hold. `doc` is the type column of the reference table."""

    @property
    def doc(self) -> str: ...

    def check(self, value: object) -> T_co: ...


def toml_type(value: object) -> str:
    """The TOML word for a parsed value, for "must be a number, not a string"."""
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _wrong(value: object, what: str) -> Invalid:
    return Invalid(f"must be {what}, not {toml_type(value)}")


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True, slots=True)
class Number:
    """A finite number from `at_least` to `at_most` (a float: 1 and 1.0 are the same)."""

    at_least: float
    at_most: float
    unit: str = ""

    @property
    def doc(self) -> str:
        return f"number, {self.unit} ({_number(self.at_least)} to {_number(self.at_most)})"

    def check(self, value: object) -> float:
        # bool is an int in Python; a setting that wants a number must not accept true.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong(value, "a number")
        if math.isnan(value):
            raise Invalid("must be a number, not nan")
        if value < self.at_least:
            raise Invalid(f"must be at least {_number(self.at_least)} {self.unit}")
        if value > self.at_most:
            raise Invalid(f"must be at most {_number(self.at_most)} {self.unit}")
        return float(value)


def _bytes(value: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    return f"{value} bytes"


@dataclass(frozen=True, slots=True)
class Integer:
    """A whole number from `low` to `high`, both included; `bytes`: a size, shown as "10 MiB"."""

    low: int
    high: int
    bytes: bool = False

    @property
    def doc(self) -> str:
        if self.bytes:
            return f"integer, bytes ({_bytes(self.low)} to {_bytes(self.high)})"
        return f"integer {self.low}–{self.high}"

    def show(self, value: int) -> str:
        return f"{value} ({_bytes(value)})" if self.bytes else str(value)

    def check(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong(value, "a whole number")
        if not self.low <= value <= self.high:
            raise Invalid(f"must be between {self.low} and {self.high}")
        return value


@dataclass(frozen=True, slots=True)
class Boolean:
    doc: str = "boolean"

    def check(self, value: object) -> bool:
        if not isinstance(value, bool):
            raise _wrong(value, "true or false")
        return value




@dataclass(frozen=True, slots=True)
class Text:
    """A string, stripped. `header`: it is sent as an HTTP header value, so printable ASCII only
    (a client encodes headers as ASCII, and a line break would end the header)."""

    header: bool = False
    max_length: int = 1000

    @property
    def doc(self) -> str:
        return "string (printable ASCII)" if self.header else "string"

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise _wrong(value, "a string")
        text = value.strip()
        if len(text) > self.max_length:
            raise Invalid(f"is {len(text)} characters long; at most {self.max_length}")
        if self.header:
            bad = next((c for c in text if not " " <= c <= "~"), None)
            if bad is not None:
                raise Invalid(f"must be printable ASCII (an HTTP header), not {bad!r} (U+{ord(bad):04X})")
        return text


@dataclass(frozen=True, slots=True)
class Strings:
    """A list of strings; each is stripped and empty ones dropped."""

    doc: str = "array of strings"
    max_length: int = 1000

    def check(self, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise Invalid("must be a list of strings")
        out = tuple(item.strip() for item in value if item.strip())
        for item in out:
            if len(item) > self.max_length:
                raise Invalid(f"{item[:40]!r}... is {len(item)} characters long; at most {self.max_length}")
        return out


def web_url_problem(url: str) -> str | None:
    """Why `url` cannot be downloaded, in words naming it, or None when it can: the downloads'
    own check (newsdesk.urls.web_address), so a URL feeds.toml accepts is one they can request."""
    from newsdesk.urls import web_address

    try:
        web_address(url)
    except ValueError as exc:
        return f"{url!r} {exc}"
    return None


@dataclass(frozen=True, slots=True)
class WebUrl:
    """An http:// or https:// URL that a client can download (see `web_url_problem`)."""

    doc: str = "http(s) URL"

    def check(self, value: object) -> str:
        if not isinstance(value, str):
            raise _wrong(value, "a string")
        url = value.strip()
        problem = web_url_problem(url)
        if problem:
            raise Invalid(problem)
        return url


# ------------------------------------------------------------------------- declaring keys

_SPEC = "newsdesk.key"


@dataclass(frozen=True, slots=True)
class KeySpec:
    """What a declared field says about its key in feeds.toml."""

    kind: Any
    """A Kind for a value; a Section for a table or an array of tables."""
    help: str
    toml_name: str | None = None
    """The key's name in the file when it differs from the field's (a country's `name` is stored as its code)."""
    default_doc: str | None = None
    """The default column of the reference, when the default value alone would mislead ("the URL's host")."""
    required: bool = False


@dataclass(frozen=True, slots=True)
class Section(Generic[T]):
    """A key whose value is a table (`[settings]`) or an array of tables (`[[feeds]]`) of
    another declared dataclass."""

    of: type[T]
    many: bool = False

    @property
    def doc(self) -> str:
        return "array of tables" if self.many else "table"


def key(default: Any, kind: Any, help: str, *, toml: str | None = None, default_doc: str | None = None) -> Any:
    """A field that is a key of feeds.toml, with its default, kind of value and one-line help."""
    spec = KeySpec(kind=kind, help=help, toml_name=toml, default_doc=default_doc)
    return field(default=default, metadata={_SPEC: spec})


def required(kind: Any, help: str, *, toml: str | None = None) -> Any:
    """A field that is a key every table of its kind must have (a feed's url)."""
    return field(metadata={_SPEC: KeySpec(kind=kind, help=help, toml_name=toml, required=True)})


def derived(kind: Any, help: str, *, default_doc: str) -> Any:
    """A field that is a key the file may leave out, whose value the loader then works out
    from other keys (a feed's name from its URL): no default of its own."""
    return field(metadata={_SPEC: KeySpec(kind=kind, help=help, default_doc=default_doc)})


def table(of: type[Any], help: str) -> Any:
    """A field that is a table of declared keys (`[settings]`), empty when left out."""
    return field(default_factory=of, metadata={_SPEC: KeySpec(kind=Section(of), help=help)})


def array(of: type[Any], help: str) -> Any:
    """A field that is an array of tables of declared keys (`[[feeds]]`), none when left out."""
    return field(default=(), metadata={_SPEC: KeySpec(kind=Section(of, many=True), help=help)})


@dataclass(frozen=True, slots=True)
class DeclaredKey:
    name: str
    """The key as written in feeds.toml."""
    attribute: str
    """The dataclass field that holds its value."""
    spec: KeySpec
    default: Any


def declared_keys(cls: type[Any]) -> dict[str, DeclaredKey]:
    """The keys a declared dataclass reads from its table, by their name in feeds.toml, in order."""
    assert is_dataclass(cls)
    out: dict[str, DeclaredKey] = {}
    for item in fields(cls):
        spec = item.metadata.get(_SPEC)
        if spec is None:
            continue
        out[spec.toml_name or item.name] = DeclaredKey(spec.toml_name or item.name, item.name, spec, _default(item))
    return out


def _default(item: Field[Any]) -> Any:
    if item.default is not MISSING:
        return item.default
    if item.default_factory is not MISSING:
        return item.default_factory()
    return MISSING


# ------------------------------------------------------------------------- the reference


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    key: str
    type: str
    default: str
    help: str


def reference_rows(cls: type[Any], prefix: str = "") -> Iterator[ReferenceRow]:
    """One row per key, depth first: `settings.concurrency`, `feeds[].url`, ..."""
    for name, declared in declared_keys(cls).items():
        dotted = f"{prefix}{name}"
        kind = declared.spec.kind
        nested = kind.of if isinstance(kind, Section) else getattr(kind, "item", None)
        if nested is not None:
            inner = f"{dotted}[]." if (isinstance(kind, Section) and kind.many) or not isinstance(kind, Section) else f"{dotted}."
            if not isinstance(kind, Section):  # a value kind with table items (countries) is a row too
                yield ReferenceRow(dotted, kind.doc, _default_doc(declared), declared.spec.help)
            yield from reference_rows(nested, inner)
            continue
        yield ReferenceRow(dotted, kind.doc, _default_doc(declared), declared.spec.help)


def _default_doc(declared: DeclaredKey) -> str:
    spec, value = declared.spec, declared.default
    if spec.default_doc is not None:
        return spec.default_doc
    if value is MISSING:
        return "required"
    show = getattr(spec.kind, "show", None)
    if show is not None and value is not None:
        return str(show(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, tuple):
        return "`[]`" if not value else "`[" + ", ".join(f'"{v}"' for v in value) + "]`"
    if isinstance(value, Mapping):
        return "`{}`"
    if value is None:
        return "none"
    return str(value)


def reference_table(cls: type[Any]) -> str:
    """The Markdown table of every key under `cls` (the README's feeds.toml reference)."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for row in reference_rows(cls):
        lines.append(f"| `{row.key}` | {row.type} | {row.default} | {row.help} |")
    return "\n".join(lines) + "\n"
