"""Who is reading: read and starred marks belong to a reader (`--user NAME`)."""

from __future__ import annotations

import getpass


def default_reader() -> str:
    """The login name: one person on their own SQLite file never has to name themselves."""
    try:
        return getpass.getuser() or "reader"
    except (KeyError, OSError):  # no login name in the environment nor in the password database
        return "reader"
