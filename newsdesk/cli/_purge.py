"""`newsdesk purge`: what [settings] keep_days and max_stories_per_feed remove after every
refresh, now, or with --dry-run only counted."""

from __future__ import annotations

import argparse

from newsdesk.cli._common import load


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    purge = sub.add_parser(
        "purge", parents=[common], help="delete stories older than keep_days or beyond max_stories_per_feed",
        description="Delete the stories [settings] keep_days and max_stories_per_feed let go (a refresh does this "
        "after every run), with their matches, pages and search entries. Starred stories are never deleted.",
    )
    purge.add_argument("--dry-run", action="store_true", help="only show what would be deleted")
    purge.set_defaults(handler=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    from newsdesk.display import safe
    from newsdesk.refresh import purge

    config, store = load(args)
    with store:
        report = purge(config.settings, store, dry_run=args.dry_run)
    if report is None:
        print(f"nothing to do: set keep_days or max_stories_per_feed in [settings] of {config.path}")
        return 0
    verb = "would delete" if report.dry_run else "deleted"
    limits = []
    if config.settings.keep_days:
        limits.append(f"older than {config.settings.keep_days} days")
    if config.settings.max_stories_per_feed:
        limits.append(f"beyond each feed's newest {config.settings.max_stories_per_feed}")
    print(f"{verb} {report.stories} stories ({' or '.join(limits)}; starred stories are kept)")
    for feed in report.feeds:
        why = []
        if feed.too_old:
            why.append(f"{feed.too_old} too old")
        if feed.beyond_newest:
            why.append(f"{feed.beyond_newest} beyond the newest")
        print(safe(f"  {feed.feed}: {feed.stories} ({', '.join(why)})"))
    return 0
