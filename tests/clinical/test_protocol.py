"""The plan as parameters, and a PT's per-patient changes."""

from __future__ import annotations

from datetime import time

import pytest

from selfcare.clinical import Plan, StepKind, adjust_plan, load_content


def test_default_plan_matches_seed_003(plan: Plan) -> None:
    """Prone 2 min, elbows 60-90 s, 10 press-ups with a 1 s pause, 2 min walk; every 2-3 h."""
    assert (plan.step("prone_lying").kind, plan.step("prone_lying").seconds) == (StepKind.HOLD, 120)
    elbows = plan.step("prone_on_elbows")
    assert (elbows.min_seconds, elbows.seconds) == (60, 90)
    press = plan.step("press_ups")
    assert (press.kind, press.reps, press.pause_seconds, press.per_set) == (StepKind.REPS, 10, 1, True)
    assert (plan.step("walk_recheck").kind, plan.step("walk_recheck").seconds) == (StepKind.WALK, 120)
    assert plan.repeat_min_minutes == 120 and plan.repeat_max_minutes == 180
    assert plan.progression.sets == 2 and plan.progression.exhale
    assert plan.waking_start == time(8) and plan.waking_end == time(21)
    assert all(step.stop_rule and step.instructions for step in plan.steps)


def test_sequence_repeats_per_set_steps(plan: Plan) -> None:
    """Progression doubles the press-up sets; other steps happen once."""
    assert [(s.id, n) for s, n in plan.sequence()] == [
        ("prone_lying", 1), ("prone_on_elbows", 1), ("press_ups", 1), ("walk_recheck", 1),
    ]
    assert [(s.id, n) for s, n in plan.sequence(progressed=True)] == [
        ("prone_lying", 1), ("prone_on_elbows", 1), ("press_ups", 1), ("press_ups", 2), ("walk_recheck", 1),
    ]


def test_pt_changes(plan: Plan) -> None:
    """A PT can change reps, sets, hold times and frequency."""
    changed = adjust_plan(
        plan,
        {"press_ups.reps": 8, "sets": 2, "prone_lying.seconds": 180, "repeat_every_minutes": 120, "exhale": False},
    )
    assert changed.step("press_ups").reps == 8 and changed.sets == 2
    assert changed.step("prone_lying").seconds == 180 and changed.repeat_every_minutes == 120
    assert not changed.progression.exhale
    assert plan.step("press_ups").reps == 10, "the default plan is untouched"
    assert len(changed.sequence()) == 5


def test_shorter_hold_keeps_minimum_consistent(plan: Plan) -> None:
    """Shortening the elbows hold below its minimum lowers the minimum too."""
    changed = adjust_plan(plan, {"prone_on_elbows.seconds": 45})
    assert changed.step("prone_on_elbows").min_seconds == 45


@pytest.mark.parametrize(
    "changes",
    [
        {"press_ups.reps": 0},
        {"press_ups.reps": 100},
        {"press_ups.seconds": 30},  # reps step has no timer
        {"handstand.reps": 3},
        {"colour": 3},
        {"sets": 9},
        {"repeat_every_minutes": 30},  # outside 2-3 hours
        {"repeat_every_minutes": 240},
        {"sets": True},
        {"exhale": 1},
    ],
)
def test_bad_changes_raise(plan: Plan, changes: dict[str, int]) -> None:
    """Unknown settings and out-of-range values are refused."""
    with pytest.raises(ValueError):
        adjust_plan(plan, changes)


@pytest.mark.parametrize(("every", "expected"), [(120, 7), (150, 6), (180, 5)])
def test_sets_per_day_fit_waking_hours(every: int, expected: int) -> None:
    """08:00-21:00 holds this many sets at the planned interval (the day's target on Today)."""
    plan = adjust_plan(load_content().plan, {"repeat_every_minutes": every})
    assert plan.sets_per_day() == expected
