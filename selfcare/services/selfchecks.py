"""Nerve self-checks: store one, compare it with the last, and raise an alert when the change needs care."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError

from selfcare import clinical
from selfcare.clinical import (
    Ability,
    Area,
    Level,
    NerveChange,
    StrengthTest,
    Triage,
    compare_checks,
)
from selfcare.db import db
from selfcare.models import Alert, SelfCheck, User, utcnow
from selfcare.services.alerts import block_plan, raise_alert
from selfcare.services.entries import check_replay
from selfcare.timeutil import to_local, to_utc

SOURCE = "self_check"

# How each test reads in a sentence ("Lifting your big toe is harder than last time").
DOING = {
    StrengthTest.HEEL_WALK: "Walking on your heels",
    StrengthTest.TOE_WALK: "Walking on your toes",
    StrengthTest.BIG_TOE_LIFT: "Lifting your big toe",
}


@dataclass(frozen=True)
class SelfCheckData:
    """A self-check as entered; the form has checked each answer is a known Ability or Area."""

    uuid: uuid.UUID
    heel_walk: Ability
    toe_walk: Ability
    big_toe_lift: Ability
    numb_areas: frozenset[Area] = frozenset()
    recorded_at: datetime | None = None  # aware, on the device; None: when the server received it


@dataclass(frozen=True)
class Recorded:
    """What recording a self-check produced."""

    check: SelfCheck
    level: Level
    alert_id: int | None
    created: bool


@dataclass(frozen=True)
class Outcome:
    """A stored self-check next to the one before it: what changed, the level, and any alert."""

    check: SelfCheck
    previous: SelfCheck | None
    change: NerveChange
    result: Triage
    alert: Alert | None


def as_clinical(row: SelfCheck) -> clinical.SelfCheck:
    """A stored row as the clinical type."""
    return clinical.SelfCheck(row.recorded_at, row.heel_walk, row.toe_walk, row.big_toe_lift, row.numb_areas)


def _before(patient: User, check: SelfCheck) -> SelfCheck | None:
    """The patient's self-check just before `check` in time."""
    query = SelfCheck.select().where(
        (SelfCheck.patient == patient.id)
        & ((SelfCheck.recorded_at < check.recorded_at)
           | ((SelfCheck.recorded_at == check.recorded_at) & (SelfCheck.id < check.id)))
    )
    return query.order_by(SelfCheck.recorded_at.desc(), SelfCheck.id.desc()).first()


def _alert_for(check: SelfCheck) -> Alert | None:
    """The alert this check raised: stored in the same transaction with the check's receipt time."""
    return Alert.get_or_none(
        (Alert.patient == check.patient_id) & (Alert.source == SOURCE) & (Alert.created_at == check.received_at)
    )


def _as_sent(data: SelfCheckData) -> dict[str, object]:
    """The parts of a self-check a replay must repeat exactly (the time only if the client set it)."""
    sent: dict[str, object] = {
        "heel_walk": data.heel_walk.value, "toe_walk": data.toe_walk.value, "big_toe_lift": data.big_toe_lift.value,
        "numb_areas": [a.value for a in Area if a in data.numb_areas],
    }
    if data.recorded_at is not None:
        sent["recorded_at"] = to_utc(data.recorded_at)
    return sent


def _stored(patient: User, existing: SelfCheck, data: SelfCheckData) -> Recorded:
    """A replay: the check stored the first time and its alert, if the body matches (else EntryConflict)."""
    sent = _as_sent(data)
    check_replay(existing.patient_id, patient.id, {name: getattr(existing, name) for name in sent}, sent)
    alert = _alert_for(existing)
    return Recorded(existing, Level(alert.level) if alert else Level.NONE, alert.id if alert else None, False)


def record_self_check(patient: User, data: SelfCheckData, now: datetime | None = None) -> Recorded:
    """Store a self-check once (same uuid again: the stored one), compare it, and alert when needed."""
    try:
        return _record(patient, data, to_utc(now) if now is not None else utcnow())
    except IntegrityError:  # the same form sent twice at once: the other request stored it
        return _stored(patient, SelfCheck.get(SelfCheck.uuid == data.uuid), data)


def _record(patient: User, data: SelfCheckData, moment: datetime) -> Recorded:
    """All of record_self_check in one transaction: the check, its alert and the plan pause stand or fall together."""
    with db.atomic():
        existing = SelfCheck.get_or_none(SelfCheck.uuid == data.uuid)
        if existing is not None:
            return _stored(patient, existing, data)
        recorded_at = to_utc(data.recorded_at) if data.recorded_at is not None else moment
        # The check just before this one in time: an entry made offline may arrive after later ones.
        previous = (
            SelfCheck.select().where((SelfCheck.patient == patient.id) & (SelfCheck.recorded_at <= recorded_at))
            .order_by(SelfCheck.recorded_at.desc(), SelfCheck.id.desc()).first()
        )
        check = SelfCheck.create(
            uuid=data.uuid, patient=patient, received_at=moment, recorded_at=recorded_at,
            heel_walk=data.heel_walk.value, toe_walk=data.toe_walk.value, big_toe_lift=data.big_toe_lift.value,
            numb_areas=[a.value for a in Area if a in data.numb_areas],
        )
        change = compare_checks(as_clinical(previous) if previous else None, as_clinical(check))
        # A first check's weak or impossible tests count too (red_flags.toml [[held]]).
        result = change.triage()
        alert = raise_alert(patient, result, SOURCE, now=moment)
        block_plan(patient, result, now=moment)
    return Recorded(check, result.level, alert.id if alert else None, True)


def own_check(patient: User, check_id: int) -> SelfCheck | None:
    """The patient's own self-check with this id, or None (never someone else's)."""
    return SelfCheck.get_or_none((SelfCheck.id == check_id) & (SelfCheck.patient == patient.id))


def outcome(patient: User, check: SelfCheck) -> Outcome:
    """The check beside the one before it, with the level that comparison gives and the alert it raised."""
    previous = _before(patient, check)
    change = compare_checks(as_clinical(previous) if previous else None, as_clinical(check))
    return Outcome(check, previous, change, change.triage(), _alert_for(check))


def day_label(patient: User, stored: datetime, now: datetime | None = None) -> str:
    """A stored time as a date on the patient's calendar: "3 November" (with the year if not this one)."""
    day = to_local(patient, stored).date()
    this_year = to_local(patient, to_utc(now) if now else utcnow()).year
    return f"{day.day} {day:%B}" + ("" if day.year == this_year else f" {day.year}")


def describe(patient: User, result: Outcome, area_names: dict[Area, str], now: datetime | None = None) -> list[str]:
    """What changed since the last check, in plain sentences (worse first, then better)."""
    if result.previous is None:
        return ["This is your first nerve self-check. Next time, the app will compare your answers with these."]
    before, after = as_clinical(result.previous), as_clinical(result.check)
    since = day_label(patient, result.previous.recorded_at, now)
    lines: list[str] = []
    for test in StrengthTest:
        was, now_ = before.ability(test), after.ability(test)
        if now_ == Ability.UNABLE and was != Ability.UNABLE:
            lines.append(f"{DOING[test]} was not possible this time. On {since} you could still do it.")
        elif now_ > was:
            lines.append(f"{DOING[test]} is harder than last time ({since}).")
    for area in result.change.new_numbness:
        lines.append(f"New numbness: {area_names[area].lower()}.")
    for test in StrengthTest:
        if after.ability(test) < before.ability(test):
            lines.append(f"{DOING[test]} is easier than last time ({since}).")
    for area in (a for a in Area if a in before.numb_areas - after.numb_areas):
        lines.append(f"No longer numb: {area_names[area].lower()}.")
    return lines or [f"No change since {since}."]
