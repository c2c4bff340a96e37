"""What the screens share: their scope in the keymap, moving with j/k (whatever has the focus),
and the actions on one story that the list and the reader both offer."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import work
from textual.screen import ModalScreen, Screen

from newsdesk.keymap import Scope
from newsdesk.links import story_links
from newsdesk.types import StoryItem, StoryQuery
from newsdesk.ui.messages import LinksLoaded, StoryUpdated

if TYPE_CHECKING:
    from newsdesk.store import Reads, Store  # Store loads SQLAlchemy: opened on a worker after the first rows
    from newsdesk.ui.app import NewsdeskApp

R = TypeVar("R")

# What each move asks of the focused widget, by the first action it has: lists move their
# cursor, the reader scrolls.
_MOVES = {
    "down": ("cursor_down", "scroll_down"),
    "up": ("cursor_up", "scroll_up"),
    "page_down": ("page_down",),
    "page_up": ("page_up",),
    "first": ("first", "scroll_home"),
    "last": ("last", "scroll_end"),
}


class Moves:
    """j/k, PgDn/PgUp, Home/End for whatever widget has the focus."""

    def _move(self, name: str) -> None:
        focused = getattr(self, "focused", None)
        for action in _MOVES[name]:
            method = getattr(focused, f"action_{action}", None)
            if method is not None:
                method()
                return

    def action_down(self) -> None:
        self._move("down")

    def action_up(self) -> None:
        self._move("up")

    def action_page_down(self) -> None:
        self._move("page_down")

    def action_page_up(self) -> None:
        self._move("page_up")

    def action_first(self) -> None:
        self._move("first")

    def action_last(self) -> None:
        self._move("last")


class NewsdeskScreen(Moves, Screen[R]):
    SCOPE: ClassVar[Scope] = "app"
    app: NewsdeskApp

    def __init__(self) -> None:
        super().__init__()
        self._newsdesk: NewsdeskApp = self.app
        """The app, kept: a worker may outlive its screen (a mark that waits for the Store to
        open, the reader closed meanwhile), and a closed screen no longer finds its app from
        a worker's thread."""

    @property
    def store(self) -> Store:
        """The Store, for a write or a read only it does: on a worker, which waits for it to
        open if it is not yet (newsdesk.ui.database)."""
        return self._newsdesk.database.store()

    @property
    def reads(self) -> Reads:
        """What reads the views of stories and a story at once: the Store once it is open."""
        return self._newsdesk.database.reads

    def action_close(self) -> None:
        self.dismiss()

    def action_back(self) -> None:
        self.dismiss()


class NewsdeskModal(Moves, ModalScreen[R]):
    SCOPE: ClassVar[Scope] = "dialog"
    app: NewsdeskApp


class StoryScreen(NewsdeskScreen[R]):
    """A screen about stories: star, read, links and refresh act on "the story" (the list's
    selected one, the reader's own)."""

    _asked_view: StoryQuery = StoryQuery()

    @property
    def view(self) -> StoryQuery:
        """The stories the screen shows (its list, or the list its reader steps through), as
        the settings show them."""
        return self.shown(self._asked_view)

    @view.setter
    def view(self, view: StoryQuery) -> None:
        self._asked_view = view

    def shown(self, view: StoryQuery) -> StoryQuery:
        """A view as feeds.toml says to show it: one row per event unless `collapse` is off.
        Every view the UI reads goes through here, at each read, so an edit applies at once."""
        return replace(view, collapse=self._newsdesk.config.settings.collapse)

    def the_story(self) -> StoryItem | None:
        raise NotImplementedError

    def action_toggle_read(self) -> None:
        story = self.the_story()
        if story is not None:
            self._set_state(story, read=not story.read)

    def action_toggle_star(self) -> None:
        story = self.the_story()
        if story is not None:
            self._set_state(story, starred=not story.starred)

    def _set_state(self, story: StoryItem, *, read: bool | None = None, starred: bool | None = None) -> None:
        """Show the marks at once (a second key press reads them) and store them on a worker
        (newsdesk.ui.marks: the latest wish is what is stored)."""
        wanted = replace(story, read=story.read if read is None else read, starred=story.starred if starred is None else starred)
        self._newsdesk.marks.want(wanted, read=read is not None, starred=starred is not None)
        self._newsdesk.broadcast(partial(StoryUpdated, wanted))
        self._store_state(story, self.view.collapse)

    @work(thread=True, group="mark", exit_on_error=False)
    def _store_state(self, story: StoryItem, collapse: bool) -> None:
        with self._newsdesk.marks.storing(story.id) as wish:
            if wish is None:
                return  # stored by the worker of an earlier mark, as last asked
            try:
                if wish.read and collapse:  # the row is the whole event
                    self.store.set_cluster_read(story.id, wish.story.read)
                elif wish.read:
                    self.store.set_read(story.id, wish.story.read)
                if wish.starred:
                    self.store.set_starred(story.id, wish.story.starred)
            except Exception:
                self._newsdesk.post_message(StoryUpdated(story))  # not stored: shown as it was
                raise
        self._newsdesk.post_message(StoryUpdated(wish.story))

    def action_open_link(self) -> None:
        story = self.the_story()
        if story is not None:
            self.app.open_link(story.url)

    def action_open_link_read(self) -> None:
        story = self.the_story()
        if story is not None and self.app.open_link(story.url) and not story.read:
            self._set_state(story, read=True)

    def action_links(self) -> None:
        story = self.the_story()
        if story is not None:
            self._show_links(story.id)

    @work(thread=True, exclusive=True, group="links", exit_on_error=False)
    def _show_links(self, story_id: int) -> None:
        detail = self.reads.story(story_id)
        if detail is not None:
            self.post_message(LinksLoaded(story_links(detail, self.reads.story_page(story_id))))

    def on_links_loaded(self, message: LinksLoaded) -> None:
        from newsdesk.ui.screens.dialogs import LinksScreen

        self.app.push_screen(LinksScreen(message.links))

    def action_refresh_feed(self) -> None:
        story = self.the_story()
        if story is None:
            self.app.refresh_feeds()
            return
        feeds = self.app.feeds_named(story.feed)
        if not feeds:
            self.app.notify(f"{story.feed} is no longer in feeds.toml.", severity="warning", markup=False)
            return
        self.app.refresh_feeds(feeds, force=True)

    def action_refresh_all(self) -> None:
        self.app.refresh_feeds()
