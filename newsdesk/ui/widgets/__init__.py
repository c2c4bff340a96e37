"""The UI's widgets, each with its styles (DEFAULT_CSS) beside it."""

from newsdesk.ui.widgets.chart import DayChart, DayCount
from newsdesk.ui.widgets.feeds import FeedLine, FeedList, FeedProblem, TagLine
from newsdesk.ui.widgets.panel import ALL, EntityPanel, PanelRow, panel_rows
from newsdesk.ui.widgets.rows import RowList
from newsdesk.ui.widgets.status import StatusBar
from newsdesk.ui.widgets.stories import StoryColumns, StoryList, story_columns

__all__ = [
    "ALL",
    "DayChart",
    "DayCount",
    "EntityPanel",
    "FeedLine",
    "FeedList",
    "FeedProblem",
    "PanelRow",
    "TagLine",
    "RowList",
    "StatusBar",
    "StoryColumns",
    "StoryList",
    "panel_rows",
    "story_columns",
]
