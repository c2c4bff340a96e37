"""`?`: every key of the screen it was opened from, made from the keymap with feeds.toml's [keys]."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from newsdesk.keymap import Bound, Scope
from newsdesk.ui.keys import bindings, help_text
from newsdesk.ui.screens.base import NewsdeskModal


class HelpScreen(NewsdeskModal[None]):
    SCOPE: ClassVar[Scope] = "help"
    BINDINGS = bindings("help")
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > VerticalScroll {
            width: 90;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            padding: 1 2;
            border: round $accent;
            background: $panel;
        }
        & #help-title {
            margin-bottom: 1;
        }
        & #help-files {
            margin-bottom: 1;
        }
    }
    """

    def __init__(self, keys: tuple[Bound, ...], scope: Scope, files: str = "") -> None:
        """`files`: the feeds.toml and database in use, said above the keys."""
        super().__init__()
        self.keys = keys
        self.scope = scope
        self.files = files

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("newsdesk keys", style="bold"), id="help-title")
            if self.files:
                yield Static(Text(self.files, style="dim"), id="help-files")
            yield Static(help_text(self.keys, self.scope), id="help-keys")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_back(self) -> None:
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()
