"""Trend across days: centralizing, peripheralizing, worsening, stable, too short, too sparse, and messy input."""

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
    Zone,
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
    """The five CLINICAL.md strings."""
    assert {t.value for t in Trend} == {"centralizing", "peripheralizing", "worsening", "stable", "insufficient_data"}


@pytest.mark.parametrize(
    ("legs", "walks", "pain", "walking", "direction"),
    [
        ((7, 6, 5, 4, 3), (5, 6, 8, 10, 12), Change.BETTER, Change.BETTER, Trend.STABLE),
        ((4, 4, 5, 5, 5), (10, 10, 11, 12, 11), Change.UNCHANGED, Change.UNCHANGED, Trend.STABLE),
        ((3, 4, 5, 6, 6), (15, 12, 10, 8, 6), Change.WORSE, Change.WORSE, Trend.WORSENING),  # leg pain up: worsening
        ((3, 4, 5, 6, 6), (None, None, None, None, None), Change.WORSE, Change.UNKNOWN, Trend.WORSENING),
        ((5, 5, 5, 5, 5), (15, 12, 10, 8, 6), Change.UNCHANGED, Change.WORSE, Trend.STABLE),  # walking alone: not the zone rule
    ],
)
def test_summary_pain_and_walking(
    legs: tuple[int, ...], walks: tuple[float | None, ...], pain: Change, walking: Change, direction: Trend
) -> None:
    """Leg pain (2 points) and walking minutes (5 minutes) are summarised alongside the zone; leg pain up is worsening."""
    series = [(at(1 + i), reading("thigh", leg, 2, walk)) for i, (leg, walk) in enumerate(zip(legs, walks))]
    summary = summarize_trend(series)
    assert summary.direction == direction
    assert (summary.leg_pain, summary.walking) == (pain, walking)
    assert summary.readings == 5 and summary.days == 5


def series_of(*items: tuple[str, int] | tuple[str, int, str | None]) -> list[tuple[datetime, Reading]]:
    """One reading a day: (zone, leg pain) or (zone, leg pain, side)."""
    out: list[tuple[datetime, Reading]] = []
    for day, item in enumerate(items):
        zone, leg = item[0], item[1]
        side = item[2] if len(item) > 2 else None
        out.append((at(1 + day), reading(zone, leg, 2, side=side)))
    return out


# CLINICAL.md §3 / trend.toml: peripheralizing; else leg pain mean up 2+ -> worsening (even if zones moved up);
# else centralizing (no change of side); else stable. With 7 daily readings the windows are days 1-3 and 5-7;
# with 5, days 1-2 and 4-5; with 13, days 1-5 and 9-13.
ORDER = [
    # peripheralizing wins over everything, even falling leg pain
    ((("thigh", 8), ("thigh", 8), ("thigh", 8), ("thigh", 5), ("calf", 2), ("calf", 2), ("calf", 2)), Trend.PERIPHERALIZING),
    ((("thigh", 2), ("thigh", 2), ("thigh", 2), ("thigh", 5), ("foot", 9), ("foot", 9), ("foot", 9)), Trend.PERIPHERALIZING),
    # leg pain clearly up: worsening, whatever the zone did
    ((("calf", 2), ("calf", 2), ("calf", 2), ("calf", 5), ("thigh", 8), ("thigh", 8), ("thigh", 8)), Trend.WORSENING),
    ((("thigh", 3), ("thigh", 3), ("thigh", 3), ("thigh", 4), ("thigh", 5), ("thigh", 5), ("thigh", 5)), Trend.WORSENING),
    ((("foot", 4), ("foot", 4), ("foot", 4), ("calf", 5), ("back", 6), ("none", 6), ("back", 6)), Trend.WORSENING),
    ((("thigh", 3), ("thigh", 3), ("thigh", 3), ("thigh", 4), ("thigh", 4), ("thigh", 4), ("thigh", 4)), Trend.STABLE),  # +1: noise
    # means of exactly 2 points apart (5/3 -> 11/3): worsening, not lost to rounding
    ((("thigh", 1), ("thigh", 2), ("thigh", 2), ("thigh", 3), ("thigh", 3), ("thigh", 4), ("thigh", 4)), Trend.WORSENING),
    ((("calf", 4), ("calf", 4), ("calf", 3), ("calf", 3), ("calf", 2), ("calf", 2), ("calf", 1)), Trend.STABLE),  # -2: better
    # centralizing only on the same leg
    ((("calf", 5, "left"), ("calf", 5, "left"), ("calf", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "left")), Trend.CENTRALIZING),
    ((("calf", 5, "left"), ("calf", 5, "left"), ("calf", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "right"), ("thigh", 5, "right"), ("thigh", 5, "right")), Trend.STABLE),
    ((("calf", 5, "left"), ("calf", 5, "left"), ("calf", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "both"), ("thigh", 5, "left")), Trend.STABLE),
    ((("calf", 5, "left"), ("calf", 5, "right"), ("calf", 5, "left"), ("thigh", 5, "left"), ("back", 3, "right"), ("back", 3, "left"), ("back", 3, "left")), Trend.STABLE),  # usual side left
    ((("calf", 5, "both"), ("calf", 5, "both"), ("calf", 5, "both"), ("thigh", 5, "both"), ("thigh", 5, "both"), ("thigh", 5, "both"), ("thigh", 5, "both")), Trend.CENTRALIZING),  # both all along
    ((("calf", 5), ("calf", 5), ("calf", 5), ("thigh", 5), ("thigh", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "left")), Trend.CENTRALIZING),  # side not known before
    # a change of side does not hide peripheralizing or worsening
    ((("thigh", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "left"), ("thigh", 5, "left"), ("calf", 5, "right"), ("calf", 5, "right"), ("calf", 5, "right")), Trend.PERIPHERALIZING),
    ((("calf", 3, "left"), ("calf", 3, "left"), ("calf", 3, "left"), ("calf", 3, "left"), ("thigh", 7, "both"), ("thigh", 7, "both"), ("thigh", 7, "both")), Trend.WORSENING),
]


@pytest.mark.parametrize(("items", "expected"), ORDER)
def test_rule_order(items: tuple[tuple[str, int] | tuple[str, int, str | None], ...], expected: Trend) -> None:
    """Peripheralizing first, then leg pain clearly up (worsening), then centralizing on the same leg, else stable."""
    assert classify_trend(series_of(*items)) == expected


# The earlier window by its median zone, the recent window by its most distal zone.
MEDIAN = [
    # CLINICAL.md §3: one foot reading on day 0, then calf for 12 days, is not centralizing
    (("foot",) + ("calf",) * 12, Trend.STABLE),
    (("foot", "foot", "foot") + ("calf",) * 10, Trend.CENTRALIZING),  # foot is the typical earlier zone
    (("back", "thigh", "thigh") + ("thigh",) * 10, Trend.STABLE),  # one low earlier reading is not the typical one
    (("calf", "thigh", "thigh", "thigh", "thigh") + ("thigh",) * 8, Trend.STABLE),
    # even count in the earlier window, two middle zones differ: the recent window must clear both
    # (5 readings: windows days 1-2 and 4-5; the earlier middle is thigh and calf)
    (("thigh", "calf", "calf", "calf", "calf"), Trend.STABLE),  # calf is not beyond calf
    (("thigh", "calf", "calf", "foot", "calf"), Trend.PERIPHERALIZING),  # foot clears both
    (("thigh", "calf", "thigh", "thigh", "thigh"), Trend.STABLE),  # thigh is not above thigh
    (("thigh", "calf", "thigh", "buttock", "buttock"), Trend.CENTRALIZING),  # buttock clears both
    (("calf", "thigh", "calf", "buttock", "thigh"), Trend.STABLE),  # most distal recent is thigh
    # one recent distal reading is enough to say peripheralizing
    (("thigh",) * 10 + ("calf", "thigh", "thigh"), Trend.PERIPHERALIZING),
]


@pytest.mark.parametrize(("zones", "expected"), MEDIAN, ids=["-".join(z) for z, _ in MEDIAN])
def test_earlier_window_read_by_its_median(zones: tuple[str, ...], expected: Trend) -> None:
    """The earlier window's typical (median) zone is compared with the recent window's most distal zone."""
    assert classify_trend(daily(*zones)) == expected


def test_summary_carries_its_numbers() -> None:
    """The summary names the earlier and recent zones, leg pain and walking before and now, and a change of side."""
    series = [
        (at(1), reading("calf", 6, 2, walk=10, side="left")),
        (at(2), reading("calf", 6, 2, walk=12, side="left")),
        (at(3), reading("foot", 7, 2, walk=8, side="left")),
        (at(4), reading("thigh", 4, 2, walk=20, side="left")),
        (at(5), reading("thigh", 3, 2, walk=22, side="right")),
        (at(6), reading("buttock", 2, 2, walk=24, side="right")),
        (at(7), reading("buttock", 1, 2, walk=26, side="right")),
    ]
    summary = summarize_trend(series)
    assert summary.direction == Trend.STABLE  # higher up, less pain, longer walks, but on the other leg
    assert summary.side_changed is True
    assert (summary.earlier_zone, summary.recent_zone) == (Zone.CALF, Zone.THIGH)
    assert summary.leg_pain_before == pytest.approx(19 / 3) and summary.leg_pain_now == pytest.approx(2)
    assert summary.walk_before == pytest.approx(10) and summary.walk_now == pytest.approx(24)
    assert summary.leg_pain == Change.BETTER and summary.walking == Change.BETTER
    assert summary.leg_pain_change == pytest.approx(2 - 19 / 3) and summary.walk_minutes_change == pytest.approx(14)


def test_summary_same_side() -> None:
    """Readings on one leg throughout are no change of side."""
    summary = summarize_trend(series_of(("foot", 6, "right"), ("calf", 5, "right"), ("thigh", 4, "right")))
    assert summary.direction == Trend.CENTRALIZING and summary.side_changed is False
    assert (summary.earlier_zone, summary.recent_zone) == (Zone.FOOT, Zone.THIGH)


def test_summary_insufficient() -> None:
    """With too little data everything is unknown."""
    summary = summarize_trend(daily("foot"))
    assert summary.direction == Trend.INSUFFICIENT_DATA and summary.leg_pain == Change.UNKNOWN
    assert summary.walking == Change.UNKNOWN and summary.earlier_zone is None and summary.recent_zone is None
    assert summary.leg_pain_before is None and summary.leg_pain_now is None and not summary.side_changed


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
