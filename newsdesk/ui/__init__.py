"""The Textual terminal UI: the app in app.py, screens in screens/, widgets (each with its
styles) in widgets/, what workers report in messages.py, keys from newsdesk.keymap."""

from newsdesk.ui.app import NewsdeskApp

__all__ = ["NewsdeskApp"]
