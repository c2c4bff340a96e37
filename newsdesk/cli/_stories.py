"""Commands that read stored stories and feeds: list, search, status, reextract."""

from __future__ import annotations

import argparse

from newsdesk.cli._common import database_arg, entity_arg, load, load_reads, print_json, since_arg, when, whole
from newsdesk.errors import NewsdeskError

LIMIT_MAX = 1_000_000

TYPE_CHECKING = False  # as typing's, without importing typing at start-up (mypy reads it as true)
if TYPE_CHECKING:
    from newsdesk.store import Reads
    from newsdesk.types import StoryDetail, StoryItem


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    listing = sub.add_parser(
        "list", parents=[common], help="print stored stories",
        description="Matched stories, newest first; the options narrow that down (and add up).",
    )
    listing.add_argument("--entity", metavar="NAME",
                         help="only stories that mention this watchlist entry (any of its names, codes or aliases, in any case)")
    listing.add_argument("--all", action="store_true", help="all stories, not only matched ones")
    listing.add_argument("--unread", action="store_true", help="only unread stories")
    listing.add_argument("--starred", action="store_true", help="only starred stories, matched or not")
    listing.add_argument("--feed", metavar="NAME", help="only this feed's stories (its name in feeds.toml)")
    listing.add_argument("--since", metavar="WHEN", type=since_arg,
                         help="only stories from WHEN on: a date (2024-04-14) or a time ago (7d, 24h, 30m, 2w)")
    listing.add_argument("--limit", type=whole(1, LIMIT_MAX), default=50, metavar="N", help="at most N stories (default 50)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.add_argument(
        "--all-copies", action="store_true",
        help="every copy of an event, one row each (by default, as the collapse setting says: one row per event)",
    )
    listing.add_argument("--with-text", action="store_true", help="with --json: add each story's text and text_source")
    listing.set_defaults(handler=cmd_list)
    search = sub.add_parser(
        "search", parents=[common], help="full-text search of every stored story's title and text",
        description='Every word must appear (any case, accents ignored); word* matches a prefix, "a phrase" the words in a row.',
    )
    search.add_argument("query", nargs="+", metavar="QUERY", help="the words to look for")
    search.add_argument("--limit", type=whole(1, LIMIT_MAX), default=50, metavar="N", help="at most N stories (default 50)")
    search.add_argument("--json", action="store_true", help="print a JSON array")
    search.set_defaults(handler=cmd_search)
    sub.add_parser("status", parents=[common], help="show every feed's last refresh and its outcome").set_defaults(handler=cmd_status)
    again = sub.add_parser(
        "reextract", parents=[common], help="extract and match stored stories again from their stored pages",
        description="Re-run text extraction and matching on stored stories from the pages stored with them, "
        "downloading nothing: a newer newsdesk improves old stories.",
    )
    again.add_argument("--feed", metavar="NAME", help="only this feed's stories (its name in feeds.toml)")
    again.add_argument("--since", metavar="WHEN", type=since_arg,
                       help="only stories fetched from WHEN on: a date (YYYY-MM-DD) or a time ago (7d, 24h)")
    again.set_defaults(handler=cmd_reextract)


def cmd_list(args: argparse.Namespace) -> int:
    from newsdesk.types import StoryQuery

    config, store = load_reads(args)
    with store:
        view = StoryQuery(
            matched_only=not (args.all or args.starred),
            entity=entity_arg(config.watchlist, store, args.entity) if args.entity else None,
            feed=_feed(store, args.feed) if args.feed is not None else None,
            unread_only=args.unread,
            starred_only=args.starred,
            since=args.since,
            collapse=config.settings.collapse and not args.all_copies,
        )
        stories = store.stories(view, limit=args.limit)
        narrowed = args.entity or args.feed or args.unread or args.starred or args.since
        none = "no stories match" if narrowed else "no stories (run `newsdesk refresh` first, or add --all)"
        return _print_stories(store, stories, args.json, none, with_text=args.with_text)


def _feed(store: Reads, name: str) -> str:
    names = sorted({f.name for f in store.feeds(active_only=False)})
    if name not in names:
        import difflib

        near = difflib.get_close_matches(name, names, n=3)
        hint = f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else "; `newsdesk status` lists them"
        raise NewsdeskError(f"no feed named {name!r} in {store.url}{hint}")
    return name


def cmd_search(args: argparse.Namespace) -> int:
    config, store = load_reads(args)
    query = " ".join(args.query)
    with store:
        stories = store.search(query, limit=args.limit)
        return _print_stories(store, stories, args.json, f"no stored story matches {query!r}")


def _print_stories(store: Reads, stories: list[StoryItem], as_json: bool, none: str, *, with_text: bool = False) -> int:
    """The story table of `list` and `search`, or their JSON (which needs no rich)."""
    if as_json:
        details = [store.story(s.id) for s in stories]
        rows = [_story_json(s, d, with_text=with_text) for s, d in zip(stories, details, strict=True)]
        print_json(rows)
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from newsdesk.display import plain

    # Every cell a Text: a str would be parsed as markup and searched for :emoji: codes first
    # (rich's table of emoji codes alone took 0.002 s to import), to print the same characters.
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column(Text(""), width=1, no_wrap=True)
    table.add_column(Text("time"), no_wrap=True)
    table.add_column(Text(""), no_wrap=True)  # how many sources an event has: "×3"
    table.add_column(Text("feed"), max_width=20, no_wrap=True, overflow="ellipsis")
    table.add_column(Text("title"), ratio=3, overflow="fold")
    table.add_column(Text("matches"), ratio=2, overflow="fold")
    for s in stories:
        table.add_row(
            Text("★" if s.starred else ("" if s.read else "●")),
            Text(s.time.astimezone().strftime("%Y-%m-%d %H:%M")),
            Text(f"×{s.sources}" if s.sources > 1 else ""),
            plain(s.feed, limit=24),
            plain(s.title, limit=300),
            plain(", ".join(s.entities)),
        )
    Console().print(table if stories else plain(none))
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
        "starred": item.starred,
        "cluster": item.cluster,
        "sources": item.sources,
        "matches": [
            {"entity": h.entity, "kind": h.kind, "count": h.count, "snippet": h.snippet} for h in hits
        ],
    }
    if with_text and detail is not None:
        row["text"], row["text_source"] = detail.text, detail.text_source
    return row


def cmd_reextract(args: argparse.Namespace) -> int:
    from rich.console import Console

    from newsdesk.refresh import reextract

    config, store = load(args)
    with store:
        feed = None
        if args.feed is not None:
            # Any case, any spacing: "bbc news" is the feed named "BBC News".
            wanted = " ".join(args.feed.casefold().split())
            names = sorted({f.name for f in store.feeds(active_only=False) if " ".join(f.name.casefold().split()) == wanted})
            if not names:
                raise NewsdeskError(f"no feed named {args.feed!r} in {store.url}; `newsdesk status` lists them")
            if len(names) > 1 and args.feed not in names:
                raise NewsdeskError(f"{args.feed!r} names {len(names)} feeds ({', '.join(names)}): give one exactly")
            feed = args.feed if args.feed in names else names[0]
        err = Console(stderr=True)
        with err.status("re-extracting stored stories") as status:
            summary = reextract(
                config, store, feed=feed, since=args.since,
                progress=lambda n: status.update(f"re-extracting stored stories: {n}"),
            )
    print(
        f"re-extracted {summary.stories} stories from their stored pages: {summary.changed} changed, "
        f"{summary.from_feed} with the feed's text"
    )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from newsdesk.display import health, plain, safe
    from newsdesk.types import FeedStatus

    config, store = load_reads(args)
    with store:
        stored = {f.url: f for f in store.feeds(active_only=False)}
    # feeds.toml's feeds, as the database knows them; one added since the last refresh is
    # shown as never fetched (status only reads: it works while a refresh writes).
    feeds = [stored.get(f.url) or FeedStatus.unstored(f.name, f.url) for f in config.feeds]
    out = Console(highlight=False)
    in_use = config.path.absolute() if config.path else "-"
    print(safe(f"feeds.toml: {in_use}\ndatabase:   {database_arg(args)}\n"))
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column(Text("feed"), max_width=32, overflow="ellipsis", no_wrap=True)
    table.add_column(Text("last checked"), no_wrap=True)
    table.add_column(Text("health"), no_wrap=True, min_width=12)
    table.add_column(Text("stories"), justify="right")
    table.add_column(Text("problem"), ratio=1, overflow="fold")
    now = datetime.now(UTC)
    for f in feeds:  # every cell a Text, as in _print_stories
        table.add_row(plain(f.name), Text(when(f.last_checked)), health(f, now), Text(str(f.stories)), plain(f.problem(now)))
    out.print(table)
    return 0
