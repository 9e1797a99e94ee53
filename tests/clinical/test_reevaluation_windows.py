"""Re-evaluation windows at their edges: a check-in exactly on a window's first or last moment counts, one a second
outside does not; the order the check-ins come in, and the time zone they are written in, change nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from clinical_cases import reading

from selfcare.clinical import CheckIn, Content, History, SelfCheck, due_reevaluations
from selfcare.clinical.reevaluation import _Timeline, rules_reach
from selfcare.clinical.timeutil import as_utc

START = datetime(2025, 3, 1, 9, 0)
SECOND = timedelta(seconds=1)


def day(n: float) -> datetime:
    """n days after the start of care."""
    return START + timedelta(days=n)


def due(content: Content, history: History, now: datetime) -> set[str]:
    """The ids of the prompts due at `now`."""
    return {p.rule.value for p in due_reevaluations(history, content.reevaluation, now, content.trend_rule)}


# walking_2w: the start window is the first 3 days of care, both ends included. A best walk of 10 at the start and
# 16 in the last week is a gain of 6 (not due); a 20-minute walk inside the start window makes it a loss (due).
@pytest.mark.parametrize(("at", "in_start_window"), [
    (day(0) - SECOND, False),  # before care started
    (day(0), True),
    (day(3), True),
    (day(3) + SECOND, False),
])
def test_walking_start_window_edges(content: Content, at: datetime, in_start_window: bool) -> None:
    """A walk exactly at the start of care or exactly 3 days in is part of the start; a second outside is not."""
    checkins = [CheckIn(day(1), reading(walk=10)), CheckIn(at, reading(walk=20)), CheckIn(day(10), reading(walk=16))]
    assert ("walking_2w" in due(content, History(START, checkins), day(14))) == in_start_window


# The last week, both ends included: the only recent walk at `at`, judged at day 14.
@pytest.mark.parametrize(("at", "in_last_week"), [
    (day(7) - SECOND, False),
    (day(7), True),
    (day(14), True),
    (day(14) + SECOND, False),  # after `now`: not yet
])
def test_walking_last_week_edges(content: Content, at: datetime, in_last_week: bool) -> None:
    """The one walk of the last week counts from exactly 7 days before `now` up to `now` itself."""
    checkins = [CheckIn(day(1), reading(walk=10)), CheckIn(at, reading(walk=16))]
    prompts = due_reevaluations(History(START, checkins), content.reevaluation, day(14), content.trend_rule)
    details = {p.rule.value: p.detail for p in prompts}
    assert ("no walking times" in details.get("walking_2w", "")) == (not in_last_week)


@pytest.mark.parametrize(("at", "counts"), [(day(35) - SECOND, False), (day(35), True), (day(42), True), (day(42) + SECOND, False)])
def test_restriction_week_edges(content: Content, at: datetime, counts: bool) -> None:
    """One unrestricted check-in spares the prompt only inside the last 7 days, ends included."""
    checkins = [CheckIn(day(36 + i), reading(), restricted=True) for i in range(6)]
    checkins.append(CheckIn(at, reading(), restricted=False))
    assert ("restriction_4_6w" in due(content, History(START, checkins), day(42))) == (not counts)


@pytest.mark.parametrize(("at", "counts"), [
    (day(5) - SECOND, False), (day(5), True), (day(12), True), (day(12) + SECOND, False),
])
def test_numbness_week_edges(content: Content, at: datetime, counts: bool) -> None:
    """Spreading numbness reported at `at`, judged at day 12: the week is day 5 to day 12, ends included."""
    history = History(START, [CheckIn(at, reading(), numbness_spreading=True)])
    assert ("numbness_increasing" in due(content, history, day(12))) == counts


@pytest.mark.parametrize(("later", "due_at_11"), [(day(4) - SECOND, False), (day(4), True), (day(11), True), (day(11) + SECOND, False)])
def test_weakness_pair_edges(content: Content, later: datetime, due_at_11: bool) -> None:
    """A pair of self-checks counts when the later one is within the last 7 days up to `now`, ends included."""
    checks = [SelfCheck(day(1), toe_walk="weak"), SelfCheck(later, toe_walk="weak", big_toe_lift="weak")]
    assert ("weakness_spreading" in due(content, History(START, self_checks=checks), day(11))) == due_at_11


def _mixed_history(seed: int) -> History:
    """Six weeks of check-ins at awkward times (some at the same moment, some aware in other zones) and self-checks."""
    rng = random.Random(seed)
    zones = ["back", "buttock", "thigh", "calf", "foot"]
    checkins = []
    for i in range(60):
        at = day(rng.choice([i * 0.7, i * 0.7, round(i * 0.7)]))
        if rng.random() < 0.3:
            at = at.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=rng.choice([-5, 2, 9]))))
        checkins.append(CheckIn(
            at, reading(rng.choice(zones), rng.randint(0, 10), rng.randint(0, 10), rng.choice([None, 5, 10, 20, 30])),
            function_score=rng.choice([None, 2, 5, 8]), restricted=rng.choice([None, True, True, False]),
            numbness_spreading=rng.random() < 0.03,
        ))
    checks = [SelfCheck(day(rng.uniform(0, 42)), toe_walk=rng.choice(["normal", "weak"]), numb_areas=rng.sample(["sole", "calf", "shin"], rng.randint(0, 2)))
              for _ in range(5)]
    return History(START, checkins, checks, baseline_walk_minutes=rng.choice([None, 10]))


@pytest.mark.parametrize("seed", range(12))
def test_order_and_zone_change_nothing(content: Content, seed: int) -> None:
    """The same record shuffled gives the same prompts, with the same details, every day of six weeks."""
    history = _mixed_history(seed)
    rng = random.Random(seed)
    shuffled = History(START, rng.sample(list(history.checkins), len(history.checkins)), rng.sample(list(history.self_checks), 5),
                       baseline_walk_minutes=history.baseline_walk_minutes)
    for n in range(0, 43):
        now = day(n) + timedelta(hours=rng.choice([0, 3]))
        assert due_reevaluations(history, content.reevaluation, now, content.trend_rule) == \
            due_reevaluations(shuffled, content.reevaluation, now, content.trend_rule)


def _between_by_filtering(checkins: list[CheckIn], start: datetime, end: datetime) -> list[CheckIn]:
    """A window as the rules first found it: every check-in filtered and the window sorted, each time."""
    return sorted((c for c in checkins if start <= as_utc(c.at) <= end), key=lambda c: as_utc(c.at))


@pytest.mark.parametrize("seed", range(12))
def test_windows_match_filtering_every_check_in(seed: int) -> None:
    """Every window (edges on check-ins, between them, empty, reversed) holds the same check-ins in the same order."""
    history = _mixed_history(seed)
    timeline = _Timeline(history)
    moments = [as_utc(c.at) for c in history.checkins]
    rng = random.Random(seed)
    for _ in range(200):
        start = rng.choice(moments) + rng.choice([-SECOND, timedelta(0), SECOND, timedelta(hours=5)])
        end = rng.choice(moments) + rng.choice([-SECOND, timedelta(0), SECOND])
        expected = _between_by_filtering(list(history.checkins), start, end)
        got = timeline.between(start, end)
        assert [id(c) for c in got] == [id(c) for c in expected]


@pytest.mark.parametrize("seed", range(12))
def test_check_ins_beyond_the_rules_reach_change_nothing(content: Content, seed: int) -> None:
    """rules_reach: keeping only the check-ins from the start of care to `baseline_days` after it, and from
    `recent_days` before `now` to `now` (ends included), gives the same prompts with the same details."""
    history = _mixed_history(seed)
    start_days, recent_days = rules_reach(content.reevaluation)
    assert (start_days, recent_days) == (3, 14)  # content/reevaluation.toml
    rng = random.Random(seed)
    for n in range(0, 43):
        now = day(n) + timedelta(hours=rng.choice([0, 3]))
        kept = [c for c in history.checkins
                if as_utc(START) <= as_utc(c.at) <= as_utc(START + timedelta(days=start_days))
                or as_utc(now - timedelta(days=recent_days)) <= as_utc(c.at) <= as_utc(now)]
        trimmed = History(START, kept, history.self_checks, baseline_walk_minutes=history.baseline_walk_minutes)
        assert due_reevaluations(trimmed, content.reevaluation, now, content.trend_rule) == \
            due_reevaluations(history, content.reevaluation, now, content.trend_rule)


def test_rules_reach_is_the_longest_window() -> None:
    """The reach is the longest start window and the longest recent window of the rules given (none: nothing)."""
    from selfcare.clinical import ReevalRule, RuleId, RuleKind

    rules = [ReevalRule(RuleId.WALKING_2W, RuleKind.TIMED, "", "", "", recent_days=7, after_days=14, baseline_days=5, min_gain=5),
             ReevalRule(RuleId.NUMBNESS_INCREASING, RuleKind.QUICK, "", "", "", recent_days=21)]
    assert rules_reach(rules) == (5, 21)
    assert rules_reach([]) == (0, 0)
