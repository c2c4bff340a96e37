"""Changing the sources and the watchlist without a text editor: `feeds add/remove/list`,
`watchlist add/remove`. Every change goes through newsdesk.feedsfile, which keeps the
reader's comments and layout and never writes a broken file; a running UI or daemon picks
the change up as it does a hand edit."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TypeVar

from newsdesk.cli._common import config_path_arg, json_text, load_config_arg, whole

if TYPE_CHECKING:
    from newsdesk.config import FeedConfig
    from newsdesk.discover import FoundFeed

_T = TypeVar("_T")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    feeds = sub.add_parser("feeds", help="add, remove and list the feeds in feeds.toml")
    actions = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", parents=[common], help="add a feed, or the feed a web page declares",
        description="Fetch URL once: a feed is added as it is; a web page is searched for the feeds it declares "
        "(<link rel=\"alternate\">), then at the usual paths (/feed, /rss, /rss.xml, /atom.xml, /index.xml). "
        "The feed's title and entry count are shown; feeds.toml keeps its comments and layout.",
    )
    add.add_argument("url", metavar="URL", help="a feed's or a web page's http(s) address")
    add.add_argument("--name", metavar="N", help="the feed's name in newsdesk (default: the feed's title)")
    add.add_argument("--tag", metavar="T", action="append", default=[], help="a tag for the feed (repeat for several)")
    add.add_argument("--every", metavar="MINUTES", type=float, help="refresh this feed every MINUTES (default: [settings] refresh_minutes)")
    add.add_argument("--no-extract", action="store_true", help="use the feed's own text; do not download each story's page")
    add.add_argument("--pick", metavar="N", type=whole(1, 1000), help="when the page declares several feeds, take the N-th")
    add.set_defaults(handler=cmd_add)
    remove = actions.add_parser("remove", parents=[common], help="remove a feed from feeds.toml (its stories stay unless --purge)")
    remove.add_argument("feed", metavar="NAME|URL", help="the feed's name (any case) or address")
    remove.add_argument("--purge", action="store_true", help="also delete the feed's stored stories (starred ones too)")
    remove.set_defaults(handler=cmd_remove)
    listing = actions.add_parser("list", parents=[common], help="list the feeds in feeds.toml")
    listing.add_argument("--json", action="store_true", help="print a JSON array (name, url, tags, refresh_minutes, extract)")
    listing.set_defaults(handler=cmd_list)


def add_watchlist_parsers(actions: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    """`watchlist add` and `watchlist remove`, beside `watchlist check`."""
    for verb, helptext in (("add", "add a country or a person to the watchlist"), ("remove", "remove a country or a person")):
        parser = actions.add_parser(verb, help=helptext)
        kinds = parser.add_subparsers(dest="watch_kind", metavar="KIND", required=True)
        country = kinds.add_parser("country", parents=[common], help="a country by name or ISO 3166 code")
        country.add_argument("name", metavar="NAME|CODE")
        country.set_defaults(handler=cmd_watch_country, verb=verb)
        person = kinds.add_parser("person", parents=[common], help='a person by full name ("Vladimir Putin")')
        person.add_argument("name", metavar="FULL_NAME")
        if verb == "add":
            person.add_argument("--alias", metavar="A", action="append", default=[], help="another form that means this person (repeat)")
        person.set_defaults(handler=cmd_watch_person, verb=verb)


def _say(text: str) -> None:
    from newsdesk.display import safe

    print(safe(text))


def _checked(key: str, value: object, option: str, kind: type[_T]) -> _T:
    """A command-line value checked by the same declaration as feeds.toml's key (which
    gives back a value of `kind`)."""
    from newsdesk.config import FeedConfig
    from newsdesk.errors import NewsdeskError
    from newsdesk.schema import Invalid, declared_keys

    try:
        checked = declared_keys(FeedConfig)[key].spec.kind.check(value)
    except Invalid as exc:
        raise NewsdeskError(f"{option}: {exc.message}") from None
    if not isinstance(checked, kind):
        raise NewsdeskError(f"{option}: {value!r} is not a {kind.__name__}")
    return checked


def cmd_add(args: argparse.Namespace) -> int:
    from newsdesk import feedsfile
    from newsdesk.discover import discover
    from newsdesk.errors import NewsdeskError

    path = config_path_arg(args)
    config = load_config_arg(args)
    url = _checked("url", args.url, "URL", str)
    tags = _checked("tags", list(args.tag), "--tag", tuple)
    every = _checked("refresh_minutes", args.every, "--every", float) if args.every is not None else None
    existing = feedsfile.Draft(path, path.read_text(encoding="utf-8")).find_feed(url)
    if existing is not None:
        raise NewsdeskError(f"{url} is already in {path} (as {existing.name!r}, {existing.url})")
    print(f"fetching {url} ...", file=sys.stderr)
    found = discover(url, config.settings)
    chosen = _choose(found, args.pick)
    title = chosen.title or "(no title)"
    _say(f"found: {title}: {chosen.entries} entries, {chosen.how}\n  {chosen.url}")
    feed = feedsfile.NewFeed(
        url=chosen.url, name=args.name or chosen.title, tags=tuple(str(tag) for tag in tags),
        refresh_minutes=every, extract=False if args.no_extract else None,
    )
    added = feedsfile.edit(path, lambda draft: draft.add_feed(feed))
    _say(f"added {added.name!r} to {path}")
    return 0


def _choose(found: list[FoundFeed], pick: int | None) -> FoundFeed:
    from newsdesk.errors import NewsdeskError

    if pick is not None:
        if pick > len(found):
            raise NewsdeskError(f"--pick {pick}: only {len(found)} feeds were found")
        return found[pick - 1]
    if len(found) == 1:
        return found[0]
    _say(f"{len(found)} feeds found:")
    for number, feed in enumerate(found, start=1):
        _say(f"  {number}. {feed.title or '(no title)'}: {feed.entries} entries\n     {feed.url}")
    if not sys.stdin.isatty():
        raise NewsdeskError(f"{len(found)} feeds found: choose one with --pick N")
    while True:
        answer = input(f"which one? [1-{len(found)}, Enter to cancel] ").strip()
        if not answer:
            raise NewsdeskError("nothing added")
        if answer.isdigit() and 1 <= int(answer) <= len(found):
            return found[int(answer) - 1]


def _find(feeds: tuple[FeedConfig, ...], wanted: str) -> FeedConfig:
    from newsdesk.errors import NewsdeskError
    from newsdesk.feedsfile import feed_identity
    from newsdesk.schema import web_url_problem

    if web_url_problem(wanted) is None:
        same = [f for f in feeds if feed_identity(f.url) == feed_identity(wanted)]
    else:
        same = [f for f in feeds if f.name.casefold() == wanted.strip().casefold()]
    if not same:
        raise NewsdeskError(f"no feed {wanted!r} in feeds.toml (`newsdesk feeds list` lists them)")
    if len(same) > 1:
        raise NewsdeskError(f"{len(same)} feeds are named {wanted!r}: give the URL of one ({', '.join(f.url for f in same)})")
    return same[0]


def cmd_remove(args: argparse.Namespace) -> int:
    from newsdesk import feedsfile

    path = config_path_arg(args)

    def change(draft: feedsfile.Draft) -> FeedConfig:
        feed = _find(draft.config.feeds, args.feed)
        draft.remove_feed(feed)
        return feed

    removed = feedsfile.edit(path, change)
    _say(f"removed {removed.name!r} ({removed.url}) from {path}")
    if args.purge:
        from newsdesk.cli._common import open_store

        with open_store(args, load_config_arg(args)) as store:
            count = store.delete_feed(removed.url)
        _say(f"deleted its {count} stored stories")
    else:
        print("its stored stories stay (add --purge to delete them)", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from newsdesk.display import plain

    config = load_config_arg(args)
    if args.json:
        rows = [
            {"name": f.name, "url": f.url, "tags": list(f.tags), "refresh_minutes": config.settings.interval(f),
             "extract": config.settings.extracts(f)}
            for f in config.feeds
        ]
        print(json_text(rows, indent=2))
        return 0
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("name", max_width=32, overflow="ellipsis", no_wrap=True)
    table.add_column("tags", max_width=24, overflow="fold")
    table.add_column("every", justify="right", no_wrap=True)
    table.add_column("url", ratio=1, overflow="fold")
    for f in config.feeds:
        extract = "" if config.settings.extracts(f) else ", feed text"
        table.add_row(plain(f.name), plain(", ".join(f.tags)), f"{config.settings.interval(f):g} min{extract}", plain(f.url))
    Console(highlight=False).print(table if config.feeds else plain(f"no feeds in {config.path}"))
    return 0


def cmd_watch_country(args: argparse.Namespace) -> int:
    from newsdesk import countries as country_data
    from newsdesk import feedsfile
    from newsdesk.errors import NewsdeskError

    country = country_data.lookup(args.name.strip())
    if country is None:
        near = country_data.suggest(args.name)
        raise NewsdeskError(f"{args.name!r} is not a country name or ISO 3166 code" + (f" (did you mean {near!r}?)" if near else ""))
    path = config_path_arg(args)
    if args.verb == "add":
        feedsfile.edit(path, lambda draft: draft.add_country(country.code, country.name))
        _say(f"added {country.name} ({country.code}) to the watchlist in {path}")
    else:
        feedsfile.edit(path, lambda draft: draft.remove_country(country.code, country.name))
        _say(f"removed {country.name} ({country.code}) from the watchlist in {path}")
    return 0


def cmd_watch_person(args: argparse.Namespace) -> int:
    from newsdesk import feedsfile
    from newsdesk.config import PersonEntry
    from newsdesk.errors import NewsdeskError
    from newsdesk.schema import Invalid, declared_keys

    keys = declared_keys(PersonEntry)
    try:
        name = keys["name"].spec.kind.check(args.name)
        aliases = keys["aliases"].spec.kind.check(list(getattr(args, "alias", [])))
    except Invalid as exc:
        raise NewsdeskError(f"{args.name!r}: {exc.message}") from None
    if not name:
        raise NewsdeskError("give the person's full name")
    path = config_path_arg(args)
    if args.verb == "add":
        feedsfile.edit(path, lambda draft: draft.add_person(name, aliases))
        _say(f"added {name} to the watchlist in {path}")
    else:
        removed = feedsfile.edit(path, lambda draft: draft.remove_person(name))
        _say(f"removed {removed} from the watchlist in {path}")
    return 0
