"""`newsdesk import FILE.opml|-`: bring subscriptions from another feed reader."""

from __future__ import annotations

import argparse
import sys

from newsdesk.cli._common import config_path_arg


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    imports = sub.add_parser(
        "import", parents=[common], help="add the feeds of an OPML file (another reader's export) to feeds.toml",
        description="Add every feed (outline with an xmlUrl, at any depth) of an OPML file to feeds.toml; the "
        "folders holding a feed become its tags. Feeds already there are skipped. Nothing is fetched.",
    )
    imports.add_argument("file", metavar="FILE.opml|-", help="the OPML file, or - to read it from stdin")
    imports.add_argument("--dry-run", action="store_true", help="only show what would be added and skipped")
    imports.set_defaults(handler=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from newsdesk import feedsfile
    from newsdesk.display import safe
    from newsdesk.errors import NewsdeskError
    from newsdesk.opml import Skipped, read_opml

    if args.file == "-":
        data, source = sys.stdin.buffer.read(), "stdin"
    else:
        try:
            data, source = Path(args.file).read_bytes(), args.file
        except OSError as exc:
            raise NewsdeskError(f"{args.file}: {exc.strerror or exc}") from None
    listed = read_opml(data, source)
    path = config_path_arg(args)

    def change(draft: feedsfile.Draft) -> tuple[list[feedsfile.NewFeed], list[Skipped]]:
        adding: list[feedsfile.NewFeed] = []
        skipped = list(listed.skipped)
        taken: dict[str, str] = {}
        for feed in listed.feeds:
            existing = draft.find_feed(feed.url)
            identity = feedsfile.feed_identity(feed.url)
            if existing is not None:
                skipped.append(Skipped(feed.title or feed.url, f"already in feeds.toml as {existing.name!r}"))
            elif identity in taken:
                skipped.append(Skipped(feed.title or feed.url, f"the same feed as {taken[identity]!r} above"))
            else:
                taken[identity] = feed.title or feed.url
                adding.append(feedsfile.NewFeed(url=feed.url, name=feed.title, tags=feed.tags))
        if not args.dry_run:
            draft.add_feeds(adding)
        return adding, skipped

    if args.dry_run:
        added, skipped = change(feedsfile.Draft(path, path.read_text(encoding="utf-8")))
    else:
        added, skipped = feedsfile.edit(path, change)
    verb = "would add" if args.dry_run else "added"
    print(safe(f"{source}: {verb} {len(added)} feeds to {path}, skipped {len(skipped)}"))
    if listed.repaired:
        print(safe(f"  (read with repairs: {listed.repaired})"), file=sys.stderr)
    for feed in added:
        tags = f" [{', '.join(feed.tags)}]" if feed.tags else ""
        print(safe(f"  + {feed.name or feed.url}{tags}"))
    for skip in skipped:
        print(safe(f"  - {skip.what}: {skip.why}"))
    return 0
