"""Protocol sessions: starting a set (red flags first), and events sent by id from the app or the API."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from selfcare.clinical import Event, EventKind, Level, Reading, triage
from selfcare.db import db
from selfcare.models import Alert, SessionEvent, User, utcnow
from selfcare.services import player
from selfcare.services.alerts import raise_alert
from selfcare.services.entries import check_replay, once
from selfcare.services.profiles import get_profile, history_answers
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
    result = triage({**red_flags, **history_answers(get_profile(patient))})
    with db.atomic():
        alert = raise_alert(patient, result, SOURCE, now=to_utc(now) if now is not None else None)
        if result.level in (Level.URGENT, Level.EMERGENCY):
            # red_flags.toml [[level]] `blocks_protocol`: the sign stops whatever is under way, even mid-set.
            view = player.apply(patient, Event(EventKind.RED_FLAG, level=result.level), now)
        else:
            view = player.apply(patient, Event(EventKind.START, reading=reading, level=result.level), now)
    return Started(view, alert)


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
        else:
            view = player.apply(patient, Event(data.kind, reading=data.reading), data.occurred_at)
        event = SessionEvent.create(
            uuid=data.uuid, patient=patient, kind=data.kind.value, body=data.body(),
            occurred_at=to_utc(data.occurred_at), received_at=received,
        )
    return Applied(view, event, alert, True)


def _alert_of(event: SessionEvent) -> Alert | None:
    """The alert a START event raised: stored at the event's time by start_set."""
    if event.kind != EventKind.START.value:
        return None
    return Alert.get_or_none(
        (Alert.patient == event.patient_id) & (Alert.source == SOURCE) & (Alert.created_at == event.occurred_at)
    )
