"""The trend decided from window statistics (decide_trend), as History builds them from SQL aggregates, and the split of
summarize_trend into trend_stats + decide_trend."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from selfcare.clinical import (
    Change,
    Reading,
    Side,
    Trend,
    TrendRule,
    TrendStats,
    WindowStats,
    Zone,
    decide_trend,
    enough_data,
    summarize_trend,
    window_edges,
)
from selfcare.clinical.trend import trend_stats, window_stats

RANKS = {zone: rank for rank, zone in enumerate(Zone)}
WEEK = timedelta(days=7)


def window(zones: dict[str, int], pain: int = 0, walks: tuple[int, float] = (0, 0),
           sides: tuple[tuple[str, int], ...] = ()) -> WindowStats:
    counts = [0] * len(Zone)
    for zone, n in zones.items():
        counts[RANKS[Zone(zone)]] = n
    return WindowStats(sum(zones.values()), tuple(counts), pain, walks[0], walks[1],
                       tuple((Side(side), n) for side, n in sides))


@pytest.mark.parametrize(
    ("earlier", "recent", "direction", "earlier_zone", "recent_zone"),
    [
        # the earlier window by its median zone: one odd foot reading there does not decide
        ({"calf": 2, "foot": 1}, {"calf": 1}, Trend.STABLE, Zone.CALF, Zone.CALF),
        ({"calf": 2, "foot": 1}, {"thigh": 2}, Trend.CENTRALIZING, Zone.CALF, Zone.THIGH),
        # a split middle: low and high differ (thigh, calf); calf now is within them: stable; foot is beyond
        ({"thigh": 1, "calf": 1}, {"calf": 1}, Trend.STABLE, Zone.THIGH, Zone.CALF),
        ({"thigh": 1, "calf": 1}, {"foot": 1}, Trend.PERIPHERALIZING, Zone.THIGH, Zone.FOOT),
        ({"thigh": 1, "calf": 1}, {"buttock": 1}, Trend.CENTRALIZING, Zone.THIGH, Zone.BUTTOCK),
        # the recent window by its most distal zone: one foot reading now is enough
        ({"thigh": 3}, {"back": 4, "foot": 1}, Trend.PERIPHERALIZING, Zone.THIGH, Zone.FOOT),
        ({"none": 1, "back": 2, "foot": 2}, {"back": 1}, Trend.STABLE, Zone.BACK, Zone.BACK),
    ],
)
def test_zone_decisions_from_counts(earlier, recent, direction, earlier_zone, recent_zone):
    stats = TrendStats(5, 5, WEEK, window(earlier), window(recent))
    summary = decide_trend(stats)
    assert (summary.direction, summary.earlier_zone, summary.recent_zone) == (direction, earlier_zone, recent_zone)


@pytest.mark.parametrize(
    ("pain_before", "pain_now", "walks_before", "walks_now", "pain", "walking", "direction"),
    [
        ((10, 2), (2, 2), (2, 20), (1, 30), Change.BETTER, Change.BETTER, Trend.STABLE),  # pain 5 -> 1, walks 10 -> 30
        ((6, 2), (4, 1), (2, 20), (1, 14), Change.UNCHANGED, Change.UNCHANGED, Trend.STABLE),  # 3 -> 4: noise is 2
        ((4, 2), (6, 1), (0, 0), (1, 30), Change.WORSE, Change.UNKNOWN, Trend.WORSENING),  # 2 -> 6 points
        ((11, 3), (5, 3), (3, 30), (3, 15), Change.BETTER, Change.WORSE, Trend.STABLE),  # 11/3 - 5/3: exactly 2 points
        ((2, 2), (3, 2), (2, 10), (2, 14), Change.UNCHANGED, Change.UNCHANGED, Trend.STABLE),
    ],
)
def test_pain_and_walking_from_sums(pain_before, pain_now, walks_before, walks_now, pain, walking, direction):
    earlier = WindowStats(pain_before[1], (0, 0, 0, 1, 0, 0)[:len(Zone)], pain_before[0], *walks_before)
    recent = WindowStats(pain_now[1], (0, 0, 0, 1, 0, 0)[:len(Zone)], pain_now[0], *walks_now)
    summary = decide_trend(TrendStats(5, 5, WEEK, earlier, recent))
    assert (summary.leg_pain, summary.walking, summary.direction) == (pain, walking, direction)
    assert summary.leg_pain_before == pain_before[0] / pain_before[1]
    assert summary.walk_now == (walks_now[1] / walks_now[0] if walks_now[0] else None)


@pytest.mark.parametrize(
    ("earlier_sides", "recent_sides", "changed"),
    [
        ((), (("left", 1),), False),  # no usual side before: nothing to change from
        ((("left", 2), ("right", 1)), (("left", 3),), False),
        ((("left", 2), ("right", 1)), (("right", 1),), True),
        ((("left", 2), ("right", 1)), (("both", 1),), True),
        ((("right", 2), ("left", 2)), (("right", 1),), False),  # equally often: the side seen first is the usual one
        ((("right", 2), ("left", 2)), (("left", 1),), True),
        ((("left", 1),), (("left", 0),), False),  # a side counted zero times was not seen
    ],
)
def test_side_change_from_counts_in_the_order_first_seen(earlier_sides, recent_sides, changed):
    stats = TrendStats(5, 5, WEEK, window({"calf": 3}, sides=earlier_sides), window({"thigh": 1}, sides=recent_sides))
    summary = decide_trend(stats)
    assert summary.side_changed is changed
    assert summary.direction == (Trend.STABLE if changed else Trend.CENTRALIZING)  # another leg is never centralizing


@pytest.mark.parametrize(
    ("readings", "days", "span", "enough"),
    [(3, 3, timedelta(hours=36), True), (2, 3, WEEK, False), (3, 2, WEEK, False), (9, 9, timedelta(hours=35), False)],
)
def test_too_little_data_is_insufficient_whatever_the_windows(readings, days, span, enough):
    assert enough_data(readings, days, span) is enough
    stats = TrendStats(readings, days, span, window({"calf": 1}), window({"foot": 1}))
    summary = decide_trend(stats)
    assert (summary.direction == Trend.INSUFFICIENT_DATA) is not enough
    assert (summary.readings, summary.days) == (readings, days)
    assert decide_trend(TrendStats(readings, days, span)).direction == Trend.INSUFFICIENT_DATA  # no windows: none


def test_window_edges_are_a_fraction_of_the_span_from_each_end():
    first = datetime(2026, 3, 1, tzinfo=UTC)
    assert window_edges(first, first + timedelta(days=9), TrendRule()) == (first + timedelta(days=3), first + timedelta(days=6))
    assert window_edges(first, first + timedelta(days=9), TrendRule(window_fraction=0.5)) == (first + timedelta(days=4.5),) * 2


def test_window_stats_count_what_the_rule_weighs():
    stats = window_stats([Reading("calf", 4, 1, "right", 10), Reading("calf", 6, 1, "left"), Reading("none", 2, 0),
                          Reading("foot", 3, 1, "right", 25.5)])
    assert stats == WindowStats(4, (1, 0, 0, 0, 2, 1), 15, 2, 35.5, ((Side.RIGHT, 2), (Side.LEFT, 1)))


@pytest.mark.parametrize("seed", range(40))
def test_summarize_trend_is_decide_trend_of_trend_stats(seed):
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    readings = [
        (start + timedelta(hours=rng.randrange(0, 24 * 10)),
         Reading(rng.choice(list(Zone)), rng.randint(0, 10), rng.randint(0, 10), rng.choice([None, "left", "right", "both"]),
                 rng.choice([None, rng.randint(0, 60)])))
        for _ in range(rng.randint(0, 12))
    ]
    readings = [(moment, r if r.zone != Zone.NONE else Reading("none", r.leg_pain, r.back_pain)) for moment, r in readings]
    rule = rng.choice([TrendRule(), TrendRule(window_fraction=0.5, min_span_hours=0, min_days=2, min_readings=2)])
    assert summarize_trend(readings, rule) == decide_trend(trend_stats(readings, rule), rule)
