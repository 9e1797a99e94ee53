"""Re-evaluation prompts: which rules of content/reevaluation.toml are due for a patient, and why."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from selfcare.clinical.selfcheck import SelfCheck, compare_checks
from selfcare.clinical.timeutil import as_utc
from selfcare.clinical.trend import DEFAULT_TREND_RULE, Trend, TrendRule, classify_trend
from selfcare.clinical.zones import Reading


class RuleId(StrEnum):
    """The re-evaluation rules of CLINICAL.md §5."""

    WALKING_2W = "walking_2w"
    FUNCTION_2_4W = "function_2_4w"
    RESTRICTION_4_6W = "restriction_4_6w"
    PERIPHERALIZING_DESPITE_CARE = "peripheralizing_despite_care"
    NUMBNESS_INCREASING = "numbness_increasing"
    WEAKNESS_SPREADING = "weakness_spreading"


class RuleKind(StrEnum):
    """Timed rules fall due a set number of days into care; quick rules can fire on any day."""

    TIMED = "timed"
    QUICK = "quick"


@dataclass(frozen=True)
class ReevalRule:
    """One re-evaluation rule with its numbers and wording (content/reevaluation.toml)."""

    id: RuleId
    kind: RuleKind
    patient_text: str
    pt_text: str
    source: str
    recent_days: int
    after_days: int | None = None
    baseline_days: int | None = None
    min_gain: float | None = None


@dataclass(frozen=True)
class CheckIn:
    """What one daily check-in recorded (all parts optional but the time)."""

    at: datetime
    reading: Reading | None = None
    function_score: int | None = None
    restricted: bool | None = None
    numbness_spreading: bool = False


@dataclass(frozen=True)
class History:
    """A patient's record as the re-evaluation rules need it."""

    care_started: datetime
    checkins: Sequence[CheckIn] = ()
    self_checks: Sequence[SelfCheck] = ()
    last_reevaluation: datetime | None = None
    baseline_walk_minutes: float | None = None  # asked at onboarding


@dataclass(frozen=True)
class Prompt:
    """A re-evaluation that is due, with the rule, since when, and the numbers behind it."""

    rule: RuleId
    due_since: datetime
    detail: str
    patient_text: str = field(compare=False)
    pt_text: str = field(compare=False)


def rules_reach(rules: Sequence[ReevalRule]) -> tuple[int, int]:
    """How far the rules read check-ins, in days: (after the start of care or the last re-evaluation, back from now).

    Every rule reads check-ins from `since` to `since + baseline_days` or from `now - recent_days` to `now`: a check-in
    outside both reaches changes no prompt, so a record may leave it out (self-checks are compared in pairs, any age).
    """
    return max((r.baseline_days or 0 for r in rules), default=0), max((r.recent_days for r in rules), default=0)


def _since(history: History) -> datetime:
    start = as_utc(history.care_started)
    if history.last_reevaluation is not None:
        start = max(start, as_utc(history.last_reevaluation))
    return start


class _Timeline:
    """A history's check-ins in time order with their UTC times, sorted once per call: each rule asks for a window
    (a run of the sorted list found by bisection) instead of filtering and sorting every check-in again."""

    __slots__ = ("_times", "_checkins", "_self_checks", "_checks")

    def __init__(self, history: History) -> None:
        timed = [(as_utc(c.at), c) for c in history.checkins]
        if any(a[0] > b[0] for a, b in zip(timed, timed[1:])):
            timed.sort(key=lambda pair: pair[0])  # stable: check-ins at the same moment keep their order
        self._times = [moment for moment, _ in timed]
        self._checkins = [c for _, c in timed]
        self._self_checks = history.self_checks
        self._checks: list[tuple[datetime, SelfCheck]] | None = None  # sorted when a rule first asks

    def between(self, start: datetime, end: datetime) -> list[CheckIn]:
        """The check-ins from `start` to `end`, both included, oldest first."""
        return self._checkins[bisect_left(self._times, start):bisect_right(self._times, end)]

    def self_check_pairs(self, start: datetime, now: datetime) -> list[tuple[SelfCheck, SelfCheck]]:
        """Consecutive self-checks up to `now` whose later one is from `start` on."""
        if self._checks is None:
            self._checks = sorted(((as_utc(c.at), c) for c in self._self_checks), key=lambda pair: pair[0])
        checks = self._checks[:bisect_right(self._checks, now, key=lambda pair: pair[0])]
        return [(a, b) for (_, a), (at, b) in zip(checks, checks[1:]) if at >= start]


def _walking(rule: ReevalRule, history: History, timeline: _Timeline, since: datetime, now: datetime) -> str | None:
    assert rule.baseline_days is not None and rule.min_gain is not None
    first = timeline.between(since, since + timedelta(days=rule.baseline_days))
    last = timeline.between(now - timedelta(days=rule.recent_days), now)
    base = [c.reading.walk_minutes for c in first if c.reading and c.reading.walk_minutes is not None]
    if history.baseline_walk_minutes is not None:
        base.append(history.baseline_walk_minutes)  # the walking time given at onboarding is a start point too
    recent = [c.reading.walk_minutes for c in last if c.reading and c.reading.walk_minutes is not None]
    if not base or not recent:
        # reevaluation.toml `walking_2w`: walking is the main outcome; no walks logged means no gain shown.
        return "no walking times logged at the start or in the last week"
    gain = max(recent) - max(base)
    return None if gain >= rule.min_gain else f"best walk {max(base):g} -> {max(recent):g} min (gain {gain:g})"


def _function(rule: ReevalRule, timeline: _Timeline, since: datetime, now: datetime) -> str | None:
    assert rule.baseline_days is not None and rule.min_gain is not None
    first = timeline.between(since, since + timedelta(days=rule.baseline_days))
    last = timeline.between(now - timedelta(days=rule.recent_days), now)
    base = [c.function_score for c in first if c.function_score is not None]
    recent = [c.function_score for c in last if c.function_score is not None]
    if not base or not recent:
        return None  # no own-activities scores recorded: this rule cannot judge
    gain = sum(recent) / len(recent) - sum(base) / len(base)
    return None if gain >= rule.min_gain else f"own-activities score changed by {gain:+.1f}"


def _restriction(rule: ReevalRule, timeline: _Timeline, since: datetime, now: datetime) -> str | None:
    last = timeline.between(max(since, now - timedelta(days=rule.recent_days)), now)
    answers = [c.restricted for c in last if c.restricted is not None]
    if answers and all(answers):
        return f"activity restricted at all {len(answers)} check-ins of the last {rule.recent_days} days"
    return None


def _peripheralizing(rule: ReevalRule, timeline: _Timeline, since: datetime, now: datetime, trend: TrendRule) -> str | None:
    last = timeline.between(max(since, now - timedelta(days=rule.recent_days)), now)
    readings = [(c.at, c.reading) for c in last if c.reading is not None]
    if classify_trend(readings, trend) == Trend.PERIPHERALIZING:
        return f"symptoms reaching further down the leg over {len(readings)} readings"
    return None


def _numbness(rule: ReevalRule, timeline: _Timeline, since: datetime, now: datetime) -> str | None:
    start = max(since, now - timedelta(days=rule.recent_days))
    if any(c.numbness_spreading for c in timeline.between(start, now)):
        return "patient reported numbness spreading"
    for before, after in timeline.self_check_pairs(start, now):
        areas = compare_checks(before, after).new_numbness
        if areas:
            return "new numb areas: " + ", ".join(a.value for a in areas)
    return None


def _weakness(rule: ReevalRule, timeline: _Timeline, since: datetime, now: datetime) -> str | None:
    start = max(since, now - timedelta(days=rule.recent_days))
    for before, after in timeline.self_check_pairs(start, now):
        change = compare_checks(before, after)
        if change.any_weakness_change:
            tests = dict.fromkeys(change.new_weakness + change.worse_weakness)
            return "new or worse weakness: " + ", ".join(t.value for t in tests)
    return None


def due_reevaluations(
    history: History, rules: Sequence[ReevalRule], now: datetime, trend: TrendRule = DEFAULT_TREND_RULE
) -> tuple[Prompt, ...]:
    """Return the re-evaluation prompts due at `now`, in rule order, each with why."""
    moment = as_utc(now)
    since = _since(history)
    prompts: list[Prompt] = []
    timeline: _Timeline | None = None
    for rule in rules:
        if rule.kind == RuleKind.TIMED:
            assert rule.after_days is not None
            due_at = since + timedelta(days=rule.after_days)
            if moment < due_at:
                continue
        else:
            due_at = moment
        if timeline is None:
            timeline = _Timeline(history)
        detail: str | None
        if rule.id == RuleId.WALKING_2W:
            detail = _walking(rule, history, timeline, since, moment)
        elif rule.id == RuleId.FUNCTION_2_4W:
            detail = _function(rule, timeline, since, moment)
        elif rule.id == RuleId.RESTRICTION_4_6W:
            detail = _restriction(rule, timeline, since, moment)
        elif rule.id == RuleId.PERIPHERALIZING_DESPITE_CARE:
            detail = _peripheralizing(rule, timeline, since, moment, trend)
        elif rule.id == RuleId.NUMBNESS_INCREASING:
            detail = _numbness(rule, timeline, since, moment)
        else:
            detail = _weakness(rule, timeline, since, moment)
        if detail is not None:
            prompts.append(Prompt(rule.id, due_at, detail, rule.patient_text, rule.pt_text))
    return tuple(prompts)
