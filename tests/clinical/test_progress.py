"""The overall verdict (improving, same, worse, unknown) from zone, leg pain and walking together (CLINICAL.md §3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from clinical_cases import at, reading
from hypothesis import given
from hypothesis import strategies as st

from selfcare.clinical import (
    Change,
    Measure,
    Progress,
    Reading,
    Trend,
    TrendSummary,
    judge_progress,
    summarize_trend,
)


def summary(direction: Trend, leg_pain: Change = Change.UNCHANGED, walking: Change = Change.UNKNOWN) -> TrendSummary:
    """A TrendSummary with only what the verdict reads."""
    return TrendSummary(direction, 7, 7, leg_pain, None, walking, None)


# (zone direction, leg pain, walking) -> verdict, which measures are worse, which better. Written from CLINICAL.md §3:
# any one clearly worse is worse; otherwise any one better is improving; otherwise the same.
VERDICTS = [
    (Trend.INSUFFICIENT_DATA, Change.UNKNOWN, Change.UNKNOWN, Progress.UNKNOWN, (), ()),
    (Trend.STABLE, Change.UNCHANGED, Change.UNCHANGED, Progress.SAME, (), ()),
    (Trend.STABLE, Change.UNCHANGED, Change.UNKNOWN, Progress.SAME, (), ()),
    (Trend.STABLE, Change.UNKNOWN, Change.UNKNOWN, Progress.SAME, (), ()),
    (Trend.CENTRALIZING, Change.UNCHANGED, Change.UNKNOWN, Progress.IMPROVING, (), ("zone",)),
    (Trend.STABLE, Change.BETTER, Change.UNCHANGED, Progress.IMPROVING, (), ("leg_pain",)),
    (Trend.STABLE, Change.UNCHANGED, Change.BETTER, Progress.IMPROVING, (), ("walking",)),
    (Trend.CENTRALIZING, Change.BETTER, Change.BETTER, Progress.IMPROVING, (), ("zone", "leg_pain", "walking")),
    (Trend.PERIPHERALIZING, Change.UNCHANGED, Change.UNKNOWN, Progress.WORSE, ("zone",), ()),
    (Trend.PERIPHERALIZING, Change.BETTER, Change.BETTER, Progress.WORSE, ("zone",), ("leg_pain", "walking")),
    (Trend.WORSENING, Change.WORSE, Change.UNKNOWN, Progress.WORSE, ("leg_pain",), ()),
    (Trend.STABLE, Change.UNCHANGED, Change.WORSE, Progress.WORSE, ("walking",), ()),
    # clearly worse walking or leg pain is never improving, whatever the zones say
    (Trend.CENTRALIZING, Change.UNCHANGED, Change.WORSE, Progress.WORSE, ("walking",), ("zone",)),
    (Trend.CENTRALIZING, Change.BETTER, Change.WORSE, Progress.WORSE, ("walking",), ("zone", "leg_pain")),
    (Trend.STABLE, Change.BETTER, Change.WORSE, Progress.WORSE, ("walking",), ("leg_pain",)),
    (Trend.STABLE, Change.WORSE, Change.BETTER, Progress.WORSE, ("leg_pain",), ("walking",)),
    (Trend.PERIPHERALIZING, Change.WORSE, Change.WORSE, Progress.WORSE, ("zone", "leg_pain", "walking"), ()),
]


@pytest.mark.parametrize(
    ("leg_pain", "walking", "progress"),
    [
        (Change.BETTER, Change.UNKNOWN, Progress.SAME),
        (Change.UNCHANGED, Change.BETTER, Progress.SAME),
        (Change.BETTER, Change.BETTER, Progress.SAME),
        (Change.WORSE, Change.BETTER, Progress.WORSE),
        (Change.UNCHANGED, Change.UNCHANGED, Progress.SAME),
    ],
)
def test_a_move_to_the_other_leg_is_never_improving(leg_pain: Change, walking: Change, progress: Progress) -> None:
    """Symptoms now on another leg (or both): less leg pain or longer walks are not called improving (CLINICAL.md §2)."""
    moved = TrendSummary(Trend.STABLE, 7, 7, leg_pain, None, walking, None, side_changed=True)
    assert judge_progress(moved).progress == progress


@pytest.mark.parametrize(("direction", "leg_pain", "walking", "progress", "worse", "better"), VERDICTS)
def test_verdict_table(
    direction: Trend, leg_pain: Change, walking: Change, progress: Progress, worse: tuple[str, ...], better: tuple[str, ...]
) -> None:
    """Worse if any measure is clearly worse (listing which), else improving if any is better, else the same."""
    verdict = judge_progress(summary(direction, leg_pain, walking))
    assert verdict.progress == progress
    assert tuple(m.value for m in verdict.worse) == worse
    if progress != Progress.WORSE:
        assert tuple(m.value for m in verdict.better) == better
    assert verdict.summary.direction == direction


def test_values() -> None:
    """The verdicts and measures are these strings."""
    assert {p.value for p in Progress} == {"improving", "same", "worse", "unknown"}
    assert {m.value for m in Measure} == {"zone", "leg_pain", "walking"}


def daily(*items: tuple[str, int, float | None]) -> list[tuple[datetime, Reading]]:
    """One reading a day: (zone, leg pain, walking minutes)."""
    return [(at(1 + i), reading(zone, leg, 2, walk)) for i, (zone, leg, walk) in enumerate(items)]


# Real readings, 7 days (windows days 1-3 and 5-7), through summarize_trend.
SERIES = [
    # CLINICAL.md §3: calf 2/10 -> thigh 8/10 is worse, not improving
    ((("calf", 2, None),) * 3 + (("calf", 5, None),) + (("thigh", 8, None),) * 3, Progress.WORSE, ("leg_pain",)),
    # centralizing but walking 10 minutes shorter: worse
    ((("calf", 5, 30.0),) * 3 + (("thigh", 5, 25.0),) + (("thigh", 5, 20.0),) * 3, Progress.WORSE, ("walking",)),
    # walking means exactly 5 minutes apart in decimals (12.8333 -> 7.8333): worse, not lost to rounding
    (
        (("thigh", 5, 17.1), ("thigh", 5, 23.9), ("thigh", 5, 12.5), ("thigh", 5, 12.0),
         ("thigh", 5, 15.0), ("thigh", 5, 5.8), ("thigh", 5, 17.7)),
        Progress.WORSE, ("walking",),
    ),
    ((("calf", 5, 20.0),) * 3 + (("thigh", 4, 22.0),) + (("thigh", 4, 21.0),) * 3, Progress.IMPROVING, ()),
    ((("thigh", 6, 10.0),) * 3 + (("thigh", 5, 12.0),) + (("thigh", 3, 16.0),) * 3, Progress.IMPROVING, ()),
    ((("thigh", 5, 10.0),) * 7, Progress.SAME, ()),
    ((("thigh", 5, None),) * 2, Progress.UNKNOWN, ()),
]


@pytest.mark.parametrize(("items", "progress", "worse"), SERIES)
def test_verdict_from_readings(items: tuple[tuple[str, int, float | None], ...], progress: Progress, worse: tuple[str, ...]) -> None:
    """Readings over days give the verdict a patient would expect; clearly worse leg pain or walking is worse."""
    verdict = judge_progress(summarize_trend(daily(*items)))
    assert verdict.progress == progress
    assert tuple(m.value for m in verdict.worse) == worse


ZONES = ["none", "back", "buttock", "thigh", "calf", "foot"]
readings_st = st.lists(
    st.tuples(
        st.integers(0, 20 * 24),  # hours after the start
        st.sampled_from(ZONES),
        st.integers(0, 10),
        st.one_of(st.none(), st.integers(0, 600).map(lambda tenths: tenths / 10)),
        st.sampled_from([None, "left", "right", "both"]),
    ),
    max_size=25,
)


def _series(raw: list[tuple[int, str, int, float | None, str | None]]) -> list[tuple[datetime, Reading]]:
    start = datetime(2025, 3, 1, 8, 0)
    return [
        (start + timedelta(hours=h), Reading(zone=z, leg_pain=leg, back_pain=2, walk_minutes=walk, side=side))
        for h, z, leg, walk, side in raw
    ]


def _windows(series: list[tuple[datetime, Reading]]) -> tuple[list[Reading], list[Reading]]:
    """The earlier and recent thirds of the time span, computed here again with exact arithmetic."""
    moments = sorted(m for m, _ in series)
    first, last = moments[0], moments[-1]
    span = last - first
    earlier = [r for m, r in series if (m - first) * 3 <= span]
    recent = [r for m, r in series if (last - m) * 3 <= span]
    return earlier, recent


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


@given(readings_st)
def test_clearly_worse_is_never_improving(raw: list[tuple[int, str, int, float | None, str | None]]) -> None:
    """Property: whenever leg pain rose 2+ points or walking fell 5+ minutes between the windows, the verdict is worse."""
    series = _series(raw)
    verdict = judge_progress(summarize_trend(series))
    if verdict.progress == Progress.UNKNOWN:
        return
    earlier, recent = _windows(series)
    pain_before = _mean([Fraction(r.leg_pain) for r in earlier])
    pain_now = _mean([Fraction(r.leg_pain) for r in recent])
    walk_before = _mean([Fraction(str(r.walk_minutes)) for r in earlier if r.walk_minutes is not None])
    walk_now = _mean([Fraction(str(r.walk_minutes)) for r in recent if r.walk_minutes is not None])
    pain_worse = pain_before is not None and pain_now is not None and pain_now - pain_before >= 2
    walk_worse = walk_before is not None and walk_now is not None and walk_before - walk_now >= 5
    if pain_worse or walk_worse:
        assert verdict.progress == Progress.WORSE
        assert (Measure.LEG_PAIN in verdict.worse) == pain_worse
        assert (Measure.WALKING in verdict.worse) == walk_worse
    if verdict.progress == Progress.IMPROVING:
        assert not verdict.worse and verdict.better
        assert verdict.summary.direction not in (Trend.PERIPHERALIZING, Trend.WORSENING)


@given(readings_st)
def test_verdict_agrees_with_its_summary(raw: list[tuple[int, str, int, float | None, str | None]]) -> None:
    """Property: the verdict is worse exactly when the summary has a measure clearly worse, and never improving then."""
    trend = summarize_trend(_series(raw))
    verdict = judge_progress(trend)
    worse = trend.direction == Trend.PERIPHERALIZING or Change.WORSE in (trend.leg_pain, trend.walking)
    if trend.direction == Trend.INSUFFICIENT_DATA:
        assert verdict.progress == Progress.UNKNOWN
    else:
        assert (verdict.progress == Progress.WORSE) == worse
        if trend.direction == Trend.WORSENING:
            assert verdict.progress == Progress.WORSE
