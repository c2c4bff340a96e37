"""Small screens over the others: a yes/no question, the sort order, a story's links, an
event's other sources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from newsdesk.display import plain
from newsdesk.keymap import Scope
from newsdesk.types import ClusterSource, StorySort
from newsdesk.ui.keys import bindings
from newsdesk.ui.screens.base import NewsdeskModal
from newsdesk.ui.text import TITLE_LIMIT

_DIALOG_CSS = """
{name} {{
    align: center middle;
    & > Vertical {{
        width: auto;
        max-width: 90%;
        min-width: 30;
        height: auto;
        max-height: 90%;
        padding: 1 2;
        border: round $accent;
        background: $panel;
    }}
    & OptionList {{
        width: auto;
        max-height: 14;
    }}
    & .question {{
        width: auto;
        margin-bottom: 1;
    }}
    & .hint {{
        width: auto;
    }}
}}
"""


class ConfirmScreen(NewsdeskModal[bool]):
    """A yes/no question: y or Enter says yes, n or Escape no."""

    SCOPE: ClassVar[Scope] = "dialog"
    BINDINGS = bindings("dialog")
    DEFAULT_CSS = _DIALOG_CSS.format(name="ConfirmScreen")

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question, style="bold"), classes="question")
            yield Static(Text.assemble(("y", "bold"), " / Enter: yes    ", ("n", "bold"), " / Escape: no", style="dim"), classes="hint")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class SortScreen(NewsdeskModal[StorySort | None]):
    """The orders a list can take; Enter takes the highlighted one."""

    SCOPE: ClassVar[Scope] = "dialog"
    BINDINGS = bindings("dialog")
    DEFAULT_CSS = _DIALOG_CSS.format(name="SortScreen")

    def __init__(self, current: StorySort) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Sort the stories", style="bold"), classes="question")
            yield OptionList(*(Option(sort.value, id=sort.name) for sort in StorySort), compact=True)
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = list(StorySort).index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(StorySort[event.option.id or "NEWEST"])

    def action_confirm(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(list(StorySort)[options.highlighted])

    def action_cancel(self) -> None:
        self.dismiss(None)


class SourcesScreen(NewsdeskModal[ClusterSource | None]):
    """The other stories of an event (its copies in other feeds): Enter takes the highlighted one."""

    SCOPE: ClassVar[Scope] = "dialog"
    BINDINGS = bindings("dialog")
    DEFAULT_CSS = _DIALOG_CSS.format(name="SourcesScreen")

    def __init__(self, sources: Sequence[ClusterSource]) -> None:
        super().__init__()
        self.sources = list(sources)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Other sources of this event (Enter reads one)", style="bold"), classes="question")
            yield OptionList(*(Option(source_line(s), id=str(s.id)) for s in self.sources), compact=True)
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.sources[event.option_index])

    def action_confirm(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(self.sources[options.highlighted])

    def action_cancel(self) -> None:
        self.dismiss(None)


def source_line(source: ClusterSource, title: str | None = None) -> Text:
    """One source of an event: its feed, when, and its title unless it is `title` (the one read)."""
    line = plain(source.feed, "bold")
    line.append(f" · {source.time.astimezone():%b %d %H:%M}", style="dim")
    if source.title != title:
        line.append(" · ")
        line.append_text(plain(source.title, limit=TITLE_LIMIT))
    return line


class LinksScreen(NewsdeskModal[None]):
    """A story's links, numbered: 1-9 (or Enter on one) opens it in the browser."""

    SCOPE: ClassVar[Scope] = "links"
    BINDINGS = bindings("links")
    # One line a link, a long one cut with "…": the box shows where a link goes, not all of it.
    DEFAULT_CSS = _DIALOG_CSS.format(name="LinksScreen") + """
    LinksScreen OptionList {
        max-width: 100%;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, links: Sequence[str]) -> None:
        super().__init__()
        self.links = list(links)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Links (1-9 or Enter opens one)", style="bold"), classes="question")
            if self.links:
                numbered = (Option(_numbered(n, link), id=str(n)) for n, link in enumerate(self.links, start=1))
                yield OptionList(*numbered, compact=True)
            else:
                yield Static(Text("This story has no links.", style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        for options in self.query(OptionList):
            options.highlighted = 0
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open_link_number(int(event.option.id or 1))

    def action_open(self) -> None:
        for options in self.query(OptionList):
            if options.highlighted is not None:
                self.action_open_link_number(options.highlighted + 1)

    def action_open_link_number(self, number: int) -> None:
        self.app.open_numbered_link(self.links, number, f"There is no link {number}.")

    def action_back(self) -> None:
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()


def _numbered(number: int, link: str) -> Text:
    text = Text(f"{number:>2}  ", style="bold")
    text.append_text(plain(link))
    return text
