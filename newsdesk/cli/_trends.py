"""Commands that read the watchlist's timelines: trends (counts per day or week, spikes
flagged) and digest (a Markdown digest by entry)."""

from __future__ import annotations

import argparse
import sys

from newsdesk.cli._common import entity_arg, load, print_json, since_arg, whole

TYPE_CHECKING = False  # as typing's, without importing typing at start-up (mypy reads it as true)
if TYPE_CHECKING:
    from datetime import date

    from newsdesk.config import Watchlist
    from newsdesk.types import MatchKind, TrendPeriod

DAYS_MAX = 3660


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    trends = sub.add_parser(
        "trends", parents=[common], help="each watchlist entry's events per day or week, spikes flagged",
        description="How many events (clusters of stories, not copies) named each watchlist entry per day or week, "
        "and the days that are spikes: well above the entry's own usual (the README says the rule).",
    )
    trends.add_argument("--entity", metavar="NAME",
                        help="only this watchlist entry (any of its names, codes or aliases, in any case), every period on a line")
    trends.add_argument("--days", type=whole(1, DAYS_MAX), metavar="N",
                        help="the last N days, today (UTC) included (default 14 by day, 56 by week)")
    trends.add_argument("--by", choices=("day", "week"), default="day", help="count per day (default) or per week (Monday to Sunday)")
    trends.add_argument("--json", action="store_true", help="print a JSON array, one object per entry")
    trends.set_defaults(handler=cmd_trends)
    digest = sub.add_parser(
        "digest", parents=[common], help="a Markdown digest of the watchlist's events, by entry",
        description="For each watchlist entry, one line per event (cluster) with the feeds that reported it, newest first; "
        "entries with a spike on top.",
    )
    digest.add_argument("--since", metavar="WHEN", type=since_arg, default=None,
                        help="events from WHEN on: a date (2024-04-14) or a time ago (default 24h; 7d, 30m, 2w)")
    digest.add_argument("-o", "--output", metavar="FILE", help="write to FILE (replaced whole) instead of stdout")
    digest.set_defaults(handler=cmd_digest)


def _kind(watchlist: Watchlist, name: str) -> MatchKind:
    return "person" if name in {p.name for p in watchlist.people} else "country"


def cmd_trends(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from newsdesk.trends import RULE, daily_series, periods

    config, store = load(args, sync=False)
    days = args.days or (14 if args.by == "day" else 56)
    today = datetime.now(UTC).date()
    first = today - timedelta(days=days - 1)
    since = first - timedelta(days=RULE.window)  # the days the first one's usual is taken from
    with store:
        entity = entity_arg(config.watchlist, store, args.entity) if args.entity else None
        points = store.entity_days(since, today, entity)
    series = daily_series(points, since, today)
    kinds: dict[str, MatchKind] = {p.name: p.kind for p in points}
    if entity is not None:
        series.setdefault(entity, [0] * ((today - since).days + 1))
        kinds.setdefault(entity, _kind(config.watchlist, entity))
    table = {name: periods(counts, since, args.by, start=first) for name, counts in series.items()}

    def order(name: str) -> tuple[float, int, str]:
        last = table[name][-1].spike
        return (-(last.ratio if last else 0.0), -sum(p.count for p in table[name]), name.casefold())

    names = sorted(table, key=order)
    if args.json:
        print_json([
            {"entity": name, "kind": kinds[name], "total": sum(p.count for p in table[name]),
             "periods": [_period_json(p) for p in table[name]]}
            for name in names
        ])
        return 0
    if entity is not None:
        _print_periods(entity, table[entity], args.by)
    else:
        _print_overview(names, kinds, table, first, today, args.by)
    return 0


def _period_json(period: TrendPeriod) -> dict[str, object]:
    spike = period.spike
    return {
        "start": period.start.isoformat(), "end": period.end.isoformat(), "count": period.count,
        "spike": None if spike is None else {
            "day": spike.day.isoformat(), "count": spike.count, "baseline": round(spike.baseline, 3), "ratio": round(spike.ratio, 3),
        },
    }


def spike_mark(period: TrendPeriod) -> str:
    """"▲ 4× usual" (and the day, for a week), or nothing."""
    from newsdesk.trends import spike_words

    spike = period.spike
    if spike is None:
        return ""
    day = f" on {spike.day:%a %m-%d}" if period.start != period.end else ""
    return f"{spike_words(spike)}{day}"


def _label(period: TrendPeriod, by: str) -> str:
    return period.start.isoformat() if by == "day" else f"{period.start.isoformat()} to {period.end:%m-%d}"


def _print_periods(entity: str, table: list[TrendPeriod], by: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from newsdesk.display import plain

    out = Table(box=None, pad_edge=False, title=None)
    out.add_column(by, no_wrap=True)
    out.add_column("events", justify="right")
    out.add_column("", no_wrap=True)
    for period in table:
        out.add_row(_label(period, by), str(period.count), spike_mark(period))
    console = Console(highlight=False)
    console.print(plain(f"{entity}: events per {by}, oldest first"))
    console.print(out)


def _print_overview(
    names: list[str], kinds: dict[str, MatchKind], table: dict[str, list[TrendPeriod]], first: date, today: date, by: str
) -> None:
    from rich.console import Console
    from rich.table import Table

    from newsdesk.display import plain
    from newsdesk.trends import sparkline

    console = Console(highlight=False)
    if not names:
        console.print(plain(f"no watchlist entry was named from {first} to {today} (run `newsdesk refresh` first?)"))
        return
    out = Table(box=None, pad_edge=False)
    out.add_column("entry", max_width=28, overflow="ellipsis", no_wrap=True)
    out.add_column("kind", no_wrap=True)
    out.add_column("total", justify="right")
    out.add_column(f"per {by}, oldest first", no_wrap=True)
    out.add_column("last", justify="right")
    out.add_column("spike", no_wrap=True)
    for name in names:
        periods = table[name]
        marked = [p for p in periods if p.spike is not None]
        last_spike = marked[-1] if marked else None
        mark = ""
        if last_spike is not None and last_spike.spike is not None:
            from newsdesk.trends import spike_words

            mark = f"{spike_words(last_spike.spike)} on {last_spike.spike.day:%m-%d}"
        out.add_row(
            plain(name), kinds[name], str(sum(p.count for p in periods)),
            sparkline([p.count for p in periods]), str(periods[-1].count), mark,
        )
    console.print(plain(f"events per {by} from {first} to {today} (UTC); a spike is a day well above the entry's usual"))
    console.print(out)


def cmd_digest(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from newsdesk.cli._export import write_output
    from newsdesk.digest import digest
    from newsdesk.trends import RULE, daily_series
    from newsdesk.trends import spikes as every_spike

    config, store = load(args, sync=False)
    until = datetime.now(UTC)
    since = args.since or until - timedelta(hours=24)
    first_day = since.astimezone(UTC).date()
    history = first_day - timedelta(days=RULE.window)
    with store:
        mentions = store.mentions(since=since, until=until)
        points = store.entity_days(history, until.date())
    spikes = {}
    for name, counts in daily_series(points, history, until.date()).items():
        # The window's days, each judged on the days before it: the highest ratio stands for the entry.
        marked = [s for s in every_spike(counts, history) if s.day >= first_day]
        if marked:
            spikes[name] = max(marked, key=lambda s: s.ratio)
    text = digest(mentions, since, until, spikes)
    write_output(text.encode(), args.output)
    if args.output and args.output != "-":
        print(f"wrote the digest to {args.output}", file=sys.stderr)
    return 0
