"""Which browser opens a story's link, and whether it needs the terminal.

A console browser (w3m, lynx, ...) takes over the terminal, so the UI suspends itself while it
runs (App.suspend) and comes back intact when it quits. It is used when $BROWSER names one, or
when no display is set (over SSH, on a console), where a desktop browser could not open.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CONSOLE_BROWSERS = ("w3m", "lynx", "elinks", "links2", "links", "browsh", "carbonyl", "www-browser")


@dataclass(frozen=True, slots=True)
class BrowserCommand:
    argv: tuple[str, ...]
    console: bool
    """It runs in the terminal: the UI gives the terminal up while it runs."""


DESKTOP = BrowserCommand((), console=False)
"""The desktop's own browser, through Python's webbrowser module."""


def browser_for(url: str, environ: Mapping[str, str] | None = None) -> BrowserCommand | None:
    """The command that opens `url`: DESKTOP when a display is set and $BROWSER names no
    command, None when nothing can open it (no display and no console browser).

    $BROWSER is a list of commands (separated like PATH); the first one found is used, with
    "%s" replaced by the URL or the URL added at the end.
    """
    environ = os.environ if environ is None else environ
    display = bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")) or sys.platform in ("darwin", "win32")
    path = environ.get("PATH")
    for entry in (environ.get("BROWSER") or "").split(os.pathsep):
        words = shlex.split(entry) if entry.strip() else []
        if not words or shutil.which(words[0], path=path) is None:
            continue
        argv = [w.replace("%s", url) for w in words] if "%s" in entry else [*words, url]
        return BrowserCommand(tuple(argv), console=not display or Path(words[0]).name in CONSOLE_BROWSERS)
    if display:
        return DESKTOP
    for name in CONSOLE_BROWSERS:
        if shutil.which(name, path=path):
            return BrowserCommand((name, url), console=True)
    return None
