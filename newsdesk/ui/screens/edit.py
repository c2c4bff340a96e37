"""After `E`: feeds.toml did not load. The error whole, with its line, and the question whether
to open the editor again at that line (y) or keep the last good feeds.toml for now (n)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from newsdesk.display import safe
from newsdesk.errors import ConfigError
from newsdesk.keymap import Scope
from newsdesk.ui.keys import bindings
from newsdesk.ui.screens.base import NewsdeskModal


class ConfigErrorScreen(NewsdeskModal[bool]):
    SCOPE: ClassVar[Scope] = "dialog"
    BINDINGS = bindings("dialog")
    DEFAULT_CSS = """
    ConfigErrorScreen {
        align: center middle;
        & > Vertical {
            width: 76;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            padding: 1 2;
            border: round $error;
            background: $panel;
        }
        & Static {
            width: 100%;
            margin-bottom: 1;
        }
        & #hint {
            margin-bottom: 0;
        }
    }
    """

    def __init__(self, error: ConfigError) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        error = self.error
        where = f"line {error.line}" if error.line else "the file"
        with Vertical():
            yield Static(Text("feeds.toml has an error", style="bold"), id="title")
            yield Static(Text(safe(str(error)), style="red"), id="error")
            yield Static(Text(f"The last good feeds.toml stays in use. Open the editor again at {where}?"), id="question")
            yield Static(Text.assemble(("y", "bold"), " / Enter: edit    ", ("n", "bold"), " / Escape: not now", style="dim"), id="hint")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
