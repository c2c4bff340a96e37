"""What every command shares: the --config and --db options, opening the config and the
database in that order, and small formatting helpers for the terminal."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newsdesk.config import Config
    from newsdesk.store import Store


def common_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument("--config", metavar="PATH", default=default, help="feeds.toml to use (default: $NEWSDESK_CONFIG, ./feeds.toml, then the user config dir)")
    parser.add_argument("--db", metavar="PATH_OR_URL", default=default, help="database file or SQLAlchemy URL (default: $NEWSDESK_DB, then newsdesk.db in the user data dir)")


def load_config_arg(args: argparse.Namespace) -> Config:
    """The feeds.toml the options name, checked: a broken one stops the command here."""
    from newsdesk.config import find_config, load_config

    return load_config(find_config(args.config))


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
