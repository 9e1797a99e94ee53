"""The protocol state machine: the normal set, stop rules and holds, red flags, end-of-set decisions, storage."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from clinical_cases import reading

from selfcare.clinical import (
    NO_BENEFIT_STOPS_TO_HOLD,
    Event,
    EventKind,
    Level,
    Phase,
    Plan,
    Reading,
    Response,
    Screen,
    ScreenKind,
    SessionState,
    StopReason,
    adjust_plan,
    advance,
    next_set_time,
    screen_for,
)

T0 = datetime(2025, 3, 3, 10, 0)
TOMORROW_8 = datetime(2025, 3, 4, 8, 0)  # the next day's waking start (protocol.toml waking_start)
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


@pytest.mark.parametrize("steps_done", [0, 1, 2, 3, 4])
def test_leg_pain_worse_stops_for_the_day(plan: Plan, steps_done: int) -> None:
    """Worse leg pain stops the set at any point, for the rest of today only."""
    out = advance(plan, SessionState(), START, T0)
    for _ in range(steps_done):
        out = advance(plan, out.state, Event(EventKind.STEP_DONE), T0)
    out = advance(plan, out.state, Event(EventKind.LEG_PAIN_WORSE), T0 + timedelta(minutes=5))
    assert out.state.phase == Phase.STOPPED and out.screen.kind == ScreenKind.STOP_CONTACT_PT
    assert out.state.next_at == TOMORROW_8 and out.state.reason == StopReason.WORSE
    later = advance(plan, out.state, START, T0 + timedelta(hours=3))
    assert later.state.phase == Phase.STOPPED, "no more sets today"
    tomorrow = advance(plan, out.state, START, datetime(2025, 3, 4, 8, 30))
    assert tomorrow.state.phase == Phase.STEP


@pytest.mark.parametrize("steps_done", [0, 1, 2, 3, 4])
def test_symptoms_further_down_hold_the_plan(plan: Plan, steps_done: int) -> None:
    """Symptoms further down the leg (the stop button) hold the plan, with no next time, until the PT releases it."""
    out = advance(plan, SessionState(), START, T0)
    for _ in range(steps_done):
        out = advance(plan, out.state, Event(EventKind.STEP_DONE), T0)
    out = advance(plan, out.state, Event(EventKind.SYMPTOMS_PERIPHERALIZED), T0 + timedelta(minutes=5))
    assert out.state.phase == Phase.HELD and out.screen.kind == ScreenKind.PLAN_HELD
    assert out.state.next_at is None and out.screen.next_at is None
    assert out.state.held == StopReason.PERIPHERALIZED == out.screen.reason
    for moment in (T0 + timedelta(hours=3), datetime(2025, 3, 4, 8, 30), datetime(2025, 4, 3, 9, 0)):
        again = advance(plan, out.state, START, moment)
        assert again.state == out.state and again.screen.kind == ScreenKind.PLAN_HELD, "not 'try again tomorrow'"
    released = advance(plan, out.state, Event(EventKind.RELEASE), datetime(2025, 3, 5, 9, 0))
    assert released.screen.kind == ScreenKind.START and released.state.held is None
    assert advance(plan, released.state, START, datetime(2025, 3, 5, 9, 0)).state.phase == Phase.STEP


def _stop(plan: Plan, how: str, state: SessionState) -> tuple[SessionState, Screen]:
    """Run one set from `state` at T0 and stop it the way `how` names."""
    buttons = {"button_further_down": EventKind.SYMPTOMS_PERIPHERALIZED, "button_leg_pain_worse": EventKind.LEG_PAIN_WORSE}
    if how in buttons:
        out = advance(plan, state, START, T0)
        out = advance(plan, out.state, Event(buttons[how]), T0 + timedelta(minutes=3))
        return out.state, out.screen
    after = {
        "recheck_further_down": reading("foot", 6, 2),
        "recheck_leg_pain_worse": reading("calf", 8, 2),
        "recheck_up_but_leg_pain_worse": reading("thigh", 8, 2),  # calf 6 -> thigh 8: worse, not centralized
        "recheck_no_benefit": reading("calf", 6, 2),
    }[how]
    ready, now = run_to_recheck(plan, state)
    out = advance(plan, ready, Event(EventKind.RECHECK_DONE, reading=after), now)
    return out.state, out.screen


# How the set stopped, "no benefit" stops before it -> phase, screen, held for the PT, reason, "no benefit" stops after.
# CLINICAL.md §4: further down the leg, or a second "no benefit" stop, holds the plan; leg pain worse and a first
# "no benefit" stop end the day only.
STOPS = [
    ("button_further_down", 0, Phase.HELD, ScreenKind.PLAN_HELD, True, StopReason.PERIPHERALIZED, 0),
    ("recheck_further_down", 0, Phase.HELD, ScreenKind.PLAN_HELD, True, StopReason.PERIPHERALIZED, 0),
    ("button_leg_pain_worse", 0, Phase.STOPPED, ScreenKind.STOP_CONTACT_PT, False, StopReason.WORSE, 0),
    ("recheck_leg_pain_worse", 0, Phase.STOPPED, ScreenKind.STOP_CONTACT_PT, False, StopReason.WORSE, 0),
    ("recheck_up_but_leg_pain_worse", 0, Phase.STOPPED, ScreenKind.STOP_CONTACT_PT, False, StopReason.WORSE, 0),
    ("button_leg_pain_worse", 1, Phase.STOPPED, ScreenKind.STOP_CONTACT_PT, False, StopReason.WORSE, 1),  # not "no benefit"
    ("recheck_no_benefit", 0, Phase.STOPPED, ScreenKind.STOP_CONTACT_PT, False, StopReason.NO_BENEFIT, 1),  # first
    ("recheck_no_benefit", 1, Phase.HELD, ScreenKind.PLAN_HELD, True, StopReason.NO_BENEFIT, 2),  # second: held
    ("recheck_no_benefit", 4, Phase.HELD, ScreenKind.PLAN_HELD, True, StopReason.NO_BENEFIT, 5),
]


@pytest.mark.parametrize(("how", "before", "phase", "screen", "held", "reason", "after"), STOPS)
def test_stops(plan: Plan, how: str, before: int, phase: Phase, screen: ScreenKind, held: bool, reason: StopReason, after: int) -> None:
    """Each stop either holds the plan for the PT (no next time) or ends the day; any stop resets progression."""
    assert NO_BENEFIT_STOPS_TO_HOLD == 2
    start = SessionState(progressed=True, better_streak=2, unchanged_streak=plan.unchanged_limit - 1, no_benefit_stops=before)
    state, shown = _stop(plan, how, start)
    assert (state.phase, shown.kind, state.reason) == (phase, screen, reason)
    assert state.no_benefit_stops == after
    assert (state.progressed, state.better_streak, state.unchanged_streak) == (False, 0, 0)
    assert state.held == (reason if held else None)
    assert state.next_at == (None if held else TOMORROW_8)
    next_day = datetime(2025, 3, 4, 9, 0)
    if held:
        assert screen_for(plan, state, next_day + timedelta(days=30)).kind == ScreenKind.PLAN_HELD
        state = advance(plan, state, Event(EventKind.RELEASE), next_day).state
        assert state.no_benefit_stops == 0, "the PT's release starts the count again"
    out = advance(plan, state, START, next_day)
    for _ in range(2):
        out = advance(plan, out.state, Event(EventKind.STEP_DONE), next_day)
    assert out.screen.step is not None and out.screen.step.id == "press_ups"
    assert (out.screen.sets, out.screen.exhale) == (plan.sets, False), "the next set is at the base dose"


def test_no_benefit_stops_count_across_days(plan: Plan) -> None:
    """Unchanged sets day after day: the first "no benefit" stop ends a day, the second holds the plan."""
    state, now = SessionState(), T0
    screens: list[ScreenKind] = []
    while len(screens) < 3 * plan.unchanged_limit:
        state, now = run_to_recheck(plan, state, now)
        out = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=reading("calf", 6, 2)), now)
        state = out.state
        screens.append(out.screen.kind)
        if state.phase == Phase.HELD:
            break
        assert state.next_at is not None and state.next_at.date() == (now + timedelta(days=1)).date(), "one set a day"
        now = state.next_at
    limit = plan.unchanged_limit
    first = [ScreenKind.DONE_FOR_TODAY] * (limit - 1) + [ScreenKind.STOP_CONTACT_PT]
    second = [ScreenKind.DONE_FOR_TODAY] * (limit - 1) + [ScreenKind.PLAN_HELD]
    assert screens == first + second
    assert state.held == StopReason.NO_BENEFIT and state.no_benefit_stops == 2
    released = advance(plan, state, Event(EventKind.RELEASE), now + timedelta(days=1)).state
    assert released.no_benefit_stops == 0 and released.phase == Phase.READY


@pytest.mark.parametrize(
    ("after", "screen", "phase", "response"),
    [
        (reading("foot", 6, 2), ScreenKind.PLAN_HELD, Phase.HELD, Response.PERIPHERALIZED),  # held for the PT
        (reading("calf", 8, 2), ScreenKind.STOP_CONTACT_PT, Phase.STOPPED, Response.WORSE),  # the rest of today
        (reading("thigh", 8, 2), ScreenKind.STOP_CONTACT_PT, Phase.STOPPED, Response.WORSE),  # up the leg but worse
        (reading("thigh", 6, 5), ScreenKind.REPEAT_LATER, Phase.WAITING, Response.CENTRALIZED),  # back busier: fine
        (reading("none", 0, 0), ScreenKind.REPEAT_LATER, Phase.WAITING, Response.ABOLISHED),
        (reading("calf", 4, 2), ScreenKind.REPEAT_LATER, Phase.WAITING, Response.BETTER),
        (reading("calf", 5, 2), ScreenKind.DONE_FOR_TODAY, Phase.WAITING, Response.UNCHANGED),  # not better: tomorrow
        (reading("calf", 7, 2), ScreenKind.DONE_FOR_TODAY, Phase.WAITING, Response.UNCHANGED),
    ],
)
def test_end_of_set_decision(plan: Plan, after: Reading, screen: ScreenKind, phase: Phase, response: Response) -> None:
    """Hold if it spread, stop today if leg pain is worse, repeat later today only if it helped, else tomorrow."""
    state, now = run_to_recheck(plan)
    out = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=after), now)
    assert (out.screen.kind, out.state.phase, out.screen.response) == (screen, phase, response)
    expected_next = {
        ScreenKind.REPEAT_LATER: now + timedelta(minutes=plan.repeat_every_minutes),
        ScreenKind.DONE_FOR_TODAY: TOMORROW_8,
        ScreenKind.STOP_CONTACT_PT: TOMORROW_8,
        ScreenKind.PLAN_HELD: None,
    }[screen]
    assert out.state.next_at == expected_next
    assert screen_for(plan, out.state, now).kind == screen, "a reload shows the same screen"


@pytest.mark.parametrize(
    ("before", "after", "screen"),
    [
        (reading("calf", 6, 2, side="left"), reading("calf", 6, 2, side="left"), ScreenKind.DONE_FOR_TODAY),
        (reading("calf", 6, 2, side="left"), reading("thigh", 6, 2, side="left"), ScreenKind.REPEAT_LATER),
        (reading("calf", 6, 2, side="left"), reading("thigh", 6, 2, side="right"), ScreenKind.DONE_FOR_TODAY),  # other leg
        (reading("calf", 6, 2, side="left"), reading("calf", 2, 2, side="both"), ScreenKind.DONE_FOR_TODAY),
        (reading("thigh", 6, 2, side="left"), reading("none", 0, 0, side="right"), ScreenKind.DONE_FOR_TODAY),
    ],
)
def test_change_of_side_is_not_repeated_today(plan: Plan, before: Reading, after: Reading, screen: ScreenKind) -> None:
    """A re-check on another leg is never an improvement, so the set is not repeated later today."""
    out = advance(plan, SessionState(), Event(EventKind.START, reading=before), T0)
    state = replace(out.state, phase=Phase.RECHECK, index=len(plan.sequence()))
    done = advance(plan, state, Event(EventKind.RECHECK_DONE, reading=after), T0)
    assert done.screen.kind == screen
    assert done.state.better_streak == (1 if screen == ScreenKind.REPEAT_LATER else 0)


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


@pytest.mark.parametrize("event", [Event(EventKind.RED_FLAG, level=Level.URGENT), Event(EventKind.START, reading=reading(), level=Level.URGENT)])
def test_urgent_pauses_for_the_rest_of_the_day(plan: Plan, event: Event) -> None:
    """Urgent pauses the plan until the next day's waking start; confirming the alert does not lift it."""
    out = advance(plan, SessionState(), event, T0)
    assert out.screen.kind == ScreenKind.URGENT and out.state.phase == Phase.PAUSED
    assert out.screen.next_at == TOMORROW_8 and out.screen.until_cleared is False
    confirmed = advance(plan, out.state, Event(EventKind.CONFIRM), T0 + timedelta(minutes=1))
    assert confirmed.screen.kind == ScreenKind.URGENT and confirmed.state.phase == Phase.PAUSED
    assert advance(plan, confirmed.state, START, T0 + timedelta(hours=5)).screen.kind == ScreenKind.URGENT
    assert advance(plan, confirmed.state, START, datetime(2025, 3, 4, 7, 59)).screen.kind == ScreenKind.URGENT
    assert advance(plan, confirmed.state, START, TOMORROW_8).screen.kind == ScreenKind.STEP


U = Event(EventKind.RED_FLAG, level=Level.URGENT)
U_CLEAR = Event(EventKind.RED_FLAG, level=Level.URGENT, until_cleared=True)  # fever or trauma
E = Event(EventKind.RED_FLAG, level=Level.EMERGENCY)
E_CLEAR = Event(EventKind.RED_FLAG, level=Level.EMERGENCY, until_cleared=True)
CONTACT = Event(EventKind.RED_FLAG, level=Level.CONTACT_PT)
START_URGENT_CLEAR = Event(EventKind.START, reading=reading(), level=Level.URGENT, until_cleared=True)
CONFIRM = Event(EventKind.CONFIRM)
CLEARED = Event(EventKind.CLEARED)
RELEASE = Event(EventKind.RELEASE)
PERIPH = Event(EventKind.SYMPTOMS_PERIPHERALIZED)
WORSE = Event(EventKind.LEG_PAIN_WORSE)


def day(number: int, hour: int = 9, minute: int = 0) -> datetime:
    """A time on day `number` after T0's day (0 is T0's day)."""
    return datetime(2025, 3, 3 + number, hour, minute)


# Each scenario: events in order, with the screen the patient sees after each and whether it says "until cleared".
Row = tuple[datetime, Event, ScreenKind, bool]
SCENARIOS: list[tuple[str, list[Row]]] = [
    ("fever or trauma: paused past the day until a doctor clears it", [
        (day(0, 10), U_CLEAR, ScreenKind.URGENT, True),
        (day(0, 10, 1), CONFIRM, ScreenKind.URGENT, True),
        (day(1), START, ScreenKind.URGENT, True),
        (day(6), START, ScreenKind.URGENT, True),
        (day(6, 9, 1), CLEARED, ScreenKind.START, False),
        (day(6, 9, 2), START, ScreenKind.STEP, False),
    ]),
    ("fever at the start of a set: the PT re-enables the plan", [
        (day(0, 10), START_URGENT_CLEAR, ScreenKind.URGENT, True),
        (day(2), START, ScreenKind.URGENT, True),
        (day(2, 9, 1), RELEASE, ScreenKind.START, False),
        (day(2, 9, 2), START, ScreenKind.STEP, False),
    ]),
    ("cleared the same day: still no exercise for the rest of that day", [
        (day(0, 10), U_CLEAR, ScreenKind.URGENT, True),
        (day(0, 12), CLEARED, ScreenKind.URGENT, False),
        (day(0, 15), START, ScreenKind.URGENT, False),
        (day(1, 8, 30), START, ScreenKind.STEP, False),
    ]),
    ("emergency: blocked for the day and until the alert is read", [
        (day(0, 10), E, ScreenKind.EMERGENCY, False),
        (day(1), START, ScreenKind.EMERGENCY, False),
        (day(4), START, ScreenKind.EMERGENCY, False),
        (day(4, 9, 1), CONFIRM, ScreenKind.START, False),
        (day(4, 9, 2), START, ScreenKind.STEP, False),
    ]),
    ("emergency read the same day: blocked until the next waking start", [
        (day(0, 10), E, ScreenKind.EMERGENCY, False),
        (day(0, 10, 1), CONFIRM, ScreenKind.EMERGENCY, False),
        (day(0, 20), START, ScreenKind.EMERGENCY, False),
        (day(1, 8, 0), START, ScreenKind.STEP, False),
    ]),
    ("emergency with fever: after the day, paused until cleared", [
        (day(0, 10), E_CLEAR, ScreenKind.EMERGENCY, True),
        (day(0, 10, 1), CONFIRM, ScreenKind.EMERGENCY, True),
        (day(1), START, ScreenKind.URGENT, True),
        (day(3), START, ScreenKind.URGENT, True),
        (day(3, 9, 1), CLEARED, ScreenKind.START, False),
    ]),
    ("fever answered after an emergency keeps both", [
        (day(0, 10), E, ScreenKind.EMERGENCY, False),
        (day(0, 10, 5), U_CLEAR, ScreenKind.EMERGENCY, True),  # a lower level never replaces an emergency
        (day(0, 10, 6), CONFIRM, ScreenKind.EMERGENCY, True),
        (day(1), START, ScreenKind.URGENT, True),
        (day(1, 9, 1), RELEASE, ScreenKind.START, False),
    ]),
    ("emergency while paused for fever: the fever still needs clearing", [
        (day(0, 10), U_CLEAR, ScreenKind.URGENT, True),
        (day(0, 11), E, ScreenKind.EMERGENCY, True),
        (day(0, 11, 1), CONFIRM, ScreenKind.EMERGENCY, True),
        (day(1), START, ScreenKind.URGENT, True),
        (day(1, 9, 1), CLEARED, ScreenKind.START, False),
    ]),
    ("urgent while held: the hold is still there after the day", [
        (day(0, 10), START, ScreenKind.STEP, False),
        (day(0, 10, 2), PERIPH, ScreenKind.PLAN_HELD, False),
        (day(0, 11), U, ScreenKind.URGENT, False),
        (day(1), START, ScreenKind.PLAN_HELD, False),
        (day(1, 9, 1), RELEASE, ScreenKind.START, False),
        (day(1, 9, 2), START, ScreenKind.STEP, False),
    ]),
    ("emergency while held: back to held once read and the day is over", [
        (day(0, 10), START, ScreenKind.STEP, False),
        (day(0, 10, 2), PERIPH, ScreenKind.PLAN_HELD, False),
        (day(0, 11), E, ScreenKind.EMERGENCY, False),
        (day(0, 11, 1), CONFIRM, ScreenKind.EMERGENCY, False),
        (day(1), START, ScreenKind.PLAN_HELD, False),
    ]),
    ("fever while held, then a doctor clears it: still held for the PT", [
        (day(0, 10), START, ScreenKind.STEP, False),
        (day(0, 10, 2), PERIPH, ScreenKind.PLAN_HELD, False),
        (day(0, 11), U_CLEAR, ScreenKind.URGENT, True),
        (day(2), START, ScreenKind.URGENT, True),
        (day(2, 9, 1), CLEARED, ScreenKind.PLAN_HELD, False),
        (day(2, 9, 2), START, ScreenKind.PLAN_HELD, False),
        (day(2, 9, 3), RELEASE, ScreenKind.START, False),
    ]),
    ("fever while held, the PT releases the plan: both lift after the day", [
        (day(0, 10), START, ScreenKind.STEP, False),
        (day(0, 10, 2), PERIPH, ScreenKind.PLAN_HELD, False),
        (day(0, 11), U_CLEAR, ScreenKind.URGENT, True),
        (day(0, 12), RELEASE, ScreenKind.URGENT, False),  # still no exercise today
        (day(1), START, ScreenKind.STEP, False),
    ]),
    ("contact_pt while held changes nothing", [
        (day(0, 10), START, ScreenKind.STEP, False),
        (day(0, 10, 2), PERIPH, ScreenKind.PLAN_HELD, False),
        (day(0, 11), CONTACT, ScreenKind.PLAN_HELD, False),
        (day(1), START, ScreenKind.PLAN_HELD, False),
    ]),
    ("urgent after a stop for the day", [
        (day(0, 10), START, ScreenKind.STEP, False),
        (day(0, 10, 2), WORSE, ScreenKind.STOP_CONTACT_PT, False),
        (day(0, 11), U, ScreenKind.URGENT, False),
        (day(1), START, ScreenKind.STEP, False),
    ]),
    ("stop buttons do nothing on a paused or blocked plan", [
        (day(0, 10), U, ScreenKind.URGENT, False),
        (day(0, 10, 1), PERIPH, ScreenKind.URGENT, False),
        (day(0, 10, 2), WORSE, ScreenKind.URGENT, False),
        (day(0, 11), E, ScreenKind.EMERGENCY, False),
        (day(0, 11, 1), PERIPH, ScreenKind.EMERGENCY, False),
    ]),
]


@pytest.mark.parametrize("rows", [rows for _, rows in SCENARIOS], ids=[name for name, _ in SCENARIOS])
def test_red_flag_scenarios(plan: Plan, rows: list[Row]) -> None:
    """Urgent lasts the day (until cleared after fever or trauma), emergency the day and until read; holds stay underneath."""
    state = SessionState()
    for number, (moment, event, kind, until_cleared) in enumerate(rows):
        out = advance(plan, state, event, moment)
        assert out.screen.kind == kind, f"row {number}: {event.kind}"
        assert out.screen.until_cleared is until_cleared, f"row {number}: {event.kind}"
        assert screen_for(plan, out.state, moment).kind == kind, f"row {number}: the stored state shows the same screen"
        state = out.state


def _held(plan: Plan) -> SessionState:
    return advance(plan, advance(plan, SessionState(), START, T0).state, PERIPH, T0).state


def _paused(plan: Plan) -> SessionState:
    return advance(plan, SessionState(), U_CLEAR, T0).state


def _blocked(plan: Plan) -> SessionState:
    return advance(plan, SessionState(), E, T0).state


@pytest.mark.parametrize("make", [_held, _paused, _blocked], ids=["held", "paused", "blocked"])
@pytest.mark.parametrize("level", [Level.NONE, Level.CONTACT_PT, Level.URGENT])
def test_start_does_nothing_while_held_paused_or_blocked(plan: Plan, make: Callable[[Plan], SessionState], level: Level) -> None:
    """A START on a held, paused or blocked plan changes nothing, the same day or later."""
    state = make(plan)
    for moment in (T0 + timedelta(hours=1), T0 + timedelta(hours=10)):
        out = advance(plan, state, Event(EventKind.START, reading=reading(), level=level), moment)
        assert out.state == state


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
    out = advance(plan, out.state, Event(EventKind.LEG_PAIN_WORSE), now)
    assert out.state.next_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    paused = advance(plan, SessionState(), Event(EventKind.RED_FLAG, level=Level.URGENT), now)
    assert paused.state.next_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)


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
    "state",
    [
        SessionState(phase=Phase.HELD, held=StopReason.PERIPHERALIZED, reason=StopReason.PERIPHERALIZED, no_benefit_stops=1),
        SessionState(phase=Phase.HELD, held=StopReason.NO_BENEFIT, reason=StopReason.NO_BENEFIT, no_benefit_stops=2),
        SessionState(phase=Phase.PAUSED, level=Level.URGENT, reason=StopReason.URGENT, next_at=TOMORROW_8, until_cleared=True),
        SessionState(
            phase=Phase.BLOCKED, level=Level.EMERGENCY, reason=StopReason.EMERGENCY, next_at=TOMORROW_8,
            acknowledged=True, until_cleared=True, held=StopReason.NO_BENEFIT, no_benefit_stops=2,
        ),
        SessionState(phase=Phase.STOPPED, reason=StopReason.NO_BENEFIT, next_at=TOMORROW_8, no_benefit_stops=1),
    ],
)
def test_new_fields_round_trip(state: SessionState) -> None:
    """held, no_benefit_stops and until_cleared survive to_dict, JSON and from_dict."""
    data = json.loads(json.dumps(state.to_dict()))
    assert (data["held"], data["no_benefit_stops"], data["until_cleared"]) == (
        None if state.held is None else state.held.value, state.no_benefit_stops, state.until_cleared,
    )
    assert SessionState.from_dict(data) == state


@pytest.mark.parametrize(
    ("data", "phase", "screen"),
    [
        ({"phase": "ready"}, Phase.READY, ScreenKind.START),
        ({"phase": "waiting", "next_at": "2025-03-03T12:30:00", "better_streak": 1}, Phase.WAITING, ScreenKind.REPEAT_LATER),
        ({"phase": "stopped", "next_at": "2025-03-04T08:00:00", "reason": "peripheralized"}, Phase.STOPPED, ScreenKind.STOP_CONTACT_PT),
        (
            {"phase": "blocked", "next_at": "2025-03-04T08:00:00", "level": "emergency", "reason": "emergency", "acknowledged": False},
            Phase.BLOCKED, ScreenKind.EMERGENCY,
        ),
    ],
)
def test_old_stored_states_still_load(plan: Plan, data: dict[str, object], phase: Phase, screen: ScreenKind) -> None:
    """A state stored before holds and clearance existed loads with no hold, no stops counted and no clearance."""
    state = SessionState.from_dict(data)
    assert state.phase == phase
    assert (state.held, state.no_benefit_stops, state.until_cleared) == (None, 0, False)
    assert screen_for(plan, state, T0).kind == screen


def test_old_paused_state_is_not_stuck(plan: Plan) -> None:
    """An urgent pause stored by the old rules (no end time, lifted by a confirmation that no longer exists) lapses."""
    state = SessionState.from_dict({"phase": "paused", "level": "urgent", "reason": "urgent"})
    assert screen_for(plan, state, T0).kind == ScreenKind.START
    assert advance(plan, state, START, T0).screen.kind == ScreenKind.STEP
    fresh = advance(plan, SessionState(), Event(EventKind.RED_FLAG, level=Level.URGENT), T0).state
    assert fresh.next_at is not None and screen_for(plan, fresh, T0).kind == ScreenKind.URGENT


@pytest.mark.parametrize(
    "data",
    [
        {"phase": "flying"}, {"index": -1}, {"colour": "red"}, {"before": {"zone": "knee", "leg_pain": 1, "back_pain": 1}},
        {"progressed": "yes"}, {"phase": "held", "held": "tired"}, {"no_benefit_stops": -1}, {"no_benefit_stops": "2"},
        {"no_benefit_stops": True}, {"until_cleared": "yes"}, {"until_cleared": 1},
    ],
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
