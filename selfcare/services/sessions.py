"""Protocol sessions: starting a set (red flags first), and events sent by id from the app or the API."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from selfcare.clinical import Event, EventKind, Level, Reading
from selfcare.db import db
from selfcare.models import Alert, SessionEvent, User, utcnow
from selfcare.services import player
from selfcare.services.alerts import act_on, judge
from selfcare.services.entries import check_replay, once
from selfcare.services.profiles import get_profile
from selfcare.timeutil import to_utc

SOURCE = "session"

# What a client may send; CONFIRM comes from confirming an alert, RED_FLAG from a check-in.
CLIENT_EVENTS = (
    EventKind.START, EventKind.STEP_DONE, EventKind.TIMER_ENDED, EventKind.SYMPTOMS_PERIPHERALIZED,
    EventKind.LEG_PAIN_WORSE, EventKind.RECHECK_DONE, EventKind.QUIT,
)


@dataclass(frozen=True)
class Started:
    """A set start: the player after it, and the alert its red-flag answers raised (if any)."""

    view: player.PlayerView
    alert: Alert | None


def start_set(patient: User, red_flags: Mapping[str, bool], reading: Reading, now: datetime | None = None) -> Started:
    """Triage the red-flag answers, store any alert, then start the set (a red flag stops it first).

    Raises player.PausedByTherapist (storing nothing) while the therapist has paused the plan.
    """
    judged = judge(get_profile(patient), red_flags, reading.side.value if reading.side else None)
    with db.atomic():
        alert = act_on(patient, judged, SOURCE, now=to_utc(now) if now is not None else None)
        if judged.result.level in (Level.URGENT, Level.EMERGENCY):
            view = player.load(patient, now)  # act_on blocked the plan: the sign stops the set before it starts
        else:
            view = player.apply(patient, Event(EventKind.START, reading=reading, level=judged.result.level), now)
    return Started(view, alert)


def recheck(patient: User, reading: Reading, now: datetime | None = None) -> Recheck:
    """The re-check after the walk: a reading on both legs after a one-leg onboarding raises `both_legs` first
    (CLINICAL.md §2, signs the app holds), then the clinical core decides what comes next."""
    judged = judge(get_profile(patient), {}, reading.side.value if reading.side else None)
    with db.atomic():
        alert = act_on(patient, judged, SOURCE, now=to_utc(now) if now is not None else None)
        view = player.apply(patient, Event(EventKind.RECHECK_DONE, reading=reading), now)
    return Recheck(view, alert)


@dataclass(frozen=True)
class Recheck:
    """A re-check: the player after it, and the alert a reading on both legs raised (if any)."""

    view: player.PlayerView
    alert: Alert | None


@dataclass(frozen=True)
class EventData:
    """A protocol event as sent: START carries red-flag answers and a reading, RECHECK_DONE a reading."""

    uuid: uuid.UUID
    kind: EventKind
    occurred_at: datetime  # aware, on the device
    reading: Reading | None = None
    red_flags: Mapping[str, bool] | None = None

    def body(self) -> dict[str, object]:
        """The event as stored, for comparing a replay."""
        reading = None
        if self.reading is not None:
            r = self.reading
            reading = {"zone": r.zone.value, "side": r.side.value if r.side else None, "leg_pain": r.leg_pain, "back_pain": r.back_pain}
        return {
            "kind": self.kind.value, "occurred_at": to_utc(self.occurred_at).isoformat(), "reading": reading,
            "red_flags": dict(sorted(self.red_flags.items())) if self.red_flags is not None else None,
        }


@dataclass(frozen=True)
class Applied:
    """What an event did: the player after it, the stored event, and any alert raised."""

    view: player.PlayerView
    event: SessionEvent
    alert: Alert | None
    created: bool


def record_event(patient: User, data: EventData, now: datetime | None = None) -> Applied:
    """Apply a protocol event once at the time it happened; the same id again returns the stored result.

    Raises ValueError when START or RECHECK_DONE lacks what it needs, EntryConflict when the id names
    a different event, and player.PausedByTherapist for a START while the plan is paused.
    """
    if data.kind not in CLIENT_EVENTS:
        raise ValueError(f"{data.kind.value} is not an event a client sends")
    if data.kind in (EventKind.START, EventKind.RECHECK_DONE) and data.reading is None:
        raise ValueError(f"{data.kind.value} needs a reading")
    if data.kind == EventKind.START and data.red_flags is None:
        raise ValueError("start needs the red-flag answers")
    received = to_utc(now) if now is not None else utcnow()
    return once(lambda: _record(patient, data, received))


def _record(patient: User, data: EventData, received: datetime) -> Applied:
    """record_event in one transaction: the event row, the player state and any alert together."""
    with db.atomic():
        existing = SessionEvent.get_or_none(SessionEvent.uuid == data.uuid)
        if existing is not None:
            check_replay(existing.patient_id, patient.id, existing.body, data.body())
            return Applied(player.load(patient), existing, _alert_of(existing), False)
        alert = None
        if data.kind == EventKind.START:
            started = start_set(patient, data.red_flags or {}, data.reading, data.occurred_at)  # type: ignore[arg-type]
            view, alert = started.view, started.alert
        elif data.kind == EventKind.RECHECK_DONE:
            checked = recheck(patient, data.reading, data.occurred_at)  # type: ignore[arg-type]
            view, alert = checked.view, checked.alert
        else:
            view = player.apply(patient, Event(data.kind, reading=data.reading), data.occurred_at)
        event = SessionEvent.create(
            uuid=data.uuid, patient=patient, kind=data.kind.value, body=data.body(),
            occurred_at=to_utc(data.occurred_at), received_at=received,
        )
    return Applied(view, event, alert, True)


def _alert_of(event: SessionEvent) -> Alert | None:
    """The alert a START (red flags) or RECHECK_DONE (a reading on both legs) raised, stored at the event's time."""
    if event.kind not in (EventKind.START.value, EventKind.RECHECK_DONE.value):
        return None
    return Alert.get_or_none(
        (Alert.patient == event.patient_id) & (Alert.source == SOURCE) & (Alert.created_at == event.occurred_at)
    )
