"""The plan after a stop: whether it is held for the therapist or waits for a doctor's all-clear, and who lifts it.

The clinical core decides (clinical/session.py; CLINICAL.md §4 "A stop holds the plan" and §2 "What each level
does"): symptoms further down the leg, or a second "no benefit" stop, hold the plan until the therapist re-enables or
changes it (EventKind.RELEASE); after fever or trauma an urgent block lasts until the therapist does, or the patient
says a doctor has seen them and said exercise is fine (EventKind.CLEARED). Here each lift is applied and kept as a
SessionEvent (kind `release` or `cleared`, with who and when) so the therapist sees it on the patient's timeline.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import fn

from selfcare.clinical import Event, EventKind, Level, ScreenKind, SessionState, StopReason
from selfcare.db import db
from selfcare.models import Alert, ExerciseSet, PlayerState, SessionEvent, User, utcnow
from selfcare.services import player
from selfcare.services.periods import time_text
from selfcare.services.profiles import UNREAD
from selfcare.statements import Statement
from selfcare.timeutil import to_local, to_utc

# What the patient ticks to lift a fever or trauma block (kept with the event, word for word).
CLEARED_STATEMENT = "A doctor has seen me since this alert and said exercise is fine."
LIFTS = (EventKind.RELEASE.value, EventKind.CLEARED.value)  # the session events a hold is lifted by


@dataclass(frozen=True)
class Hold:
    """Why the plan cannot start again by itself, and since when (stored UTC times; None if not known)."""

    held: StopReason | None  # held for the therapist: symptoms further down the leg, or a second "no benefit" stop
    held_since: datetime | None
    until_cleared: bool  # a fever or trauma block waits for a doctor's all-clear or the therapist
    cleared_since: datetime | None


# For the therapist: why the plan is held, in words (clinical/session.py `_stopped`).
HELD_WHY = {
    StopReason.PERIPHERALIZED: "symptoms moved further down the leg during or after a set",
    StopReason.NO_BENEFIT: "the plan did not ease leg symptoms, for the second time (a second \"no benefit\" stop)",
}
CLEARED_WHY = "an urgent warning sign (fever, or pain after a fall, accident or blow)"


@dataclass(frozen=True)
class HoldLines:
    """A hold as the therapist's pages say it: a heading and one sentence for each part (times on the patient's clock)."""

    title: str
    lines: tuple[str, ...]


def hold_lines(patient: User, hold: Hold) -> HoldLines:
    """What the therapist reads about a hold: why, since when, and what lifts it."""
    lines: list[str] = []
    if hold.held is not None:
        since = f" since {time_text(to_local(patient, hold.held_since))}" if hold.held_since else ""
        lines.append(f"On hold{since}: {HELD_WHY.get(hold.held, hold.held.value.replace('_', ' '))}. "
                     "The app offers no sets until you re-enable or change the plan.")
    if hold.until_cleared:
        since = f" since {time_text(to_local(patient, hold.cleared_since))}" if hold.cleared_since else ""
        lines.append(f"Paused{since} after {CLEARED_WHY}. It stays paused until {patient.name} confirms a doctor has "
                     "seen them and said exercise is fine, or you turn the plan back on.")
    title = "Exercises on hold" if hold.held is not None else "Exercises paused until cleared"
    return HoldLines(title, tuple(lines))


def hold_of(patient: User, row: PlayerState | None = UNREAD) -> Hold | None:
    """The patient's hold, if the plan is held for the therapist or waits to be cleared (None otherwise); `row`: their
    player's state if the caller has read it (its state and updated_at; None: there is none)."""
    if row is UNREAD:
        row = PlayerState.select(PlayerState.state, PlayerState.updated_at).where(PlayerState.patient == patient.id).first()
    if row is None:
        return None
    state = SessionState.from_dict(row.state)
    if state.held is None and not state.until_cleared:
        return None
    held_since = cleared_since = None
    if state.held is not None:
        last = (ExerciseSet.select(ExerciseSet.finished_at)
                .where((ExerciseSet.patient == patient.id) & (ExerciseSet.outcome == ScreenKind.PLAN_HELD.value))
                .order_by(ExerciseSet.finished_at.desc()).first())
        held_since = last.finished_at if last is not None and last.finished_at is not None else row.updated_at
    if state.until_cleared:
        alert = (Alert.select(Alert.created_at)
                 .where((Alert.patient == patient.id) & Alert.level.in_([Level.URGENT.value, Level.EMERGENCY.value]))
                 .order_by(Alert.created_at.desc()).first())
        cleared_since = alert.created_at if alert is not None else row.updated_at
    return Hold(state.held, held_since, state.until_cleared, cleared_since)


def _keep(patient: User, kind: EventKind, moment: datetime, details: dict[str, object]) -> SessionEvent:
    """Keep a lift as a session event: who, when and what it lifted."""
    stamp = to_utc(moment)
    body = {"kind": kind.value, "occurred_at": stamp.isoformat(), "reading": None, "red_flags": None, **details}
    return SessionEvent.create(uuid=uuid.uuid4(), patient=patient, kind=kind.value, body=body, occurred_at=stamp,
                               received_at=stamp)


def release(therapist: User, patient: User, now: datetime | None = None, *, changed_plan: bool = False) -> bool:
    """The therapist re-enables the plan (or changed it): a hold or a wait for clearance is lifted and kept with who
    and when. True if something was lifted. The caller has checked the care link.

    Today's urgent or emergency block still lasts the day (the core keeps it); a new count of "no benefit" stops
    starts either way."""
    moment = now or utcnow()
    with db.atomic():
        before = player.load(patient, moment).state  # the state row, locked on PostgreSQL until the end
        if before.held is None and not before.until_cleared and before.no_benefit_stops == 0:
            return False
        player.apply(patient, Event(EventKind.RELEASE), moment)
        lifted = before.held is not None or before.until_cleared
        if lifted:
            _keep(patient, EventKind.RELEASE, moment, {
                "by": therapist.id, "by_name": therapist.name, "changed_plan": changed_plan,
                "held": None if before.held is None else before.held.value, "until_cleared": before.until_cleared,
            })
    return lifted


def clear(patient: User, now: datetime | None = None) -> bool:
    """The patient says a doctor has seen them since the alert and said exercise is fine: it lifts a fever or trauma
    block (today's block still lasts the day). Counts only while the block waits for it; True if it did."""
    moment = now or utcnow()
    with db.atomic():
        view = player.load(patient, moment)
        if not (view.screen.kind == ScreenKind.URGENT and view.screen.until_cleared):
            return False
        player.apply(patient, Event(EventKind.CLEARED), moment)
        _keep(patient, EventKind.CLEARED, moment, {"by": patient.id, "statement": CLEARED_STATEMENT})
    return True


def newest_release(patient: Any) -> Any:
    """When the therapist last re-enabled the plan, if no set has started since (`patient`: an id, or a column that
    holds one when this is a subquery of another query: Today's sets, services/today.py)."""
    later_set = ExerciseSet.select(ExerciseSet.started_at).where(
        (ExerciseSet.patient == patient) & (ExerciseSet.started_at >= SessionEvent.occurred_at))
    return (
        SessionEvent.select(SessionEvent.occurred_at)
        .where((SessionEvent.patient == patient) & (SessionEvent.kind == EventKind.RELEASE.value) & ~fn.EXISTS(later_set))
        .order_by(SessionEvent.occurred_at.desc()).limit(1)
    )


NEWEST_RELEASE = Statement(newest_release)


def released_since_last_set(patient: User) -> datetime | None:
    """When the therapist last re-enabled the plan (stored UTC), if no set has started since it (so the patient is
    told); else None."""
    row = NEWEST_RELEASE.first(patient=patient.id)
    return None if row is None else row[0]
