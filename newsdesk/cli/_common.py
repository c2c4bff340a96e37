"""What every command shares: the --config and --db options, opening the config and the
database in that order, and small formatting helpers for the terminal."""

from __future__ import annotations

import argparse
import os
import sys

TYPE_CHECKING = False  # as typing's, without importing typing at start-up (mypy reads it as true)
if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from newsdesk.config import Config, Watchlist
    from newsdesk.store import Reads, Store


def common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--config", metavar="PATH", default=default,
        help="feeds.toml to use (default: $NEWSDESK_CONFIG, then feeds.toml in the user config dir)",
    )
    parser.add_argument(
        "--db", metavar="PATH_OR_URL", default=default,
        help="database file or SQLAlchemy URL (default: $NEWSDESK_DB, then newsdesk.db in the user data dir)",
    )
    parser.add_argument(
        "--user", metavar="NAME", default=default,
        help="whose read and starred marks to show and set, on a database several people share (default: your login name)",
    )


def config_path_arg(args: argparse.Namespace) -> Path:
    """The feeds.toml the options name (or the user's, written from the default on the first run)."""
    from newsdesk.config import find_config

    return find_config(args.config, on_create=_say_created)


def _say_created(path: Path) -> None:
    from newsdesk.display import safe

    print(
        f"newsdesk: this is the first run: wrote a starting feeds.toml to {safe(str(path))}\n"
        "  edit it (E in the UI), or add feeds with `newsdesk feeds add URL` or `newsdesk import FILE.opml`",
        file=sys.stderr,
    )


def database_arg(args: argparse.Namespace) -> str:
    """The database the options name, as a person should see it: a file as an absolute path,
    a URL without its password."""
    from newsdesk.config import find_db
    from newsdesk.places import shown_database

    return shown_database(find_db(args.db))


def load_config_arg(args: argparse.Namespace) -> Config:
    """The feeds.toml the options name, checked: a broken one stops the command here."""
    from newsdesk.config import load_config

    return load_config(config_path_arg(args))


def load(args: argparse.Namespace, *, sync: bool = True) -> tuple[Config, Store]:
    # The config is checked before the database is opened: a broken feeds.toml touches nothing.
    config = load_config_arg(args)
    return config, open_store(args, config, sync=sync)


def load_reads(args: argparse.Namespace) -> tuple[Config, Reads]:
    """As `load`, for a command that only reads stories and feeds (list, search, status): a
    SQLite file opens without SQLAlchemy (store.open_reader), the command's start-up being
    most of what it costs."""
    from newsdesk.store import open_reader

    config = load_config_arg(args)
    return config, open_reader(database_of(args, config), reader=getattr(args, "user", None))


def sqlite_reads(args: argparse.Namespace, config: Config) -> Reads | None:
    """The database the options name through the sqlite3 reader, if it is a SQLite file at
    this schema; None when a Store must open it (create, upgrade, PostgreSQL)."""
    from newsdesk.store import open_sqlite_reader

    return open_sqlite_reader(database_of(args, config), reader=getattr(args, "user", None))


def open_store(args: argparse.Namespace, config: Config, *, sync: bool = True) -> Store:
    """The database, opened; `sync`: made to follow feeds.toml's feeds first (a write, which
    the reading commands do not do: they work while another process writes)."""
    from newsdesk.store import Store

    store = Store(database_of(args, config), reader=getattr(args, "user", None))
    store.on_busy = say_busy
    if sync:
        store.sync_feeds(config.feeds)
    return store


def say_busy(message: str) -> None:
    """How a command tells that a write waits for another process's."""
    print(f"newsdesk: {message}", file=sys.stderr, flush=True)


def database_of(args: argparse.Namespace, config: Config) -> str:
    """The database the options and feeds.toml name; the user's own (the default) gets its
    folder made first."""
    from newsdesk.config import DB_ENV, find_db, user_db_path

    if not args.db and not os.environ.get(DB_ENV):
        from newsdesk import places

        places.make_dir(user_db_path().parent, "the folder for the database", places.fix_for("data"))
    return find_db(args.db, config.settings.database)


def entity_arg(watchlist: Watchlist, store: Reads, written: str) -> str:
    """The watchlist entry an `--entity` option names (any name, code or alias, in any case);
    one the watchlist dropped still has its stories."""
    from newsdesk.entries import find_entry
    from newsdesk.errors import UnknownEntry

    try:
        return find_entry(watchlist, written)
    except UnknownEntry:
        return find_entry(watchlist, written, stored=[c.entity for c in store.entity_counts()])


def until_arg(value: str) -> datetime:
    """An argparse type: as since_arg, for the end of a stretch (excluded); a date alone
    (2024-04-14) means the end of that day, so --since D --until D is the whole day D."""
    import re
    from datetime import timedelta

    moment = since_arg(value)
    return moment + timedelta(days=1) if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value) else moment


def when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


def since_arg(value: str) -> datetime:
    """An argparse type: a date or time (2024-04-14, 2024-04-14T09:30) or a time ago (7d, 24h,
    30m, 2w), as the moment it names."""
    import re
    from datetime import UTC, datetime, timedelta

    ago = re.fullmatch(r"\s*(\d{1,6})\s*([mhdw])\s*", value.lower())
    if ago:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[ago.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(ago.group(1))})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2024-04-14 nor a time ago like 7d or 24h") from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (a --limit of 10**30 is a mistake,
    and would overflow the database's 64-bit integers)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high:,}")
        return number

    return parse


def json_text(value: object, indent: int | None = None) -> str:
    """JSON for stdout, escaped to ASCII when the output's encoding cannot hold every character
    (JSON's \\u escapes keep the text whole where replacement characters would not), and the
    characters a terminal acts on escaped always (display.json_safe)."""
    import codecs
    import json

    from newsdesk.display import json_safe

    encoding = codecs.lookup(getattr(sys.stdout, "encoding", None) or "ascii").name
    return json_safe(json.dumps(value, ensure_ascii=encoding not in ("utf-8", "utf-16", "utf-32"), indent=indent))


def print_json(value: object) -> None:
    print(json_text(value, indent=2))
