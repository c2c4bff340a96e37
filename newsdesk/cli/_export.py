"""`newsdesk export WHAT`: newsdesk's data in formats other programs read.

`export` is a group: each kind of export is a module-level function here or elsewhere that
adds its subcommand to the group (`add_opml(kinds, common)`), listed in `EXPORTS`. Another
export (`export matches`) adds its function to EXPORTS and nothing else changes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from newsdesk.cli._common import entity_arg, load, load_config_arg, since_arg, until_arg

FORMATS = ("csv", "json", "md")  # newsdesk.exports.FORMATS, without importing it at start-up

_Adder = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]", argparse.ArgumentParser], None]


def add_opml(kinds: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    opml = kinds.add_parser(
        "opml", parents=[common], help="the feeds as OPML 2.0 (tags as folders), for another feed reader",
        description="Write every feed of feeds.toml as OPML 2.0, one folder per tag, to stdout or FILE.",
    )
    opml.add_argument("-o", "--output", metavar="FILE", help="write to FILE (replaced whole) instead of stdout")
    opml.set_defaults(handler=cmd_export_opml)


def add_matches(kinds: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    matches = kinds.add_parser(
        "matches", parents=[common], help="every stored match of the watchlist, one row per match (CSV, JSON or Markdown)",
        description="One row per match (each place a watchlist entry is named in a stored story), newest story first: "
        "entity, kind, story title, feed, published, url, form, where, snippet.",
    )
    matches.add_argument("--format", choices=FORMATS, default="csv",
                         help="csv (UTF-8 with a header, for a spreadsheet; the default), json or md (a Markdown table)")
    matches.add_argument("--entity", metavar="NAME",
                         help="only this watchlist entry's matches (any of its names, codes or aliases, in any case)")
    matches.add_argument("--since", metavar="WHEN", type=since_arg,
                         help="only stories from WHEN on: a date (2024-04-14) or a time ago (7d, 24h, 30m, 2w)")
    matches.add_argument("--until", metavar="WHEN", type=until_arg,
                         help="only stories before WHEN: a time ago, or a date (that day included)")
    matches.add_argument("-o", "--output", metavar="FILE", help="write to FILE (replaced whole) instead of stdout")
    matches.set_defaults(handler=cmd_export_matches)


EXPORTS: list[_Adder] = [add_opml, add_matches]
"""Each adds one `newsdesk export WHAT` subcommand."""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    export = sub.add_parser("export", help="write feeds (or other data) for other programs")
    kinds = export.add_subparsers(dest="export_kind", metavar="WHAT", required=True)
    for add in EXPORTS:
        add(kinds, common)


def write_output(data: bytes, output: str | None) -> None:
    """`data` to stdout, or whole to a file: a temporary file renamed into place, so a reader
    of FILE never sees half of it."""
    import os
    from pathlib import Path

    from newsdesk.errors import NewsdeskError

    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(output)
    temporary = target.with_name(f".{target.name}.newsdesk-write")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise NewsdeskError(f"cannot write {target}: {exc.strerror or exc}") from None


def cmd_export_opml(args: argparse.Namespace) -> int:
    from newsdesk.opml import ExportFeed, write_opml

    config = load_config_arg(args)
    data = write_opml(ExportFeed(url=f.url, name=f.name, tags=f.tags) for f in config.feeds)
    write_output(data, args.output)
    if args.output and args.output != "-":
        print(f"wrote {len(config.feeds)} feeds to {args.output}", file=sys.stderr)
    return 0


def cmd_export_matches(args: argparse.Namespace) -> int:
    from newsdesk.exports import match_rows, render

    config, store = load(args, sync=False)
    with store:
        entity = entity_arg(config.watchlist, store, args.entity) if args.entity else None
        mentions = store.mentions(since=args.since, until=args.until, entity=entity, texts=True)
    rows = match_rows(mentions)
    write_output(render(rows, args.format), args.output)
    if args.output and args.output != "-":
        print(f"wrote {len(rows)} matches to {args.output}", file=sys.stderr)
    return 0
