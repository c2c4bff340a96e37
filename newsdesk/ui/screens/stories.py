"""The story list: one view of the stored stories (matched, all, unread, starred, one entry,
one feed, a date window, a search), with the watchlist panel on the main screen.

The screen owns its view and its workers: each worker reads the store and posts what it read
to the screen (newsdesk.ui.messages); the handlers update the widgets.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.worker import Worker, WorkerState

from newsdesk.keymap import Scope
from newsdesk.types import StoryItem, StoryQuery, StorySort, ViewCount
from newsdesk.ui.keys import bindings
from newsdesk.ui.messages import (
    ConfigChanged,
    FirstListed,
    Found,
    MarkAsked,
    Marked,
    PageLoaded,
    PanelLoaded,
    StoriesChanged,
    StoryUpdated,
    ViewCounted,
    ViewLoaded,
)
from newsdesk.ui.screens.base import StoryScreen
from newsdesk.ui.widgets import (
    ALL,
    EntityPanel,
    RowList,
    StatusBar,
    StoryList,
    panel_rows,
)
from newsdesk.ui.widgets.panel import history_start, with_trends

PAGE = 100
"""Rows read at a time: the list grows by a page as the cursor nears its end, so a database of
100k stories costs what one of 100 does."""

MATCHED = StoryQuery()
"""The view newsdesk starts with: matched stories, newest first."""

WINDOWS = ("all", "today", "7 days", "30 days")
"""The date windows `d` steps through."""

_PANEL_MIN_WIDTH = 100
"""Below this many columns the watchlist panel starts hidden: the titles need the room."""


def view_title(view: StoryQuery, window: str = "all") -> str:
    """The view in a few words, for the header: "matched · unread · 7 days"."""
    parts = []
    if view.tag is not None:
        parts.append(f"#{view.tag}")
    if view.feed is not None:
        parts.append(view.feed)
    if view.entity is not None:
        parts.append(view.entity)
    elif view.starred_only:
        parts.append("starred")
    elif view.matched_only:
        parts.append("matched")
    elif view.feed is None and view.tag is None:
        parts.append("all stories")
    if view.starred_only and view.entity is not None:
        parts.append("starred")
    if view.unread_only:
        parts.append("unread")
    if window != "all":
        parts.append(window)
    if view.search:
        parts.append(f"“{view.search}”")
    if view.sort != StorySort.NEWEST or view.reverse:
        parts.append(view.sort.value + (", reversed" if view.reverse else ""))
    return " · ".join(parts)


def since(window: str, now: datetime) -> datetime | None:
    """Where a date window starts: today is since local midnight."""
    if window == "today":
        local = now.astimezone()
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    if window.endswith("days"):
        return now - timedelta(days=int(window.split()[0]))
    return None


class StoryListScreen(StoryScreen[None]):
    SCOPE: ClassVar[Scope] = "list"
    BINDINGS = bindings("list")
    DEFAULT_CSS = """
    StoryListScreen {
        & #body {
            height: 1fr;
        }
        & #list {
            width: 1fr;
        }
        & #search {
            display: none;
        }
        & #search.-shown {
            display: block;
        }
        & #empty {
            height: auto;
            padding: 1 2;
            color: $text-muted;
            display: none;
        }
    }
    """

    def __init__(self, view: StoryQuery = MATCHED, *, main: bool = False) -> None:
        """`main`: the first screen, with the watchlist panel; q there quits."""
        super().__init__()
        self.view = view
        self.main = main
        self.window = "all"
        self.count: ViewCount | None = None
        self.complete = False
        self._paging = False
        self._fresh = True
        self._goto: int | None = None
        self._undo: list[int] = []
        self._before_starred: StoryQuery | None = None
        self.panel_by_spike = False
        """The watchlist panel sorted by spike (W), else in feeds.toml's order."""
        self._panel: PanelLoaded | None = None
        self._shown = False
        """The main list's first rows have been shown (see _first_shown)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            if self.main:
                yield EntityPanel(id="entities")
            with Vertical(id="list"):
                yield Input(placeholder="Search this view (Enter searches, Escape closes)", id="search")
                yield Static("", id="empty")
                yield StoryList(self.app.clock(), id="stories")
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        if self.main:
            self.query_one(EntityPanel).display = self.app.size.width >= _PANEL_MIN_WIDTH
        self.stories.focus()
        self._show_title()
        self._reload()

    @property
    def stories(self) -> StoryList:
        return self.query_one(StoryList)

    def the_story(self) -> StoryItem | None:
        return self.stories.current

    # ------------------------------------------------------------ loading

    def _set_view(self, view: StoryQuery) -> None:
        """Show another view, from its top."""
        self.view = view
        self._fresh = True
        self.complete = False
        self._show_title()
        self._reload()

    def _reload(self, goto: StoryItem | None = None) -> None:
        """Read the view again, as many rows as are shown (the cursor and scroll stay), and
        at least up to `goto`, where the cursor then goes."""
        if goto is not None:
            self._goto = goto.id
        self._load(self.view, max(PAGE, len(self.stories.rows)), goto)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def _load(self, view: StoryQuery, limit: int, goto: StoryItem | None) -> None:
        if self.main and not self._shown:
            self.app.post_message(FirstListed(self.reads.latest_story_id()))
        stories = self.reads.stories(view, limit=limit)
        complete = len(stories) < limit
        # The reader may have gone past the rows loaded: read on to the story it ended on.
        while goto is not None and not complete and all(s.id != goto.id for s in stories):
            page = self.reads.stories(view, after=stories[-1], limit=PAGE)
            stories += page
            complete = len(page) < PAGE
        # The rows go first, their count after the frame that shows them (on_view_loaded): a
        # person reads titles, not the header, and counting a large view takes longer than
        # reading its first page.
        self.post_message(ViewLoaded(view, stories, complete))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "view" and event.state == WorkerState.ERROR:
            self._first_shown()  # no stories to show: what waited for them need not wait

    def _first_shown(self) -> None:
        """The main list's first rows are up: the watchlist panel is read, and the app starts
        its background work (NewsdeskApp.main_view_shown: the Store opens), after the frame
        that shows them."""
        if self.main and not self._shown:
            self._shown = True
            self.call_after_refresh(self._load_panel)
            self.call_after_refresh(self.app.main_view_shown)

    def on_view_loaded(self, message: ViewLoaded) -> None:
        if message.query != self.view:
            return  # a view left meanwhile
        self.call_after_refresh(self._count, message.query)
        self._first_shown()
        stories = self.stories
        stories.now = self.app.clock()
        stories.set_rows(message.stories, keep=not self._fresh)
        self._fresh = False
        self.complete, self._paging = message.complete, False
        if self._goto is not None:
            index = stories.index_of(lambda s: s.id == self._goto)
            if index is not None:
                stories.move_to(index)
            self._goto = None
        self._show_empty(not message.stories)

    def on_row_list_near_end(self, message: RowList.NearEnd) -> None:
        rows = self.stories.rows
        if not self.complete and not self._paging and rows:
            self._paging = True
            self._next_page(self.view, rows[-1])

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def _next_page(self, view: StoryQuery, after: StoryItem) -> None:
        page = self.reads.stories(view, after=after, limit=PAGE)
        self.post_message(PageLoaded(view, after, page, len(page) < PAGE))

    def on_page_loaded(self, message: PageLoaded) -> None:
        rows = self.stories.rows
        self._paging = False
        if message.query != self.view or not rows or rows[-1].id != message.after.id:
            return  # the list was read again meanwhile
        self.stories.append_rows(message.stories)
        self.complete = message.complete

    @work(thread=True, exclusive=True, group="count", exit_on_error=False)
    def _count(self, view: StoryQuery) -> None:
        self.post_message(ViewCounted(view, self.reads.count_view(view)))

    def on_view_counted(self, message: ViewCounted) -> None:
        if message.query == self.view:
            self._show_count(message.count)

    def on_stories_changed(self, message: StoriesChanged) -> None:
        self._reload()
        self._load_panel()

    def on_config_changed(self, message: ConfigChanged) -> None:
        self._reload()  # `collapse` may have changed
        self._load_panel()

    def on_story_updated(self, message: StoryUpdated) -> None:
        self.stories.show_story(message.story)
        self._count(self.view)
        self._load_panel()

    # ------------------------------------------------------------ the header and the empty list

    def _show_title(self) -> None:
        self.sub_title = view_title(self.view, self.window)

    def _show_count(self, count: ViewCount) -> None:
        self.count = count
        self.sub_title = f"{view_title(self.view, self.window)} — {count.stories} stories, {count.unread} unread"

    def _show_empty(self, empty: bool) -> None:
        view = self.view
        if view.search:
            message = f"No story in this view holds {view.search!r}. Escape closes the search."
        elif view.unread_only:
            message = "Nothing unread here. l shows the read stories too."
        elif view.starred_only:
            message = "No starred stories here: s stars the selected story."
        elif view.entity:
            message = f"No stories mention {view.entity} yet. Escape shows all matches."
        elif view.matched_only:
            message = "No matched stories yet — R refreshes every feed, a shows all stories."
        else:
            message = "No stories yet — R refreshes every feed."
        box = self.query_one("#empty", Static)
        # The (empty) list stays, and keeps the focus: the first stories to come show there.
        box.update(Text(message if empty else ""))
        box.display = empty

    # ------------------------------------------------------------ the watchlist panel

    @work(thread=True, exclusive=True, group="panel", exit_on_error=False)
    def _load_panel(self) -> None:
        if self.main:
            # Through the Store (waited for): its counts take seconds on a million stories, and
            # would hold the first screen's reader (one read at a time) all that while.
            store = self.store
            counts = panel_rows(store.entity_counts(), self.app.config.watchlist)
            today = self.app.clock().astimezone(UTC).date()
            rows = with_trends(counts, store.entity_days(history_start(today)), today)
            self.post_message(PanelLoaded(rows, store.count_view(self.shown(MATCHED))))

    def on_panel_loaded(self, message: PanelLoaded) -> None:
        self._panel = message
        self._show_panel()

    def _show_panel(self) -> None:
        if self._panel is not None:
            self.query_one(EntityPanel).show(self._panel.rows, self._panel.matched, self.view.entity, by_spike=self.panel_by_spike)

    def action_sort_panel(self) -> None:
        if not self.main:
            self.notify("The watchlist panel is on the main list.", severity="warning")
            return
        self.panel_by_spike = not self.panel_by_spike
        self._show_panel()
        self.notify("Watchlist: spikes first." if self.panel_by_spike else "Watchlist: in feeds.toml's order.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """An entry: its stories in the list, and its screen above it; All matches: the list."""
        entity = None if event.option.id == ALL else event.option.id
        self._set_view(replace(self.view, entity=entity, matched_only=True, starred_only=False))
        self.stories.focus()
        if entity is not None:
            self._open_entity(entity)

    def action_entity(self) -> None:
        panel = self.query_one(EntityPanel) if self.main else None
        entity = self.view.entity
        if panel is not None and panel.has_focus and panel.highlighted is not None:
            chosen = panel.get_option_at_index(panel.highlighted).id
            entity = chosen if chosen != ALL else entity
        if entity is None:
            self.notify("Choose a watchlist entry first: Enter on it in the panel (w shows the panel).", markup=False)
            return
        self._open_entity(entity)

    def _open_entity(self, entity: str) -> None:
        from newsdesk.ui.screens.entity import EntityScreen

        self.app.push_screen(EntityScreen(entity))

    def action_toggle_panel(self) -> None:
        if not self.main:
            self.notify("The watchlist panel is on the main list.", severity="warning")
            return
        panel = self.query_one(EntityPanel)
        panel.display = not panel.display
        if not panel.display:
            self.stories.focus()

    # ------------------------------------------------------------ moving and opening

    def action_open(self) -> None:
        self.stories.action_choose()

    def on_row_list_chosen(self, message: RowList.Chosen) -> None:
        from newsdesk.ui.screens.reader import ReaderScreen

        story = self.stories.current
        if story is not None:
            self.app.push_screen(ReaderScreen(self.view, story), callback=self._reader_closed)

    def _reader_closed(self, story: StoryItem | None) -> None:
        self._reload(goto=story)

    def action_next_unread(self) -> None:
        stories = self.stories
        rows = stories.rows
        index = next((i for i in range(stories.cursor + 1, len(rows)) if not rows[i].read), None)
        if index is not None:
            stories.move_to(index)
        elif self.complete or not rows:
            self.notify("No unread story below.")
        else:
            self._find_unread(self.view, rows[-1])

    @work(thread=True, exclusive=True, group="find", exit_on_error=False)
    def _find_unread(self, view: StoryQuery, last: StoryItem) -> None:
        """The next unread story past the loaded rows, and the pages up to it."""
        found = self.reads.stories(replace(view, unread_only=True), after=last, limit=1)
        if not found:
            self.post_message(Found(None, "unread"))
            return
        pages: list[StoryItem] = []
        after, complete = last, False
        while not complete and all(s.id != found[0].id for s in pages):
            page = self.reads.stories(view, after=after, limit=PAGE)
            pages += page
            complete = len(page) < PAGE
            after = page[-1] if page else after
        self.post_message(PageLoaded(view, last, pages, complete))
        self.post_message(Found(found[0], "unread"))

    def on_found(self, message: Found) -> None:
        if message.story is None:
            self.notify("No unread story below.")
            return
        found = message.story.id
        index = self.stories.index_of(lambda s: s.id == found)
        if index is not None:
            self.stories.move_to(index)

    def action_prev_unread(self) -> None:
        stories = self.stories
        rows = stories.rows
        index = next((i for i in range(stories.cursor - 1, -1, -1) if not rows[i].read), None)
        if index is None:
            self.notify("No unread story above.")
        else:
            stories.move_to(index)

    def action_back(self) -> None:
        if self.main:
            self.app.exit()
        else:
            self.dismiss()

    def action_feeds(self) -> None:
        from newsdesk.ui.screens.feeds import FeedsScreen

        self.app.push_screen(FeedsScreen())

    # ------------------------------------------------------------ views

    def action_toggle_read_shown(self) -> None:
        self._set_view(replace(self.view, unread_only=not self.view.unread_only))

    def action_toggle_matched(self) -> None:
        self._set_view(replace(self.view, matched_only=not self.view.matched_only or self.view.entity is not None, entity=None))

    def action_starred(self) -> None:
        if self.view.starred_only:
            before = self._before_starred or StoryQuery()
            self._set_view(replace(self.view, starred_only=False, matched_only=before.matched_only, entity=before.entity))
        else:
            self._before_starred = self.view
            self._set_view(replace(self.view, starred_only=True, matched_only=False, entity=None))

    def action_date_window(self) -> None:
        self.window = WINDOWS[(WINDOWS.index(self.window) + 1) % len(WINDOWS)]
        self._set_view(replace(self.view, since=since(self.window, self.app.clock())))

    def action_sort(self) -> None:
        from newsdesk.ui.screens.dialogs import SortScreen

        def chosen(sort: StorySort | None) -> None:
            if sort is not None and sort != self.view.sort:
                self._set_view(replace(self.view, sort=sort))

        self.app.push_screen(SortScreen(self.view.sort), callback=chosen)

    def action_reverse_sort(self) -> None:
        self._set_view(replace(self.view, reverse=not self.view.reverse))

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.add_class("-shown")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        words = event.value.strip() or None
        if words is None:
            event.input.remove_class("-shown")
        self.stories.focus()
        if words != self.view.search:
            self._set_view(replace(self.view, search=words))

    def action_clear_filter(self) -> None:
        """Escape: close the search box, then drop the search, then leave the view."""
        box = self.query_one("#search", Input)
        if box.has_class("-shown"):
            box.value = ""
            box.remove_class("-shown")
            self.stories.focus()
            if self.view.search:
                self._set_view(replace(self.view, search=None))
        elif self.view.search:
            self._set_view(replace(self.view, search=None))
        elif not self.main:
            self.dismiss()
        elif self.view.entity is not None or self.view.starred_only or not self.view.matched_only:
            self._set_view(replace(self.view, entity=None, starred_only=False, matched_only=True))

    # ------------------------------------------------------------ marking many

    def action_mark_view_read(self) -> None:
        self._ask_mark(self.view, "in this view")

    def action_mark_all_read(self) -> None:
        self._ask_mark(self.shown(StoryQuery(matched_only=False)), "")

    @work(thread=True, exclusive=True, group="ask", exit_on_error=False)
    def _ask_mark(self, view: StoryQuery, where: str) -> None:
        self.post_message(MarkAsked(view, self.reads.count_view(view), where))

    def on_mark_asked(self, message: MarkAsked) -> None:
        from newsdesk.ui.screens.dialogs import ConfirmScreen

        unread = message.count.unread
        if not unread:
            self.notify(f"Nothing unread {message.where or 'anywhere'}.")
            return
        where = f" {message.where}" if message.where else " (every stored story)"
        question = f"Mark {unread} {'story' if unread == 1 else 'stories'}{where} read?"

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark(message.query)

        self.app.push_screen(ConfirmScreen(question), callback=answered)

    @work(thread=True, exclusive=True, group="mark-all", exit_on_error=False)
    def _mark(self, view: StoryQuery) -> None:
        self.post_message(Marked(self.store.mark_view_read(view), True))

    def action_undo_mark(self) -> None:
        if not self._undo:
            self.notify("No mark-all to undo.")
            return
        self._unmark(self._undo)

    @work(thread=True, exclusive=True, group="mark-all", exit_on_error=False)
    def _unmark(self, ids: list[int]) -> None:
        self.store.set_read_many(ids, False)
        self.post_message(Marked(ids, False))

    def on_marked(self, message: Marked) -> None:
        count = len(message.ids)
        if message.read:
            self._undo = list(message.ids)
            self.notify(f"Marked {count} {'story' if count == 1 else 'stories'} read. z undoes it.")
        else:
            self._undo = []
            self.notify(f"{count} {'story is' if count == 1 else 'stories are'} unread again.")
        self._reload()
        self._load_panel()
