"""One story: its header, the other sources of its event, why it matched, and its text with
every match and search word highlighted. n/p (and J/K) go through the view it was opened from
without going back."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from newsdesk.display import plain
from newsdesk.keymap import Scope
from newsdesk.links import story_links
from newsdesk.types import ClusterSource, SearchTerm, StoryDetail, StoryItem, StoryQuery
from newsdesk.ui.keys import bindings, shown_keys
from newsdesk.ui.messages import Found, StoryLoaded, StoryUpdated
from newsdesk.ui.screens.base import StoryScreen
from newsdesk.ui.screens.dialogs import SourcesScreen, source_line
from newsdesk.ui.text import (
    COUNTRY_STYLE,
    PERSON_STYLE,
    TITLE_LIMIT,
    highlighted,
    mention_counts,
    mentions_in_words,
)


class ReaderScreen(StoryScreen[StoryItem]):
    """Dismissed with the story it shows last, so the list can put its cursor there."""

    SCOPE: ClassVar[Scope] = "reader"
    BINDINGS = bindings("reader")
    DEFAULT_CSS = """
    ReaderScreen {
        & #reader {
            padding: 1 2;
        }
        & #story-link {
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        & #story-source {
            margin-bottom: 1;
        }
        & #sources {
            margin-bottom: 1;
        }
        & #why {
            margin-bottom: 1;
            padding: 0 1;
            border-left: thick $accent;
        }
        & #story-text {
            max-width: 100;
        }
    }
    """

    def __init__(self, view: StoryQuery, story: StoryItem) -> None:
        """`view`: the list it was opened from; `story`: its row there (its place in the view)."""
        super().__init__()
        self.view = view
        self.item = story
        self.story: StoryDetail | None = None
        self.links: tuple[str, ...] = ()
        self.sources: tuple[ClusterSource, ...] = ()
        """Every story of its event (itself included): `c` opens the others."""
        """The story's links as `u` lists them: 1-9 open them from here too."""
        from newsdesk.store import search_terms  # not on the first screen's imports: it loads SQLAlchemy

        self.search: tuple[SearchTerm, ...] = search_terms(view.search) if view.search else ()

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="reader"):
            yield Static(Text("Loading…"), id="story-head")
            yield Static("", id="story-link")
            yield Static("", id="story-source")
            yield Static("", id="sources")
            yield Static("", id="why")
            yield Static("", id="story-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reader").focus()
        self._open(self.item)

    def the_story(self) -> StoryItem | None:
        if self.story is None:
            return None
        return replace(self.item, read=self.story.read, starred=self.story.starred)

    @work(thread=True, exclusive=True, group="story", exit_on_error=False)
    def _open(self, item: StoryItem) -> None:
        story = self.reads.story(item.id)
        if story is None:
            return
        sources = tuple(self.reads.cluster_sources(item.id))
        # Shown first, marked read after: a busy database delays the mark, never the story.
        self.post_message(StoryLoaded(story, story_links(story, self.reads.story_page(item.id)), sources))
        if self.view.collapse and any(not s.read for s in sources):
            # The list showed the event as one row: reading one copy reads them all.
            self.store.set_cluster_read(item.id, True)
            self._newsdesk.post_message(StoryUpdated(replace(item, read=True, starred=story.starred)))
        elif not story.read:
            self.store.set_read(item.id, True)
            self._newsdesk.post_message(StoryUpdated(replace(item, read=True, starred=story.starred)))

    def on_story_loaded(self, message: StoryLoaded) -> None:
        story = self.story = message.story
        self.links = message.links
        self.sources = message.sources
        self._show_sources(story)
        self.sub_title = story.feed
        self._show_head(story)
        self.query_one("#why", Static).update(_why(story))
        matches = [m for hit in story.hits for m in hit.occurrences if m.where == "text"]
        self.query_one("#story-text", Static).update(highlighted(story.text, matches, search=self.search))
        self.query_one("#reader", VerticalScroll).scroll_home(animate=False)

    def on_story_updated(self, message: StoryUpdated) -> None:
        if self.story is not None and message.story.id == self.story.id:
            self.story = replace(self.story, read=message.story.read, starred=message.story.starred)
            self._show_head(self.story)

    def _show_head(self, story: StoryDetail) -> None:
        self.query_one("#story-head", Static).update(_head(story, self.search))
        link = Text("Link: ", style="dim") + plain(story.url) if story.url else Text()
        self.query_one("#story-link", Static).update(link)
        self.query_one("#story-source", Static).update(_source(story))

    def _show_sources(self, story: StoryDetail) -> None:
        others = [s for s in self.sources if s.id != story.id]
        box = self.query_one("#sources", Static)
        box.display = bool(others)
        if not others:
            return
        key = next((shown_keys(b) for b in self.app.keys if b.action.name == "sources" and b.keys), None)
        hint = f" ({key}: read one)" if key else ""
        text = Text(f"Also reported by {len(others)} other source{'' if len(others) == 1 else 's'}{hint}", style="bold")
        for source in others:
            text.append("\n  ")
            text.append_text(source_line(source, story.title))
        box.update(text)

    def action_sources(self) -> None:
        story = self.story
        others = [s for s in self.sources if story is not None and s.id != story.id]
        if not others:
            self.notify("No other feed has this story.")
            return

        def chosen(source: ClusterSource | None) -> None:
            if source is not None:
                item = StoryItem(
                    id=source.id, title=source.title, feed=source.feed, time=source.time, read=source.read,
                    starred=False, entities=(), url=source.url, cluster=self.item.cluster, sources=len(self.sources),
                )
                self.app.push_screen(ReaderScreen(self.view, item))

        self.app.push_screen(SourcesScreen(others), callback=chosen)

    # ------------------------------------------------------------ through the view

    def action_next_unread(self) -> None:
        self._step(replace(self.view, unread_only=True), "unread story after this one")

    def action_prev_unread(self) -> None:
        self._step(replace(self.view, unread_only=True, reverse=not self.view.reverse), "unread story before this one")

    def action_next_story(self) -> None:
        self._step(self.view, "story after this one")

    def action_prev_story(self) -> None:
        self._step(replace(self.view, reverse=not self.view.reverse), "story before this one")

    @work(thread=True, exclusive=True, group="step", exit_on_error=False)
    def _step(self, view: StoryQuery, what: str) -> None:
        found = self.reads.stories(view, after=self.item, limit=1)
        self.post_message(Found(found[0] if found else None, what))

    def on_found(self, message: Found) -> None:
        if message.story is None:
            self.notify(f"No {message.what} in this view.")
            return
        self.item = message.story
        self._open(message.story)

    # ------------------------------------------------------------ links and leaving

    def action_open_link_number(self, number: int) -> None:
        self.app.open_numbered_link(self.links, number, f"This story has no link {number} (u lists its links).")

    def action_back(self) -> None:
        self.dismiss(self.item)

    def action_close(self) -> None:
        self.dismiss(self.item)


def _head(story: StoryDetail, search: tuple[SearchTerm, ...]) -> Text:
    title_matches = [m for hit in story.hits for m in hit.occurrences if m.where == "title"]
    head = highlighted(story.title, title_matches, "bold", TITLE_LIMIT, search)
    head.append("\n")
    for label, value in (("Feed", story.feed), ("Author", story.author), ("Date", _date(story))):
        if value:
            head.append(f"\n{label}: ", style="dim")
            head.append(plain(value))
    return head


def _source(story: StoryDetail) -> Text:
    """Where the text came from, and the story's state."""
    if story.text_source == "page":
        source = Text("Text from the article page", style="dim italic")
    else:
        source = Text("Text from the feed", style="dim italic")
        if story.text_note:
            source.append_text(plain(f" ({story.text_note})", "dim italic"))
    source.append("\n")
    source.append("read" if story.read else "unread", style="dim")
    if story.starred:
        source.append("  ★ starred", style="#e5c07b")
    return source


def _date(story: StoryDetail) -> str | None:
    value = story.published or story.fetched_at
    return value.astimezone().strftime("%A %d %B %Y, %H:%M")


def _why(story: StoryDetail) -> Text:
    if not story.hits:
        return Text("No watchlist entry matched this story.", style="dim")
    why = Text("Why it matched\n", style="bold")
    for hit in story.hits:
        counts = mention_counts(hit, story)
        total = sum(counts.values())
        forms = sorted({m.form for m in hit.occurrences})
        why.append("  ")
        why.append(plain(hit.entity, COUNTRY_STYLE if hit.kind == "country" else PERSON_STYLE))
        mentions = f"{total} mention{'' if total == 1 else 's'}"
        why.append(f"  {hit.kind}, {mentions}: {mentions_in_words(counts)}; as ", style="dim")
        why.append(plain(", ".join(f"“{f}”" for f in forms)))
        why.append("\n    ")
        why.append(plain(hit.snippet, "italic dim"))
        why.append("\n")
    return why
