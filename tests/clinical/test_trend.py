"""Trend across days: centralizing, peripheralizing, stable, too short, too sparse, and messy input."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from clinical_cases import at, reading

from selfcare.clinical import (
    DEFAULT_TREND_RULE,
    Change,
    Content,
    Reading,
    Trend,
    TrendRule,
    classify_trend,
    summarize_trend,
)


def daily(*zones: str, start: int = 1) -> list[tuple[datetime, Reading]]:
    """One reading per day, in order."""
    return [(at(start + i), reading(zone)) for i, zone in enumerate(zones)]


@pytest.mark.parametrize(
    ("zones", "expected"),
    [
        (("foot", "calf", "thigh"), "centralizing"),
        (("foot", "calf", "thigh", "buttock", "back"), "centralizing"),
        (("calf", "calf", "thigh"), "centralizing"),
        (("thigh", "thigh", "none"), "centralizing"),
        (("foot", "foot", "foot", "calf", "calf", "calf", "thigh", "thigh", "thigh"), "centralizing"),
        (("back", "buttock", "thigh"), "peripheralizing"),
        (("thigh", "thigh", "calf"), "peripheralizing"),
        (("none", "none", "back"), "peripheralizing"),
        (("thigh", "thigh", "thigh", "thigh", "thigh", "thigh", "foot"), "peripheralizing"),
        (("thigh", "thigh", "thigh"), "stable"),
        (("calf", "thigh", "calf"), "stable"),
        (("thigh", "foot", "thigh"), "stable"),  # one odd reading in the middle does not decide
        (("none", "none", "none"), "stable"),
        (("foot", "thigh", "foot", "thigh", "foot"), "stable"),
    ],
)
def test_daily_series(zones: tuple[str, ...], expected: str) -> None:
    """Daily readings compared first third vs last third by most distal zone."""
    assert classify_trend(daily(*zones)).value == expected


def test_recent_window_uses_most_distal() -> None:
    """Centralizing needs the whole recent window higher up; one distal reading there blocks it."""
    series = daily("foot", "foot", "foot", "foot", "thigh", "foot", "thigh")
    # span 6 days, last third = days 5-7: thigh, foot, thigh -> most distal foot = earlier foot
    assert classify_trend(series) == Trend.STABLE


@pytest.mark.parametrize(
    "series",
    [
        [],
        [(at(1), reading("foot"))],
        [(at(1), reading("foot")), (at(5), reading("thigh"))],  # 2 readings only
    ],
)
def test_too_short(series: list[tuple[datetime, Reading]]) -> None:
    """Fewer than 3 readings is insufficient data."""
    assert classify_trend(series) == Trend.INSUFFICIENT_DATA


@pytest.mark.parametrize(
    "series",
    [
        [(at(1, 8), reading("foot")), (at(1, 12), reading("calf")), (at(1, 18), reading("thigh"))],  # one day
        [(at(1, 8), reading("foot")), (at(1, 20), reading("calf")), (at(2, 20), reading("thigh"))],  # two days
        # three calendar days but only 24 hours and 2 minutes between first and last
        [(at(1, 23, 59), reading("foot")), (at(2, 12), reading("calf")), (at(3, 0, 1), reading("thigh"))],
        [(at(1, 9), reading("foot"))] * 10 + [(at(2, 9), reading("thigh"))],
    ],
)
def test_too_sparse(series: list[tuple[datetime, Reading]]) -> None:
    """Readings not spread over 3 days (and 36 hours) are insufficient data."""
    assert classify_trend(series) == Trend.INSUFFICIENT_DATA


def test_exactly_enough() -> None:
    """3 readings on 3 days, 36 hours or more first to last: enough."""
    series = [(at(1, 9), reading("foot")), (at(2, 9), reading("calf")), (at(3, 9), reading("thigh"))]
    assert classify_trend(series) == Trend.CENTRALIZING
    evening_then_morning = [(at(1, 20), reading("foot")), (at(2, 9), reading("calf")), (at(3, 8), reading("thigh"))]
    assert classify_trend(evening_then_morning) == Trend.CENTRALIZING
    just_short = [(at(1, 20), reading("foot")), (at(2, 9), reading("calf")), (at(3, 7, 59), reading("thigh"))]
    assert classify_trend(just_short) == Trend.INSUFFICIENT_DATA


def test_unsorted_input() -> None:
    """Order of the input does not matter."""
    series = daily("foot", "calf", "calf", "thigh", "back")
    shuffled = series[:]
    random.Random(3).shuffle(shuffled)
    assert classify_trend(shuffled) == classify_trend(series) == Trend.CENTRALIZING
    assert classify_trend(reversed(series)) == Trend.CENTRALIZING


def test_generator_and_tuple_input() -> None:
    """Any iterable of pairs works, including a generator."""
    series = daily("back", "thigh", "foot")
    assert classify_trend(x for x in series) == Trend.PERIPHERALIZING
    assert classify_trend(tuple(series)) == Trend.PERIPHERALIZING


def test_mixed_naive_and_aware() -> None:
    """Naive times are taken as UTC, so mixing with aware times works."""
    plus_ten = timezone(timedelta(hours=10))
    series = [
        (datetime(2025, 3, 1, 9), reading("foot")),
        (datetime(2025, 3, 2, 9, tzinfo=UTC), reading("calf")),
        (datetime(2025, 3, 3, 19, tzinfo=plus_ten), reading("thigh")),  # 09:00 UTC
        (datetime(2025, 3, 4, 9), reading("thigh")),
    ]
    assert classify_trend(series) == Trend.CENTRALIZING


def test_aware_order_uses_real_time() -> None:
    """Aware times sort by the instant, not the wall clock."""
    east = timezone(timedelta(hours=12))
    series = [
        (datetime(2025, 3, 1, 9, tzinfo=UTC), reading("thigh")),
        (datetime(2025, 3, 2, 9, tzinfo=UTC), reading("thigh")),
        # wall clock 3 March 20:00 but 08:00 UTC, before the next reading
        (datetime(2025, 3, 3, 20, tzinfo=east), reading("thigh")),
        (datetime(2025, 3, 3, 10, tzinfo=UTC), reading("foot")),
    ]
    assert classify_trend(series) == Trend.PERIPHERALIZING


@pytest.mark.parametrize("bad", [[("2025-03-01", reading())], [(at(1), {"zone": "calf"})], [at(1)]])
def test_bad_items_raise(bad: list[object]) -> None:
    """Items must be (datetime, Reading) pairs."""
    with pytest.raises((ValueError, TypeError)):
        classify_trend(bad)  # type: ignore[arg-type]


def test_values_are_interface_strings() -> None:
    """The four CLINICAL.md strings."""
    assert {t.value for t in Trend} == {"centralizing", "peripheralizing", "stable", "insufficient_data"}


@pytest.mark.parametrize(
    ("legs", "walks", "pain", "walking"),
    [
        ((7, 6, 5, 4, 3), (5, 6, 8, 10, 12), Change.BETTER, Change.BETTER),
        ((4, 4, 5, 5, 5), (10, 10, 11, 12, 11), Change.UNCHANGED, Change.UNCHANGED),
        ((3, 4, 5, 6, 6), (15, 12, 10, 8, 6), Change.WORSE, Change.WORSE),
        ((3, 4, 5, 6, 6), (None, None, None, None, None), Change.WORSE, Change.UNKNOWN),
    ],
)
def test_summary_pain_and_walking(
    legs: tuple[int, ...], walks: tuple[float | None, ...], pain: Change, walking: Change
) -> None:
    """Leg pain (2 points) and walking minutes (5 minutes) are summarised alongside the zone."""
    series = [(at(1 + i), reading("thigh", leg, 2, walk)) for i, (leg, walk) in enumerate(zip(legs, walks))]
    summary = summarize_trend(series)
    assert summary.direction == Trend.STABLE
    assert (summary.leg_pain, summary.walking) == (pain, walking)
    assert summary.readings == 5 and summary.days == 5


def test_summary_insufficient() -> None:
    """With too little data everything is unknown."""
    summary = summarize_trend(daily("foot"))
    assert summary.direction == Trend.INSUFFICIENT_DATA and summary.leg_pain == Change.UNKNOWN


def test_rule_matches_content(content: Content) -> None:
    """The default rule in code is the rule written in content/trend.toml, with its reasoning."""
    assert content.trend_rule == DEFAULT_TREND_RULE
    assert "Werneke" in content.trend_text.reasoning


def test_custom_rule() -> None:
    """A rule can ask for more readings."""
    rule = TrendRule(min_readings=5)
    assert classify_trend(daily("foot", "calf", "thigh"), rule) == Trend.INSUFFICIENT_DATA
    with pytest.raises(ValueError):
        TrendRule(window_fraction=0.9)
