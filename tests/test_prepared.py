"""What is left of selfcare/prepared.py (until History and the caseload stop using it): a builder run with new values
each time gives what the same peewee query gives."""

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
            assert [(u.email, u.role, u.created_at) for u in ours] == [(u.email, u.role, u.created_at) for u in theirs]
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


def test_cursor_gives_the_raw_rows(app: Flask) -> None:
    """The cursor's rows are the columns the query selects, in order."""
    with app.app_context(), db.connection_context():
        patient, therapist = make_patient(), make_therapist(name="Ann")
        CareLink.create(patient=patient, therapist=therapist, created_at=utcnow())
        query, cursor = LINKED.cursor(patient=patient.id)
        rows = cursor.fetchall()
        assert len(rows) == 1 and therapist.id in rows[0] and "Ann" in rows[0]
        assert query.model is User
