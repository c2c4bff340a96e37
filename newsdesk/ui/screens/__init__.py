"""The screens: the story list (the main one, and one feed's), the reader, one watchlist entry
over time, the feeds and their health, the key help, and small dialogs. Each owns its state
and its workers."""

from newsdesk.ui.screens.dialogs import ConfirmScreen, LinksScreen, SortScreen, SourcesScreen
from newsdesk.ui.screens.entity import EntityScreen
from newsdesk.ui.screens.feeds import FeedsScreen
from newsdesk.ui.screens.help import HelpScreen
from newsdesk.ui.screens.reader import ReaderScreen
from newsdesk.ui.screens.stories import StoryListScreen

__all__ = [
    "ConfirmScreen", "EntityScreen", "FeedsScreen", "HelpScreen", "LinksScreen", "ReaderScreen", "SortScreen",
    "SourcesScreen", "StoryListScreen",
]
