"""newsdesk: a terminal news reader that watches feeds for the countries and people you follow."""

from typing import Any


def __getattr__(name: str) -> Any:
    # The version is read from the installed package's metadata on first use: importing
    # importlib.metadata costs every process 25 ms, the worker processes included.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("newsdesk")
        except PackageNotFoundError:  # running from a source tree that was never installed
            found = "0.0.0"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
