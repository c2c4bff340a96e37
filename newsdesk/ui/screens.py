"""The screens: the story list, the reader, the feeds and their health, and the key help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static

from newsdesk.display import plain
from newsdesk.types import FeedStatus, StoryDetail
from newsdesk.ui.text import (
    COUNTRY_STYLE,
    PERSON_STYLE,
    TITLE_LIMIT,
    highlighted,
)
from newsdesk.ui.widgets import ALL, EntityPanel, FeedTable, StoryTable

if TYPE_CHECKING:
    from newsdesk.ui.app import NewsdeskApp


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "Open", show=True),
        Binding("a", "toggle_all", "All/matched"),
        Binding("r", "refresh", "Refresh"),
        Binding("m", "toggle_read", "Read/unread"),
        Binding("s", "toggle_star", "Star"),
        Binding("o", "open_link", "Open link"),
        Binding("f", "feeds", "Feeds"),
        Binding("slash", "search", "Search"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    app: NewsdeskApp
    _focus_list_when_shown = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            yield EntityPanel(id="entities")
            with Vertical(id="list"):
                yield Input(placeholder="Search every story (Enter to search, Escape to close)", id="search")
                yield StoryTable(id="stories")
                yield Static("", id="empty")
        with Horizontal(id="statusbar"):
            yield Static("", id="status")
            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(StoryTable).focus()
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#search", Input).display = False

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self._focus_list_when_shown = True
        self.app.set_search(event.value)

    def on_story_table_near_end(self, event: StoryTable.NearEnd) -> None:
        self.app.near_end(event.loaded)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        entity = None if event.option.id == ALL else event.option.id
        self._focus_list_when_shown = True
        self.app.set_filter(entity)

    def list_shown(self) -> None:
        """New rows are in the table: now move the focus there, if a filter or search asked.

        After the rows' frame, not before: a focus change re-lays the footer's keys, which
        costs as much as the rows themselves, and the reader is waiting for the rows.
        """
        if self._focus_list_when_shown:
            self._focus_list_when_shown = False
            self.call_after_refresh(self.query_one(StoryTable).focus)

    def on_data_table_row_selected(self, event: StoryTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        story_id = self.query_one(StoryTable).selected_id()
        if story_id is not None:
            self.app.push_screen(ReaderScreen(story_id))

    def action_toggle_all(self) -> None:
        self.app.set_matched_only(not self.app.matched_only)

    def action_refresh(self) -> None:
        self.app.request_refresh(announce=True)

    def action_toggle_read(self) -> None:
        story_id = self.query_one(StoryTable).selected_id()
        if story_id is not None:
            self.app.toggle_read(story_id)

    def action_toggle_star(self) -> None:
        story_id = self.query_one(StoryTable).selected_id()
        if story_id is not None:
            self.app.toggle_star(story_id)

    def action_open_link(self) -> None:
        story_id = self.query_one(StoryTable).selected_id()
        if story_id is not None:
            self.app.open_link(story_id)

    def action_clear_filter(self) -> None:
        box = self.query_one("#search", Input)
        if box.display or self.app.search:
            box.value = ""
            box.display = False
            self.query_one(StoryTable).focus()
            if self.app.search:
                self.app.set_search(None)
            return
        self.app.set_filter(None)

    def action_feeds(self) -> None:
        self.app.push_screen(FeedsScreen())

    def show_empty(self, message: str | None) -> None:
        empty = self.query_one("#empty", Static)
        empty.update(Text(message or ""))
        empty.display = bool(message)
        self.query_one(StoryTable).display = not message


class ReaderScreen(Screen[None]):
    """One story: its header, why it matched, and its text with every match highlighted."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("o", "open_link", "Open link"),
        Binding("m", "toggle_read", "Read/unread"),
        Binding("s", "toggle_star", "Star"),
    ]

    app: NewsdeskApp

    def __init__(self, story_id: int) -> None:
        super().__init__()
        self.story_id = story_id
        self.story: StoryDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="reader"):
            yield Static(Text("Loading…"), id="story-head")
            yield Static("", id="why")
            yield Static("", id="story-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reader").focus()
        self.app.load_story(self, self.story_id)

    def show(self, story: StoryDetail) -> None:
        self.story = story
        self.query_one("#story-head", Static).update(_head(story))
        self.query_one("#why", Static).update(_why(story))
        matches = [m for hit in story.hits for m in hit.occurrences if m.where == "text"]
        self.query_one("#story-text", Static).update(highlighted(story.text, matches))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open_link(self) -> None:
        self.app.open_link(self.story_id)

    def action_toggle_read(self) -> None:
        self.app.toggle_read(self.story_id)

    def action_toggle_star(self) -> None:
        self.app.toggle_star(self.story_id)


def _head(story: StoryDetail) -> Text:
    title_matches = [m for hit in story.hits for m in hit.occurrences if m.where == "title"]
    head = highlighted(story.title, title_matches, "bold", TITLE_LIMIT)
    head.append("\n\n")
    lines = [("Feed", story.feed), ("Author", story.author), ("Date", _date(story)), ("Link", story.url)]
    for label, value in lines:
        if value:
            head.append(f"{label}: ", style="dim")
            head.append(plain(value))
            head.append("\n")
    if story.text_source == "page":
        head.append("Text from the article page", style="dim italic")
    else:
        head.append("Text from the feed", style="dim italic")
        if story.text_note:
            head.append(plain(f" ({story.text_note})", "dim italic"))
    head.append("\n")
    if story.read:
        head.append("read", style="dim")
    if story.starred:
        head.append("  ★ starred", style="#e5c07b")
    return head


def _date(story: StoryDetail) -> str | None:
    value = story.published or story.fetched_at
    return value.astimezone().strftime("%A %d %B %Y, %H:%M")


def _why(story: StoryDetail) -> Text:
    if not story.hits:
        return Text("No watchlist entry matched this story.", style="dim")
    why = Text("Why it matched\n", style="bold")
    for hit in story.hits:
        forms = sorted({m.form for m in hit.occurrences})
        places = sorted({m.where for m in hit.occurrences})
        why.append("  ")
        why.append(plain(hit.entity, COUNTRY_STYLE if hit.kind == "country" else PERSON_STYLE))
        why.append(f"  {hit.kind}, {hit.count}× in {' and '.join(places)}: ", style="dim")
        why.append(plain(", ".join(f"“{f}”" for f in forms)))
        why.append("\n    ")
        why.append(plain(hit.snippet, "italic dim"))
        why.append("\n")
    return why


class FeedsScreen(Screen[None]):
    """Every feed's health: what the last refresh got, and what to do about a problem."""

    BINDINGS = [
        Binding("escape,f", "back", "Back"),
        Binding("r", "refresh", "Refresh"),
    ]

    app: NewsdeskApp

    def compose(self) -> ComposeResult:
        yield Header()
        yield FeedTable(id="feeds")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FeedTable).focus()
        self.app.load_feeds(self)

    def show(self, feeds: Sequence[FeedStatus]) -> None:
        self.query_one(FeedTable).show(feeds, self.app.clock())

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self.app.request_refresh(announce=True)


KEYS = (
    ("Story list", (("↑ ↓ / j k", "move"), ("Enter", "open the story"), ("a", "matched stories ⇄ all stories"),
                    ("Tab", "switch between watchlist and stories"), ("/", "search every story's title and text"),
                    ("Escape", "close the search, or clear the filter"),
                    ("m", "mark read / unread"), ("s", "star / unstar"), ("o", "open the link in the browser"),
                    ("r", "refresh all feeds now"), ("f", "feeds and their health"))),
    ("Feeds", (("r", "refresh all feeds now"), ("Escape / f", "back to the list"))),
    ("Reader", (("↑ ↓ PgUp PgDn", "scroll"), ("o", "open the link in the browser"), ("m", "mark read / unread"),
                ("s", "star / unstar"), ("Escape", "back to the list"))),
    ("Everywhere", (("?", "this help"), ("q", "quit"))),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        text = Text()
        for section, keys in KEYS:
            text.append(f"{section}\n", style="bold")
            for key, what in keys:
                text.append(f"  {key:<16}", style="bold #61afef")
                text.append(f"{what}\n")
            text.append("\n")
        text.append("Escape closes this help.", style="dim")
        with VerticalScroll(id="help"):
            yield Static(Text("newsdesk keys", style="bold"), id="help-title")
            yield Static(text)
