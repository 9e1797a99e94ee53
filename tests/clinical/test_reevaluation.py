"""Re-evaluation prompts: each rule the day before and the day it falls due, and the quick rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from clinical_cases import reading

from selfcare.clinical import CheckIn, Content, History, ReevalRule, RuleId, SelfCheck, due_reevaluations

START = datetime(2025, 3, 1, 9, 0)


def day(n: float) -> datetime:
    """n days after the start of care."""
    return START + timedelta(days=n)


def due(content: Content, history: History, now: datetime) -> set[str]:
    """The ids of the prompts due at `now`."""
    return {p.rule.value for p in due_reevaluations(history, content.reevaluation, now, content.trend_rule)}


def walks(first: float, last: float, until: int) -> list[CheckIn]:
    """Daily check-ins with walking minutes rising from `first` to `last` over `until` days (zone steady)."""
    return [
        CheckIn(day(i), reading("thigh", 4, 2, walk=first + (last - first) * i / until))
        for i in range(until + 1)
    ]


@pytest.mark.parametrize(("gain", "due_after"), [(0, True), (2, True), (4.9, True), (5, False), (12, False)])
def test_walking_2w_day_before_and_after(content: Content, gain: float, due_after: bool) -> None:
    """Day 13: never due. Day 14: due unless the best walk rose by 5 minutes or more."""
    checkins = [CheckIn(day(i), reading("thigh", 4, 2, walk=10 if i <= 3 else 10 + gain)) for i in range(15)]
    assert "walking_2w" not in due(content, History(START, checkins[:14]), day(13))
    assert ("walking_2w" in due(content, History(START, checkins), day(14))) == due_after


@pytest.mark.parametrize(("baseline", "due_after"), [(10, False), (20, True)])
def test_walking_baseline_from_onboarding_counts(content: Content, baseline: int, due_after: bool) -> None:
    """The onboarding walking time is a start point: 20 then 16 minutes is no gain, 10 then 16 is."""
    checkins = [CheckIn(day(i), reading("thigh", 4, 2, walk=16 if i >= 7 else None)) for i in range(15)]
    history = History(START, checkins, baseline_walk_minutes=baseline)
    assert ("walking_2w" in due(content, history, day(14))) == due_after


def test_walking_without_data_is_due(content: Content) -> None:
    """No walks logged by two weeks: prompt, since no gain can be shown."""
    history = History(START, [CheckIn(day(i), reading("thigh", 4, 2)) for i in range(15)])
    prompts = due_reevaluations(history, content.reevaluation, day(14))
    assert [p.rule for p in prompts] == [RuleId.WALKING_2W] and "no walking" in prompts[0].detail


@pytest.mark.parametrize(("scores", "due_at_28"), [((3, 3), True), ((3, 4), True), ((3, 5), False), ((3, 8), False)])
def test_function_2_4w(content: Content, scores: tuple[int, int], due_at_28: bool) -> None:
    """Own-activities score not up by 2 points by day 28: due on day 28, not on day 27."""
    first, last = scores
    checkins = walks(10, 30, 28)
    checkins = [CheckIn(c.at, c.reading, function_score=first if i < 14 else last) for i, c in enumerate(checkins)]
    history = History(START, checkins)
    assert "function_2_4w" not in due(content, history, day(27))
    assert ("function_2_4w" in due(content, history, day(28))) == due_at_28


@pytest.mark.parametrize(("restricted_last_week", "due_at_42"), [((True,) * 7, True), ((True,) * 6 + (False,), False), ((), False)])
def test_restriction_4_6w(content: Content, restricted_last_week: tuple[bool, ...], due_at_42: bool) -> None:
    """Still restricted at every check-in of the last week at 6 weeks: due on day 42, not on day 41."""
    checkins = [CheckIn(c.at, c.reading, restricted=True) for c in walks(10, 40, 34)]
    checkins += [CheckIn(day(36 + i), reading("thigh", 3, 2, walk=40), restricted=r) for i, r in enumerate(restricted_last_week)]
    history = History(START, checkins)
    assert "restriction_4_6w" not in due(content, history, day(41))
    assert ("restriction_4_6w" in due(content, history, day(42))) == due_at_42


def test_peripheralizing_despite_care(content: Content) -> None:
    """Symptoms moving down the leg over days: due the day the trend shows it, not before."""
    zones = ["thigh", "thigh", "thigh", "calf", "calf"]
    checkins = [CheckIn(day(i), reading(z, 5, 2, walk=10 + i)) for i, z in enumerate(zones)]
    assert "peripheralizing_despite_care" not in due(content, History(START, checkins[:3]), day(2))
    assert "peripheralizing_despite_care" in due(content, History(START, checkins[:4]), day(3))
    # centralizing instead: never due
    up = [CheckIn(day(i), reading(z, 5, 2)) for i, z in enumerate(["foot", "calf", "thigh", "thigh"])]
    assert "peripheralizing_despite_care" not in due(content, History(START, up), day(3))


def test_numbness_increasing(content: Content) -> None:
    """A check-in saying numbness is spreading, or a self-check with new numb areas, within 7 days."""
    reported = History(START, [CheckIn(day(5), numbness_spreading=True)])
    assert "numbness_increasing" not in due(content, reported, day(4))
    assert "numbness_increasing" in due(content, reported, day(5))
    assert "numbness_increasing" in due(content, reported, day(12))
    assert "numbness_increasing" not in due(content, reported, day(12) + timedelta(hours=1))
    checks = [SelfCheck(day(2), numb_areas=["sole"]), SelfCheck(day(6), numb_areas=["sole", "calf"])]
    history = History(START, self_checks=checks)
    assert "numbness_increasing" not in due(content, history, day(5))
    assert "numbness_increasing" in due(content, history, day(6))


def test_weakness_spreading(content: Content) -> None:
    """New or worse weakness between self-checks: due from the later check."""
    checks = [SelfCheck(day(1), toe_walk="weak"), SelfCheck(day(4), toe_walk="weak", big_toe_lift="weak")]
    history = History(START, self_checks=checks)
    assert "weakness_spreading" not in due(content, history, day(3))
    prompts = due_reevaluations(history, content.reevaluation, day(4))
    assert [p.rule for p in prompts] == [RuleId.WEAKNESS_SPREADING] and "big_toe_lift" in prompts[0].detail
    steady = History(START, self_checks=[SelfCheck(day(1), toe_walk="weak"), SelfCheck(day(4), toe_walk="weak")])
    assert "weakness_spreading" not in due(content, steady, day(4))


def test_last_reevaluation_restarts_the_clock(content: Content) -> None:
    """After the PT re-evaluates, timed rules count from that day."""
    history = History(START, walks(10, 11, 30), last_reevaluation=day(14))
    assert "walking_2w" in due(content, History(START, walks(10, 11, 30)), day(20))
    assert "walking_2w" not in due(content, history, day(27))
    assert "walking_2w" in due(content, history, day(28))


def test_prompts_carry_text(content: Content) -> None:
    """Prompts carry the patient and PT wording from content/."""
    prompts = due_reevaluations(History(START), content.reevaluation, day(14))
    assert prompts and all(p.patient_text and p.pt_text for p in prompts)
    rules: dict[RuleId, ReevalRule] = {r.id: r for r in content.reevaluation}
    assert rules[RuleId.WALKING_2W].after_days == 14 and rules[RuleId.WALKING_2W].min_gain == 5


def test_quiet_history_has_no_prompts(content: Content) -> None:
    """A patient improving well has nothing due at 6 weeks."""
    checkins = [
        CheckIn(day(i), reading("thigh" if i < 20 else "back", max(0, 6 - i // 7), 2, walk=10 + i), function_score=3 + i // 7, restricted=i < 30)
        for i in range(43)
    ]
    assert due(content, History(START, checkins), day(42)) == set()
