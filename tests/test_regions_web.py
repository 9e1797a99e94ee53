"""Choosing where you live (CLINICAL.md §2): "Somewhere else" with a typed emergency number, at onboarding, at
sign-up and from the command line; the API and the export carry it. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from selfcare.models import Profile, User
from selfcare.services import export
from tests.api_helpers import call, token_for
from tests.patient_helpers import onboard as send_onboarding
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_patient
from tests.html_reading import field_messages

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

ONBOARDING = {
    "legs": "right", "symptoms_started": "2026-10-20", "region": "OTHER", "emergency_number": "10111",
    "baseline_walk_minutes": "8", "cancer_history": "no", "immune_risk": "no", "invite_code": "", "share": "",
}
SIGNUP = {"name": "Robin", "email": "robin@example.com", "password": PASSWORD, "confirm": PASSWORD, "region": "OTHER",
          "emergency_number": "10111", "timezone": "Africa/Johannesburg"}
BAD_NUMBERS = [
    ("", "Type the emergency number where you live, like 112."),
    ("   ", "Type the emergency number where you live, like 112."),
    ("1", "Use digits only: 2 to 6 of them, like 112."),
    ("1234567", "Use digits only: 2 to 6 of them, like 112."),
    ("11a", "Use digits only: 2 to 6 of them, like 112."),
    ("+27 10111", "Use digits only: 2 to 6 of them, like 112."),
    ("１１２", "Use digits only: 2 to 6 of them, like 112."),  # full-width digits are not digits a phone dials
]


@pytest.fixture
def patient(new_patient):
    """A new patient in the UK who has not answered the first questions (conftest.new_patient)."""
    return new_patient


def onboard(client, **changes):
    """Send the onboarding form with this module's answers."""
    return send_onboarding(client, ONBOARDING, **changes)


def test_the_region_list_offers_new_zealand_india_and_somewhere_else(client, patient):
    """The onboarding list has NZ, India and "Somewhere else", with a box for the number beside it."""
    page = client.get("/onboarding").get_data(as_text=True)
    assert 'value="NZ"' in page and 'value="IN"' in page and "Somewhere else" in page
    assert 'name="emergency_number"' in page and "Your emergency number" in page


def test_somewhere_else_keeps_the_typed_number_and_shows_it_again(client, patient):
    """"Somewhere else" with 10111: stored on the account, filled in again when the patient edits their answers."""
    assert onboard(client).headers["Location"] == "/today"
    user = User.get_by_id(patient.id)
    assert (user.region, user.emergency_number) == ("OTHER", "10111")
    assert 'value="10111"' in client.get("/onboarding").get_data(as_text=True)


def test_moving_to_a_known_region_forgets_the_typed_number(client, patient):
    """A number typed beside another region is not kept: that region's own number counts."""
    onboard(client)
    onboard(client, region="NZ", emergency_number="999")
    user = User.get_by_id(patient.id)
    assert (user.region, user.emergency_number) == ("NZ", None)


@pytest.mark.parametrize(("number", "message"), BAD_NUMBERS)
def test_a_bad_typed_number_is_refused_beside_the_field_and_nothing_is_stored(client, patient, number, message):
    """Required with "Somewhere else", digits only, 2 to 6 long: 422, the message beside the box, nothing stored."""
    response = onboard(client, emergency_number=number)
    assert response.status_code == 422
    assert field_messages(response.get_data(as_text=True)).of("emergency_number") == message
    user = User.get_by_id(patient.id)
    assert Profile.select().count() == 0 and (user.region, user.emergency_number) == ("UK", None)


def test_sign_up_can_choose_somewhere_else(client):
    """Sign-up asks where you live too, with the same box for the number."""
    token = csrf_from(client.get("/signup").get_data(as_text=True))
    assert client.post("/signup", data={**SIGNUP, "csrf_token": token}).status_code == 303
    user = User.get(User.email == "robin@example.com")
    assert (user.region, user.emergency_number) == ("OTHER", "10111")


@pytest.mark.parametrize(("number", "message"), BAD_NUMBERS[:1] + BAD_NUMBERS[3:5])
def test_sign_up_refuses_a_bad_typed_number(client, number, message):
    """A bad number at sign-up: 422 with the message beside the box, no account made."""
    token = csrf_from(client.get("/signup").get_data(as_text=True))
    response = client.post("/signup", data={**SIGNUP, "csrf_token": token, "emergency_number": number})
    assert response.status_code == 422
    assert field_messages(response.get_data(as_text=True)).of("emergency_number") == message
    assert User.select().count() == 0


def test_the_command_line_takes_an_emergency_number(app, runner):
    """create-user --region OTHER --emergency-number 10111; a bad or misplaced number is refused."""
    base = ["create-user", "--email", "p@example.com", "--password", PASSWORD]
    assert "2 to 6 digits" in runner.invoke(args=[*base, "--region", "OTHER"]).output
    assert "2 to 6 digits" in runner.invoke(args=[*base, "--region", "OTHER", "--emergency-number", "9"]).output
    assert "only with" in runner.invoke(args=[*base, "--region", "UK", "--emergency-number", "999"]).output
    assert User.select().count() == 0
    assert runner.invoke(args=[*base, "--region", "OTHER", "--emergency-number", "10111"]).exit_code == 0
    assert (User.get().region, User.get().emergency_number) == ("OTHER", "10111")


def test_the_api_and_the_export_carry_the_typed_number(app, client):
    """/api/v1/me and the patient's own export give the region and the typed number."""
    patient = make_patient(email="p@example.com", region="OTHER", emergency_number="10111")
    me = call(client, "GET", "/me", token_for(patient)).get_json()
    assert (me["region"], me["emergency_number"]) == ("OTHER", "10111")
    account = export.collect(patient)["account"]
    assert (account["region"], account["emergency_number"]) == ("OTHER", "10111")


def test_a_version_7_database_gets_the_new_columns(app):
    """Version 8: a database from before gains user.emergency_number and the alert's follow-up columns, and running
    the migration again is harmless."""
    from playhouse.migrate import SchemaMigrator, migrate

    from selfcare import schema
    from selfcare.db import db
    from selfcare.models import SchemaVersion

    def present() -> set[tuple[str, str]]:
        return {(t, c.name) for t in ("user", "alert") for c in db.get_columns(t)}

    wanted = {(table, column) for table, column, _ in schema.V8_COLUMNS}
    with app.app_context():
        assert wanted <= present()
        later = [row.version for row in SchemaVersion.select().where(SchemaVersion.version >= 8)]
        migrate(*(SchemaMigrator.from_database(db.obj).drop_column(t, c) for t, c in sorted(wanted)))
        SchemaVersion.delete().where(SchemaVersion.version >= 8).execute()
        assert not wanted & present()
        assert schema.create_schema() == schema.LATEST
        assert wanted <= present() and SchemaVersion.select().count() == schema.LATEST
        schema._v8_regions_and_followup(SchemaMigrator.from_database(db.obj))  # again: nothing to add
        assert sorted(row.version for row in SchemaVersion.select().where(SchemaVersion.version >= 8)) == later
    patient = make_patient(email="p@example.com", region="OTHER", emergency_number="000")
    assert User.get_by_id(patient.id).emergency_number == "000"
