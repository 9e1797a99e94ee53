"""My data: the page, JSON and CSV downloads of everything, and deleting the account for good."""

from __future__ import annotations

import csv
import io
import json
import logging
import uuid
import zipfile
from datetime import datetime, timedelta

import pytest
from peewee import ForeignKeyField

from selfcare import accounts
from selfcare.models import (
    MODELS,
    Alert,
    ApiToken,
    AssessedSign,
    AuditEvent,
    CalendarFeed,
    CareLink,
    CheckIn,
    ExerciseSet,
    Invite,
    Notice,
    PlanChange,
    PlanSetting,
    PlayerState,
    RedFlagScreen,
    SelfCheck,
    SessionEvent,
    TherapistNote,
    User,
    Walk,
)
from selfcare.services import export
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_onboarded_patient, make_therapist

NOW = datetime(2026, 11, 3, 10, 0)
TABLES = (
    "profile", "checkins", "walks", "exercise_sets", "self_checks", "alerts", "red_flag_screens", "assessed_signs",
    "plan_settings", "player_state", "plan_changes", "therapist_notes", "record_views", "exercise_events", "api_tokens",
    "calendar_links",
)


def fill(patient: User, therapist: User, rows: int = 1) -> None:
    """Give a patient `rows` rows in every table that holds patient data (and a care link and used invite)."""
    accounts.link(therapist, patient)
    Invite.create(therapist=therapist, code_hash=f"{patient.id:064x}", expires_at=NOW, used_by=patient, used_at=NOW)
    last_set = None
    for n in range(rows):
        at = NOW + timedelta(hours=n)
        checkin = CheckIn.create(
            patient=patient, recorded_at=at, red_flags={"fever": n == 0}, level="urgent" if n == 0 else "none",
            reasons=["fever"] if n == 0 else [], zone="calf", side="left", leg_pain=5, back_pain=3,
            sensations=["pain"], worse_with=["sitting"],
        )
        Walk.create(patient=patient, checkin=checkin, recorded_at=at, minutes=12, onset_minutes=7)
        RedFlagScreen.create(patient=patient, answered_at=at, source="checkin", kind="full", answers={"fever": n == 0},
                             level="urgent" if n == 0 else "none", reasons=["fever"] if n == 0 else [])
        AssessedSign.create(patient=patient, therapist=therapist, flag_id="weight_loss", assessed_at=at,
                            until=at + timedelta(days=30))
        SessionEvent.create(uuid=uuid.uuid4(), patient=patient, kind="quit", body={"kind": "quit"}, occurred_at=at)
        ApiToken.create(user=patient, name=f"App {n}", token_hash=f"{patient.id:032d}{n:032d}", hint="sc_abcde")
        last_set = ExerciseSet.create(patient=patient, started_at=at, before_zone="calf", before_leg_pain=5, before_back_pain=3)
        SelfCheck.create(patient=patient, recorded_at=at, heel_walk="normal", toe_walk="weak", big_toe_lift="normal", numb_areas=["sole"])
        Alert.create(
            patient=patient, level="urgent", reasons=["fever"], source="checkin", checkin=checkin, created_at=at,
            acknowledged_by=therapist, acknowledged_at=at, acknowledgement="=HYPERLINK(\"http://evil\")",
        )
    PlanSetting.create(patient=patient, changes={"press_ups.reps": 8}, paused=False, updated_by=therapist)
    PlayerState.create(patient=patient, state={"phase": "ready"}, current_set=last_set)
    CalendarFeed.create(patient=patient, token_hash=f"{patient.id:064d}", last_used_at=NOW)
    for n in range(rows):
        at = NOW + timedelta(hours=n)
        PlanChange.create(patient=patient, therapist=therapist, changes={"press_ups.reps": 8}, created_at=at)
        TherapistNote.create(patient=patient, therapist=therapist, text="Doing well", created_at=at)
        AuditEvent.create(actor=therapist, actor_name=therapist.name, patient=patient, action="viewed_record", created_at=at)


def rows_of(user_id: int) -> dict[str, int]:
    """How many rows in each table point at this user through any foreign key (plus the user row)."""
    counts = {"user": User.select().where(User.id == user_id).count()}
    for model in MODELS:
        for field in model._meta.fields.values():
            if isinstance(field, ForeignKeyField) and field.rel_model is User:
                counts[f"{model.__name__}.{field.name}"] = model.select().where(field == user_id).count()
    return counts


def table_sizes() -> dict[str, int]:
    """Rows in every table."""
    return {model.__name__: model.select().count() for model in MODELS}


def login_patient(auth, email: str = "pat@example.com", **overrides):
    """An onboarded patient, logged in through the real form."""
    patient = make_onboarded_patient(email=email, **overrides)
    assert auth.login(email).status_code == 303
    return patient


def delete(client, password: str | None):
    """Send the delete form with the page's own token."""
    token = csrf_from(client.get("/my-data").get_data(as_text=True))
    body = {"csrf_token": token} if password is None else {"csrf_token": token, "password": password}
    return client.post("/my-data/delete", data=body)


# --- Export service ---

def test_export_holds_every_row_of_the_patient_and_nothing_of_anyone_else(app):
    therapist = make_therapist(name="Dana")
    patient, other = make_onboarded_patient(name="Robin"), make_onboarded_patient(name="Sam", email="sam@example.com")
    fill(patient, therapist, rows=2)
    fill(other, therapist, rows=3)
    document = export.collect(patient)
    text = export.to_json(document)
    assert document["account"]["email"] == patient.email and document["account"]["name"] == "Robin"
    assert "password" not in text and patient.password_hash not in text
    assert all("token_hash" not in row for t in ("api_tokens", "calendar_links") for row in document[t])
    assert f"{patient.id:064d}" not in text
    assert [len(document[t]) for t in TABLES] == [1, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2, 2, 2, 2, 2, 1]
    assert document["care_links"] == [
        {"id": 1, "therapist_id": therapist.id, "created_at": document["care_links"][0]["created_at"], "ended_at": None, "therapist_name": "Dana"}
    ]
    mine = {str(c.uuid) for c in CheckIn.select().where(CheckIn.patient == patient.id)}
    theirs = {str(c.uuid) for c in CheckIn.select().where(CheckIn.patient == other.id)}
    assert {c["uuid"] for c in document["checkins"]} == mine
    assert not any(u in text for u in theirs)
    assert "sam@example.com" not in text and "Sam" not in text
    assert document["checkins"][0]["recorded_at"] == "2026-11-03T10:00:00+00:00"
    assert document["checkins"][0]["red_flags"] == {"fever": True}
    assert document["profile"][0]["symptoms_started"] == "2026-10-01"
    assert document["alerts"][0]["checkin_id"] == document["checkins"][0]["id"]
    assert all("patient_id" not in row for t in TABLES for row in document[t])


def test_export_takes_one_query_per_table_however_many_rows(app, caplog):
    therapist = make_therapist()
    few, many = make_onboarded_patient(), make_onboarded_patient()
    fill(few, therapist, rows=1)
    fill(many, therapist, rows=6)

    def queries(patient: User) -> int:
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="peewee"):
            export.collect(patient)
        return len([r for r in caplog.records if r.name == "peewee"])

    assert queries(few) == queries(many) == 2 + len(TABLES)  # account, care links, one per table


def test_csv_zip_has_one_parseable_csv_per_table(app):
    patient = make_onboarded_patient()
    fill(patient, make_therapist(), rows=2)
    archive = zipfile.ZipFile(io.BytesIO(export.to_csv_zip(export.collect(patient))))
    names = set(archive.namelist())
    assert names == {"account.csv", "care_links.csv", "README.txt", *(f"{t}.csv" for t in TABLES)}
    assert "token_hash" not in archive.read("api_tokens.csv").decode()  # a credential never leaves in a download
    assert "token_hash" not in archive.read("calendar_links.csv").decode()
    tables = {n[:-4]: list(csv.DictReader(io.StringIO(archive.read(n).decode()))) for n in names if n.endswith(".csv")}
    assert tables["account"][0]["email"] == patient.email and "password_hash" not in tables["account"][0]
    assert len(tables["checkins"]) == 2 and json.loads(tables["checkins"][0]["red_flags"]) == {"fever": True}
    assert tables["walks"][0]["minutes"] == "12"
    # A therapist's text that a spreadsheet would run as a formula is made inert.
    assert tables["alerts"][0]["acknowledgement"] == "'=HYPERLINK(\"http://evil\")"


# --- Delete service ---

def test_delete_removes_every_row_of_the_patient_and_tells_linked_therapists(app):
    dana, lee, former = make_therapist(name="Dana", timezone="Europe/London"), make_therapist(name="Lee"), make_therapist(name="Former")
    patient, other = make_onboarded_patient(name="Robin"), make_onboarded_patient(name="Sam")
    fill(patient, dana, rows=3)
    accounts.link(lee, patient)
    CareLink.create(therapist=former, patient=patient, ended_at=NOW)
    fill(other, dana, rows=2)
    other_before = rows_of(other.id)
    with app.app_context():
        deleted = export.delete_account(patient, NOW)
    assert sorted(deleted.notified) == ["Dana", "Lee"]
    assert set(rows_of(patient.id).values()) == {0}
    assert rows_of(other.id) == other_before
    notices = {n.therapist_id: n.text for n in Notice.select()}
    assert notices == {
        dana.id: "Robin left selfcare on 3 November 2026 and deleted their data.",
        lee.id: "Robin left selfcare on 3 November 2026 and deleted their data.",
    }
    assert Invite.select().count() == 2  # the therapist's invite stays, no longer naming who used it
    assert Invite.get(Invite.code_hash == f"{patient.id:064x}").used_by_id is None


@pytest.mark.parametrize(("password", "ok"), [(PASSWORD, True), ("wrong", False), ("", False), ("x" * 5000, False)])
def test_password_matches(app, password, ok):
    assert export.password_matches(make_onboarded_patient(), password) is ok


# --- Web ---

def test_my_data_page_says_what_is_kept_and_who_sees_it(client, auth):
    patient = login_patient(auth)
    accounts.link(make_therapist(name="Dana"), patient)
    ended = make_therapist(name="Former")
    CareLink.create(therapist=ended, patient=patient, ended_at=NOW)
    html = client.get("/my-data").get_data(as_text=True)
    assert "What selfcare keeps" in html and "Dana, physiotherapist" in html and "Former" not in html  # a UK patient's word
    assert 'href="/my-data.json"' in html and 'href="/my-data.csv"' in html
    assert "This cannot be undone." in html
    assert '<form method="post" action="/my-data/delete"' in html and 'type="password"' in html


def test_json_download(client, auth):
    patient = login_patient(auth)
    other = make_onboarded_patient(email="sam@example.com")
    fill(patient, make_therapist(), rows=1)
    fill(other, make_therapist(), rows=1)
    response = client.get("/my-data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="selfcare-my-data.json"'
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert document["account"]["id"] == patient.id and "password_hash" not in document["account"]
    assert datetime.fromisoformat(document["account"]["created_at"]).tzinfo is not None
    assert "sam@example.com" not in response.get_data(as_text=True)
    assert [len(document[t]) for t in TABLES] == [1] * len(TABLES)


def test_csv_download(client, auth):
    patient = login_patient(auth)
    fill(patient, make_therapist(), rows=1)
    response = client.get("/my-data.csv")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    rows = list(csv.reader(io.StringIO(archive.read("self_checks.csv").decode())))
    assert rows[0][:3] == ["id", "uuid", "recorded_at"] and len(rows) == 2


@pytest.mark.parametrize(("password", "message"), [("not my password", "That is not your password."), (None, "Type your password to delete your account.")])
def test_delete_with_a_wrong_or_missing_password_keeps_everything(client, auth, password, message):
    patient = login_patient(auth)
    fill(patient, make_therapist(), rows=1)
    before = table_sizes()
    response = delete(client, password)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="password-error">{message}' in html and 'aria-invalid="true"' in html
    assert table_sizes() == before and Notice.select().count() == 0
    assert client.get("/my-data").status_code == 200  # still logged in


def test_delete_with_the_right_password_removes_everything_and_logs_out(client, auth):
    dana = make_therapist(name="Dana")
    patient = login_patient(auth, name="Robin")
    other = make_onboarded_patient(name="Sam")
    fill(patient, dana, rows=2)
    fill(other, dana, rows=2)
    other_before = rows_of(other.id)
    response = delete(client, PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert set(rows_of(patient.id).values()) == {0}
    assert rows_of(other.id) == other_before
    assert rows_of(dana.id)["user"] == 1
    notice = Notice.get()
    assert notice.therapist_id == dana.id and notice.text.startswith("Robin left selfcare on ") and notice.text.endswith(" and deleted their data.")
    start = client.get("/").get_data(as_text=True)
    assert "Your account and data are deleted." in start
    assert "Logged in as" not in start
    assert client.get("/my-data").status_code == 302  # logged out


def test_a_stale_session_of_a_deleted_account_is_just_logged_out(app, auth):
    """Another device still logged in to the deleted account is sent to log in, not shown an error."""
    patient = make_onboarded_patient(email="pat@example.com")
    phone, laptop = app.test_client(), app.test_client()
    type(auth)(phone).login("pat@example.com")
    type(auth)(laptop).login("pat@example.com")
    assert delete(phone, PASSWORD).status_code == 303
    response = laptop.get("/my-data")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert User.get_or_none(User.id == patient.id) is None


@pytest.mark.parametrize("path", ["/my-data", "/my-data.json", "/my-data.csv"])
def test_only_patients_may_see_my_data(app, auth, path):
    make_onboarded_patient(email="pat@example.com")
    make_therapist(email="pt@example.com")
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    therapist = app.test_client()
    type(auth)(therapist).login("pt@example.com")
    assert therapist.get(path).status_code == 403


def test_a_therapist_cannot_delete_through_the_patient_form(app, auth):
    make_onboarded_patient(email="pat@example.com")
    make_therapist(email="pt@example.com")
    therapist = app.test_client()
    type(auth)(therapist).login("pt@example.com")
    token = csrf_from(therapist.get("/therapist/patients").get_data(as_text=True))
    before = table_sizes()
    assert therapist.post("/my-data/delete", data={"csrf_token": token, "password": PASSWORD}).status_code == 403
    assert table_sizes() == before
