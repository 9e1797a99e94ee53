"""Check-ins, walks, self-checks and readings: the patient writes them (by their own id), both sides read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import Response, url_for

from selfcare.api import bp, present
from selfcare.api import schemas as s
from selfcare.api.access import patient_record
from selfcare.api.io import body, reply
from selfcare.api.paging import bad_cursor, decode_cursor, encode_cursor, keyset, list_query
from selfcare.api.problems import Problem, field_error
from selfcare.api.spec import operation
from selfcare.clinical import Reading, Zone
from selfcare.models import CheckIn, ExerciseSet, SelfCheck, Walk
from selfcare.services import selfchecks, walks
from selfcare.services.checkins import CheckInData, record_checkin
from selfcare.services.entries import EntryConflict

PATIENT = "/patients/<id:patient_id>"


def conflict(error: EntryConflict) -> Problem:
    """A 409 naming what differs from the entry stored under the same id."""
    fields = ", ".join(error.fields)
    return Problem(409, "conflict", f"This id was already used for a different entry (differs in: {fields}). "
                   "Send the same body to retry, or a new id for a new entry.",
                   [field_error(name, "Differs from the entry stored under this id.") for name in error.fields])


def reading_of(part: s.ReadingIn) -> Reading:
    """The clinical reading of a request's reading."""
    return Reading(part.zone, part.leg_pain, part.back_pain, part.side)


@operation(bp, "GET", PATIENT + "/checkins", summary="List check-ins", tag="Entries", access="signed_in",
           ok=(200, "Check-ins, newest first.", s.CheckInPage), query=s.ListQuery)
def list_checkins(patient_id: int) -> Response:
    """The patient's check-ins with their red-flag answers, triage and walk (a linked therapist may read them too)."""
    patient = patient_record(patient_id)
    rows, cursor = keyset(CheckIn.select().where(CheckIn.patient == patient.id), CheckIn.recorded_at, CheckIn.id, list_query())
    return reply(s.CheckInPage(items=present.checkins(rows), next_cursor=cursor))


@operation(bp, "GET", PATIENT + "/checkins/<uuid:entry_id>", summary="Read one check-in", tag="Entries",
           access="signed_in", ok=(200, "The check-in.", s.CheckInOut))
def get_checkin(patient_id: int, entry_id: uuid.UUID) -> Response:
    """One check-in by the id the client gave it."""
    patient = patient_record(patient_id)
    row = CheckIn.get_or_none((CheckIn.uuid == entry_id) & (CheckIn.patient == patient.id))
    if row is None:
        raise Problem(404, "not-found", "There is no check-in with this id in this record.")
    return reply(present.checkins([row])[0])


@operation(bp, "POST", PATIENT + "/checkins", summary="Add a check-in", tag="Entries", access="patient",
           ok=(200, "Sent before with the same body: the stored check-in, nothing new stored.", s.CheckInOut),
           created=(201, "Stored and triaged; an alert is raised for any red flag.", s.CheckInOut),
           body=s.CheckInIn, conflict=True)
def add_checkin(patient_id: int) -> Response:
    """Store a check-in once: red flags are triaged at once, and an urgent or emergency answer pauses the exercises."""
    patient = patient_record(patient_id, write=True)
    sent = body(s.CheckInIn)
    data = CheckInData(
        uuid=sent.id, recorded_at=sent.recorded_at, red_flags=sent.red_flags.model_dump(), reading=reading_of(sent.reading),
        sensations=tuple(sent.sensations), worse_with=tuple(sent.worse_with),
        walk_minutes=sent.walk.minutes if sent.walk else None, walk_onset_minutes=sent.walk.onset_minutes if sent.walk else None,
    )
    try:
        recorded = record_checkin(patient, data)
    except EntryConflict as error:
        raise conflict(error) from None
    location = url_for("api.get_checkin", patient_id=patient.id, entry_id=sent.id)
    return reply(present.checkins([recorded.checkin])[0], 201 if recorded.created else 200, {"Location": location})


@operation(bp, "GET", PATIENT + "/walks", summary="List walks", tag="Entries", access="signed_in",
           ok=(200, "Walks, newest first (those logged with a check-in name it).", s.WalkPage), query=s.ListQuery)
def list_walks(patient_id: int) -> Response:
    """Every walk: minutes walked in one go and when leg symptoms came on."""
    patient = patient_record(patient_id)
    rows, cursor = keyset(Walk.select().where(Walk.patient == patient.id), Walk.recorded_at, Walk.id, list_query())
    return reply(s.WalkPage(items=present.walks(rows), next_cursor=cursor))


@operation(bp, "POST", PATIENT + "/walks", summary="Add a walk", tag="Entries", access="patient",
           ok=(200, "Sent before with the same body: the stored walk.", s.WalkOut),
           created=(201, "Stored.", s.WalkOut), body=s.WalkIn, conflict=True)
def add_walk(patient_id: int) -> Response:
    """Log a walk on its own (walking tolerance is the outcome that matters most)."""
    patient = patient_record(patient_id, write=True)
    sent = body(s.WalkIn)
    try:
        recorded = walks.record_walk(patient, walks.WalkData(sent.id, sent.recorded_at, sent.minutes, sent.onset_minutes))
    except EntryConflict as error:
        raise conflict(error) from None
    return reply(present.walks([recorded.walk])[0], 201 if recorded.created else 200)


@operation(bp, "GET", PATIENT + "/self-checks", summary="List nerve self-checks", tag="Entries", access="signed_in",
           ok=(200, "Self-checks, newest first.", s.SelfCheckPage), query=s.ListQuery)
def list_self_checks(patient_id: int) -> Response:
    """Heel walk, toe walk, big-toe lift and numb areas, with the triage of each change."""
    patient = patient_record(patient_id)
    query = SelfCheck.select().where(SelfCheck.patient == patient.id)
    rows, cursor = keyset(query, SelfCheck.recorded_at, SelfCheck.id, list_query())
    return reply(s.SelfCheckPage(items=present.self_checks(rows), next_cursor=cursor))


@operation(bp, "POST", PATIENT + "/self-checks", summary="Add a nerve self-check", tag="Entries", access="patient",
           ok=(200, "Sent before with the same body: the stored self-check.", s.SelfCheckOut),
           created=(201, "Stored, compared with the check before it, and triaged.", s.SelfCheckOut),
           body=s.SelfCheckIn, conflict=True)
def add_self_check(patient_id: int) -> Response:
    """Store a self-check; new or spreading weakness or numbness raises an alert at its level."""
    patient = patient_record(patient_id, write=True)
    sent = body(s.SelfCheckIn)
    data = selfchecks.SelfCheckData(
        uuid=sent.id, heel_walk=sent.heel_walk, toe_walk=sent.toe_walk, big_toe_lift=sent.big_toe_lift,
        numb_areas=frozenset(sent.numb_areas), recorded_at=sent.recorded_at,
    )
    try:
        recorded = selfchecks.record_self_check(patient, data)
    except EntryConflict as error:
        raise conflict(error) from None
    return reply(present.self_checks([recorded.check])[0], 201 if recorded.created else 200)


# Readings come from three places; the cursor orders them by (time, source, row id), newest first.
READING_SOURCES = (("checkin", 3), ("set_after", 2), ("set_before", 1))


def _after(time_field: Any, id_field: Any, rank: int, cursor: tuple[datetime, int, int] | None) -> Any:
    """Rows of one source that come after the cursor in (time, source rank, id) descending order."""
    if cursor is None:
        return True
    at, cursor_rank, cursor_id = cursor
    if rank < cursor_rank:
        return time_field <= at
    if rank > cursor_rank:
        return time_field < at
    return (time_field < at) | ((time_field == at) & (id_field < cursor_id))


def _reading_cursor(value: str | None) -> tuple[datetime, int, int] | None:
    """The readings cursor (400 if it is not one this API made)."""
    if value is None:
        return None
    parts = decode_cursor(value)
    try:
        at, rank, row_id = datetime.fromisoformat(parts[0]), int(parts[1]), int(parts[2])
    except (IndexError, TypeError, ValueError):
        raise bad_cursor() from None
    if len(parts) != 3 or at.tzinfo is not None or rank not in (1, 2, 3) or not 0 < row_id < 2**31:
        raise bad_cursor()
    return at, rank, row_id


@operation(bp, "GET", PATIENT + "/readings", summary="List symptom readings", tag="Entries", access="signed_in",
           ok=(200, "Readings from check-ins and from before and after each set, newest first.", s.ReadingPage),
           query=s.ListQuery)
def list_readings(patient_id: int) -> Response:
    """Every reading of where symptoms reach and how bad: the data behind centralization and the trend."""
    patient = patient_record(patient_id)
    args = list_query()
    cursor = _reading_cursor(args.cursor)
    n = args.limit + 1
    found: list[tuple[datetime, int, int, s.ReadingOut]] = []
    for row in CheckIn.select().where((CheckIn.patient == patient.id) & _after(CheckIn.recorded_at, CheckIn.id, 3, cursor)) \
            .order_by(CheckIn.recorded_at.desc(), CheckIn.id.desc()).limit(n):
        found.append((row.recorded_at, 3, row.id, s.ReadingOut(
            at=present.utc(row.recorded_at), source="checkin", entry_id=row.uuid, zone=Zone(row.zone), side=present.side_of(row.side),
            leg_pain=row.leg_pain, back_pain=row.back_pain)))
    after = ExerciseSet.select().where(
        (ExerciseSet.patient == patient.id) & ExerciseSet.after_zone.is_null(False)
        & _after(ExerciseSet.finished_at, ExerciseSet.id, 2, cursor)
    ).order_by(ExerciseSet.finished_at.desc(), ExerciseSet.id.desc()).limit(n)
    for done in after:
        if done.finished_at is None or done.after_zone is None or done.after_leg_pain is None or done.after_back_pain is None:
            continue  # not re-checked: the query leaves these out already
        found.append((done.finished_at, 2, done.id, s.ReadingOut(
            at=present.utc(done.finished_at), source="set_after", entry_id=done.uuid, zone=Zone(done.after_zone), side=None,
            leg_pain=done.after_leg_pain, back_pain=done.after_back_pain)))
    before = ExerciseSet.select().where(
        (ExerciseSet.patient == patient.id) & _after(ExerciseSet.started_at, ExerciseSet.id, 1, cursor)
    ).order_by(ExerciseSet.started_at.desc(), ExerciseSet.id.desc()).limit(n)
    for begun in before:
        found.append((begun.started_at, 1, begun.id, s.ReadingOut(
            at=present.utc(begun.started_at), source="set_before", entry_id=begun.uuid, zone=Zone(begun.before_zone), side=None,
            leg_pain=begun.before_leg_pain, back_pain=begun.before_back_pain)))
    found.sort(key=lambda item: item[:3], reverse=True)
    page, more = found[: args.limit], len(found) > args.limit
    next_cursor = encode_cursor([page[-1][0].isoformat(), page[-1][1], page[-1][2]]) if more else None
    return reply(s.ReadingPage(items=[item[3] for item in page], next_cursor=next_cursor))

