"""Statements (selfcare/statements.py) answer what their peewee queries answer, on both databases.

Every statement in selfcare is found by walking its modules, and run against the demo clinic with values taken from
it, for each patient and therapist; its rows must equal the plain peewee query's `.tuples()`, value for value and
type for type. A statement whose arguments this file cannot fill fails the test until a value is added below.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import timedelta
from typing import Any

import pytest
from peewee import Select, Value, fn

import selfcare
from selfcare.db import db
from selfcare.models import Alert, AuditEvent, CheckIn, ExerciseSet, LoginSession, Notice, PlayerState, Role, User, utcnow
from selfcare.services.caseload import build_caseload
from selfcare.services.care import record_access
from selfcare.services.login_sessions import begin, user_for
from selfcare.statements import Statement, as_model, converter
from tests.factories import make_patient, make_therapist


def every_statement(writes: bool = False) -> dict[str, Statement]:
    """Each Statement kept in a module of selfcare that reads (or, with `writes`, that writes), by module and name."""
    found = {}
    for info in pkgutil.walk_packages(selfcare.__path__, "selfcare."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Statement) and value not in found.values():
                reads = isinstance(value.build(**{arg: None for arg in value.names}), Select)
                if reads != writes:
                    found[f"{module.__name__}.{name}"] = value
    return found


def test_the_app_has_statements_to_check() -> None:
    names = set(every_statement())
    assert {"selfcare.services.login_sessions.SESSION", "selfcare.http_cache.PATIENT"} <= names
    assert set(every_statement(writes=True)) == {"selfcare.services.care.RECORD_ACCESS"}  # each has its own test below


def test_a_look_is_stored_as_peewee_would_store_it(app: Any) -> None:
    with app.app_context():
        db.connect(reuse_if_open=True)
        therapist, patient = make_therapist(name="Dana Physio"), make_patient()
        moment = utcnow().replace(microsecond=123456)
        record_access(therapist, patient, "viewed_record", now=moment)
        record_access(therapist, patient, "exported_csv", now=moment)
        AuditEvent.create(actor=therapist, actor_name="Dana Physio", patient=patient, action="exported_csv", created_at=moment)
        rows = [(e.actor_id, e.actor_name, e.patient_id, e.action, e.created_at)
                for e in AuditEvent.select().order_by(AuditEvent.id)]
        assert rows == [(therapist.id, "Dana Physio", patient.id, "viewed_record", moment)] + \
            [(therapist.id, "Dana Physio", patient.id, "exported_csv", moment)] * 2
        assert not db.in_transaction()  # committed on its own


def values_for(statement: Statement, patient: User, therapist: User, key_hash: str) -> list[dict[str, Any]]:
    """The values to run `statement` with: several moments, since rows change with the clock."""
    now = utcnow()
    known = {"patient_id": patient.id, "patient": patient.id, "therapist": therapist.id, "key_hash": key_hash,
             # a period of the demo's history: its days, and its stored (naive UTC) bounds and trend windows
             "first": (now - timedelta(days=30)).date(), "last": now.date(),
             "oldest": now - timedelta(days=30), "start": now - timedelta(days=30), "end": now + timedelta(days=1),
             "earlier_end": now - timedelta(days=20), "recent_start": now - timedelta(days=7),
             "since": now - timedelta(days=60), "source": "checkin", "level": "urgent",
             # a place in the timeline (services/timeline.py): before it, ids below `below` at its moment, a page's rows
             "at": now - timedelta(days=2), "below": 10, "rows": 21,
             "set_id": 10}  # a place in History's list of sets (services/history_sets.py): at `at`, ids below this
    missing = [name for name in statement.names if name not in known and name != "now"]
    assert not missing, f"add example values for {missing} to tests/test_statements.py"
    moments = [now, now - timedelta(days=3), now + timedelta(days=40)] if "now" in statement.names else [now]
    return [{name: (moment if name == "now" else known[name]) for name in statement.names} for moment in moments]


def test_each_statement_reads_what_its_query_reads(app: Any, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        db.connect(reuse_if_open=True)
        therapists = list(User.select().where(User.role == Role.THERAPIST.value))
        patients = list(User.select().where(User.role == Role.PATIENT.value))
        for therapist in therapists:  # stored caseload rows and a notice, so the caseload's statements read some
            build_caseload(therapist)
            Notice.create(therapist=therapist, text="A patient left selfcare.")
        key = begin(patients[0])
        checked = 0
        for name, statement in every_statement().items():
            for patient in patients:
                for therapist in therapists:
                    for values in values_for(statement, patient, therapist, LoginSession.get().key_hash):
                        expected = list(statement.query(**values).tuples())
                        got = statement.rows(**values)
                        assert got == expected, (name, values)
                        assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in expected]
                        checked += bool(got)
        assert checked  # rows were compared, not only empty answers
        assert user_for(patients[0].id, key) is not None


def test_the_login_session_reads_back_the_user_and_profile_peewee_would(app: Any, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        db.connect(reuse_if_open=True)
        for user in User.select():
            key = begin(user)
            signed_in = user_for(user.id, key)
            assert signed_in is not None
            assert signed_in.__data__ == User.get_by_id(user.id).__data__
            profile = user.profiles.first() if hasattr(user, "profiles") else None
            if signed_in.joined_profile is None:
                assert profile is None
            else:
                assert signed_in.joined_profile.__data__ == type(signed_in.joined_profile).get_by_id(
                    signed_in.joined_profile.id).__data__
            unread = Alert.select().where((Alert.patient == user) & Alert.confirmed_at.is_null()).count()
            assert signed_in.unconfirmed_alerts == unread
            assert user_for(user.id + 1000, key) is None  # someone else's id with this key


@pytest.mark.parametrize("model", [User, Alert, CheckIn, ExerciseSet, PlayerState])
def test_a_model_built_from_a_row_holds_what_peewee_reads(app: Any, runner: Any, model: Any) -> None:
    """A model built from a statement's row (statements.as_model) holds the values peewee's own select gives it."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    fields = tuple(model._meta.sorted_fields)
    every = Statement(lambda first: model.select(*fields).where(model.id >= first).order_by(model.id))
    with app.app_context():
        db.connect(reuse_if_open=True)
        built = [as_model(model, fields, row).__data__ for row in every.rows(first=0)]
        assert built and built == [row.__data__ for row in model.select().order_by(model.id)]


def test_a_statement_takes_exactly_its_builder_arguments(app: Any) -> None:
    statement = Statement(lambda patient: User.select(User.id).where(User.id == patient))
    with app.app_context():
        with pytest.raises(TypeError):
            statement.rows()
        with pytest.raises(TypeError):
            statement.rows(patient=1, other=2)
        assert statement.rows(patient=123456) == []


def test_a_builder_that_does_not_place_an_argument_is_refused(app: Any) -> None:
    # The argument is used inside an expression that peewee turns into something else: it would be lost.
    statement = Statement(lambda patient: User.select(User.id).where(User.id == 1))
    with app.app_context(), pytest.raises(TypeError, match="patient"):
        statement.rows(patient=1)


@pytest.mark.parametrize("node, reads", [
    (User.created_at, "field"),
    (User.created_at.alias("joined"), "field"),
    (fn.MAX(User.created_at), "field"),
    (fn.MIN(User.created_at).alias("first"), "field"),
    (fn.COUNT(User.id), None),
    (fn.SUM(User.totp_failures), None),
    (Value(3), None),
])
def test_columns_are_read_by_their_field(node: Any, reads: str | None) -> None:
    convert = converter(node)
    assert (convert is not None) == (reads == "field")
