"""Trend across days: is the most distal zone moving up or down the leg? (content/trend.toml)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from selfcare.clinical.timeutil import as_utc, local_date
from selfcare.clinical.zones import Reading, Side, Zone


class Trend(StrEnum):
    """Direction of symptoms over days: the most distal zone first, then leg pain (trend.toml)."""

    CENTRALIZING = "centralizing"
    PERIPHERALIZING = "peripheralizing"
    WORSENING = "worsening"  # the zone did not move outwards, but leg pain clearly rose
    STABLE = "stable"
    INSUFFICIENT_DATA = "insufficient_data"


class Change(StrEnum):
    """Direction of a number over the trend window, judged against its noise threshold."""

    BETTER = "better"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TrendRule:
    """Parameters of the trend rule; the defaults match content/trend.toml (a test checks)."""

    min_readings: int = 3
    min_days: int = 3
    min_span_hours: int = 36
    window_fraction: float = 1 / 3
    pain_noise_points: float = 2
    walk_noise_minutes: float = 5

    def __post_init__(self) -> None:
        if self.min_readings < 2 or self.min_days < 2 or self.min_span_hours < 0:
            raise ValueError("a trend needs at least 2 readings on at least 2 days")
        if not 0 < self.window_fraction <= 0.5:
            raise ValueError("window_fraction must be above 0 and at most 0.5")
        if self.pain_noise_points <= 0 or self.walk_noise_minutes <= 0:
            raise ValueError("noise thresholds must be positive")


DEFAULT_TREND_RULE = TrendRule()


@dataclass(frozen=True)
class TrendSummary:
    """The trend of zone, leg pain and walking minutes between the earlier and recent windows, with their numbers."""

    direction: Trend
    readings: int
    days: int
    leg_pain: Change
    leg_pain_change: float | None
    walking: Change
    walk_minutes_change: float | None
    earlier_zone: Zone | None = None  # the earlier window's typical (median) zone
    recent_zone: Zone | None = None  # the recent window's most distal zone
    leg_pain_before: float | None = None  # averages per window
    leg_pain_now: float | None = None
    walk_before: float | None = None
    walk_now: float | None = None
    side_changed: bool = False  # symptoms moved to another leg (or both) between the windows


def _pairs(readings: Iterable[tuple[datetime, Reading]]) -> list[tuple[datetime, datetime, Reading]]:
    out: list[tuple[datetime, datetime, Reading]] = []
    for item in readings:
        try:
            moment, reading = item
        except (TypeError, ValueError):
            raise ValueError("each reading must be a (datetime, Reading) pair") from None
        if not isinstance(reading, Reading):
            raise ValueError("each reading must be a (datetime, Reading) pair")
        out.append((as_utc(moment), moment, reading))
    out.sort(key=lambda triple: triple[0])
    return out


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _change(earlier: float | None, recent: float | None, noise: float, higher_is_better: bool) -> tuple[Change, float | None]:
    if earlier is None or recent is None:
        return Change.UNKNOWN, None
    # Rounded so that means like 11/3 - 5/3 (exactly 2 points) are not read as 1.9999999999999998 and missed.
    delta = round(recent - earlier, 9)
    if abs(delta) < noise:
        return Change.UNCHANGED, delta
    return (Change.BETTER if (delta > 0) == higher_is_better else Change.WORSE), delta


@dataclass(frozen=True)
class WindowStats:
    """What the trend rule needs from the readings of one window (earlier or recent): counts and sums, no readings.

    Built from the readings themselves (`window_stats`) or from SQL aggregates (services/history.py); either way
    `decide_trend` reads the same numbers.
    """

    readings: int
    zones: tuple[int, ...]  # readings per zone, by rank (list(Zone) order)
    leg_pain_total: int
    walks: int  # readings with a walk logged with them
    walk_minutes_total: float
    sides: tuple[tuple[Side, int], ...] = ()  # readings per side (None left out), in the order each side was first seen


@dataclass(frozen=True)
class TrendStats:
    """The numbers `decide_trend` weighs: how much data there is, and each window's statistics (None when no windows
    were built because there is too little data)."""

    readings: int
    days: int  # distinct local days with a reading
    span: timedelta  # from the first reading to the last
    earlier: WindowStats | None = None
    recent: WindowStats | None = None


def enough_data(readings: int, days: int, span: timedelta, rule: TrendRule = DEFAULT_TREND_RULE) -> bool:
    """Whether there are enough readings, days and hours for a trend (trend.toml `minimum`)."""
    return readings >= rule.min_readings and days >= rule.min_days and span >= timedelta(hours=rule.min_span_hours)


def window_edges(first: datetime, last: datetime, rule: TrendRule = DEFAULT_TREND_RULE) -> tuple[datetime, datetime]:
    """The end of the earlier window and the start of the recent one, for readings from `first` to `last` (UTC).

    A reading at or before the first edge is earlier; at or after the second, recent (both, if the windows meet).
    """
    edge = (last - first) * rule.window_fraction
    return first + edge, last - edge


def window_stats(readings: Iterable[Reading]) -> WindowStats:
    """The statistics of one window from its readings, oldest first."""
    zones = [0] * len(Zone)
    pain = walks = count = 0
    minutes: float = 0
    sides: Counter[Side] = Counter()
    for r in readings:
        count += 1
        zones[r.zone.rank] += 1
        pain += r.leg_pain
        if r.walk_minutes is not None:
            walks += 1
            minutes += r.walk_minutes
        if r.side is not None:
            sides[r.side] += 1
    return WindowStats(count, tuple(zones), pain, walks, minutes, tuple(sides.items()))


def trend_stats(readings: Iterable[tuple[datetime, Reading]], rule: TrendRule = DEFAULT_TREND_RULE) -> TrendStats:
    """The numbers the trend rule weighs, from (datetime, Reading) pairs in any order."""
    pairs = _pairs(readings)
    days = len({local_date(original) for _, original, _ in pairs})
    span = pairs[-1][0] - pairs[0][0] if pairs else timedelta(0)
    if not enough_data(len(pairs), days, span, rule):
        return TrendStats(len(pairs), days, span)
    earlier_end, recent_start = window_edges(pairs[0][0], pairs[-1][0], rule)
    return TrendStats(
        len(pairs), days, span,
        earlier=window_stats(r for moment, _, r in pairs if moment <= earlier_end),
        recent=window_stats(r for moment, _, r in pairs if moment >= recent_start),
    )


def summarize_trend(
    readings: Iterable[tuple[datetime, Reading]], rule: TrendRule = DEFAULT_TREND_RULE
) -> TrendSummary:
    """Summarise zone, leg pain and walking over days using the rule in content/trend.toml."""
    return decide_trend(trend_stats(readings, rule), rule)


def _median_ranks(zones: Sequence[int]) -> tuple[int, int]:
    """The two middle ranks of the readings counted per zone rank (the same unless the middle is split)."""
    n = sum(zones)
    wanted = ((n - 1) // 2, n // 2)  # positions in the sorted ranks
    found: list[int] = []
    seen = 0
    for rank, count in enumerate(zones):
        seen += count
        while len(found) < 2 and wanted[len(found)] < seen:
            found.append(rank)
    return found[0], found[1]


def _window_mean(total: float, count: int) -> float | None:
    return total / count if count else None


def decide_trend(stats: TrendStats, rule: TrendRule = DEFAULT_TREND_RULE) -> TrendSummary:
    """The trend from the windows' statistics, by the rule in content/trend.toml."""
    earlier, recent = stats.earlier, stats.recent
    if not enough_data(stats.readings, stats.days, stats.span, rule) or earlier is None or recent is None:
        return TrendSummary(Trend.INSUFFICIENT_DATA, stats.readings, stats.days, Change.UNKNOWN, None, Change.UNKNOWN, None)
    # trend.toml `zone`: the earlier window by its typical (median) zone, so one odd reading there does not decide;
    # the recent window by its most distal zone, so one distal reading now is enough to flag peripheralizing.
    low, high = _median_ranks(earlier.zones)
    now = max(rank for rank, count in enumerate(recent.zones) if count)
    pain_before = _window_mean(earlier.leg_pain_total, earlier.readings)
    pain_now = _window_mean(recent.leg_pain_total, recent.readings)
    pain, pain_delta = _change(pain_before, pain_now, rule.pain_noise_points, False)
    walk_before = _window_mean(earlier.walk_minutes_total, earlier.walks)
    walk_now = _window_mean(recent.walk_minutes_total, recent.walks)
    walking, walk_delta = _change(walk_before, walk_now, rule.walk_noise_minutes, True)
    moved_side = _side_changed(earlier, recent)
    if now > high:
        direction = Trend.PERIPHERALIZING
    elif pain == Change.WORSE:
        direction = Trend.WORSENING  # trend.toml `worsening`: leg pain clearly rose, whatever the zone did
    elif now < low and not moved_side:
        direction = Trend.CENTRALIZING  # trend.toml `side`: another leg is never centralizing
    else:
        direction = Trend.STABLE
    zones = list(Zone)
    return TrendSummary(
        direction, stats.readings, stats.days, pain, pain_delta, walking, walk_delta,
        earlier_zone=zones[low], recent_zone=zones[now],
        leg_pain_before=pain_before, leg_pain_now=pain_now,
        walk_before=walk_before, walk_now=walk_now, side_changed=moved_side,
    )


def _side_changed(earlier: WindowStats, recent: WindowStats) -> bool:
    """A recent reading on another side than the earlier window's usual one (or on both).

    The usual side is the most frequent; between equally frequent sides, the one seen first.
    """
    if not earlier.sides:
        return False
    usual = max(earlier.sides, key=lambda pair: pair[1])[0]  # max keeps the first of equal counts
    return any(side != usual for side, count in recent.sides if count)


def classify_trend(readings: Iterable[tuple[datetime, Reading]], rule: TrendRule = DEFAULT_TREND_RULE) -> Trend:
    """Classify symptoms over days: centralizing, peripheralizing, worsening (leg pain), stable or too little data."""
    return summarize_trend(readings, rule).direction
