"""The protocol state machine: the normal set, stop rules, red flags, end-of-set decisions, storage."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from clinical_cases import reading

from selfcare.clinical import (
    Event,
    EventKind,
    Level,
    Phase,
    Plan,
    Reading,
    Response,
    ScreenKind,
    SessionState,
    StopReason,
    adjust_plan,
    advance,
    next_set_time,
    screen_for,
)

T0 = datetime(2025, 3, 3, 10, 0)
START = Event(EventKind.START, reading=reading("calf", 6, 2))


def run_to_recheck(plan: Plan, state: SessionState = SessionState(), now: datetime = T0) -> tuple[SessionState, datetime]:
    """Start a set and finish every step, returning the state waiting for the re-check reading."""
    out = advance(plan, state, START, now)
    while out.state.phase == Phase.STEP:
        now = now + timedelta(seconds=130)
        out = advance(plan, out.state, Event(EventKind.STEP_DONE), now)
    assert out.state.phase == Phase.RECHECK and out.screen.kind == ScreenKind.RECHECK
    return out.state, now


def test_walkthrough_of_one_set(plan: Plan) -> None:
    """Ready -> four steps with timers as deadlines -> re-check -> repeat later."""
    first = advance(plan, SessionState(), START, T0)
    assert first.screen.kind == ScreenKind.STEP and first.screen.step is not None
    ready = timedelta(seconds=plan.get_ready_seconds)  # protocol.toml: time to get into position
    assert first.screen.step.id == "prone_lying" and first.screen.deadline == T0 + ready + timedelta(minutes=2)
    early = advance(plan, first.state, Event(EventKind.TIMER_ENDED), T0 + timedelta(minutes=2))
    assert early.state == first.state, "a timer event before its deadline changes nothing"
    second = advance(plan, first.state, Event(EventKind.TIMER_ENDED), T0 + ready + timedelta(minutes=2))
    assert second.screen.step is not None and second.screen.step.id == "prone_on_elbows"
    assert second.screen.deadline == T0 + 2 * ready + timedelta(minutes=2, seconds=90)
    third = advance(plan, second.state, Event(EventKind.TIMER_ENDED), T0 + timedelta(minutes=4))
    assert third.screen.step is not None and third.screen.step.id == "press_ups"
    assert third.screen.deadline is None and (third.screen.set_number, third.screen.sets) == (1, 1)
    fourth = advance(plan, third.state, Event(EventKind.STEP_DONE), T0 + timedelta(minutes=6))
    assert fourth.screen.step is not None and fourth.screen.step.id == "walk_recheck"
    recheck = advance(plan, fourth.state, Event(EventKind.TIMER_ENDED), T0 + ready + timedelta(minutes=8))
    assert recheck.screen.kind == ScreenKind.RECHECK
    done = advance(plan, recheck.state, Event(EventKind.RECHECK_DONE, reading=reading("thigh", 5, 3)), T0 + timedelta(minutes=9))
    assert done.screen.kind == ScreenKind.REPEAT_LATER and done.screen.response == Response.CENTRALIZED
    assert done.state.next_at == T0 + timedelta(minutes=9 + 150)
    assert done.state.phase == Phase.WAITING and done.state.better_streak == 1


@pytest.mark.parametrize("stop", [EventKind.SYMPTOMS_PERIPHERALIZED, EventKind.LEG_PAIN_WORSE])
@pytest.mark.parametrize("steps_done", [0, 1, 2, 3, 4])
def test_stop_rule_at_any_step(plan: Plan, stop: EventKind, steps_done: int) -> None:
    """Symptoms further down the leg (or worse leg pain) stop the set at any point, for today."""
    out = advance(plan, SessionState(), START, T0)
    for _ in range(steps_done):
        out = advance(plan, out.state, Event(EventKind.STEP_DONE), T0)
    out = advance(plan, out.state, Event(stop), T0 + timedelta(minutes=5))
    assert out.state.phase == Phase.STOPPED and out.screen.kind == ScreenKind.STOP_CONTACT_PT
    assert out.state.next_at == datetime(2025, 3, 4, 8, 0)
    later = advance(plan, out.state, START, T0 + timedelta(hours=3))
    assert later.state.phase == Phase.STOPPED, "no more sets today"
    tomorrow = advance(plan, out.state, START, datetime(2025, 3, 4, 8, 30))
    assert tomorrow.state.phase == Phase.STEP


@pytest.mark.parametrize(
    ("after", "screen", "phase"),
    [
        (reading("foot", 6, 2), ScreenKind.STOP_CONTACT_PT, Phase.STOPPED),  # peripheralized
        (reading("calf", 8, 2), ScreenKind.STOP_CONTACT_PT, Phase.STOPPED),  # worse
        (reading("thigh", 6, 5), ScreenKind.REPEAT_LATER, Phase.WAITING),  # centralized, back busier: fine
        (reading("none", 0, 0), ScreenKind.REPEAT_LATER, Phase.WAITING),  # abolished
        (reading("calf", 4, 2), ScreenKind.REPEAT_LATER, Phase.WAITING),  # better
        (reading("calf", 5, 2), ScreenKind.REPEAT_LATER, Phase.WAITING),  # unchanged, first time
    ],
)
def test_end_of_set_decision(plan: Plan, after: Reading, screen: ScreenKind, phase: Phase) -> None:
    """Stop and contact the PT if it spread or got worse; otherwise repeat 2-3 hours later."""
    state, now = run_to_recheck(plan)
    out = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=after), now)
    assert (out.screen.kind, out.state.phase) == (screen, phase)


def test_repeated_no_change_stops(plan: Plan) -> None:
    """After `unchanged_limit` sets with no change, stop and contact the PT: the plan may not suit."""
    state, now = SessionState(), T0
    for number in range(1, plan.unchanged_limit + 1):
        state, now = run_to_recheck(plan, state, now)
        out = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=reading("calf", 6, 2)), now)
        state = out.state
        if number < plan.unchanged_limit:
            assert out.screen.kind in (ScreenKind.REPEAT_LATER, ScreenKind.DONE_FOR_TODAY)
            assert state.next_at is not None
            now = state.next_at
    assert out.screen.kind == ScreenKind.STOP_CONTACT_PT and state.reason == StopReason.NO_BENEFIT


def test_progression_after_better_sets(plan: Plan) -> None:
    """After enough better sets in a row, progress: 2 sets of press-ups with an exhale."""
    state, now = SessionState(), datetime(2025, 3, 3, 8, 0)
    kinds = []
    for _ in range(plan.progression.after_better_sessions):
        state, now = run_to_recheck(plan, state, now)
        out = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=reading("thigh", 3, 2)), now)
        kinds.append(out.screen.kind)
        state = out.state
        assert state.next_at is not None
        now = state.next_at
    assert kinds[-1] == ScreenKind.PROGRESS and state.progressed
    out = advance(plan, state, START, now)
    out = advance(plan, out.state, Event(EventKind.STEP_DONE), now)
    out = advance(plan, out.state, Event(EventKind.STEP_DONE), now)
    assert out.screen.step is not None and out.screen.step.id == "press_ups"
    assert (out.screen.set_number, out.screen.sets, out.screen.exhale) == (1, 2, True)
    out = advance(plan, out.state, Event(EventKind.STEP_DONE), now)
    assert (out.screen.set_number, out.screen.sets) == (2, 2)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2025, 3, 3, 10, 0), datetime(2025, 3, 3, 12, 30)),
        (datetime(2025, 3, 3, 18, 30), datetime(2025, 3, 3, 21, 0)),  # exactly at the end of waking hours
        (datetime(2025, 3, 3, 18, 31), datetime(2025, 3, 4, 8, 0)),  # would be after 21:00 -> tomorrow
        (datetime(2025, 3, 3, 23, 0), datetime(2025, 3, 4, 8, 0)),  # would cross midnight
        (datetime(2025, 3, 3, 4, 0), datetime(2025, 3, 3, 8, 0)),  # too early -> start of waking hours
    ],
)
def test_next_set_within_waking_hours(plan: Plan, now: datetime, expected: datetime) -> None:
    """The next set is 2.5 hours later, moved into waking hours."""
    assert next_set_time(plan, now) == expected


def test_last_set_of_the_day(plan: Plan) -> None:
    """A good set late in the evening says done for today, next set tomorrow morning."""
    state, now = run_to_recheck(plan, now=datetime(2025, 3, 3, 20, 0))
    out = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=reading("calf", 3, 2)), now)
    assert out.screen.kind == ScreenKind.DONE_FOR_TODAY and out.state.next_at == datetime(2025, 3, 4, 8, 0)


def test_cannot_start_before_next_set_time(plan: Plan) -> None:
    """Starting again too soon re-shows 'repeat later'; at the time, the set starts."""
    state, now = run_to_recheck(plan)
    state = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=reading("calf", 3, 2)), now).state
    assert state.next_at is not None
    assert advance(plan, state, START, now + timedelta(hours=1)).screen.kind == ScreenKind.REPEAT_LATER
    assert advance(plan, state, START, state.next_at).screen.kind == ScreenKind.STEP


@pytest.mark.parametrize("phase_steps", [None, 0, 2, 4])
def test_emergency_wins_everywhere(plan: Plan, phase_steps: int | None) -> None:
    """An emergency answer blocks the plan for the day, from any point, until acknowledged."""
    state = SessionState()
    if phase_steps is not None:
        state = advance(plan, state, START, T0).state
        for _ in range(phase_steps):
            state = advance(plan, state, Event(EventKind.STEP_DONE), T0).state
    out = advance(plan, state, Event(EventKind.RED_FLAG, level=Level.EMERGENCY), T0)
    assert out.screen.kind == ScreenKind.EMERGENCY and out.state.phase == Phase.BLOCKED
    for kind in (EventKind.START, EventKind.STEP_DONE, EventKind.RECHECK_DONE):
        again = advance(plan, out.state, Event(kind, reading=reading()), T0 + timedelta(hours=3))
        assert again.screen.kind == ScreenKind.EMERGENCY
    urgent = advance(plan, out.state, Event(EventKind.RED_FLAG, level=Level.URGENT), T0)
    assert urgent.state.phase == Phase.BLOCKED, "a lower level never replaces an emergency"
    tomorrow = datetime(2025, 3, 4, 9, 0)
    assert screen_for(plan, out.state, tomorrow).kind == ScreenKind.EMERGENCY, "stays until acknowledged"
    acknowledged = advance(plan, out.state, Event(EventKind.CONFIRM), T0 + timedelta(minutes=1))
    assert acknowledged.screen.kind == ScreenKind.EMERGENCY, "still blocked today"
    assert screen_for(plan, acknowledged.state, tomorrow).kind == ScreenKind.START


def test_emergency_at_start(plan: Plan) -> None:
    """A START whose red-flag check is emergency never begins the set."""
    out = advance(plan, SessionState(), Event(EventKind.START, reading=reading(), level=Level.EMERGENCY), T0)
    assert out.screen.kind == ScreenKind.EMERGENCY and out.state.phase == Phase.BLOCKED


def test_urgent_pauses_until_confirmed(plan: Plan) -> None:
    """Urgent pauses the plan; after the patient confirms, a new set can start (new check first)."""
    out = advance(plan, SessionState(), Event(EventKind.START, reading=reading(), level=Level.URGENT), T0)
    assert out.screen.kind == ScreenKind.URGENT and out.state.phase == Phase.PAUSED
    assert advance(plan, out.state, START, T0 + timedelta(hours=5)).screen.kind == ScreenKind.URGENT
    confirmed = advance(plan, out.state, Event(EventKind.CONFIRM), T0)
    assert confirmed.screen.kind == ScreenKind.START
    assert advance(plan, confirmed.state, START, T0).screen.kind == ScreenKind.STEP


def test_contact_pt_does_not_block(plan: Plan) -> None:
    """contact_pt is remembered on the screen but the set goes ahead."""
    out = advance(plan, SessionState(), Event(EventKind.START, reading=reading(), level=Level.CONTACT_PT), T0)
    assert out.screen.kind == ScreenKind.STEP and out.screen.level == Level.CONTACT_PT


def test_quit_returns_to_ready(plan: Plan) -> None:
    """Quitting mid-set without a stop signal just ends the set."""
    out = advance(plan, SessionState(), START, T0)
    out = advance(plan, out.state, Event(EventKind.QUIT), T0)
    assert out.state.phase == Phase.READY and out.screen.kind == ScreenKind.START


def test_stray_events_change_nothing(plan: Plan) -> None:
    """Double-submits and events out of place leave the state as it is."""
    assert advance(plan, SessionState(), Event(EventKind.STEP_DONE), T0).state == SessionState()
    assert advance(plan, SessionState(), Event(EventKind.CONFIRM), T0).state == SessionState()
    running = advance(plan, SessionState(), START, T0).state
    assert advance(plan, running, START, T0).state == running


def test_start_needs_a_reading(plan: Plan) -> None:
    """The before-reading is required."""
    with pytest.raises(ValueError):
        advance(plan, SessionState(), Event(EventKind.START), T0)


def test_pt_plan_changes_apply(plan: Plan) -> None:
    """A PT's longer hold becomes the timer deadline."""
    custom = adjust_plan(plan, {"prone_lying.seconds": 180})
    out = advance(custom, SessionState(), START, T0)
    assert out.screen.deadline == T0 + timedelta(minutes=3, seconds=plan.get_ready_seconds)


def test_aware_times(plan: Plan) -> None:
    """Aware datetimes work, and the next day keeps the time zone."""
    now = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    out = advance(plan, SessionState(), START, now)
    out = advance(plan, out.state, Event(EventKind.SYMPTOMS_PERIPHERALIZED), now)
    assert out.state.next_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("steps", [0, 1, 3, 5])
def test_state_round_trips_through_dict(plan: Plan, steps: int) -> None:
    """to_dict gives plain JSON data; from_dict rebuilds the same state."""
    out = advance(plan, SessionState(), START, T0)
    for _ in range(steps):
        out = advance(plan, out.state, Event(EventKind.STEP_DONE), T0)
    if out.state.phase == Phase.RECHECK:
        out = advance(plan, out.state, Event(EventKind.RECHECK_DONE, reading=reading("thigh", 3)), T0)
    data = json.loads(json.dumps(out.state.to_dict()))
    assert SessionState.from_dict(data) == out.state


@pytest.mark.parametrize(
    "data",
    [{"phase": "flying"}, {"index": -1}, {"colour": "red"}, {"before": {"zone": "knee", "leg_pain": 1, "back_pain": 1}}, {"progressed": "yes"}],
)
def test_bad_state_dict_raises(data: dict[str, object]) -> None:
    """Malformed stored state is a ValueError."""
    with pytest.raises(ValueError):
        SessionState.from_dict(data)


def test_a_plan_shortened_during_a_set_goes_to_the_recheck(plan: Plan) -> None:
    """A PT drops from 2 sets to 1 while the patient is on the second set's press-ups: re-check next."""
    two = adjust_plan(plan, {"sets": 2})
    state = advance(two, SessionState(), START, T0).state
    for _ in range(3):  # prone, elbows, first set of press-ups
        state = advance(two, state, Event(EventKind.STEP_DONE), T0).state
    assert state.index == 3
    one = adjust_plan(plan, {"sets": 1, "walk_recheck.seconds": 60})
    assert screen_for(one, state, T0).step is not None  # index 3 is now the walk
    state = replace(state, index=5)
    assert screen_for(one, state, T0).kind == ScreenKind.RECHECK
    done = advance(one, state, Event(EventKind.RECHECK_DONE, reading=reading("thigh", 4, 3)), T0)
    assert done.state.phase == Phase.WAITING


def test_progression_can_be_switched_off(plan: Plan) -> None:
    """With progression off, better sets never step the plan up."""
    off = adjust_plan(plan, {"progression": False})
    state = SessionState()
    now = T0
    for _ in range(4):
        state = advance(off, state, START, now).state
        state = replace(state, phase=Phase.RECHECK, index=len(off.sequence()))
        out = advance(off, state, Event(EventKind.RECHECK_DONE, reading=reading("thigh", 3, 2)), now)
        assert out.screen.kind != ScreenKind.PROGRESS
        state, now = replace(out.state, phase=Phase.READY, next_at=None), now + timedelta(hours=3)
    assert not state.progressed and off.sets_for(True) == off.sets
