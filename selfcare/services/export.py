"""A patient's own data: everything stored about them as JSON or CSV, and deleting it all for good."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from peewee import JOIN, ForeignKeyField, Model
from werkzeug.security import check_password_hash

from selfcare import accounts
from selfcare.db import db
from selfcare.models import (
    Alert,
    ApiToken,
    AssessedSign,
    AuditEvent,
    BaseModel,
    CalendarFeed,
    CareLink,
    CheckIn,
    ExerciseSet,
    Notice,
    PlanChange,
    PlanSetting,
    PlayerState,
    Profile,
    RedFlagScreen,
    SelfCheck,
    SessionEvent,
    TherapistNote,
    User,
    Walk,
    utcnow,
)
from selfcare.timeutil import to_local, to_utc

FORMAT = "selfcare-export-1"
ACCOUNT_FIELDS = ("id", "email", "name", "role", "region", "emergency_number", "timezone", "created_at")  # never the password hash

# Tables with a `patient` column, exported row by row: (name in the export, model, order).
PATIENT_TABLES: tuple[tuple[str, type[BaseModel], str], ...] = (  # each with a `patient` foreign key
    ("profile", Profile, "id"),
    ("checkins", CheckIn, "recorded_at"),
    ("walks", Walk, "recorded_at"),
    ("exercise_sets", ExerciseSet, "started_at"),
    ("self_checks", SelfCheck, "recorded_at"),
    ("alerts", Alert, "created_at"),
    ("red_flag_screens", RedFlagScreen, "answered_at"),
    ("assessed_signs", AssessedSign, "assessed_at"),
    ("plan_settings", PlanSetting, "id"),
    ("player_state", PlayerState, "id"),
    ("plan_changes", PlanChange, "created_at"),
    ("therapist_notes", TherapistNote, "created_at"),
    ("record_views", AuditEvent, "created_at"),
    ("exercise_events", SessionEvent, "occurred_at"),
)

# What a therapist's download of a patient holds (issue 19): what a clinic needs for the patient's care, named one
# by one. Each part of the patient's own export (`collect`) is in THERAPIST_TABLES or PATIENT_ONLY, with the reason;
# tests/test_therapist_export.py fails for a new part in neither.
THERAPIST_ACCOUNT_FIELDS = ("id", "name", "email", "region", "emergency_number", "timezone")
THERAPIST_TABLES = (
    "profile", "checkins", "walks", "exercise_sets", "self_checks", "alerts", "red_flag_screens", "assessed_signs",
    "plan_settings", "plan_changes",
    # Only the exporting therapist's own notes: a download leaves selfcare and outlives the care link, and the patient
    # agreed to share their record with each therapist, not to give one clinic's notes to another clinic's files.
    "therapist_notes",
)
PATIENT_ONLY = {
    "care_links": "who else looks or looked after the patient",
    "record_views": "audit events: who looked at the record",
    "exercise_events": "the player's raw events; exercise_sets hold what they led to",
    "player_state": "where the player is within a set: the app's working state",
    "api_tokens": "the patient's connected apps",
    "calendar_links": "the patient's calendar feed",
}
THERAPIST_FORMAT = "selfcare-therapist-export-1"

# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _value(value: Any) -> Any:
    """A stored value as JSON: ISO 8601 times in UTC, dates as YYYY-MM-DD, ids as text."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _stored(instance: Model, name: str, field: Any) -> Any:
    """A column's value as stored: a foreign key's id through peewee's id accessor (`patient_id`), not its row."""
    return getattr(instance, field.object_id_name if isinstance(field, ForeignKeyField) else name)


def _row(instance: Model, exclude: tuple[str, ...] = ("patient",)) -> dict[str, Any]:
    """Every column of a row (foreign keys as their id, under `<name>_id`), except `exclude`."""
    row: dict[str, Any] = {}
    for name, field in instance._meta.fields.items():
        if name in exclude:
            continue
        key = field.column_name if hasattr(field, "rel_model") else name
        row[key] = _value(_stored(instance, name, field))
    return row


def _care_links(patient: User) -> list[dict[str, Any]]:
    """The patient's care links with each therapist's name (one query)."""
    Therapist = User.alias()
    query = (
        CareLink.select(CareLink, Therapist.id, Therapist.name)
        .join(Therapist, JOIN.INNER, on=(CareLink.therapist == Therapist.id))
        .where(CareLink.patient == patient.id)
        .order_by(CareLink.created_at, CareLink.id)
    )
    return [{**_row(link), "therapist_name": link.therapist.name} for link in query]


def collect(patient: User) -> dict[str, Any]:
    """Everything stored about the patient, one query per table, ready for JSON."""
    account = User.get_by_id(patient.id)
    document: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": _value(utcnow()),
        "account": {
            **{name: _value(getattr(account, name)) for name in ACCOUNT_FIELDS},
            "two_step_sign_in_since": _value(account.totp_enabled_at),  # never the secret or the recovery codes' hashes
        },
        "care_links": _care_links(patient),
    }
    for name, model, order in PATIENT_TABLES:
        query = model.select().where(getattr(model, "patient") == patient.id).order_by(getattr(model, order), model.id)
        document[name] = [_row(row) for row in query]
    tokens = ApiToken.select().where(ApiToken.user == patient.id).order_by(ApiToken.created_at, ApiToken.id)
    document["api_tokens"] = [_row(row, exclude=("user", "token_hash")) for row in tokens]  # the hash is a credential
    links = CalendarFeed.select().where(CalendarFeed.patient == patient.id).order_by(CalendarFeed.created_at)
    document["calendar_links"] = [_row(row, exclude=("patient", "token_hash")) for row in links]  # likewise
    return document


def _clinic_row(instance: Model, patient_id: int, therapist_id: int) -> dict[str, Any]:
    """A row for a therapist's download: whoever acted on it is "you", "another therapist" or "the patient", never named."""
    row: dict[str, Any] = {}
    for name, field in instance._meta.fields.items():
        if name == "patient":
            continue
        value = _stored(instance, name, field)
        if isinstance(field, ForeignKeyField) and field.rel_model is User:
            row[name] = None if value is None else "you" if value == therapist_id else "the patient" if value == patient_id else "another therapist"
        else:
            row[field.column_name if isinstance(field, ForeignKeyField) else name] = _value(value)
    return row


def collect_for_therapist(patient: User, therapist: User) -> dict[str, Any]:
    """What a clinic needs of the patient's record (THERAPIST_TABLES), for a therapist who looks after them: of the
    notes only this therapist's own, and no one else who looks or looked after the patient named. One query a table."""
    account = User.get_by_id(patient.id)
    document: dict[str, Any] = {
        "format": THERAPIST_FORMAT,
        "exported_at": _value(utcnow()),
        "account": {name: _value(getattr(account, name)) for name in THERAPIST_ACCOUNT_FIELDS},
    }
    tables = {name: (model, order) for name, model, order in PATIENT_TABLES}
    for name in THERAPIST_TABLES:
        model, order = tables[name]
        query = model.select().where(getattr(model, "patient") == patient.id)
        if model is TherapistNote:
            query = query.where(TherapistNote.therapist == therapist.id)
        document[name] = [_clinic_row(row, patient.id, therapist.id) for row in query.order_by(getattr(model, order), model.id)]
    return document


def to_json(document: dict[str, Any]) -> str:
    """The export as one readable JSON document."""
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False)


def _cell(value: Any) -> Any:
    """One CSV cell: lists and objects as JSON text; text a spreadsheet would run is made inert."""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text with a header line (just the header's absence when there are no rows)."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def to_csv_zip(document: dict[str, Any], readme: str | None = None) -> bytes:
    """The export as a ZIP of one CSV per table: each table keeps its own columns, so it opens cleanly in a spreadsheet."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.csv", _csv([document["account"]]))
        for name, value in document.items():
            if isinstance(value, list):
                archive.writestr(f"{name}.csv", _csv(value))
        archive.writestr("README.txt", readme or README)
    return buffer.getvalue()


README = """Your data from selfcare
=======================

One CSV file for each kind of record. Times are in UTC (ISO 8601). Lists (like red-flag
answers) are written as JSON text inside a cell. A cell that starts with ' had that mark added so
a spreadsheet shows it as text. The same data is in the JSON download.
"""

THERAPIST_README = """A patient's record from selfcare
================================

One CSV file for each kind of record: what the patient entered, their alerts with what was done
about them, their plan and its changes, and your own notes. Where a therapist acted on a record,
it says "you" or "another therapist". Times are in UTC (ISO 8601). Lists (like red-flag answers)
are written as JSON text inside a cell. A cell that starts with ' had that mark added so a
spreadsheet shows it as text.
"""


@dataclass(frozen=True)
class Deleted:
    """What deleting an account did."""

    notified: tuple[str, ...]  # the names of the therapists told


def password_matches(patient: User, password: str) -> bool:
    """Whether `password` is the patient's own (asked again before anything cannot be undone)."""
    return bool(password) and len(password) <= accounts.PASSWORD_MAX and check_password_hash(patient.password_hash, password)


def leaving_notice(patient: User, therapist: User, now: datetime) -> str:
    """What the therapist reads: who left and when, on the therapist's calendar."""
    day = to_local(therapist, now).date()
    return f"{patient.name} left selfcare on {day.day} {day:%B %Y} and deleted their data."


def delete_account(patient: User, now: datetime | None = None) -> Deleted:
    """Tell each linked therapist, then delete the account; every row of the patient goes with it (FK cascade)."""
    moment = to_utc(now) if now is not None else utcnow()
    with db.atomic():
        therapists = accounts.linked_therapists(patient)
        for therapist in therapists:
            Notice.create(therapist=therapist, text=leaving_notice(patient, therapist, moment), created_at=moment)
        User.delete().where(User.id == patient.id).execute()
    return Deleted(tuple(t.name for t in therapists))
