"""The Textual terminal UI: screens in screens.py, widgets in widgets.py, styles in newsdesk.tcss."""

from newsdesk.ui.app import NewsdeskApp, ui_scheduler

__all__ = ["NewsdeskApp", "ui_scheduler"]
