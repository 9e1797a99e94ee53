"""The protocol state machine: plan + state + event + now -> next state and what to show.

Order of precedence: red flags (emergency, urgent) first, then the stop rule (symptoms further down
the leg, leg pain worse), then the normal flow of steps. Timers are deadlines, never ticks.

What blocks the plan, and for how long (CLINICAL.md §2 and §4; protocol.toml [plan] `stop_rule`):
- emergency: the rest of the day, and until the patient has read the alert;
- urgent: the rest of the day; after fever or trauma also until the PT re-enables the plan or a doctor has seen
  the patient and said exercise is fine;
- symptoms further down the leg (a set or the stop button), or a second "no benefit" stop: held until the PT
  re-enables or changes the plan;
- leg pain worse, or a first "no benefit" stop: the rest of the day.
Any stop resets progression, and a set is repeated in the day only after a better re-check.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from selfcare.clinical.protocol import Plan, Step, StepKind
from selfcare.clinical.redflags import Level
from selfcare.clinical.response import NOISE_POINTS, Response, classify_response
from selfcare.clinical.session_state import Phase, SessionState, StopReason
from selfcare.clinical.timeutil import as_utc
from selfcare.clinical.zones import Reading, Zone


class EventKind(StrEnum):
    """Things that can happen during the plan."""

    START = "start"
    STEP_DONE = "step_done"
    TIMER_ENDED = "timer_ended"
    SYMPTOMS_PERIPHERALIZED = "symptoms_peripheralized"
    LEG_PAIN_WORSE = "leg_pain_worse"
    RED_FLAG = "red_flag"
    RECHECK_DONE = "recheck_done"
    CONFIRM = "confirm"  # the patient read their alert
    CLEARED = "cleared"  # the patient confirms a doctor has seen them and said exercise is fine
    RELEASE = "release"  # the PT re-enabled or changed the plan
    QUIT = "quit"


class ScreenKind(StrEnum):
    """What the patient should see next."""

    START = "start"
    STEP = "step"
    RECHECK = "recheck"
    REPEAT_LATER = "repeat_later"
    PROGRESS = "progress"
    DONE_FOR_TODAY = "done_for_today"
    STOP_CONTACT_PT = "stop_contact_pt"
    PLAN_HELD = "plan_held"
    URGENT = "urgent"
    EMERGENCY = "emergency"


# A second "no benefit" stop holds the plan (CLINICAL.md §4 "A stop holds the plan").
NO_BENEFIT_STOPS_TO_HOLD = 2


@dataclass(frozen=True)
class Event:
    """One event; START and RECHECK_DONE carry a reading, RED_FLAG and START a triage level.

    `until_cleared`: the red flag was fever or trauma (redflags.needs_clearance), so its block outlasts the day.
    """

    kind: EventKind
    reading: Reading | None = None
    level: Level = Level.NONE
    until_cleared: bool = False


@dataclass(frozen=True)
class Screen:
    """What to show: the screen kind plus the step, timer and times it needs."""

    kind: ScreenKind
    step: Step | None = None
    set_number: int | None = None
    sets: int | None = None
    deadline: datetime | None = None
    next_at: datetime | None = None
    response: Response | None = None
    level: Level = Level.NONE
    reason: StopReason | None = None
    exhale: bool = False
    until_cleared: bool = False


@dataclass(frozen=True)
class Outcome:
    """The next state and the screen for it."""

    state: SessionState
    screen: Screen


def _reached(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and as_utc(now) >= as_utc(moment)


def tomorrow_start(plan: Plan, now: datetime) -> datetime:
    """The start of waking hours on the calendar day after `now` (same clock and time zone)."""
    day = now.date() + timedelta(days=1)
    return datetime.combine(day, plan.waking_start, tzinfo=now.tzinfo)


def next_set_time(plan: Plan, now: datetime) -> datetime:
    """When to do the next set: repeat_every_minutes after now, moved into waking hours."""
    candidate = now + timedelta(minutes=plan.repeat_every_minutes)
    if candidate.date() != now.date() or candidate.time() > plan.waking_end:
        return tomorrow_start(plan, now)
    if candidate.time() < plan.waking_start:
        return datetime.combine(candidate.date(), plan.waking_start, tzinfo=now.tzinfo)
    return candidate


def _rest(state: SessionState) -> SessionState:
    """Where the patient stands once a time-limited block is over: ready, or the plan still held for the PT."""
    if state.held is not None:
        return replace(state, phase=Phase.HELD, deadline=None, next_at=None, reason=state.held, level=Level.NONE, acknowledged=False)
    return replace(state, phase=Phase.READY, reason=None, level=Level.NONE, acknowledged=False)


def _refresh(plan: Plan, state: SessionState, now: datetime) -> SessionState:
    """Roll a block back once its time (and any condition on it) has passed."""
    expired = _reached(state.next_at, now)
    if state.phase in (Phase.WAITING, Phase.STOPPED) and expired:
        return _rest(state)
    # A pause with no end time was stored by the old rules (an urgent pause lifted by the patient's confirmation,
    # which no longer exists): it must not stay paused for ever, so it lapses like that confirmation did.
    if state.phase == Phase.PAUSED and (expired or state.next_at is None) and not state.until_cleared:
        return _rest(state)
    if state.phase == Phase.BLOCKED and expired and state.acknowledged:
        if state.until_cleared:  # the emergency day is over, the fever still needs clearing
            return replace(state, phase=Phase.PAUSED, level=Level.URGENT, reason=StopReason.URGENT, acknowledged=False)
        return _rest(state)
    return state


def _fit(plan: Plan, state: SessionState) -> SessionState:
    """If the PT shortened the plan during a set, the steps left are gone: go to the re-check."""
    if state.phase == Phase.STEP and state.index >= len(plan.sequence(state.progressed)):
        return replace(state, phase=Phase.RECHECK, deadline=None)
    return state


def _stopped(plan: Plan, state: SessionState, reason: StopReason, now: datetime, response: Response | None = None) -> SessionState:
    """Stop for the rest of the day, or hold the plan for the PT; either way progression starts again (CLINICAL.md §4)."""
    no_benefit = state.no_benefit_stops + (1 if reason == StopReason.NO_BENEFIT else 0)
    hold = reason == StopReason.PERIPHERALIZED or no_benefit >= NO_BENEFIT_STOPS_TO_HOLD
    return replace(
        state,
        phase=Phase.HELD if hold else Phase.STOPPED,
        deadline=None,
        next_at=None if hold else tomorrow_start(plan, now),
        reason=reason,
        response=response if response is not None else state.response,
        better_streak=0,
        unchanged_streak=0,
        progressed=False,
        held=reason if hold else state.held,
        no_benefit_stops=no_benefit,
    )


def _begin_step(plan: Plan, state: SessionState, index: int, now: datetime) -> SessionState:
    sequence = plan.sequence(state.progressed)
    if index >= len(sequence):
        return replace(state, phase=Phase.RECHECK, index=index, deadline=None)
    step, _ = sequence[index]
    # Timed steps end at a deadline that includes the get-ready time (protocol.toml get_ready_seconds).
    timed = step.kind != StepKind.REPS and step.seconds
    deadline = now + timedelta(seconds=plan.get_ready_seconds + step.seconds) if timed and step.seconds else None
    return replace(state, phase=Phase.STEP, index=index, deadline=deadline)


def _red_flag(plan: Plan, state: SessionState, event: Event, now: datetime) -> SessionState:
    level, cleared = event.level, state.until_cleared or event.until_cleared
    if level == Level.EMERGENCY:
        # red_flags.toml [[level]] emergency: `blocks_protocol = "today"`, and until the alert is read.
        return replace(
            state, phase=Phase.BLOCKED, deadline=None, next_at=tomorrow_start(plan, now),
            level=level, reason=StopReason.EMERGENCY, acknowledged=False, until_cleared=cleared,
        )
    if level == Level.URGENT:
        if state.phase == Phase.BLOCKED:
            return replace(state, until_cleared=cleared)
        # red_flags.toml [[level]] urgent: `blocks_protocol = "today"`; fever and trauma `until_cleared`.
        return replace(
            state, phase=Phase.PAUSED, deadline=None, next_at=tomorrow_start(plan, now),
            level=level, reason=StopReason.URGENT, until_cleared=cleared,
        )
    # contact_pt never lowers anything and does not block (`blocks_protocol = "no"`): remember it.
    return replace(state, level=max(state.level, level))


def _finish_set(plan: Plan, state: SessionState, after: Reading, noise_points: int, now: datetime) -> tuple[SessionState, ScreenKind]:
    before = state.before if state.before is not None else after
    response = classify_response(before, after, noise_points=noise_points)
    if response.is_stop_signal:
        reason = StopReason.PERIPHERALIZED if response == Response.PERIPHERALIZED else StopReason.WORSE
        stopped = _stopped(plan, state, reason, now, response)
        return stopped, ScreenKind.PLAN_HELD if stopped.phase == Phase.HELD else ScreenKind.STOP_CONTACT_PT
    better, unchanged, progressed = state.better_streak, state.unchanged_streak, state.progressed
    if response.is_improvement:
        better, unchanged = better + 1, 0
    elif not (before.zone == Zone.NONE and after.zone == Zone.NONE):
        better, unchanged = 0, unchanged + 1
    if unchanged >= plan.unchanged_limit:
        # protocol.toml [plan] `unchanged_limit`: "only if it reduces leg symptoms" (seed 003).
        stopped = _stopped(plan, state, StopReason.NO_BENEFIT, now, response)
        return stopped, ScreenKind.PLAN_HELD if stopped.phase == Phase.HELD else ScreenKind.STOP_CONTACT_PT
    kind = ScreenKind.REPEAT_LATER
    if plan.progression.enabled and not progressed and better >= plan.progression.after_better_sessions:
        progressed, kind = True, ScreenKind.PROGRESS  # protocol.toml [progression]
    # seed 003 step 4: repeat the set later today only "if leg symptoms are less intense or less distal".
    next_at = next_set_time(plan, now) if response.is_improvement else tomorrow_start(plan, now)
    if kind == ScreenKind.REPEAT_LATER and next_at.date() != now.date():
        kind = ScreenKind.DONE_FOR_TODAY
    new = replace(
        state, phase=Phase.WAITING, index=0, deadline=None, next_at=next_at, response=response,
        better_streak=better, unchanged_streak=unchanged, progressed=progressed, reason=None,
    )
    return new, kind


def advance(plan: Plan, state: SessionState, event: Event, now: datetime, *, noise_points: int = NOISE_POINTS) -> Outcome:
    """Apply one event at `now`; return the next state and the screen to show."""
    state = _fit(plan, _refresh(plan, state, now))
    kind: ScreenKind | None = None
    if event.kind == EventKind.RED_FLAG or (event.kind == EventKind.START and state.phase == Phase.READY):
        state = _red_flag(plan, state, event, now)
        if state.phase in (Phase.BLOCKED, Phase.PAUSED):
            return Outcome(state, screen_for(plan, state, now))
    if event.kind in (EventKind.SYMPTOMS_PERIPHERALIZED, EventKind.LEG_PAIN_WORSE):
        if state.phase in (Phase.READY, Phase.STEP, Phase.RECHECK, Phase.WAITING):
            # protocol.toml [plan] `stop_rule`: stop rules win over the normal flow.
            reason = StopReason.PERIPHERALIZED if event.kind == EventKind.SYMPTOMS_PERIPHERALIZED else StopReason.WORSE
            state = _stopped(plan, state, reason, now)
    elif event.kind == EventKind.START and state.phase == Phase.READY:
        if event.reading is None:
            raise ValueError("START needs the reading taken before the set")
        state = _begin_step(plan, replace(state, before=event.reading, response=None), 0, now)
    elif event.kind == EventKind.STEP_DONE and state.phase == Phase.STEP:
        state = _begin_step(plan, state, state.index + 1, now)
    elif event.kind == EventKind.TIMER_ENDED and state.phase == Phase.STEP and _reached(state.deadline, now):
        state = _begin_step(plan, state, state.index + 1, now)
    elif event.kind == EventKind.RECHECK_DONE and state.phase == Phase.RECHECK:
        if event.reading is None:
            raise ValueError("RECHECK_DONE needs the reading taken after the walk")
        state, kind = _finish_set(plan, state, event.reading, noise_points, now)
    elif event.kind == EventKind.CONFIRM and state.phase == Phase.BLOCKED:
        state = replace(state, acknowledged=True)
    elif event.kind == EventKind.CLEARED:
        state = _refresh(plan, replace(state, until_cleared=False), now)
    elif event.kind == EventKind.RELEASE:
        state = replace(state, held=None, no_benefit_stops=0, until_cleared=False)
        state = _rest(state) if state.phase == Phase.HELD else _refresh(plan, state, now)
    elif event.kind == EventKind.QUIT and state.phase in (Phase.STEP, Phase.RECHECK):
        state = replace(state, phase=Phase.READY, index=0, deadline=None)
    screen = screen_for(plan, state, now)
    return Outcome(state, replace(screen, kind=kind) if kind is not None else screen)


def screen_for(plan: Plan, state: SessionState, now: datetime) -> Screen:
    """The screen for a stored state at `now` (for example after a page reload)."""
    state = _fit(plan, _refresh(plan, state, now))
    base = Screen(ScreenKind.START, level=state.level, reason=state.reason, response=state.response)
    if state.phase == Phase.BLOCKED:
        return replace(base, kind=ScreenKind.EMERGENCY, next_at=state.next_at, until_cleared=state.until_cleared)
    if state.phase == Phase.PAUSED:
        return replace(base, kind=ScreenKind.URGENT, next_at=state.next_at, until_cleared=state.until_cleared)
    if state.phase == Phase.HELD:
        return replace(base, kind=ScreenKind.PLAN_HELD)
    if state.phase == Phase.STOPPED:
        return replace(base, kind=ScreenKind.STOP_CONTACT_PT, next_at=state.next_at)
    if state.phase == Phase.WAITING and state.next_at is not None:
        today = state.next_at.date() == now.date()
        return replace(base, kind=ScreenKind.REPEAT_LATER if today else ScreenKind.DONE_FOR_TODAY, next_at=state.next_at)
    if state.phase == Phase.RECHECK:
        return replace(base, kind=ScreenKind.RECHECK)
    if state.phase == Phase.STEP:
        step, number = plan.sequence(state.progressed)[state.index]
        return replace(
            base,
            kind=ScreenKind.STEP,
            step=step,
            set_number=number if step.per_set else None,
            sets=plan.sets_for(state.progressed) if step.per_set else None,
            deadline=state.deadline,
            exhale=state.progressed and plan.progression.enabled and plan.progression.exhale and step.per_set,
        )
    return base
