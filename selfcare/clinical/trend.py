"""Trend across days: is the most distal zone moving up or down the leg? (content/trend.toml)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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


def summarize_trend(
    readings: Iterable[tuple[datetime, Reading]], rule: TrendRule = DEFAULT_TREND_RULE
) -> TrendSummary:
    """Summarise zone, leg pain and walking over days using the rule in content/trend.toml."""
    pairs = _pairs(readings)
    days: set[date] = {local_date(original) for _, original, _ in pairs}
    span = pairs[-1][0] - pairs[0][0] if pairs else timedelta(0)
    enough = (
        len(pairs) >= rule.min_readings
        and len(days) >= rule.min_days
        and span >= timedelta(hours=rule.min_span_hours)
    )
    if not enough:
        return TrendSummary(Trend.INSUFFICIENT_DATA, len(pairs), len(days), Change.UNKNOWN, None, Change.UNKNOWN, None)
    first, last = pairs[0][0], pairs[-1][0]
    edge = span * rule.window_fraction
    earlier = [r for moment, _, r in pairs if moment <= first + edge]
    recent = [r for moment, _, r in pairs if moment >= last - edge]
    # trend.toml `zone`: the earlier window by its typical (median) zone, so one odd reading there does not decide;
    # the recent window by its most distal zone, so one distal reading now is enough to flag peripheralizing.
    ranks = sorted(r.zone.rank for r in earlier)
    low, high = ranks[(len(ranks) - 1) // 2], ranks[len(ranks) // 2]  # the same zone unless the middle is split
    now = max(r.zone for r in recent)
    pain, pain_delta = _change(
        _mean([r.leg_pain for r in earlier]), _mean([r.leg_pain for r in recent]), rule.pain_noise_points, False
    )
    walks_before = [r.walk_minutes for r in earlier if r.walk_minutes is not None]
    walks_now = [r.walk_minutes for r in recent if r.walk_minutes is not None]
    walking, walk_delta = _change(_mean(walks_before), _mean(walks_now), rule.walk_noise_minutes, True)
    moved_side = _side_changed(earlier, recent)
    if now.rank > high:
        direction = Trend.PERIPHERALIZING
    elif pain == Change.WORSE:
        direction = Trend.WORSENING  # trend.toml `worsening`: leg pain clearly rose, whatever the zone did
    elif now.rank < low and not moved_side:
        direction = Trend.CENTRALIZING  # trend.toml `side`: another leg is never centralizing
    else:
        direction = Trend.STABLE
    return TrendSummary(
        direction, len(pairs), len(days), pain, pain_delta, walking, walk_delta,
        earlier_zone=list(Zone)[low], recent_zone=now,
        leg_pain_before=_mean([r.leg_pain for r in earlier]), leg_pain_now=_mean([r.leg_pain for r in recent]),
        walk_before=_mean(walks_before), walk_now=_mean(walks_now), side_changed=moved_side,
    )


def _side_changed(earlier: Sequence[Reading], recent: Sequence[Reading]) -> bool:
    """A recent reading on another side than the earlier window's usual one (or on both)."""
    sides = Counter(r.side for r in earlier if r.side is not None)
    if not sides:
        return False
    usual: Side = sides.most_common(1)[0][0]
    return any(r.side is not None and r.side != usual for r in recent)


def classify_trend(readings: Iterable[tuple[datetime, Reading]], rule: TrendRule = DEFAULT_TREND_RULE) -> Trend:
    """Classify symptoms over days: centralizing, peripheralizing, worsening (leg pain), stable or too little data."""
    return summarize_trend(readings, rule).direction
