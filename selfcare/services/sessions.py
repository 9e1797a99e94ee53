"""Protocol sessions: starting a set (red flags first), and events sent by id from the app or the API."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from selfcare.clinical import Event, EventKind, Level, Reading
from selfcare.db import db
from selfcare.models import Alert, SessionEvent, User, utcnow
from selfcare.services import player, screens
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


class FullScreenNeeded(Exception):
    """The whole red-flag list must be answered before this set: none answered yet today (DUE), or the patient said
    something on it started or got worse (ANYTHING_NEW). Nothing was stored."""

    DUE = "due"
    ANYTHING_NEW = "anything_new"

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def start_set(
    patient: User, red_flags: Mapping[str, bool] | None, reading: Reading, now: datetime | None = None,
    anything_new: bool | None = None, assessed: tuple[str, ...] = (),
) -> Started:
    """Triage the red-flag screen, keep it, store any alert, then start the set (a red flag stops it first).

    The screen is the whole list (`red_flags`, every answer), or, once the whole list was answered earlier the same
    day on the patient's clock, `anything_new=False`: nothing on it started or got worse (CLINICAL.md §2). A reading on
    both legs after a one-leg onboarding counts either way. Raises FullScreenNeeded when only the one question was
    answered but the whole list is due or it was "yes", and player.PausedByTherapist while the therapist has paused
    the plan (storing nothing either way).
    """
    stamp = to_utc(now) if now is not None else None
    with db.atomic():
        if red_flags is None:
            if anything_new is not False:
                raise FullScreenNeeded(FullScreenNeeded.ANYTHING_NEW)
            if screens.full_due(patient, now):
                raise FullScreenNeeded(FullScreenNeeded.DUE)
        judged = judge(get_profile(patient), red_flags or {}, reading.side.value if reading.side else None)
        if red_flags is None:
            screens.record(patient, SOURCE, screens.Asked.SINCE_LAST, {screens.ANYTHING_NEW: False}, judged.result, stamp)
        else:
            screens.record(patient, SOURCE, screens.Asked.FULL, red_flags, judged.result, stamp, assessed)
        alert = act_on(patient, judged, SOURCE, now=stamp)
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
    anything_new: bool | None = None  # START instead of red_flags: False once the whole list was answered today

    def body(self) -> dict[str, object]:
        """The event as stored, for comparing a replay (anything_new only when sent: events stored before it match)."""
        reading = None
        if self.reading is not None:
            r = self.reading
            reading = {"zone": r.zone.value, "side": r.side.value if r.side else None, "leg_pain": r.leg_pain, "back_pain": r.back_pain}
        body: dict[str, object] = {
            "kind": self.kind.value, "occurred_at": to_utc(self.occurred_at).isoformat(), "reading": reading,
            "red_flags": dict(sorted(self.red_flags.items())) if self.red_flags is not None else None,
        }
        if self.anything_new is not None:
            body["anything_new"] = self.anything_new
        return body


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
    a different event, FullScreenNeeded for a START with `anything_new` but no answers when the whole list is
    needed, and player.PausedByTherapist for a START while the plan is paused.
    """
    if data.kind not in CLIENT_EVENTS:
        raise ValueError(f"{data.kind.value} is not an event a client sends")
    if data.kind in (EventKind.START, EventKind.RECHECK_DONE) and data.reading is None:
        raise ValueError(f"{data.kind.value} needs a reading")
    if data.kind == EventKind.START and data.red_flags is None and data.anything_new is None:
        raise ValueError("start needs the red-flag answers, or anything_new")
    if data.kind != EventKind.START and data.anything_new is not None:
        raise ValueError("only start carries anything_new")
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
            started = start_set(patient, data.red_flags, data.reading, data.occurred_at, data.anything_new)  # type: ignore[arg-type]
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
