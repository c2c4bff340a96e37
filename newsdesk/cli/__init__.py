"""The `newsdesk` command: the terminal UI by default, and one subcommand per task.

Each group of commands lives in a module of its own (`_COMMANDS`; `newsdesk --help` lists the
commands). A module declares its parsers in `add_parsers` and imports what its commands need
inside them, so `newsdesk --version` or `newsdesk list` loads no more of newsdesk's
dependencies than it uses. A command's line is parsed by a parser holding that command's group
alone: importing every group and declaring the options of some thirty commands cost `newsdesk
list` about 0.015 s, for parsers it never used.
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
    args = _parser(_groups_for(argv)).parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:  # no command: the UI
        from newsdesk.cli._run import cmd_ui

        handler = cmd_ui
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


_COMMANDS: dict[str, tuple[str, ...]] = {
    "_run": ("ui", "refresh", "daemon"),
    "_stories": ("list", "search", "status", "reextract"),
    "_trends": ("trends", "digest"),
    "_watchlist": ("match", "watchlist"),
    "_feeds": ("feeds",),
    "_opml": ("import",),
    "_export": ("export",),
    "_purge": ("purge",),
    "_config": ("config",),
    "_watch": ("alerts",),
}
"""Each module of commands, in the order `newsdesk --help` lists them, with the commands its
add_parsers declares (a test checks the two agree)."""


def _groups_for(argv: Sequence[str] | None) -> tuple[str, ...]:
    """The modules whose parsers the command line needs: the named command's alone, or every
    one when no known command is named (the UI, --help, a mistyped command: its message lists
    them all). The command is found by a parser of the options that may come before it,
    so `--config list status` is the status command, as the whole parser reads it."""
    from newsdesk.cli._common import common_options

    head = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    common_options(head, None)
    head.add_argument("-h", "--help", action="store_true")  # the whole list of commands
    head.add_argument("rest", nargs=argparse.REMAINDER)
    try:
        known, _ = head.parse_known_args(argv)
    except argparse.ArgumentError:  # an option without its value: the whole parser says so
        return tuple(_COMMANDS)
    command = known.rest[0] if known.rest and not known.help else None
    named = [group for group, commands in _COMMANDS.items() if command in commands]
    return tuple(named or _COMMANDS)


def _parser(groups: Sequence[str] = tuple(_COMMANDS)) -> argparse.ArgumentParser:
    import importlib

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
    for group in groups:
        importlib.import_module(f"newsdesk.cli.{group}").add_parsers(sub, common)
    return parser
