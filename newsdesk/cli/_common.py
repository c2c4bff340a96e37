"""What every command shares: the --config and --db options, opening the config and the
database in that order, and small formatting helpers for the terminal."""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.config import Config
    from newsdesk.store import Store


def common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--config", metavar="PATH", default=default, help="feeds.toml to use (default: $NEWSDESK_CONFIG, ./feeds.toml, then the user config dir)")
    parser.add_argument("--db", metavar="PATH_OR_URL", default=default, help="database file or SQLAlchemy URL (default: $NEWSDESK_DB, then newsdesk.db in the user data dir)")


def config_path_arg(args: argparse.Namespace) -> Path:
    """The feeds.toml the options name (or the one found without them)."""
    from newsdesk.config import find_config

    return find_config(args.config)


def database_arg(args: argparse.Namespace) -> str:
    """The database the options name, as a person should see it: a file as an absolute path,
    a URL without its password."""
    from newsdesk.config import find_db

    target = find_db(args.db)
    if "://" not in target:
        return str(Path(target).expanduser().absolute())
    return re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", target)


def load_config_arg(args: argparse.Namespace) -> Config:
    """The feeds.toml the options name, checked: a broken one stops the command here."""
    from newsdesk.config import load_config

    return load_config(config_path_arg(args))


def load(args: argparse.Namespace) -> tuple[Config, Store]:
    # The config is checked before the database is opened: a broken feeds.toml touches nothing.
    config = load_config_arg(args)
    return config, open_store(args, config)


def open_store(args: argparse.Namespace, config: Config) -> Store:
    from newsdesk.config import find_db
    from newsdesk.store import Store

    store = Store(find_db(args.db))
    store.sync_feeds(config.feeds)
    return store


def when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


def date_arg(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2024-04-14") from None
    return parsed if parsed.tzinfo else parsed.astimezone()
