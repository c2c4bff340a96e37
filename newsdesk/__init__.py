"""newsdesk: a terminal news reader that watches feeds for the countries and people you follow."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsdesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
