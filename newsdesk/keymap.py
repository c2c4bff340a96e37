"""Every action of the terminal UI: its name, default keys, what it does and where it applies.

This is the one declaration the UI's key bindings, its footer, the `?` help, the command
palette, feeds.toml's `[keys]` table and the README's key table all come from (the README is
checked against it by a test), so they cannot drift apart.

Plain data, no Textual import: feeds.toml's loader checks `[keys]` with it, and every command
loads feeds.toml. Key names are Textual's ("n", "N", "question_mark", "pagedown", "ctrl+p"); a
user may also write a key as its character ("?", "/").
"""

from __future__ import annotations

import difflib
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from newsdesk.schema import Invalid

Scope = Literal["app", "list", "reader", "entity", "feeds", "feed", "links", "dialog", "help"]

SCOPE_NAMES: dict[Scope, str] = {
    "app": "anywhere",
    "list": "list",
    "reader": "reader",
    "entity": "entity",
    "feeds": "feeds",
    "feed": "feed details",
    "links": "links",
    "dialog": "dialogs",
    "help": "help",
}
"""How the help and the README name each scope."""

SCREENS: tuple[Scope, ...] = ("list", "reader", "entity", "feeds", "feed", "links", "dialog", "help")
"""The scopes a screen has: each is active together with "app", never with another."""


@dataclass(frozen=True, slots=True)
class Action:
    """Something a key does."""

    name: str
    """The name `[keys]` rebinds it by, and its binding's id."""
    keys: tuple[str, ...]
    """Its default keys, in Textual's names."""
    title: str
    """A few words: the footer's label and the command palette's title."""
    help: str
    """One line saying what it does, for `?`, the command palette and the README."""
    scopes: tuple[Scope, ...]
    footer: bool | tuple[Scope, ...] = False
    """Shown in the footer (the footer has room for a few only): on every screen of its
    scopes, or on these of them alone."""
    palette: bool = True
    """Offered by the command palette (Ctrl+P)."""
    call: str = ""
    """The Textual action it runs, when that is not its name (an action with an argument)."""

    @property
    def command(self) -> str:
        return self.call or self.name

    def in_footer(self, scope: Scope) -> bool:
        return scope in self.footer if isinstance(self.footer, tuple) else self.footer


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One line of feeds.toml's `[keys]`: an action and the keys that replace its defaults."""

    action: str
    keys: tuple[str, ...]
    """Textual key names (normalised), at least one."""


@dataclass(frozen=True, slots=True)
class Bound:
    """An action with the keys it has after feeds.toml's `[keys]`."""

    action: Action
    keys: tuple[str, ...]


_MOVE: tuple[Scope, ...] = ("list", "reader", "entity", "feeds", "feed", "links", "dialog")

ACTIONS: tuple[Action, ...] = (
    # Everywhere.
    Action(
        "help", ("question_mark",), "Keys",
        "this help: every key of the screen (again: close it)",
        ("app",), footer=True, palette=False,
    ),
    Action("quit", ("Q",), "Quit", "quit newsdesk", ("app",)),
    Action("open_alert", ("exclamation_mark",), "Open alert", "open the story of the last alert shown", ("app",)),
    Action(
        "command_palette", ("ctrl+p",), "Commands",
        "the command palette: search newsdesk's commands",
        ("app",), palette=False,
    ),
    Action(
        "change_theme", ("ctrl+t",), "Theme",
        "choose the colour theme (kept for the next start)",
        ("app",),
    ),
    # Moving.
    Action("down", ("j", "down"), "Down", "move down (in the reader: scroll)", _MOVE, palette=False),
    Action("up", ("k", "up"), "Up", "move up (in the reader: scroll)", _MOVE, palette=False),
    Action("page_down", ("pagedown", "space"), "Page down", "a page down", _MOVE, palette=False),
    Action("page_up", ("pageup",), "Page up", "a page up", _MOVE, palette=False),
    Action("first", ("home",), "First", "to the top", _MOVE, palette=False),
    Action("last", ("end",), "Last", "to the bottom", _MOVE, palette=False),
    Action(
        "back", ("q",), "Back",
        "back one level; on the main list: quit",
        ("list", "reader", "entity", "feeds", "feed", "links", "help"),
    ),
    Action(
        "close", ("escape",), "Close",
        "close this screen",
        ("reader", "entity", "feeds", "feed", "links", "help"), palette=False,
    ),
    # The story list and the reader.
    Action(
        "open", ("enter",), "Open",
        "open the story (marks it read); in the watchlist panel: the entry's screen; on the feeds screen: "
        "the feed's stories, or a tag's; among links: the link",
        ("list", "entity", "feeds", "feed", "links"), footer=True, palette=False,
    ),
    Action(
        "next_unread", ("n",), "Next unread",
        "next unread story: in the list moves to it, in the reader opens it",
        ("list", "reader"), footer=True,
    ),
    Action("prev_unread", ("p",), "Previous unread", "previous unread story", ("list", "reader")),
    Action("next_story", ("J",), "Next story", "next story of the view, read or not", ("reader",)),
    Action("prev_story", ("K",), "Previous story", "previous story of the view, read or not", ("reader",)),
    Action("toggle_read", ("N",), "Read/unread", "mark the story read or unread", ("list", "reader")),
    Action(
        "mark_view_read", ("A",), "Mark view read",
        "mark every story of this view read (asks first)",
        ("list",), footer=True,
    ),
    Action("mark_all_read", ("C",), "Mark all read", "mark every stored story read (asks first)", ("list",)),
    Action("undo_mark", ("z",), "Undo mark read", "undo the last mark-all (A or C)", ("list",)),
    Action(
        "toggle_read_shown", ("l",), "Hide/show read",
        "hide or show read stories",
        ("list",), footer=True,
    ),
    Action("toggle_star", ("s",), "Star", "star or unstar the story", ("list", "reader"), footer=True),
    Action("starred", ("S",), "Starred", "show starred stories only, or leave that view", ("list",)),
    Action("toggle_matched", ("a",), "Matched/all", "matched stories or all stories", ("list",)),
    Action("date_window", ("d",), "Date window", "the date window: all, today, 7 days, 30 days", ("list",)),
    Action("sort", ("g",), "Sort", "choose the order: newest, oldest, unread first, most matches", ("list",)),
    Action("reverse_sort", ("G",), "Reverse order", "reverse the order", ("list",)),
    Action(
        "search", ("slash",), "Search",
        "search titles and texts, within the view",
        ("list",), footer=True,
    ),
    Action(
        "clear_filter", ("escape",), "Clear",
        "close the search, then leave the view for matched stories",
        ("list",), palette=False,
    ),
    Action("toggle_panel", ("w",), "Watchlist", "hide or show the watchlist panel", ("list",)),
    Action(
        "sort_panel", ("W",), "Sort watchlist by spike",
        "sort the watchlist panel by spike (the sharpest rise over its usual count first), or back to feeds.toml's order",
        ("list",),
    ),
    Action(
        "entity", ("e",), "Entity",
        "the entity screen of the entry the list shows (or highlighted in the panel): its clusters a day, "
        "what is mentioned with it, its latest stories",
        ("list",),
    ),
    Action(
        "chart_days", ("d",), "30/90 days",
        "the chart and the entities mentioned with it: the last 30 days or the last 90",
        ("entity",), footer=True,
    ),
    Action("open_link", ("o",), "Open link", "open the story's link in the browser", ("list", "reader")),
    Action(
        "open_link_read", ("O",), "Open link, mark read",
        "open the link and mark the story read",
        ("list", "reader"),
    ),
    Action(
        "links", ("u",), "Links",
        "the story's links, numbered: its own, then those its article cites, then those its text writes out",
        ("list", "reader"),
    ),
    Action(
        "sources", ("c",), "Sources",
        "the event's other sources (its copies in other feeds, listed under the story's header): choose one to read it",
        ("reader",),
    ),
    *(
        Action(
            f"link_{n}", (str(n),), f"Link {n}", f"open link {n} of the story", ("reader", "links"),
            palette=False, call=f"open_link_number({n})",
        )
        for n in range(1, 10)
    ),
    Action(
        "refresh_feed", ("r",), "Refresh feed",
        "refresh the story's feed now (on the feeds screen: the selected feed, unless it backs off: F forces it)",
        ("list", "reader", "feeds", "feed"), footer=True,
    ),
    Action(
        "force_refresh", ("F",), "Force refresh",
        "refresh the selected feed now, even while it backs off after failures",
        ("feeds", "feed"), footer=("feed",),  # the detail screen is where the back-off is read
    ),
    Action("refresh_all", ("R",), "Refresh all", "refresh every feed now", ("list", "reader", "feeds", "feed")),
    Action("feeds", ("f",), "Feeds", "the feeds and their health, grouped by tag", ("list",), footer=True),
    Action(
        "feed_details", ("i",), "Details",
        "the selected feed in full: its address and where it moved, the problem, HTTP status and validators, "
        "the last 10 outcomes, the back-off",
        ("feeds",), footer=True,
    ),
    Action(
        "edit_config", ("E",), "Edit feeds.toml",
        "open feeds.toml in your editor ($VISUAL, $EDITOR, else nano or vi); read again when the editor exits",
        ("app",),
    ),
    # Questions and help.
    Action(
        "confirm", ("y", "enter"), "Yes",
        "answer yes, or take the highlighted choice",
        ("dialog",), palette=False,
    ),
    Action("cancel", ("n", "escape"), "No", "answer no, or choose nothing", ("dialog",), palette=False),
)

BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}

_MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
_NAMED = frozenset(
    ("escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown",
     "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25)))
)
_ALIASES = {"esc": "escape", "return": "enter", "del": "delete", "ins": "insert", "pgup": "pageup", "pgdn": "pagedown",
            "page_up": "pageup", "page_down": "pagedown"}
# Textual names a few characters other than by their Unicode name.
_CHAR_NAMES = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at", "hyphen_minus": "minus",
               "plus_sign": "plus", "low_line": "underscore"}
_DISPLAY = {"up": "↑", "down": "↓", "left": "←", "right": "→", "pagedown": "PgDn", "pageup": "PgUp",
            "escape": "Escape", "enter": "Enter", "space": "Space", "tab": "Tab", "home": "Home", "end": "End",
            "backspace": "Backspace", "delete": "Delete", "insert": "Insert"}


def _char_key(character: str) -> str:
    """A character's Textual key name: letters and digits as they are, others by name ("?" -> "question_mark")."""
    if character == " ":
        return "space"
    if character.isalnum():
        return character
    name = unicodedata.name(character, "").lower().replace("-", "_").replace(" ", "_")
    return _CHAR_NAMES.get(name, name)


def _names_char(name: str) -> str | None:
    """The punctuation character a key name names ("question_mark" -> "?"), if it names one.
    (Other characters are written as themselves: "é", "§".)"""
    return _PUNCTUATION.get(name)


_PUNCTUATION = {_char_key(c): c for c in string.punctuation}


def normalize_key(key: str) -> str:
    """A key as Textual names it, from how a person may write it ("?", "Ctrl+N", "pgdn", "shift+a").

    Raises ValueError when it names no key.
    """
    if len(key) == 1:
        if not key.isprintable():
            raise ValueError(key)
        return _char_key(key)
    parts = [*key[:-2].split("+"), "+"] if key.endswith("++") else key.split("+")  # "ctrl++"
    *mods, base = parts
    mods = [m.strip().lower() for m in mods]
    if any(m not in _MODIFIERS for m in mods) or len(set(mods)) != len(mods) or not base.strip():
        raise ValueError(key)
    base = base.strip()
    if len(base) == 1:
        base = _char_key(base)
        if base.isalpha() and mods:
            if "shift" in mods and mods == ["shift"]:
                return base.upper()  # what a terminal sends for Shift+a
            base = base.lower()
    else:
        base = _ALIASES.get(base.lower(), base.lower())
        if base not in _NAMED and _names_char(base) is None:
            raise ValueError(key)
    order = [m for m in _MODIFIERS if m in mods]
    return "+".join([*order, base])


def display_key(key: str) -> str:
    """A key as the help and the README show it: "?" for question_mark, "Ctrl+P", "PgDn"."""
    *mods, base = key.split("+") if key != "+" else ("+",)
    shown = _DISPLAY.get(base) or (base.upper() if base.startswith("f") and base[1:].isdigit() else None)
    if shown is None:
        shown = base if len(base) == 1 else (_names_char(base) or base)
    if mods:
        shown = "+".join([*(m.capitalize() for m in mods), shown.upper() if len(shown) == 1 else shown])
    return shown


def parse_keys(raw: Mapping[str, Any]) -> tuple[KeyBinding, ...]:
    """feeds.toml's `[keys]` table: each action named with a key or a list of keys.

    Raises schema.Invalid (its `inner` names the action; the loader adds file and line) for an
    unknown action, a key that names no key, or a key two actions would share on one screen.
    """
    bindings: list[KeyBinding] = []
    for name, value in raw.items():
        if name not in BY_NAME:
            near = difflib.get_close_matches(name, list(BY_NAME), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else " (`newsdesk` lists them in its ? help and README)"
            raise Invalid(f"unknown action{hint}", inner=name)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise Invalid('must be a key ("n") or a list of keys (["n", "ctrl+n"])', inner=name)
        keys: list[str] = []
        for written in values:
            try:
                keys.append(normalize_key(written))
            except ValueError:
                raise Invalid(
                    f"{written!r} is not a key: write a character (\"n\", \"N\", \"?\"), a key name "
                    "(\"enter\", \"escape\", \"space\", \"pagedown\", \"up\", \"f5\") or either after "
                    "modifiers (\"ctrl+n\", \"alt+up\")",
                    inner=name,
                ) from None
        bindings.append(KeyBinding(name, tuple(dict.fromkeys(keys))))
    _check_clashes(bindings)
    return tuple(bindings)


def bound(bindings: tuple[KeyBinding, ...] = ()) -> tuple[Bound, ...]:
    """Every action with its keys once `bindings` (feeds.toml's [keys]) replace the defaults."""
    chosen = {b.action: b.keys for b in bindings}
    return tuple(Bound(a, chosen.get(a.name, a.keys)) for a in ACTIONS)


def in_scope(actions: tuple[Bound, ...], scope: Scope) -> tuple[Bound, ...]:
    return tuple(b for b in actions if scope in b.action.scopes)


def _check_clashes(bindings: list[KeyBinding]) -> None:
    actions = bound(tuple(bindings))
    rebound = {b.action for b in bindings}
    for screen in SCREENS:
        owner: dict[str, Bound] = {}
        for item in (*in_scope(actions, "app"), *in_scope(actions, screen)):
            for key in item.keys:
                other = owner.get(key)
                if other is None:
                    owner[key] = item
                    continue
                # Name the action the user rebound (the one their line of [keys] can fix).
                mine, theirs = (item, other) if item.action.name in rebound else (other, item)
                raise Invalid(
                    f"{display_key(key)!r} is also the key of {theirs.action.name!r} in the "
                    f"{SCOPE_NAMES[screen]} screen; give one of them other keys",
                    inner=mine.action.name,
                )


def markdown_table(actions: tuple[Bound, ...] | None = None) -> str:
    """The README's key table: every action with its default keys, where it works, what it does.

    Link 1 to link 9 make one row. `python -m newsdesk.keymap` prints it.
    """
    rows = ["| key | action | where | what it does |", "|---|---|---|---|"]
    items = actions if actions is not None else bound()
    numbered = [b for b in items if b.action.call.startswith("open_link_number")]
    for item in items:
        if item in numbered[1:]:
            continue
        keys, name, help_ = item.keys, f"`{item.action.name}`", item.action.help
        if item is (numbered[0] if numbered else None):
            keys = tuple(k for b in numbered for k in b.keys)
            name = f"`{numbered[0].action.name}` … `{numbered[-1].action.name}`"
            help_ = "open link 1 to 9 of the story (as `u` numbers them)"
        shown = " ".join(f"`{display_key(k)}`" for k in keys)
        where = ", ".join(SCOPE_NAMES[s] for s in item.action.scopes)
        rows.append(f"| {shown} | {name} | {where} | {help_} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
