"""Signs a linked therapist has assessed: for a stated number of days the patient is asked whether the sign got worse,
so a persisting sign (weight loss already looked into) does not raise the same alert every day (CLINICAL.md §2).

The answer means the same as before: yes raises the sign as it always did, no does not. Expired or ended
assessments are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from selfcare.clinical import FLAG_LEVELS
from selfcare.db import db
from selfcare.models import AssessedSign, User, utcnow
from selfcare.statements import Statement
from selfcare.timeutil import to_utc

MIN_DAYS, MAX_DAYS = 1, 90
NOTE_MAX = 300


def _now(now: datetime | None) -> datetime:
    return to_utc(now) if now is not None else utcnow()


def active(patient: User, now: datetime | None = None) -> list[AssessedSign]:
    """The patient's assessments in force now, one per sign (the newest), soonest to end first (one query)."""
    rows = (
        AssessedSign.select()
        .where((AssessedSign.patient == patient.id) & (AssessedSign.until > _now(now)) & AssessedSign.ended_at.is_null())
        .order_by(AssessedSign.assessed_at.desc(), AssessedSign.id.desc())
    )
    newest: dict[str, AssessedSign] = {}
    for row in rows:
        newest.setdefault(row.flag_id, row)
    return sorted(newest.values(), key=lambda row: (row.until, row.id))


def _in_force(patient: int, now: datetime) -> Any:
    """The sign and time of each of the patient's assessments in force at `now`, newest first."""
    return (AssessedSign.select(AssessedSign.flag_id, AssessedSign.assessed_at)
            .where((AssessedSign.patient == patient) & (AssessedSign.until > now) & AssessedSign.ended_at.is_null())
            .order_by(AssessedSign.assessed_at.desc(), AssessedSign.id.desc()))


IN_FORCE = Statement(_in_force)


def assessed_on(patient: User, now: datetime | None = None) -> dict[str, datetime]:
    """When each sign in force now was assessed (its newest assessment; stored UTC), by red-flag id: what the
    patient's forms ask about (one statement)."""
    found: dict[str, datetime] = {}
    for flag_id, assessed_at in IN_FORCE.rows(patient=patient.id, now=_now(now)):
        found.setdefault(flag_id, assessed_at)
    return found


def assess(therapist: User, patient: User, flag_id: str, days: int, note: str | None = None,
           now: datetime | None = None) -> AssessedSign:
    """Mark a sign assessed for `days` days from now (the caller has checked the care link); an assessment of the same
    sign still in force ends now. Raises ValueError for an unknown sign or days outside 1-90."""
    if flag_id not in FLAG_LEVELS:
        raise ValueError(f"unknown red-flag id {flag_id!r}")
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days must be from {MIN_DAYS} to {MAX_DAYS}")
    moment = _now(now)
    with db.atomic():
        AssessedSign.update(ended_at=moment).where(
            (AssessedSign.patient == patient.id) & (AssessedSign.flag_id == flag_id) & (AssessedSign.until > moment)
            & AssessedSign.ended_at.is_null()
        ).execute()
        return AssessedSign.create(
            patient=patient, therapist=therapist, flag_id=flag_id, assessed_at=moment, until=moment + timedelta(days=days),
            note=(note or "").strip() or None,
        )


def end(patient: User, assessed_id: int, now: datetime | None = None) -> bool:
    """End one of the patient's assessments early (the caller has checked the care link); False if none in force."""
    moment = _now(now)
    changed: int = AssessedSign.update(ended_at=moment).where(
        (AssessedSign.id == assessed_id) & (AssessedSign.patient == patient.id) & (AssessedSign.until > moment)
        & AssessedSign.ended_at.is_null()
    ).execute()
    return changed > 0


@dataclass(frozen=True)
class Listed:
    """An assessment in force as the therapist's patient page lists it: stored UTC times, who assessed it."""

    id: int
    flag_id: str
    assessed_at: datetime
    until: datetime
    note: str | None
    by: str


def _in_force_named(patient: int, now: datetime) -> Any:
    """The patient's assessments in force at `now`, newest first, each with the name of the therapist who made it."""
    return (AssessedSign.select(AssessedSign.id, AssessedSign.flag_id, AssessedSign.assessed_at, AssessedSign.until,
                                AssessedSign.note, User.name)
            .join(User, on=(AssessedSign.therapist == User.id))
            .where((AssessedSign.patient == patient) & (AssessedSign.until > now) & AssessedSign.ended_at.is_null())
            .order_by(AssessedSign.assessed_at.desc(), AssessedSign.id.desc()))


IN_FORCE_NAMED = Statement(_in_force_named)


def listed(patient: User, now: datetime | None = None) -> list[Listed]:
    """The patient's assessments in force now as `active` finds them (one per sign, the newest; soonest to end first),
    with who made each (one statement)."""
    newest: dict[str, Listed] = {}
    for row in IN_FORCE_NAMED.rows(patient=patient.id, now=_now(now)):
        newest.setdefault(row[1], Listed(*row))
    return sorted(newest.values(), key=lambda row: (row.until, row.id))
