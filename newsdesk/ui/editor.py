"""The reader's editor for feeds.toml (`E`): $VISUAL, else $EDITOR, else nano, else vi, opened
at a line when the editor can be told one (an error's line)."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

_PLUS_LINE = {"vi", "vim", "nvim", "view", "nano", "pico", "emacs", "emacsclient", "micro", "kak", "joe", "jed", "ne", "mg", "mcedit"}
"""Editors that take `+LINE` before the file."""
_FILE_COLON_LINE = {"hx", "helix", "subl", "zed"}
"""Editors that take `FILE:LINE`."""


def editor_command(path: Path, line: int | None = None) -> list[str]:
    """The command that edits `path`, at `line` when the editor understands one."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    argv = shlex.split(chosen) if chosen else [shutil.which("nano") or shutil.which("vi") or "vi"]
    name = Path(argv[0]).name
    if line and name in _PLUS_LINE:
        return [*argv, f"+{line}", str(path)]
    if line and name in _FILE_COLON_LINE:
        return [*argv, f"{path}:{line}"]
    if line and name in ("code", "codium"):
        return [*argv, "--wait", "--goto", f"{path}:{line}"]
    return [*argv, str(path)]
