"""newsdesk: a terminal news reader that watches feeds for the countries and people you follow."""

# The one place the version is written: pyproject.toml reads it from here (setuptools' attr:
# without importing), and `newsdesk --version` prints it without asking the installed
# package's metadata (importing importlib.metadata is a cost every command would pay).
__version__ = "0.1.0"
