"""Commands for watching the watchlist over time: alerts sent, trends and spikes, a digest."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from newsdesk.cli._common import load, print_json, when

if TYPE_CHECKING:
    from newsdesk.types import AlertEvent


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    alerts = sub.add_parser("alerts", parents=[common], help="list the alerts sent, and how each delivery went")
    alerts.add_argument("--limit", type=int, default=50, metavar="N", help="at most N alerts, newest first (default 50)")
    alerts.add_argument("--json", action="store_true", help="print a JSON array")
    alerts.set_defaults(handler=cmd_alerts)


def cmd_alerts(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from newsdesk.display import plain

    config, store = load(args)
    with store:
        events = store.alerts(limit=max(1, args.limit))
    if args.json:
        print_json([_alert_json(e) for e in events])
        return 0
    if not events:
        print("no alerts yet (an [alerts] table in feeds.toml says which entries alert)")
        return 0
    table = Table(box=None, pad_edge=False, expand=True)
    table.add_column("sent", no_wrap=True)
    table.add_column("entry", max_width=20, no_wrap=True, overflow="ellipsis")
    table.add_column("story", ratio=3, overflow="fold")
    table.add_column("delivery", ratio=2, overflow="fold")
    now = datetime.now(UTC)
    for e in events:
        delivery = ", ".join(f"{channel}: {result}" for channel, result in e.outcome) or _undelivered(e, now)
        table.add_row(when(e.sent_at) if e.sent_at else "waiting", plain(e.entity), plain(f"{e.title} ({e.feed})"), plain(delivery))
    Console(highlight=False).print(table)
    return 0


def _undelivered(event: AlertEvent, now: datetime) -> str:
    """An alert with no outcome yet: waiting for its quiet hours to end, being sent, or
    claimed by a process that stopped before it recorded anything."""
    from newsdesk.alerts import LONGEST_DELIVERY

    if event.sent_at is None:
        return "waiting (quiet hours)"
    return "sending" if now - event.sent_at < LONGEST_DELIVERY else "no outcome recorded"


def _alert_json(event: AlertEvent) -> dict[str, object]:
    from newsdesk.alerts import alert_json

    return {
        "id": event.id,
        **alert_json(event),
        "created_at": event.created_at.isoformat(),
        "sent_at": event.sent_at.isoformat() if event.sent_at else None,
        "outcome": dict(event.outcome),
    }
