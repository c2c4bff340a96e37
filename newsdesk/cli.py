"""The `newsdesk` command: the UI by default, and refresh / daemon / list / status."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape
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
from newsdesk.display import health, safe
from newsdesk.errors import NewsdeskError
from newsdesk.lock import DaemonLock
from newsdesk.refresh import (
    RefreshProgress,
    RefreshSummary,
    reextract,
    refresh,
    retag_if_needed,
)
from newsdesk.schedule import Scheduler
from newsdesk.store import Store, database_url
from newsdesk.types import Match, StoryDetail, StoryItem

log = logging.getLogger("newsdesk")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command = args.command or "ui"
    try:
        return _COMMANDS[command](args)
    except NewsdeskError as exc:
        print(f"newsdesk: error: {safe(str(exc))}", file=sys.stderr)
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
    refresh_cmd = sub.add_parser("refresh", parents=[common], help="refresh every feed once and print a summary")
    refresh_cmd.add_argument("--force", action="store_true", help="also fetch feeds that are backing off after failures")
    sub.add_parser("daemon", parents=[common], help="refresh feeds on their schedule until interrupted")
    listing = sub.add_parser("list", parents=[common], help="print stored stories")
    listing.add_argument("--entity", metavar="NAME", help="only stories that mention this watchlist entry")
    listing.add_argument("--all", action="store_true", help="all stories, not only matched ones")
    listing.add_argument("--limit", type=int, default=50, metavar="N", help="at most N stories (default 50)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument("--with-text", action="store_true", help="with --json: add each story's text and text_source")
    search = sub.add_parser(
        "search", parents=[common], help="full-text search of every stored story's title and text",
        description='Every word must appear (any case, accents ignored); word* matches a prefix, "a phrase" the words in a row.',
    )
    search.add_argument("query", nargs="+", metavar="QUERY", help="the words to look for")
    search.add_argument("--limit", type=int, default=50, metavar="N", help="at most N stories (default 50)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    sub.add_parser("status", parents=[common], help="show every feed's last refresh and its outcome")
    again = sub.add_parser(
        "reextract", parents=[common], help="extract and match stored stories again from their stored pages",
        description="Re-run text extraction and matching on stored stories from the pages stored with them, "
        "downloading nothing: a newer newsdesk improves old stories.",
    )
    again.add_argument("--feed", metavar="NAME", help="only this feed's stories (its name in feeds.toml)")
    again.add_argument("--since", metavar="DATE", type=_date_arg, help="only stories fetched on or after DATE (YYYY-MM-DD)")
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
    return config, _open_store(args, config)


def _open_store(args: argparse.Namespace, config: Config) -> Store:
    store = Store(find_db(args.db))
    store.sync_feeds(config.feeds)
    return store


# ------------------------------------------------------------------ commands


def _cmd_ui(args: argparse.Namespace) -> int:
    from newsdesk.ui import NewsdeskApp

    config, store = _load(args)
    with store:
        app = NewsdeskApp(store, config, scheduler_factory=ui_scheduler)
        app.run()
    return 0


def ui_scheduler(app: NewsdeskApp, watch_seconds: float = 10.0) -> Scheduler:  # type: ignore[name-defined]  # noqa: F821
    """The scheduler the UI runs in its own event loop: refreshes and feeds.toml edits go to the app."""

    async def run(feeds: Sequence[FeedConfig]) -> None:
        app.request_refresh(feeds)

    return Scheduler(
        app.config,
        run,
        on_config=app.apply_config,
        on_config_error=lambda exc: app.show_config_error(str(exc)),
        watch_seconds=watch_seconds,
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
                bar.update(task, completed=p.done, total=p.total, description=escape(safe(p.feed or "refreshing", 40)))

            summary = asyncio.run(refresh(config, store, progress=step, force=args.force))
    _print_summary(summary)
    return 0


def _print_summary(summary: RefreshSummary) -> None:
    out = Console(highlight=False)
    waiting = f", {summary.waiting} waiting (see newsdesk status)" if summary.waiting else ""
    out.print(
        f"feeds: {summary.ok} ok, {summary.not_modified} not modified, {summary.failed} failed{waiting}; "
        f"{summary.new_stories} new stories, {summary.new_matches} new matches"
    )
    for problem in summary.problems:
        out.print(_t(f"  {problem.name} ({problem.url}): {problem.message}"))


def _cmd_daemon(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    config = load_config(find_config(args.config))  # a broken feeds.toml is reported before anything else
    with DaemonLock(database_url(find_db(args.db))):
        store = _open_store(args, config)
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
        return _print_stories(store, stories, args.json, "no stories (run `newsdesk refresh` first, or add --all)", with_text=args.with_text)


def _cmd_search(args: argparse.Namespace) -> int:
    config, store = _load(args)
    query = " ".join(args.query)
    with store:
        stories = store.search(query, limit=args.limit)
        return _print_stories(store, stories, args.json, f"no stored story matches {query!r}")


def _print_stories(store: Store, stories: list[StoryItem], as_json: bool, none: str, *, with_text: bool = False) -> int:
    """The story table of `list` and `search`, or their JSON."""
    if as_json:
        details = [store.story(s.id) for s in stories]
        rows = [_story_json(s, d, with_text=with_text) for s, d in zip(stories, details, strict=True)]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("", width=1, no_wrap=True)
    table.add_column("time", no_wrap=True)
    table.add_column("feed", max_width=20, no_wrap=True, overflow="ellipsis")
    table.add_column("title", ratio=3, overflow="fold")
    table.add_column("matches", ratio=2, overflow="fold")
    for s in stories:
        table.add_row(
            "" if s.read else "●",
            s.time.astimezone().strftime("%Y-%m-%d %H:%M"),
            _t(s.feed, limit=24),
            _t(s.title, limit=300),
            _t(", ".join(s.entities)),
        )
    Console().print(table if stories else _t(none))
    return 0


def _story_json(item: StoryItem, detail: StoryDetail | None, *, with_text: bool = False) -> dict[str, object]:
    hits = detail.hits if detail else ()
    row: dict[str, object] = {
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
    if with_text and detail is not None:
        row["text"], row["text_source"] = detail.text, detail.text_source
    return row


def _cmd_reextract(args: argparse.Namespace) -> int:
    config, store = _load(args)
    with store:
        if args.feed is not None and args.feed not in {f.name for f in store.feeds(active_only=False)}:
            raise NewsdeskError(f"no feed named {args.feed!r} in {store.url}; `newsdesk status` lists them")
        err = Console(stderr=True)
        with err.status("re-extracting stored stories") as status:
            summary = reextract(
                config, store, feed=args.feed, since=args.since,
                progress=lambda n: status.update(f"re-extracting stored stories: {n}"),
            )
    print(
        f"re-extracted {summary.stories} stories from their stored pages: {summary.changed} changed, "
        f"{summary.from_feed} with the feed's text"
    )
    return 0


def _date_arg(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2024-04-14") from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def _cmd_status(args: argparse.Namespace) -> int:
    config, store = _load(args)
    with store:
        feeds = store.feeds()
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("feed", max_width=32, overflow="ellipsis", no_wrap=True)
    table.add_column("last checked", no_wrap=True)
    table.add_column("health", no_wrap=True, min_width=12)
    table.add_column("stories", justify="right")
    table.add_column("problem", ratio=1, overflow="fold")
    now = datetime.now(UTC)
    for f in feeds:
        table.add_row(_t(f.name), _when(f.last_checked), health(f, now), str(f.stories), _t(f.problem(now)))
    Console(highlight=False).print(table)
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
                print(f"newsdesk: error: {safe(str(source))}", file=sys.stderr)
            continue
        matches = matcher.find(source.title, source.text)
        if args.json:
            print(json.dumps({"source": source.name, "matches": [_match_json(m) for m in matches]}, ensure_ascii=False))
            continue
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.entity] = counts.get(m.entity, 0) + 1
        summary = ", ".join(f"{entity} {n}" for entity, n in counts.items()) or "no matches"
        out.print(_t(f"{source.name}: {summary}", "bold"))
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


def _cmd_watchlist(args: argparse.Namespace) -> int:
    from newsdesk.lint import check_watchlist

    config = load_config(find_config(args.config))
    findings = check_watchlist(config)
    watch = config.watchlist
    countries = "every country" if watch.all_countries else f"{len(watch.countries)} countries"
    for f in findings:
        where = f"{config.path}:{f.line}" if f.line else str(config.path)
        print(safe(f"{where}: {f.entry}: {f.message}"))
    verdict = f"{len(findings)} warnings" if findings else "no problems found"
    print(f"watchlist: {countries}, {len(watch.people)} people; {verdict}", file=sys.stderr if findings else sys.stdout)
    return 1 if findings else 0


def _t(value: str | None, style: str = "", *, limit: int | None = None) -> Text:
    """Text from strangers (feeds, pages, servers), safe to print: no markup, no escapes."""
    return Text(safe(value, limit), style=style)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


_COMMANDS = {
    "ui": _cmd_ui,
    "refresh": _cmd_refresh,
    "daemon": _cmd_daemon,
    "list": _cmd_list,
    "search": _cmd_search,
    "status": _cmd_status,
    "reextract": _cmd_reextract,
    "match": _cmd_match,
    "watchlist": _cmd_watchlist,
}
