"""`newsdesk config`: which feeds.toml and database are in use, and the reference of every key."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    config = sub.add_parser("config", help="the feeds.toml and database in use, and every feeds.toml key")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    path = actions.add_parser("path", parents=[common], help="print the feeds.toml and the database in use")
    path.add_argument("--json", action="store_true", help='print {"config": ..., "database": ...}')
    path.set_defaults(handler=cmd_path)
    ref = actions.add_parser("reference", help="print every feeds.toml key: type, default and meaning (Markdown)")
    ref.set_defaults(handler=cmd_reference)


def cmd_path(args: argparse.Namespace) -> int:
    from newsdesk.cli._common import config_path_arg, database_arg
    from newsdesk.display import safe

    config, database = str(config_path_arg(args).absolute()), database_arg(args)
    if args.json:
        import json

        print(json.dumps({"config": config, "database": database}, ensure_ascii=True))
    else:
        print(f"config:   {safe(config)}\ndatabase: {safe(database)}")
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    from newsdesk.config import reference

    print(reference(), end="")
    return 0
