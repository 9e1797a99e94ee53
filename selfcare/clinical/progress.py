"""Is the patient improving, about the same or getting worse? One answer from zone, leg pain and walking together.

Every place that says it (Today, History, the visit summary, the caseload and its order, the API summary) asks
`judge_progress`, so no screen can call a patient improving while another part of the app says worse. A patient
whose leg pain or walking is clearly worse is never improving, whatever the zones say (CLINICAL.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from selfcare.clinical.trend import Change, Trend, TrendSummary


class Progress(StrEnum):
    """The overall direction, best first; UNKNOWN when there is too little data to say."""

    IMPROVING = "improving"
    SAME = "same"
    WORSE = "worse"
    UNKNOWN = "unknown"


class Measure(StrEnum):
    """What the verdict looked at."""

    ZONE = "zone"
    LEG_PAIN = "leg_pain"
    WALKING = "walking"


@dataclass(frozen=True)
class Verdict:
    """The overall direction, which measures were clearly worse or better, and the numbers behind them."""

    progress: Progress
    worse: tuple[Measure, ...]
    better: tuple[Measure, ...]
    summary: TrendSummary


def judge_progress(summary: TrendSummary) -> Verdict:
    """Worse if any of zone, leg pain or walking is clearly worse; improving only if none is, one is better, and the
    symptoms stayed on the same side (a move to the other leg, or to both, is never an improvement: CLINICAL.md §2)."""
    if summary.direction == Trend.INSUFFICIENT_DATA:
        return Verdict(Progress.UNKNOWN, (), (), summary)
    worse: list[Measure] = []
    better: list[Measure] = []
    if summary.direction == Trend.PERIPHERALIZING:
        worse.append(Measure.ZONE)
    elif summary.direction == Trend.CENTRALIZING:
        better.append(Measure.ZONE)
    for measure, change in ((Measure.LEG_PAIN, summary.leg_pain), (Measure.WALKING, summary.walking)):
        if change == Change.WORSE:
            worse.append(measure)
        elif change == Change.BETTER:
            better.append(measure)
    if worse:
        return Verdict(Progress.WORSE, tuple(worse), tuple(better), summary)
    improving = bool(better) and not summary.side_changed
    return Verdict(Progress.IMPROVING if improving else Progress.SAME, (), tuple(better), summary)
