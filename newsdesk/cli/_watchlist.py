"""Commands about the watchlist itself: `match` runs its matcher on any text, `watchlist
check` lints it."""

from __future__ import annotations

import argparse
import sys

from newsdesk.cli._common import json_text, load_config_arg
from newsdesk.cli._feeds import add_watchlist_parsers

TYPE_CHECKING = False  # as typing's, without importing typing at start-up (mypy reads it as true)
if TYPE_CHECKING:
    from newsdesk.types import Match


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    match = sub.add_parser(
        "match", parents=[common], help="run the watchlist matcher on text files, HTML pages, URLs or - (stdin)",
        description="Run the configured watchlist's matcher on each SOURCE and print every match with its form, "
        "position and snippet. A .txt file's first line is its title; HTML pages and URLs are extracted first.",
    )
    match.add_argument("sources", nargs="+", metavar="SOURCE", help="a .txt file, an .html page (.html.gz too), an http(s) URL, or -")
    match.add_argument("--json", action="store_true", help="one JSON object per source and line, for scripts")
    match.set_defaults(handler=cmd_match)
    watchlist = sub.add_parser("watchlist", parents=[common], help="check the watchlist, add and remove entries")
    watch_sub = watchlist.add_subparsers(dest="watch_command", metavar="SUBCOMMAND", required=True)
    watch_sub.add_parser(
        "check", parents=[common], help="lint the watchlist: everyday-word aliases, duplicates, shared surnames",
        description="Load feeds.toml and report watchlist entries that will match more or less than expected. "
        "Exit status 0 when there is nothing to report, 1 when there is, 2 when feeds.toml cannot be used.",
    ).set_defaults(handler=cmd_watchlist_check)
    add_watchlist_parsers(watch_sub, common)


def cmd_match(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.text import Text

    from newsdesk.display import plain, safe
    from newsdesk.errors import SourceError
    from newsdesk.match import Matcher
    from newsdesk.sources import read_sources

    config = load_config_arg(args)
    matcher = Matcher(config.watchlist)
    out = Console(highlight=False, soft_wrap=True)
    failed = 0
    for source in read_sources(args.sources, config.settings):
        if isinstance(source, SourceError):
            failed += 1
            if args.json:
                print(json_text({"source": source.source, "error": str(source)}))
            else:
                print(f"newsdesk: error: {safe(str(source))}", file=sys.stderr)
            continue
        matches = matcher.find(source.title, source.text)
        if args.json:
            print(json_text({"source": source.name, "matches": [_match_json(m) for m in matches]}))
            continue
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.entity] = counts.get(m.entity, 0) + 1
        summary = ", ".join(f"{entity} {n}" for entity, n in counts.items()) or "no matches"
        out.print(plain(f"{source.name}: {summary}", "bold"))
        for m in matches:
            line = Text("  ")
            line.append(safe(m.entity), style="bold")
            line.append(safe(f" ({m.kind}{' ' + m.code if m.code else ''}) {m.form!r} {m.where} {m.start}-{m.end}: "))
            line.append(safe(m.snippet), style="dim")
            out.print(line)
    return 1 if failed else 0


def _match_json(m: Match) -> dict[str, object]:
    return {
        "entity": m.entity, "kind": m.kind, "code": m.code, "form": m.form,
        "where": m.where, "start": m.start, "end": m.end, "snippet": m.snippet,
    }


def cmd_watchlist_check(args: argparse.Namespace) -> int:
    from newsdesk.display import safe
    from newsdesk.lint import check_watchlist

    config = load_config_arg(args)
    findings = check_watchlist(config)
    watch = config.watchlist
    countries = "every country" if watch.all_countries else f"{len(watch.countries)} countries"
    for f in findings:
        where = f"{config.path}:{f.line}" if f.line else str(config.path)
        print(safe(f"{where}: {f.entry}: {f.message}"))
    verdict = f"{len(findings)} warnings" if findings else "no problems found"
    print(f"watchlist: {countries}, {len(watch.people)} people; {verdict}", file=sys.stderr if findings else sys.stdout)
    return 1 if findings else 0
