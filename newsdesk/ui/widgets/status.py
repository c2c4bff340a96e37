"""The status bar: what the refresh is doing or last did, who refreshes, and a broken feeds.toml."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from newsdesk.ui.messages import Status

if TYPE_CHECKING:
    from newsdesk.ui.app import NewsdeskApp


class StatusBar(Horizontal):
    """Shows the app's Status; a broken feeds.toml outranks everything else."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $boost;
        & > #status {
            width: 1fr;
            color: $text-muted;
            padding: 0 1;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        & > ProgressBar {
            width: 24;
            display: none;
        }
        & > ProgressBar.-busy {
            display: block;
        }
    }
    """

    def on_mount(self) -> None:
        app = cast("NewsdeskApp", self.app)  # a StatusBar lives in newsdesk's app only
        app.status_signal.subscribe(self, self.show)
        self.show(app.status)

    def compose(self) -> ComposeResult:
        yield Static("", id="status")
        yield ProgressBar(show_eta=False, show_percentage=False)

    def show(self, status: Status) -> None:
        text = self.query_one("#status", Static)
        bar = self.query_one(ProgressBar)
        if status.config_error:
            text.update(Text(f"feeds.toml has an error, still using the last good one: {status.config_error}", style="bold red"))
        else:
            text.update(Text(status.line()))
        progress = status.progress
        bar.set_class(progress is not None, "-busy")
        if progress is not None:
            bar.update(total=max(progress.total, 1), progress=progress.done)
