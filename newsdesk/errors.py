"""The one error hierarchy newsdesk raises at its users.

Every message is meant to be read by a person at a terminal: it names the file, line, key,
feed or URL at fault and, where it can, says what to do about it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # as typing's, without importing typing at start-up (mypy reads it as true)
if TYPE_CHECKING:
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
        from pathlib import Path  # not at import: every command imports this module, few raise

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
    """A feed or page could not be downloaded or read; carries the URL so the message names it.

    Callers tell the causes apart by type (the subclasses below), never by the message;
    each subclass words its own message, here and nowhere else.
    """

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.reason = message
        """The message without the URL: what went wrong, for a line that names the URL already."""
        super().__init__(f"{url}: {message}")


class FetchTimeout(FetchError):
    """The server did not answer (or did not finish answering) in time."""

    def __init__(self, url: str, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(url, f"no answer within {seconds:g} s")


class ConnectionRefused(FetchError):
    """Nothing listens at the address: the server is down, or the port is wrong."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "connection refused (is the server down?)")


class HostNotFound(FetchError):
    """The host name does not resolve."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "host not found (check the URL, or the network)")


class TLSFailed(FetchError):
    """The secure connection could not be made (certificate, protocol)."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(url, f"secure connection failed: {detail}")


class ConnectFailed(FetchError):
    """Any other failure to connect (network unreachable, reset during the connect)."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(url, f"cannot connect: {detail}")


class Disconnected(FetchError):
    """The connection broke, or the server's answer was not valid HTTP."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(url, f"download failed: {detail}")


class TooLarge(FetchError):
    """The answer is larger than newsdesk reads (max_feed_bytes, max_page_bytes)."""

    def __init__(self, url: str, what: str, limit: int) -> None:
        self.limit = limit
        message = f"the {what} is larger than {limit // (1024 * 1024)} MB"
        super().__init__(url, message + ("; it was not read" if what == "feed" else ""))


class BadURL(FetchError):
    """An address newsdesk will not download: not http(s), unreadable, a port out of
    range, too long."""

    def __init__(self, url: str, why: str) -> None:
        super().__init__(url, why)


class BadRedirect(BadURL):
    """The server redirects to an address newsdesk will not download."""

    def __init__(self, url: str, target: str, why: str) -> None:
        self.target = target
        super().__init__(url, f"the server redirects to {target[:200]!r}, which {why}")


class TooManyRedirects(FetchError):
    """More redirects than newsdesk follows (a loop, usually)."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "too many redirects (the server redirects in a loop)")


class HTTPStatus(FetchError):
    """The server answered with an error status (4xx, 5xx)."""

    def __init__(self, url: str, status: int, phrase: str, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        """Seconds the server asked to wait (Retry-After on 429 or 503), when it did."""
        message = f"HTTP {status} {phrase}".strip()
        if retry_after is not None:
            message += f"; the server asked to wait {_duration(retry_after)} before trying again"
        super().__init__(url, message)


class Gone(HTTPStatus):
    """HTTP 410: the server says the feed will not come back."""

    def __init__(self, url: str) -> None:
        FetchError.__init__(
            self, url, "HTTP 410 Gone: the server says this feed will not come back; it is no longer "
            "fetched (remove it from feeds.toml, or give it a new URL)",
        )
        self.status = 410
        self.retry_after = None


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class NotAPage(FetchError):
    """The answer is not a web page (an image, a PDF...)."""

    def __init__(self, url: str, content_type: str) -> None:
        super().__init__(url, f"not a web page ({content_type})")


class BadEncoding(FetchError):
    """The answer's compression is corrupt, or one newsdesk did not ask for."""

    def __init__(self, url: str, coding: str | None = None) -> None:
        if coding is None:
            super().__init__(url, "the server's compressed answer is corrupt")
        else:
            super().__init__(url, f"the answer is compressed as {coding!r}, which newsdesk did not ask for")


class StoreError(NewsdeskError):
    """The database cannot be opened or written (wrong URL, locked, newer schema)."""


class EnvironmentProblem(NewsdeskError):
    """The machine around newsdesk cannot be used as it is: a directory it needs cannot be made
    or written, no terminal for the UI. The message names the place and what to set."""

    exit_code = 2


class DatabaseBusy(StoreError):
    """Another process held the database's write lock for longer than newsdesk waits."""


class ReadOnlyDatabase(StoreError):
    """The database (its file, or the role on the server) does not allow writing."""


class DiskFull(StoreError):
    """The disk holding the database is full: what was stored stays, nothing new fits."""


class DatabaseUnusable(StoreError):
    """The file is not a database, is damaged, or is another program's: newsdesk leaves it
    untouched. Exit status 2, as for a broken feeds.toml."""

    exit_code = 2


class AlreadyRunning(StoreError):
    """Another daemon holds this SQLite database's daemon lock."""


class EditError(NewsdeskError):
    """A change to feeds.toml that cannot be made (already there, not there, ambiguous)."""

    exit_code = 1


class NotOpml(NewsdeskError):
    """The file is not an OPML subscription list; the message says what it looks like instead."""

    exit_code = 2


class DiscoveryError(NewsdeskError):
    """No feed was found at or from the URL; the message says what the URL answered."""


class UnknownEntry(NewsdeskError):
    """No watchlist entry goes by that name."""


class SourceError(NewsdeskError):
    """One source could not be read; the others still are."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        super().__init__(f"{source}: {message}")
