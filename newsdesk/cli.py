"""The `newsdesk` command: the UI by default, and refresh / daemon / list / status."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import datetime

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from newsdesk import __version__
from newsdesk.config import Config, FeedConfig, find_config, find_db, load_config
from newsdesk.errors import NewsdeskError
from newsdesk.refresh import RefreshProgress, RefreshSummary, refresh, retag_if_needed
from newsdesk.schedule import Scheduler
from newsdesk.store import Store
from newsdesk.types import Match, StoryItem

log = logging.getLogger("newsdesk")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command = args.command or "ui"
    try:
        return _COMMANDS[command](args)
    except NewsdeskError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("newsdesk: interrupted; everything stored so far is kept", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="A terminal news reader that watches feeds for the countries and people on your watchlist.",
    )
    _common_options(parser, None)
    # Subcommands take the same options, after the command too; their default must not
    # overwrite a value given before the command ("newsdesk --config X list").
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("ui", parents=[common], help="open the terminal UI (the default)")
    sub.add_parser("refresh", parents=[common], help="refresh every feed once and print a summary")
    sub.add_parser("daemon", parents=[common], help="refresh feeds on their schedule until interrupted")
    listing = sub.add_parser("list", parents=[common], help="print stored stories")
    listing.add_argument("--entity", metavar="NAME", help="only stories that mention this watchlist entry")
    listing.add_argument("--all", action="store_true", help="all stories, not only matched ones")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="at most N stories (default 50)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    search = sub.add_parser(
        "search", parents=[common], help="full-text search of every stored story's title and text",
        description='Every word must appear (any case, accents ignored); word* matches a prefix, "a phrase" the words in a row.',
    )
    search.add_argument("query", nargs="+", metavar="QUERY", help="the words to look for")
    search.add_argument("--limit", type=int, default=50, metavar="N", help="at most N stories (default 50)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    sub.add_parser("status", parents=[common], help="show every feed's last refresh and its outcome")
    match = sub.add_parser(
        "match", parents=[common], help="run the watchlist matcher on text files, HTML pages, URLs or - (stdin)",
        description="Run the configured watchlist's matcher on each SOURCE and print every match with its form, "
        "position and snippet. A .txt file's first line is its title; HTML pages and URLs are extracted first.",
    )
    match.add_argument("sources", nargs="+", metavar="SOURCE", help="a .txt file, an .html page (.html.gz too), an http(s) URL, or -")
    match.add_argument("--json", action="store_true", help="one JSON object per source and line, for scripts")
    watchlist = sub.add_parser("watchlist", parents=[common], help="inspect the watchlist")
    watch_sub = watchlist.add_subparsers(dest="watch_command", metavar="SUBCOMMAND", required=True)
    watch_sub.add_parser(
        "check", parents=[common], help="lint the watchlist: everyday-word aliases, duplicates, shared surnames",
        description="Load feeds.toml and report watchlist entries that will match more or less than expected. "
        "Exit status 0 when there is nothing to report, 1 when there is, 2 when feeds.toml cannot be used.",
    )
    return parser


def _common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--config", metavar="PATH", default=default, help="feeds.toml to use (default: $NEWSDESK_CONFIG, ./feeds.toml, then the user config dir)")
    parser.add_argument("--db", metavar="PATH_OR_URL", default=default, help="database file or SQLAlchemy URL (default: $NEWSDESK_DB, then newsdesk.db in the user data dir)")


def _load(args: argparse.Namespace) -> tuple[Config, Store]:
    # The config is checked before the database is opened: a broken feeds.toml touches nothing.
    config = load_config(find_config(args.config))
    store = Store(find_db(args.db))
    store.sync_feeds(config.feeds)
    return config, store


# ------------------------------------------------------------------ commands


def _cmd_ui(args: argparse.Namespace) -> int:
    from newsdesk.ui import NewsdeskApp

    config, store = _load(args)
    with store:
        app = NewsdeskApp(store, config, scheduler_factory=_ui_scheduler)
        app.run()
    return 0


def _ui_scheduler(app: NewsdeskApp) -> Scheduler:  # type: ignore[name-defined]  # noqa: F821
    async def run(feeds: Sequence[FeedConfig]) -> None:
        app.request_refresh(feeds)

    return Scheduler(
        app.config,
        run,
        on_config=app.apply_config,
        on_config_error=lambda exc: app.show_config_error(str(exc)),
    )


def _cmd_refresh(args: argparse.Namespace) -> int:
    config, store = _load(args)
    err = Console(stderr=True)
    with store:
        retagged = retag_if_needed(config, store)
        if retagged:
            err.print(f"watchlist changed: re-tagged {retagged} stored stories")
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("refreshing", total=len(config.feeds))

            def step(p: RefreshProgress) -> None:
                bar.update(task, completed=p.done, total=p.total, description=_clip(p.feed or "refreshing", 40))

            summary = asyncio.run(refresh(config, store, progress=step))
    _print_summary(summary)
    return 0


def _print_summary(summary: RefreshSummary) -> None:
    out = Console(highlight=False)
    out.print(
        f"feeds: {summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed; "
        f"{summary.new_stories} new stories, {summary.new_matches} new matches"
    )
    for problem in summary.problems:
        out.print(Text(f"  {problem.name} ({problem.url}): {problem.message}"))


def _cmd_daemon(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    config, store = _load(args)
    with store:
        asyncio.run(_daemon(config, store))
    return 0


async def _daemon(config: Config, store: Store) -> None:
    holder = {"config": config}

    async def run(feeds: Sequence[FeedConfig]) -> None:
        summary = await refresh(holder["config"], store, feeds=feeds)
        log.info(
            "refreshed %d feeds: %d ok, %d not modified, %d failed; %d new stories, %d new matches",
            len(feeds), summary.ok, summary.not_modified, summary.failed,
            summary.new_stories, summary.new_matches,
        )
        for problem in summary.problems:
            log.warning("%s (%s): %s", problem.name, problem.url, problem.message)

    async def reconfigure(new: Config) -> None:
        holder["config"] = new
        await asyncio.to_thread(store.sync_feeds, new.feeds)
        retagged = await asyncio.to_thread(retag_if_needed, new, store)
        if retagged is not None:
            log.info("watchlist changed: re-tagged %d stored stories", retagged)

    retagged = await asyncio.to_thread(retag_if_needed, config, store)
    if retagged:
        log.info("watchlist changed: re-tagged %d stored stories", retagged)
    scheduler = Scheduler(config, run, on_config=reconfigure)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("newsdesk daemon: %d feeds, config %s, database %s", len(config.feeds), config.path, store.url)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown()
        log.info("stopped")


def _cmd_list(args: argparse.Namespace) -> int:
    config, store = _load(args)
    with store:
        stories = store.list_stories(entity=args.entity, matched_only=not args.all, limit=args.limit)
        return _print_stories(store, stories, args.json, "no stories (run `newsdesk refresh` first, or add --all)")


def _cmd_search(args: argparse.Namespace) -> int:
    config, store = _load(args)
    query = " ".join(args.query)
    with store:
        stories = store.search(query, limit=args.limit)
        return _print_stories(store, stories, args.json, f"no stored story matches {query!r}")


def _print_stories(store: Store, stories: list[StoryItem], as_json: bool, none: str) -> int:
    """The story table of `list` and `search`, or their JSON."""
    if as_json:
        details = [store.story(s.id) for s in stories]
        print(json.dumps([_story_json(s, d) for s, d in zip(stories, details, strict=True)], ensure_ascii=False, indent=2))
        return 0
    table = Table(box=None, pad_edge=False)
    for column in ("", "time", "feed", "title", "matches"):
        table.add_column(column, overflow="fold" if column == "title" else "ellipsis")
    for s in stories:
        table.add_row(
            "" if s.read else "●",
            s.time.astimezone().strftime("%Y-%m-%d %H:%M"),
            Text(_clip(s.feed, 24)),
            Text(s.title),
            Text(", ".join(s.entities)),
        )
    Console().print(table if stories else Text(none))
    return 0


def _story_json(item: StoryItem, detail: object) -> dict[str, object]:
    hits = getattr(detail, "hits", ())
    return {
        "id": item.id,
        "title": item.title,
        "url": item.url,
        "feed": item.feed,
        "published": item.published.isoformat() if item.published else None,
        "read": item.read,
        "matches": [
            {"entity": h.entity, "kind": h.kind, "count": h.count, "snippet": h.snippet} for h in hits
        ],
    }


def _cmd_status(args: argparse.Namespace) -> int:
    config, store = _load(args)
    with store:
        feeds = store.feeds()
    table = Table(box=None, pad_edge=False)
    for column in ("feed", "last checked", "outcome", "stories", "problem"):
        table.add_column(column)
    for f in feeds:
        table.add_row(
            Text(_clip(f.name, 32)),
            _when(f.last_checked),
            f.last_outcome or "never fetched",
            str(f.stories),
            Text(f.last_error or ""),
        )
    Console().print(table)
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    from newsdesk.match import Matcher
    from newsdesk.sources import SourceError, read_sources

    config = load_config(find_config(args.config))
    matcher = Matcher(config.watchlist)
    out = Console(highlight=False, soft_wrap=True)
    failed = 0
    for source in read_sources(args.sources, config.settings):
        if isinstance(source, SourceError):
            failed += 1
            if args.json:
                print(json.dumps({"source": source.source, "error": str(source)}, ensure_ascii=False))
            else:
                print(f"newsdesk: error: {source}", file=sys.stderr)
            continue
        matches = matcher.find(source.title, source.text)
        if args.json:
            print(json.dumps({"source": source.name, "matches": [_match_json(m) for m in matches]}, ensure_ascii=False))
            continue
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.entity] = counts.get(m.entity, 0) + 1
        summary = ", ".join(f"{entity} {n}" for entity, n in counts.items()) or "no matches"
        out.print(Text(f"{source.name}: {summary}", style="bold"))
        for m in matches:
            line = Text("  ")
            line.append(f"{m.entity}", style="bold")
            line.append(f" ({m.kind}{' ' + m.code if m.code else ''}) {m.form!r} {m.where} {m.start}-{m.end}: ")
            line.append(m.snippet, style="dim")
            out.print(line)
    return 1 if failed else 0


def _match_json(m: Match) -> dict[str, object]:
    return {
        "entity": m.entity, "kind": m.kind, "code": m.code, "form": m.form,
        "where": m.where, "start": m.start, "end": m.end, "snippet": m.snippet,
    }


def _cmd_watchlist(args: argparse.Namespace) -> int:
    from newsdesk.lint import check_watchlist

    config = load_config(find_config(args.config))
    findings = check_watchlist(config)
    watch = config.watchlist
    countries = "every country" if watch.all_countries else f"{len(watch.countries)} countries"
    for f in findings:
        where = f"{config.path}:{f.line}" if f.line else str(config.path)
        print(f"{where}: {f.entry}: {f.message}")
    verdict = f"{len(findings)} warnings" if findings else "no problems found"
    print(f"watchlist: {countries}, {len(watch.people)} people; {verdict}", file=sys.stderr if findings else sys.stdout)
    return 1 if findings else 0


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_COMMANDS = {
    "ui": _cmd_ui,
    "refresh": _cmd_refresh,
    "daemon": _cmd_daemon,
    "list": _cmd_list,
    "search": _cmd_search,
    "status": _cmd_status,
    "match": _cmd_match,
    "watchlist": _cmd_watchlist,
}
