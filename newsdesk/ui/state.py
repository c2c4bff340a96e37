"""What the UI remembers between runs (the theme), in the user state directory.

A missing or unreadable file is the defaults: losing it costs a choice, never a start.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from newsdesk.errors import NewsdeskError
from newsdesk.places import user_dir


@dataclass(frozen=True, slots=True)
class UiState:
    theme: str | None = None


def state_path() -> Path | None:
    """ui.json in the user state directory; None when there is none (the theme is then not kept)."""
    try:
        return user_dir("state") / "ui.json"
    except NewsdeskError:
        return None


def load_state(path: Path | None) -> UiState:
    if path is None:
        return UiState()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UiState()
    theme = data.get("theme") if isinstance(data, dict) else None
    return UiState(theme=theme if isinstance(theme, str) else None)


def save_state(path: Path, state: UiState) -> None:
    """Write the state whole (a temporary file renamed over the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(asdict(state)), encoding="utf-8")
    temporary.replace(path)
