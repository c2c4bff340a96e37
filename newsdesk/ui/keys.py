"""Textual's side of the keymap (newsdesk.keymap): each screen's bindings, the `?` help text
and the command palette's commands, all made from the one declaration."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType

from newsdesk.keymap import (
    ACTIONS,
    SCOPE_NAMES,
    Bound,
    KeyBinding,
    Scope,
    display_key,
    in_scope,
)

_MODAL: tuple[Scope, ...] = ("links", "dialog", "help")
"""Scopes of modal screens, which Textual gives none of the app's bindings: they carry them."""


def bindings(scope: Scope) -> list[BindingType]:
    """A screen's BINDINGS (or the app's, for "app"), with the default keys; feeds.toml's
    [keys] replace them through the app's keymap (bindings carry their action's name as id)."""
    made: list[BindingType] = [
        Binding(",".join(a.keys), a.command, a.title, show=a.in_footer(scope), id=a.name) for a in ACTIONS if scope in a.scopes
    ]
    if scope in _MODAL:
        made += [Binding(",".join(a.keys), f"app.{a.command}", a.title, show=False, id=a.name) for a in ACTIONS if "app" in a.scopes]
    return made


def keymap(keys: Iterable[KeyBinding]) -> dict[str, str]:
    """feeds.toml's [keys] as Textual's keymap (App.set_keymap)."""
    return {k.action: ",".join(k.keys) for k in keys}


def shown_keys(bound: Bound) -> str:
    return " ".join(display_key(k) for k in bound.keys)


def help_text(actions: tuple[Bound, ...], scope: Scope) -> Table:
    """Every key of a screen, then the ones that work everywhere."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold #61afef", no_wrap=True)
    table.add_column(ratio=1)
    table.add_column(style="dim", no_wrap=True)
    for title, part in ((f"On the {SCOPE_NAMES[scope]} screen", scope), ("Everywhere", "app")):
        rows = in_scope(actions, part)
        if not rows:
            continue
        table.add_row(Text(title, style="bold"), "", "")
        for row in rows:
            table.add_row(shown_keys(row), row.action.help, row.action.name)
        table.add_row("", "", "")
    words = "Ctrl+P searches every command. feeds.toml's [keys] gives an action (named on the right) other keys."
    table.add_row("", Text(words, style="dim"), "")
    return table
