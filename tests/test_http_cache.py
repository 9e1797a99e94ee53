"""Pages answer a repeat view with 304 and no body while what they show is unchanged; any change makes a 200 with a
new ETag (selfcare/http_cache.py)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from selfcare import accounts, http_cache
from selfcare.demo import generate_history
from selfcare.models import (
    Alert, AssessedSign, AuditEvent, CareLink, ExerciseSet, PatientStamp, PlanChange, PlanSetting, RedFlagScreen, SchemaVersion,
    SessionEvent, TherapistNote, User, Walk, utcnow,
)
from tests.conftest import client_for
from tests.factories import make_profile, make_therapist, make_user
from tests.patient_helpers import check_in, start_set
from tests.query_counter import count_queries

PATIENT_PAGES = ["/today", "/checkin", "/exercises", "/history", "/history?days=365"]
THERAPIST_PAGES = ["/therapist/patients", "/therapist/patients/{pid}", "/therapist/patients/{pid}?days=7"]
# Tables only a page's own data queries read: a 304 must touch none of them.
DATA_TABLES = ["check_in", "walk", "exercise_set", "self_check", "daily_summary", "therapist_note", "plan_change",
               "caseload_row", "session_event", "red_flag_screen"]


class World:
    """A therapist and a linked patient with a few days of history, each signed in with their own client."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context():
            self.therapist = make_therapist(email="pt@example.com", name="Dana Physio")
            self.patient = make_user(email="pat@example.com", name="Robin Patient")
            make_profile(self.patient)
            accounts.link(self.therapist, self.patient)
            generate_history(self.patient, "centralizing", 5, datetime.now(timezone.utc), random.Random(20), self.therapist)
            Alert.update(confirmed_at=utcnow()).where(Alert.confirmed_at.is_null()).execute()  # no emergency takes over
            Alert.update(acknowledged_at=utcnow()).where(Alert.acknowledged_at.is_null()).execute()
        self.patient_client = client_for(app, "pat@example.com")
        self.therapist_client = client_for(app, "pt@example.com")

    def client(self, path: str) -> FlaskClient:
        """Whose page it is."""
        return self.therapist_client if path.startswith("/therapist") else self.patient_client

    def path(self, page: str) -> str:
        """The page's address for this world's patient."""
        return page.format(pid=self.patient.id)

    def tag(self, page: str) -> str:
        """The page's ETag now (a 200)."""
        response = self.client(page).get(self.path(page))
        assert response.status_code == 200, (page, response.status_code)
        return response.headers["ETag"]

    def again(self, page: str, tag: str, client: FlaskClient | None = None) -> Any:
        """A repeat view of the page holding `tag`."""
        return (client or self.client(page)).get(self.path(page), headers={"If-None-Match": tag})

    def write(self, change: Callable[[World], object]) -> None:
        """Change something, as any write path would."""
        with self.app.app_context():
            change(self)


@pytest.fixture
def world(app: Flask) -> World:
    """The world of these tests."""
    return World(app)


@pytest.mark.parametrize("page", PATIENT_PAGES + THERAPIST_PAGES)
def test_a_repeat_view_is_a_304_without_the_pages_data_queries(world, page):
    """The page is tagged weakly and private; its repeat is a 304 with no body and reads no data tables."""
    first = world.client(page).get(world.path(page), headers={"Accept-Encoding": "gzip"})
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('W/"')
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert first.headers.get("Content-Encoding") == "gzip"  # compressed, with the same tag
    with count_queries() as queries:
        repeat = world.again(page, tag)
    assert repeat.status_code == 304 and repeat.data == b""
    assert repeat.headers["ETag"] == tag and repeat.headers["Cache-Control"] == "private, no-cache"
    read = [sql for sql in queries.statements if any(f'"{table}"' in sql for table in DATA_TABLES)]
    assert not read, queries.report()


def test_a_caseloads_repeat_view_is_one_statement_and_a_patients_page_two(world):
    """The caseload's aggregates come with the login session (the statement every request runs): the caseload's
    304 is that one statement, a linked patient's page adds the patient's stamps."""
    for page, statements in (("/therapist/patients", 1), ("/therapist/patients/{pid}", 2)):
        tag = world.tag(page)
        with count_queries() as queries:
            assert world.again(page, tag).status_code == 304
        assert queries.count == statements, queries.report()


def _checkin(world: World) -> None:
    assert check_in(world.patient_client).status_code == 303


def _walk(world: World) -> None:
    Walk.create(uuid=uuid.uuid4(), patient=world.patient.id, recorded_at=utcnow(), minutes=15, onset_minutes=None)


def _set(world: World) -> None:
    ExerciseSet.create(uuid=uuid.uuid4(), patient=world.patient.id, started_at=utcnow(), before_zone="calf", before_leg_pain=5,
                       before_back_pain=3)


def _alert(world: World) -> None:
    Alert.create(patient=world.patient.id, level="contact_pt", reasons=["numbness_spreading"], source="self_check",
                 confirmed_at=utcnow())


def _acknowledge(world: World) -> None:
    Alert.update(acknowledged_at=utcnow(), acknowledged_by=world.therapist.id).where(Alert.acknowledged_at.is_null()).execute()


def _note(world: World) -> None:
    TherapistNote.create(patient=world.patient.id, therapist=world.therapist.id, text="Walk a little further.")


def _plan(world: World) -> None:
    PlanChange.create(patient=world.patient.id, therapist=world.therapist.id, changes={}, paused=True)
    PlanSetting.insert(patient=world.patient.id, paused=True, updated_by=world.therapist.id).on_conflict(
        conflict_target=[PlanSetting.patient], update={PlanSetting.paused: True}).execute()


def _assessed(world: World) -> None:
    AssessedSign.create(patient=world.patient.id, therapist=world.therapist.id, flag_id="saddle_numbness",
                        assessed_at=utcnow(), until=utcnow() + timedelta(days=7))


def _screen(world: World) -> None:
    RedFlagScreen.create(patient=world.patient.id, answered_at=utcnow(), source="checkin", kind="full", answers={},
                         level="none", reasons=[])


def _event(world: World) -> None:
    SessionEvent.create(uuid=uuid.uuid4(), patient=world.patient.id, kind="step_done", body={}, occurred_at=utcnow())


def _name(world: World) -> None:
    User.update(name="Robin P. Patient").where(User.id == world.patient.id).execute()


def _therapist_name(world: World) -> None:
    User.update(name="Dana Lee").where(User.id == world.therapist.id).execute()  # the patient's care team shows it


CHANGES = {"check-in": _checkin, "walk": _walk, "set": _set, "alert raised": _alert, "alert acknowledged": _acknowledge,
           "note": _note, "plan": _plan, "assessed sign": _assessed, "red-flag screen": _screen, "player event": _event, "patient's name": _name,
           "therapist's name": _therapist_name}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_makes_every_page_new(world, change):
    """After any write to what the pages show, each answers 200 with a new tag to its old tag."""
    pages = PATIENT_PAGES + THERAPIST_PAGES
    if change == "alert acknowledged":
        world.write(_alert)  # one open alert to acknowledge
    before = {page: world.tag(page) for page in pages}
    world.write(CHANGES[change])
    for page in pages:
        response = world.again(page, before[page])
        assert response.status_code == 200, (change, page)
        assert response.headers.get("ETag") != before[page], (change, page)  # none with the check-in's "thank you"


def _next_day(world: World, monkeypatch: Any) -> None:
    """The clock moves to the patient's next local day."""
    monkeypatch.setattr(http_cache, "_now", lambda: utcnow() + timedelta(days=1))


def _new_release(world: World, monkeypatch: Any) -> None:
    """A new release is deployed."""
    world.app.extensions[http_cache.KEY] = "a new release"


@pytest.mark.parametrize("move", [_next_day, _new_release])
def test_the_next_day_and_a_new_release_make_every_page_new(world, monkeypatch, move):
    """Nothing written, but the day or the code changed: 200 with a new tag."""
    pages = PATIENT_PAGES + THERAPIST_PAGES
    before = {page: world.tag(page) for page in pages}
    move(world, monkeypatch)
    for page in pages:
        response = world.again(page, before[page])
        assert response.status_code == 200 and response.headers["ETag"] != before[page], page


@pytest.mark.parametrize("page, other", [("/history", "/history?days=7"), ("/history?days=7", "/history?days=365"),
                                         ("/therapist/patients/{pid}", "/therapist/patients/{pid}?days=90"),
                                         ("/therapist/patients", "/therapist/patients?filter=alerts")])
def test_another_range_or_filter_is_another_page(world, page, other):
    """A tag from one range is no use for another."""
    response = world.again(other, world.tag(page))
    assert response.status_code == 200 and response.headers["ETag"] != world.tag(page)


@pytest.mark.parametrize("page", PATIENT_PAGES + THERAPIST_PAGES)
def test_another_session_or_user_gets_its_own_page(world, page):
    """The page writes the account and the session's CSRF token: another login, even of the same account, gets a 200."""
    tag = world.tag(page)
    email = "pt@example.com" if page.startswith("/therapist") else "pat@example.com"
    same_account_elsewhere = client_for(world.app, email)
    assert world.again(page, tag, same_account_elsewhere).status_code == 200


def test_a_page_with_a_flashed_message_is_never_a_304(world):
    """A message waiting to be shown makes the page a 200 without a tag (the message shows once)."""
    tag = world.tag("/today")
    with world.patient_client.session_transaction() as session:
        session["_flashes"] = [("success", "Thank you. Your check-in is saved.")]
    response = world.again("/today", tag)
    assert response.status_code == 200 and "ETag" not in response.headers
    assert "Your check-in is saved" in response.get_data(as_text=True)
    assert world.again("/today", tag).status_code == 304  # shown once; then the same page as before


def test_a_therapist_without_a_link_gets_404_even_with_the_right_tag(world):
    """Another therapist, or the same one after the link ended, is never told the page is unchanged."""
    page = "/therapist/patients/{pid}"
    tag = world.tag(page)
    with world.app.app_context():
        make_therapist(email="other@example.com")
    assert world.again(page, tag, client_for(world.app, "other@example.com")).status_code == 404
    world.write(lambda w: CareLink.update(ended_at=utcnow()).where(CareLink.patient == w.patient.id).execute())
    assert world.again(page, tag).status_code == 404


def test_a_304_of_a_patients_record_writes_nothing_and_the_next_quarter_hour_is_a_new_look(world, monkeypatch):
    """A look is kept with every page of the record sent. The tag holds the quarter hour, so a 304 only ever answers a
    copy sent (and kept as a look) in the same quarter hour: it writes nothing. The next quarter hour is a page again,
    and a look again."""
    page = "/therapist/patients/{pid}"
    tag = world.tag(page)

    def looks() -> int:
        with world.app.app_context():
            return AuditEvent.select().where((AuditEvent.patient == world.patient.id)
                                             & (AuditEvent.action == "viewed_record")).count()

    before = looks()
    assert world.again(page, tag).status_code == 304
    assert looks() == before
    monkeypatch.setattr(http_cache, "_now", lambda: utcnow() + timedelta(minutes=15))
    assert world.again(page, tag).status_code == 200
    assert looks() == before + 1


def test_the_player_is_not_tagged_while_a_timer_runs(world):
    """A running timer is drawn against the server's clock at render time: never a copy from before."""
    assert start_set(world.patient_client).status_code == 303
    response = world.patient_client.get("/exercises")
    assert response.status_code == 200 and "data-deadline" in response.get_data(as_text=True)
    assert "ETag" not in response.headers


def test_a_version_14_database_gets_the_shown_counter_and_its_triggers(app):
    """Schema 15 on an older database: the column and the triggers arrive, and a write bumps the counter."""
    from selfcare.db import db, is_postgresql
    from selfcare.schema import LATEST, create_schema
    from selfcare.stamps import SHOWN, shown_trigger_names

    with app.app_context():
        for name in shown_trigger_names():
            table = "user" if name == "shown_user_update" else next(
                m._meta.table_name for m in SHOWN if name.startswith(f"shown_{m._meta.table_name}_"))
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"' + (f' ON "{table}"' if is_postgresql() else ""))
        db.execute_sql('ALTER TABLE "patient_stamp" DROP COLUMN "shown"')
        SchemaVersion.delete().where(SchemaVersion.version >= 15).execute()
        assert create_schema() == LATEST
        patient = make_user(email="old@example.com")
        TherapistNote.create(patient=patient.id, therapist=make_therapist(email="pt2@example.com").id, text="Hello.")
        assert PatientStamp.get(PatientStamp.patient_id == patient.id).shown == 1
