"""Prepared queries (selfcare/prepared.py) give what the same peewee query gives, with new values each run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from peewee import fn

from selfcare.db import db
from selfcare.models import CareLink, User, utcnow
from selfcare.prepared import prepared
from tests.factories import make_patient, make_therapist

LINKED = prepared(
    lambda patient: User.select(User, CareLink).join(CareLink, on=(CareLink.therapist == User.id), attr="link")
    .where((CareLink.patient == patient) & CareLink.ended_at.is_null()).order_by(User.name, User.id)
)
CREATED_SINCE = prepared(lambda since, role: User.select(fn.COUNT(User.id)).where((User.created_at >= since) & (User.role == role)))


def peewee_linked(patient: User) -> list[User]:
    """The same query, built and run by peewee each time."""
    return list(
        User.select(User, CareLink).join(CareLink, on=(CareLink.therapist == User.id), attr="link")
        .where((CareLink.patient == patient.id) & CareLink.ended_at.is_null()).order_by(User.name, User.id)
    )


def test_same_rows_as_peewee_for_each_value(app: Flask) -> None:
    """Models with their joined rows, for each patient in turn; none when there are none."""
    with app.app_context(), db.connection_context():
        patients = [make_patient() for _ in range(3)]
        therapists = [make_therapist(name=name) for name in ("Zoe", "Ann")]
        for t in therapists:
            CareLink.create(patient=patients[0], therapist=t, created_at=utcnow())
        CareLink.create(patient=patients[1], therapist=therapists[0], created_at=utcnow())
        for patient in patients:
            ours, theirs = LINKED.all(patient=patient.id), peewee_linked(patient)
            assert [(u.id, u.name, u.link.patient_id) for u in ours] == [(u.id, u.name, u.link.patient_id) for u in theirs]
            assert [u.__data__ for u in ours] == [u.__data__ for u in theirs]
        assert [u.name for u in LINKED.all(patient=patients[0].id)] == ["Ann", "Zoe"]
        assert LINKED.first(patient=patients[2].id) is None


def test_scalar_with_times(app: Flask) -> None:
    """Times as slot values compare as peewee's own do."""
    with app.app_context(), db.connection_context():
        now = utcnow()
        old, new, therapist = make_patient(), make_patient(), make_therapist()
        User.update(created_at=now - timedelta(days=3)).where(User.id == old.id).execute()
        User.update(created_at=now).where(User.id.in_([new.id, therapist.id])).execute()
        assert CREATED_SINCE.scalar(since=now - timedelta(days=1), role="patient") == 1
        assert CREATED_SINCE.scalar(since=now - timedelta(days=5), role="patient") == 2
        assert CREATED_SINCE.scalar(since=now + timedelta(days=1), role="therapist") == 0


def test_values_must_match_the_builder(app: Flask) -> None:
    """A missing or unknown value is an error, not a silent NULL."""
    with app.app_context(), db.connection_context():
        with pytest.raises(TypeError):
            LINKED.all()
        with pytest.raises(TypeError):
            LINKED.all(patient=1, other=2)


def test_insert_stores_what_create_stores(app: Flask) -> None:
    """A prepared insert writes the row Model.create writes (JSON, times, foreign keys, ids) and returns its id."""
    import uuid

    from selfcare.models import CheckIn
    from selfcare.prepared import PreparedInsert

    insert = PreparedInsert(CheckIn)
    with app.app_context(), db.connection_context():
        patient, now = make_patient(), utcnow()
        values = {"patient": patient, "recorded_at": now - timedelta(hours=1), "received_at": now,
                  "red_flags": {"saddle_numbness": False, "numbness_spreading": True}, "level": "contact_pt",
                  "reasons": ["numbness_spreading"], "zone": "calf", "side": None, "leg_pain": 6, "back_pain": 0,
                  "sensations": ["pain", "tingling"], "worse_with": []}
        made = CheckIn.create(uuid=uuid.uuid4(), **values)
        ours = insert.create(uuid=uuid.uuid4(), **values)
        assert ours.id == CheckIn.select(fn.MAX(CheckIn.id)).scalar() and ours.id != made.id
        stored = {row.id: {k: v for k, v in row.__data__.items() if k not in ("id", "uuid")} for row in CheckIn.select()}
        assert stored[ours.id] == stored[made.id]
        assert not ours.is_dirty()
        with pytest.raises(TypeError):
            insert.run(**values)  # no uuid: every column must be given


def test_later_runs_read_rows_as_the_first_did(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The column-to-field work of the first run that read a row is reused: converted values (JSON, times),
    joined models, dicts and tuples come back as peewee gives them, run after run, and none is worked out again."""
    import peewee

    from selfcare.models import Alert

    alerts_of = prepared(lambda patient: Alert.select().where(Alert.patient == patient).order_by(Alert.id))
    as_dicts = prepared(lambda patient: Alert.select(Alert.id, Alert.reasons, Alert.created_at).where(Alert.patient == patient)
                        .order_by(Alert.id).dicts())
    as_tuples = prepared(lambda patient: Alert.select(Alert.id, Alert.level).where(Alert.patient == patient).order_by(Alert.id).tuples())
    with app.app_context(), db.connection_context():
        empty, first, second = make_patient(), make_patient(), make_patient()
        for patient, reasons in ((first, ["saddle_numbness"]), (second, ["fever", "falls"]), (second, [])):
            Alert.create(patient=patient, level="emergency", reasons=reasons, source="checkin", created_at=utcnow())
        assert alerts_of.all(patient=empty.id) == []  # no row read: nothing to keep yet
        for query in (alerts_of, as_dicts, as_tuples):
            query.all(patient=first.id)
        resolved = []
        real = peewee._resolve_model_columns
        monkeypatch.setattr(peewee, "_resolve_model_columns", lambda *a: resolved.append(a) or real(*a))
        for patient in (second, first, empty):
            theirs = list(Alert.select().where(Alert.patient == patient.id).order_by(Alert.id))
            resolved.clear()
            ours = alerts_of.all(patient=patient.id)
            assert resolved == []
            assert [a.__data__ for a in ours] == [a.__data__ for a in theirs]
            assert [a.reasons for a in ours] == [a.reasons for a in theirs]
            assert as_dicts.all(patient=patient.id) == [{"id": a.id, "reasons": a.reasons, "created_at": a.created_at} for a in theirs]
            assert as_tuples.all(patient=patient.id) == [(a.id, a.level) for a in theirs]
