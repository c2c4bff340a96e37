"""Timelines and spikes of the watchlist: pure arithmetic on the counts the store gives
(Store.entity_days), shared by `newsdesk trends`, the digest and the UI.

The spike rule (the README states it too, in the same words): a day is a spike for an entry
when its count of clusters is

- at least `min_count` (3): one or two stories about a rarely named country are not news
  about that country suddenly being in the news;
- at least the mean plus `sigmas` (3) standard deviations of the entry's counts on the
  `window` (14) days before it: well above its own spread, not just above an average;
- at least `min_ratio` (2) times that mean, the mean taken as at least `floor` (1 a day):
  a steadily busy entry's day must be about double its usual to count.

The mean and standard deviation are those of the population of trailing days (days with no
cluster count as 0; days before the first stored story count as 0 too). Fewer than `window`
days before it (the start of a series): the days there are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from newsdesk.types import EntityDay, Spike, TrendPeriod


@dataclass(frozen=True, slots=True)
class SpikeRule:
    """The rule's numbers (the module's docstring says what each one does)."""

    window: int = 14
    """Trailing days an entry's usual count is taken from."""
    min_count: int = 3
    sigmas: float = 3.0
    min_ratio: float = 2.0
    floor: float = 1.0
    """The least usual count a ratio divides by: an entry seldom named has a usual of one a day."""


RULE = SpikeRule()


def days_between(since: date, until: date) -> list[date]:
    """Every day from `since` to `until`, both included."""
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def daily_series(days: Iterable[EntityDay], since: date, until: date) -> dict[str, list[int]]:
    """Each entry's count per day from `since` to `until` (both included), 0 on days the
    store returned nothing for; entries in the order first met. Points outside are ignored."""
    length = (until - since).days + 1
    series: dict[str, list[int]] = {}
    for point in days:
        counts = series.setdefault(point.name, [0] * length)
        offset = (point.day - since).days
        if 0 <= offset < length:
            counts[offset] += point.clusters
    return series


def spike(counts: Sequence[int], day: date, rule: SpikeRule = RULE) -> Spike | None:
    """Whether the last of `counts` (the count of `day`; the ones before it, the days before)
    is a spike by the module's rule; None when it is not, or there are no counts."""
    if not counts:
        return None
    count = counts[-1]
    before = counts[max(0, len(counts) - 1 - rule.window) : -1]
    mean = sum(before) / len(before) if before else 0.0
    sd = math.sqrt(sum((c - mean) ** 2 for c in before) / len(before)) if before else 0.0
    ratio = count / max(mean, rule.floor)
    if count >= rule.min_count and count >= mean + rule.sigmas * sd and ratio >= rule.min_ratio:
        return Spike(day=day, count=count, baseline=mean, ratio=ratio)
    return None


def spikes(counts: Sequence[int], since: date, rule: SpikeRule = RULE) -> list[Spike]:
    """Every spike in a daily series that starts on `since`, each day judged on the days
    before it (as `spike` judges the last)."""
    found = []
    for n in range(len(counts)):
        hit = spike(counts[: n + 1], since + timedelta(days=n), rule)
        if hit is not None:
            found.append(hit)
    return found


def periods(
    counts: Sequence[int], since: date, by: Literal["day", "week"] = "day", rule: SpikeRule = RULE, start: date | None = None
) -> list[TrendPeriod]:
    """A daily series (starting on `since`) by day or by ISO week (Monday to Sunday; the first
    and last weeks cut to the days given), from `start` on (default: all of it). Spikes are
    judged day by day on the whole series, so the days before `start` are each shown day's
    history; a week carries its day with the highest ratio, if any is a spike."""
    found = {s.day: s for s in spikes(counts, since, rule)}
    skip = max(0, (start - since).days) if start is not None else 0
    days = [(since + timedelta(days=n), counts[n]) for n in range(skip, len(counts))]
    if by == "day":
        return [TrendPeriod(start=d, end=d, count=c, spike=found.get(d)) for d, c in days]
    weeks: dict[date, list[tuple[date, int]]] = {}
    for d, c in days:
        weeks.setdefault(d - timedelta(days=d.weekday()), []).append((d, c))
    result = []
    for members in weeks.values():
        marked = [found[d] for d, _ in members if d in found]
        result.append(TrendPeriod(
            start=members[0][0], end=members[-1][0], count=sum(c for _, c in members),
            spike=max(marked, key=lambda s: s.ratio) if marked else None,
        ))
    return result


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Sequence[int]) -> str:
    """One character per count, its height relative to the largest (a blank for none): a
    timeline in a table cell or beside a panel entry."""
    top = max(counts, default=0)
    if top <= 0:
        return " " * len(counts)
    return "".join(" " if c <= 0 else _BARS[min(len(_BARS) - 1, (c * len(_BARS) - 1) // top)] for c in counts)


def spike_words(spike: Spike) -> str:
    """"▲ 4× usual": how far the day is above the entry's baseline, in the same words in the UI,
    `newsdesk trends` and the digest (a ratio under 3 keeps its decimal: 2.5× is not 2×)."""
    ratio = f"{spike.ratio:.0f}" if spike.ratio >= 3 else f"{spike.ratio:.1f}".rstrip("0").rstrip(".")
    return f"▲ {ratio}× usual"
