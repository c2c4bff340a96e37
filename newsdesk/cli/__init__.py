"""The `newsdesk` command: the terminal UI by default, and one subcommand per task.

Each group of commands lives in a module of its own (`_GROUPS`; `newsdesk --help` lists the
commands). A module declares its parsers in `add_parsers` and imports what its commands need
inside them, so `newsdesk --version` or `newsdesk list` loads no more of newsdesk's
dependencies than it uses.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from newsdesk.errors import NewsdeskError


def run() -> None:
    """The `newsdesk` command: main, then exit without the interpreter's last collection.

    At exit Python collects every object the command made (SQLAlchemy's and the HTTP stack's
    among them), which took longer than a warm refresh's own work after its downloads
    (benchmarks/README.md). gc.freeze() exempts them: the process is ending, and the
    operating system takes its memory back at once. Files and the database are closed by main
    as before; atexit handlers still run.
    """
    import gc

    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    _replace_what_cannot_be_printed()
    if (sys.argv[1:] if argv is None else list(argv)) == ["--version"]:
        _print_version()  # before the parser of every command is built, or its modules imported
    from newsdesk.cli import _run

    args = _parser().parse_args(argv)
    handler = getattr(args, "handler", _run.cmd_ui)  # no command: the UI
    try:
        return int(handler(args))
    except NewsdeskError as exc:
        from newsdesk.display import safe

        print(f"newsdesk: error: {safe(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `newsdesk ... | head`: the reader has what it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("newsdesk: interrupted; everything stored so far is kept", file=sys.stderr)
        return 130


def _replace_what_cannot_be_printed() -> None:
    """A title in a script the terminal's encoding cannot hold (PYTHONIOENCODING=latin-1, a C
    locale) is printed with replacement characters, not a UnicodeEncodeError mid-list."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            reconfigure(errors="replace")


class _Version(argparse.Action):
    """--version, reading the installed version only when asked (importlib.metadata is not free)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        _print_version()


def _print_version() -> None:
    """As argparse's version action does it: on stderr, then exit with status 0."""
    from newsdesk import __version__

    sys.stderr.write(f"newsdesk {__version__}\n")
    sys.exit(0)


def _parser() -> argparse.ArgumentParser:
    from newsdesk.cli import (
        _config,
        _export,
        _feeds,
        _opml,
        _purge,
        _run,
        _stories,
        _trends,
        _watch,
        _watchlist,
    )
    from newsdesk.cli._common import common_options

    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="A terminal news reader that watches feeds for the countries and people on your watchlist.",
    )
    common_options(parser, None)
    parser.add_argument("--version", action=_Version)
    # Subcommands take the same options, after the command too; their default must not
    # overwrite a value given before the command ("newsdesk --config X list").
    common = argparse.ArgumentParser(add_help=False)
    common_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in (_run, _stories, _trends, _watchlist, _feeds, _opml, _export, _purge, _config, _watch):
        group.add_parsers(sub, common)
    return parser
