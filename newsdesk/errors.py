"""The one error hierarchy newsdesk raises at its users.

Every message is meant to be read by a person at a terminal: it names the file, line, key,
feed or URL at fault and, where it can, says what to do about it.
"""

from __future__ import annotations

from pathlib import Path


class NewsdeskError(Exception):
    """Base of every error newsdesk reports to its user; the CLI prints it without a traceback."""

    exit_code = 1


class ConfigError(NewsdeskError):
    """feeds.toml cannot be used as written. Exit status 2, nothing stored is touched."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key = key
        self.reason = message
        where = ""
        if self.path is not None:
            where = str(self.path)
            if line is not None:
                where += f":{line}"
            where += ": "
        if key:
            where += f"{key}: "
        super().__init__(where + message)


class FetchError(NewsdeskError):
    """A feed or page could not be downloaded; carries the URL so the message names it."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.reason = message
        super().__init__(f"{url}: {message}")


class StoreError(NewsdeskError):
    """The database cannot be opened or written (wrong URL, locked, newer schema)."""


class EnvironmentProblem(NewsdeskError):
    """The machine around newsdesk cannot be used as it is: a directory it needs cannot be made
    or written, no terminal for the UI. The message names the place and what to set."""

    exit_code = 2
