"""The spike rule and the series it reads (newsdesk.trends): golden pairs of counts and verdicts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from newsdesk.trends import SpikeRule, daily_series, days_between, periods, spike, spikes
from newsdesk.types import EntityDay, Spike

DAY = date(2024, 4, 14)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Never named, then three events: a spike, three times the floor of one a day.
        ([0] * 14 + [3], Spike(DAY, 3, 0.0, 3.0)),
        # Two events of a rarely named country are not news about it: below the minimum count.
        ([0] * 14 + [2], None),
        # One a day as usual, then three: mean 1, spread 0, three times usual.
        ([1] * 14 + [3], Spike(DAY, 3, 1.0, 3.0)),
        # A steady five a day: ten is double (a spike), nine is not.
        ([5] * 14 + [10], Spike(DAY, 10, 5.0, 2.0)),
        ([5] * 14 + [9], None),
        # A jumpy entry (2 and 8 by turns: mean 5, spread 3): 14 is mean + 3 spreads, 13 is not.
        ([2, 8] * 7 + [14], Spike(DAY, 14, 5.0, 2.8)),
        ([2, 8] * 7 + [13], None),
        # Only the trailing 14 days count: a busy month before them is forgotten.
        ([50] * 20 + [0] * 14 + [4], Spike(DAY, 4, 0.0, 4.0)),
        # A short series (the start of the store): the days there are.
        ([1, 1, 4], Spike(DAY, 4, 1.0, 4.0)),
        ([4], Spike(DAY, 4, 0.0, 4.0)),
        ([], None),
    ],
)
def test_the_spike_rule(counts: list[int], expected: Spike | None) -> None:
    found = spike(counts, DAY)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.day, found.count) == (expected.day, expected.count)
        assert found.baseline == pytest.approx(expected.baseline)
        assert found.ratio == pytest.approx(expected.ratio)


def test_the_rule_can_be_told_other_numbers() -> None:
    assert spike([0] * 14 + [2], DAY, SpikeRule(min_count=2)) == Spike(DAY, 2, 0.0, 2.0)
    assert spike([0] * 14 + [3], DAY, SpikeRule(floor=2.0)) is None


def test_daily_series_fills_the_days_the_store_left_out() -> None:
    since, until = DAY - timedelta(days=3), DAY
    points = [
        EntityDay("country", "Iran", DAY - timedelta(days=2), 4),
        EntityDay("person", "Vladimir Putin", DAY, 1),
        EntityDay("country", "Iran", DAY, 2),
        EntityDay("country", "Iran", DAY + timedelta(days=1), 9),  # outside: ignored
    ]
    assert daily_series(points, since, until) == {"Iran": [0, 4, 0, 2], "Vladimir Putin": [0, 0, 0, 1]}
    assert days_between(since, until) == [since + timedelta(days=n) for n in range(4)]


def test_every_day_of_a_series_is_judged_on_the_days_before_it() -> None:
    counts = [0] * 5 + [3, 3, 0, 1]
    found = spikes(counts, DAY)
    assert [(s.day - DAY).days for s in found] == [5]  # the second 3: three times usual, but under 3 spreads above it
    assert found[0].ratio == pytest.approx(3.0)


def test_periods_by_week_sum_the_days_and_keep_the_highest_spike() -> None:
    monday = date(2024, 4, 8)
    since = monday - timedelta(days=2)  # a Saturday: the first week is cut to two days
    counts = [0, 0] + [0, 0, 0, 0, 0, 5, 1] + [1, 0, 0]
    by_day = periods(counts, since)
    assert len(by_day) == len(counts) and by_day[7].spike is not None and by_day[7].start == monday + timedelta(days=5)
    weeks = periods(counts, since, by="week")
    assert [(w.start, w.end, w.count) for w in weeks] == [
        (since, since + timedelta(days=1), 0),
        (monday, monday + timedelta(days=6), 6),
        (monday + timedelta(days=7), monday + timedelta(days=9), 1),
    ]
    assert [w.spike.day if w.spike else None for w in weeks] == [None, monday + timedelta(days=5), None]
