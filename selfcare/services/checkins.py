"""Check-ins: red-flag triage, symptoms and walking, stored together with any alert they raise."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from peewee import IntegrityError

from selfcare.clinical import Level, Reading
from selfcare.db import db
from selfcare.models import Alert, CheckIn, Profile, User, Walk, utcnow
from selfcare.services.alerts import ALERT_FIELDS, act_on, block_plan, judge
from selfcare.services.daily_summary import refresh_days
from selfcare.services.entries import check_replay
from selfcare.services.profiles import UNREAD, get_profile, profile_of
from selfcare.services.screens import Asked
from selfcare.services.screens import record as record_screen
from selfcare.statements import Statement, as_model
from selfcare.timeutil import to_utc


@dataclass(frozen=True)
class CheckInData:
    """A check-in as entered; shape and ranges are already checked by the form or the API."""

    uuid: uuid.UUID
    recorded_at: datetime | None  # aware, on the device; None: when the server received it
    red_flags: dict[str, bool]
    reading: Reading
    sensations: tuple[str, ...] = ()
    worse_with: tuple[str, ...] = ()
    walk_minutes: int | None = None
    walk_onset_minutes: int | None = None
    extra: dict[str, object] = field(default_factory=dict)
    assessed: tuple[str, ...] = ()  # red-flag ids asked as "has it got worse since your therapist checked it?"


@dataclass(frozen=True)
class Recorded:
    """What recording a check-in produced."""

    checkin: CheckIn
    level: Level
    alert_id: int | None
    created: bool


def _as_sent(data: CheckInData) -> dict[str, object]:
    """The parts of a check-in a replay must repeat exactly (the time only if the client set it)."""
    sent: dict[str, object] = {
        "red_flags": dict(data.red_flags), "zone": data.reading.zone.value,
        "side": data.reading.side.value if data.reading.side else None,
        "leg_pain": data.reading.leg_pain, "back_pain": data.reading.back_pain,
        "sensations": sorted(data.sensations), "worse_with": sorted(data.worse_with),
        "walk_minutes": data.walk_minutes, "walk_onset_minutes": data.walk_onset_minutes,
    }
    if data.recorded_at is not None:
        sent["recorded_at"] = to_utc(data.recorded_at)
    return sent


def _as_stored(checkin: CheckIn) -> dict[str, object]:
    """A stored check-in in the shape of `_as_sent`."""
    walk = checkin.walks.first()
    return {
        "red_flags": checkin.red_flags, "zone": checkin.zone, "side": checkin.side, "leg_pain": checkin.leg_pain,
        "back_pain": checkin.back_pain, "sensations": checkin.sensations, "worse_with": checkin.worse_with,
        "walk_minutes": walk.minutes if walk else None, "walk_onset_minutes": walk.onset_minutes if walk else None,
        "recorded_at": checkin.recorded_at,
    }


def record_checkin(patient: User, data: CheckInData, now: datetime | None = None, profile: Profile | None = UNREAD) -> Recorded:
    """Triage and store a check-in once, raising an alert if needed (the profile read unless given).

    The same id and body again returns the stored check-in; the same id with a different body (or
    someone else's id) raises EntryConflict and stores nothing.
    """
    received = to_utc(now) if now is not None else utcnow()
    try:
        return _record(patient, data, received, profile)
    except IntegrityError:  # the id is stored already (sent again, or by another request at the same moment)
        return _record(patient, data, received, profile, stored_first=True)


def _record(patient: User, data: CheckInData, received: datetime, profile: Profile | None = UNREAD,
            stored_first: bool = False) -> Recorded:
    """All of record_checkin in one transaction: the check-in, its walk, alert and plan pause together.

    A new id is the rule: the check-in is inserted straight away, and the unique index on the id refuses one stored
    before (the transaction rolls back, nothing is kept). Then, with `stored_first`, the stored one is read first and
    the entry is a replay (or a conflict), as when two requests send the same id at once.
    """
    with db.atomic():
        existing = CheckIn.select().where(CheckIn.uuid == data.uuid).first() if stored_first else None
        if existing is not None:
            check_replay(existing.patient_id, patient.id, _as_stored(existing), _as_sent(data))
            alert = existing.alerts.first()
            return Recorded(existing, Level(existing.level), alert.id if alert else None, False)
        # Today's answers, the signs the reading holds and the onboarding history: combinations can only raise it.
        judged = judge(profile_of(patient, profile), data.red_flags, data.reading.side.value if data.reading.side else None)
        result = judged.result
        recorded_at = to_utc(data.recorded_at) if data.recorded_at is not None else received
        checkin = CheckIn.create(
            uuid=data.uuid, patient=patient, recorded_at=recorded_at, received_at=received,
            red_flags=dict(data.red_flags), level=result.level.value, reasons=list(result.reasons),
            zone=data.reading.zone.value, side=data.reading.side.value if data.reading.side else None,
            leg_pain=data.reading.leg_pain, back_pain=data.reading.back_pain,
            sensations=sorted(data.sensations), worse_with=sorted(data.worse_with),
        )
        # The check-in is the day's full red-flag screen: kept with it (CLINICAL.md §2, nothing about a red flag is lost).
        record_screen(patient, "checkin", Asked.FULL, data.red_flags, result, recorded_at, data.assessed)
        if data.walk_minutes is not None:
            Walk.create(
                uuid=uuid.uuid4(), patient=patient, checkin=checkin, recorded_at=recorded_at, received_at=received,
                minutes=data.walk_minutes, onset_minutes=data.walk_onset_minutes,
            )
        refresh_days(patient, [recorded_at])  # the day's summary row, with the check-in and its walk
        alert = _adopt_early_report(patient, result.level, result.reasons, checkin, received)
        if alert is None:
            alert = act_on(patient, judged, "checkin", checkin, received)
        else:
            block_plan(patient, result, judged.until_cleared, received)
    return Recorded(checkin, result.level, alert.id if alert else None, True)


# A form sent with a red flag but a missing answer elsewhere raises its alert at once (report_red_flags);
# the finished check-in that follows within this time, with the same result, joins that alert.
EARLY_REPORT_WINDOW = timedelta(hours=2)


def report_red_flags(patient: User, answers: Mapping[str, bool], source: str, now: datetime | None = None,
                     side: str | None = None) -> Alert | None:
    """Raise the alert for red-flag answers from a form that could not be saved (another answer was missing).

    A red flag must never wait for the rest of a form: "yes" answers are triaged with the onboarding history
    (questions not answered are not counted as "no" anywhere else; here they can only leave the level lower than the
    finished form would, never hide a yes) and an alert above `none` is stored, pausing or blocking the exercises like
    a saved one. A report repeated with the same result adds nothing.
    """
    received = to_utc(now) if now is not None else utcnow()
    with db.atomic():
        judged = judge(get_profile(patient), {k: v for k, v in answers.items() if v}, side)
        if judged.result.level == Level.NONE:
            return None
        alert = _early_report(patient, source, judged.result.level, judged.result.reasons, received)
        if alert is not None:
            return alert
        alert = act_on(patient, judged, source, None, received)
    return alert


def _unjoined_alerts(patient: int, source: str, level: str, since: datetime) -> Any:
    """The patient's alerts from `source` at `level` raised from `since` that no check-in has joined."""
    return Alert.select(*ALERT_FIELDS).where(
        (Alert.patient == patient) & Alert.checkin.is_null() & (Alert.source == source) & (Alert.level == level)
        & (Alert.created_at >= since))


EARLY_REPORTS = Statement(_unjoined_alerts)


def _early_report(patient: User, source: str, level: Level, reasons: Iterable[str], now: datetime) -> Alert | None:
    """A recent alert from an unfinished form (check-in or set start) with this result, not joined to a check-in."""
    candidates = (as_model(Alert, ALERT_FIELDS, row) for row in EARLY_REPORTS.rows(
        patient=patient.id, source=source, level=level.value, since=now - EARLY_REPORT_WINDOW))
    return next((a for a in candidates if sorted(a.reasons) == sorted(reasons)), None)


def _adopt_early_report(patient: User, level: Level, reasons: Iterable[str], checkin: CheckIn, now: datetime) -> Alert | None:
    """Join the finished check-in to the alert its unfinished form already raised, instead of a second alert."""
    alert = _early_report(patient, "checkin", level, reasons, now) if level != Level.NONE else None
    if alert is not None:
        Alert.update(checkin=checkin).where(Alert.id == alert.id).execute()
    return alert


def latest(patient: User) -> CheckIn | None:
    """The patient's most recent check-in."""
    return CheckIn.select().where(CheckIn.patient == patient.id).order_by(CheckIn.recorded_at.desc()).first()
