"""Care links as the therapist side needs them: only linked patients, ever; every look is recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from peewee import JOIN, Field

from selfcare.models import AuditEvent, CareLink, PlayerState, Profile, User, utcnow
from selfcare.statements import Statement, as_model


class NotLinked(LookupError):
    """The patient does not exist or is not linked to this therapist (shown as 404: no hint which)."""


USER_FIELDS = tuple(User._meta.sorted_fields)


def _linked(patient_id: int, therapist: int) -> Any:
    """The patient with this id, through a live care link with `therapist`: every column of the user."""
    return (
        User.select(*USER_FIELDS)
        .join(CareLink, on=(CareLink.patient == User.id))
        .where((User.id == patient_id) & (CareLink.therapist == therapist) & CareLink.ended_at.is_null())
        .limit(1)
    )


LINKED = Statement(_linked)


def linked_patient(therapist: User, patient_id: int) -> User:
    """The patient with this id, only if currently linked to this therapist (one statement, through the link)."""
    row = LINKED.first(patient_id=patient_id, therapist=therapist.id)
    if row is None:
        raise NotLinked(patient_id)
    return as_model(User, USER_FIELDS, row)


# What the therapist's patient page reads of the patient: who they are and their clock, not their login secrets.
SHOWN_COLUMNS: tuple[Field, ...] = (User.id, User.role, User.name, User.region, User.emergency_number, User.timezone, User.created_at)
PROFILE_FIELDS = tuple(Profile._meta.sorted_fields)
PLAYER_COLUMNS = (PlayerState.state, PlayerState.updated_at)


def _linked_record(patient_id: int, therapist: int) -> Any:
    """The linked patient's shown columns, their profile's columns and their player's state, if linked to `therapist`."""
    return (
        User.select(*SHOWN_COLUMNS, *PROFILE_FIELDS, *PLAYER_COLUMNS)
        .join(CareLink, on=(CareLink.patient == User.id))
        .switch(User).join(Profile, JOIN.LEFT_OUTER, on=(Profile.patient == User.id))
        .switch(User).join(PlayerState, JOIN.LEFT_OUTER, on=(PlayerState.patient == User.id))
        .where((User.id == patient_id) & (CareLink.therapist == therapist) & CareLink.ended_at.is_null())
        .limit(1)
    )


LINKED_RECORD = Statement(_linked_record)


def linked_patient_with_profile(therapist: User, patient_id: int) -> tuple[User, Profile | None, PlayerState | None]:
    """linked_patient (the columns the page shows), their profile (None before onboarding) and their player's state
    (None before the first set), in one statement. The patient is built from the shown columns (the model's defaults
    fill in the others): for reading, not for saving."""
    row = LINKED_RECORD.first(patient_id=patient_id, therapist=therapist.id)
    if row is None:
        raise NotLinked(patient_id)
    shown, rest = row[:len(SHOWN_COLUMNS)], row[len(SHOWN_COLUMNS):]
    profile_values, (state, updated_at) = rest[:len(PROFILE_FIELDS)], rest[len(PROFILE_FIELDS):]
    patient = as_model(User, SHOWN_COLUMNS, shown)
    profile = (None if profile_values[0] is None else
               as_model(Profile, PROFILE_FIELDS, profile_values))
    player = None if state is None else PlayerState(state=state, updated_at=updated_at)  # state is never NULL in a row
    return patient, profile, player


A_LINK = Statement(lambda patient: CareLink.select(CareLink.id)
                   .where((CareLink.patient == patient) & CareLink.ended_at.is_null()).limit(1))


def has_therapist(patient: User) -> bool:
    """Whether a therapist looks after this patient now (what the patient is told to do after a stop depends on it)."""
    return A_LINK.first(patient=patient.id) is not None


RECORD_ACCESS = Statement(lambda actor, actor_name, patient, action, created_at: AuditEvent.insert(
    actor=actor, actor_name=actor_name, patient=patient, action=action, created_at=created_at))


def record_access(therapist: User, patient: User, action: str, now: datetime | None = None) -> None:
    """Keep who looked at or exported which patient's data, and when (one INSERT, committed on its own at once:
    no transaction around it, so SQLite's write lock is held only while the row is written; every view and 304 of a
    record runs it, so its SQL is written once: a Statement)."""
    RECORD_ACCESS.run(actor=therapist.id, actor_name=therapist.name, patient=patient.id, action=action,
                          created_at=now or utcnow())


def record_access_once(therapist: User, patient: User, action: str, within: timedelta = timedelta(minutes=30)) -> None:
    """Record a look unless the same look was recorded in the last `within` (an app polling is one look)."""
    since = utcnow() - within
    recent = AuditEvent.select().where(
        (AuditEvent.actor == therapist.id) & (AuditEvent.patient == patient.id) & (AuditEvent.action == action)
        & (AuditEvent.created_at >= since)
    ).exists()
    if not recent:
        record_access(therapist, patient, action)


def end_link(therapist: User, patient: User, now: datetime | None = None) -> bool:
    """End the care link between them (either side may); False if there was none."""
    updated = (
        CareLink.update(ended_at=now or utcnow())
        .where((CareLink.therapist == therapist.id) & (CareLink.patient == patient.id) & CareLink.ended_at.is_null())
        .execute()
    )
    return bool(updated)


ACTIONS = {
    "viewed_record": "looked at your record",
    "exported_summary": "downloaded your visit summary",
    "exported_csv": "downloaded your entries as a spreadsheet",
    "exported_fhir": "exported your record for another health system",
    "read_api": "read your record through a connected app",
}
