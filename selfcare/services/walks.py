"""Walks logged on their own (a check-in logs its walk with it): minutes walked and when symptoms came on."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from selfcare.db import db
from selfcare.models import User, Walk, utcnow
from selfcare.services.daily_summary import refresh_days
from selfcare.services.entries import check_replay, once
from selfcare.timeutil import to_utc


@dataclass(frozen=True)
class WalkData:
    """A walk as entered; the caller has checked 0 <= onset_minutes <= minutes."""

    uuid: uuid.UUID
    recorded_at: datetime  # aware, on the device
    minutes: int
    onset_minutes: int | None = None  # None: no leg symptoms came on


@dataclass(frozen=True)
class Recorded:
    """The stored walk, and whether this call stored it."""

    walk: Walk
    created: bool


def record_walk(patient: User, data: WalkData, now: datetime | None = None) -> Recorded:
    """Store a walk once: the same id and body again returns it; a different body raises EntryConflict."""
    received = to_utc(now) if now is not None else utcnow()
    return once(lambda: _record(patient, data, received))


def _record(patient: User, data: WalkData, received: datetime) -> Recorded:
    """record_walk inside one transaction."""
    sent = {"recorded_at": to_utc(data.recorded_at), "minutes": data.minutes, "onset_minutes": data.onset_minutes}
    with db.atomic():
        existing = Walk.get_or_none(Walk.uuid == data.uuid)
        if existing is not None:
            check_replay(existing.patient_id, patient.id, {name: getattr(existing, name) for name in sent}, sent)
            return Recorded(existing, False)
        walk = Walk.create(uuid=data.uuid, patient=patient, received_at=received, **sent)
        refresh_days(patient, [walk.recorded_at])  # the day's summary row
        return Recorded(walk, True)
