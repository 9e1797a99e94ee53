"""Onboarding: asked once before anything else, editable, with an optional invite code."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from selfcare import accounts
from selfcare.models import CareLink, Invite, Profile, User
from tests.patient_helpers import onboard as send_onboarding
from tests.factories import make_patient, make_therapist

GOOD = {
    "legs": "right", "symptoms_started": "2026-10-20", "region": "US", "baseline_walk_minutes": "8",
    "cancer_history": "no", "immune_risk": "yes", "invite_code": "", "share": "",
}


@pytest.fixture
def patient(new_patient):
    """A new patient in the UK who has not answered the first questions (conftest.new_patient)."""
    return new_patient


def onboard(client, **changes):
    """Send the onboarding form with this module's answers."""
    return send_onboarding(client, GOOD, **changes)


def test_every_patient_page_waits_for_onboarding(client, patient):
    for path in ("/today", "/checkin", "/exercises"):
        response = client.get(path)
        assert (response.status_code, response.headers["Location"]) == (302, "/onboarding")


def test_onboarding_saves_the_answers(client, patient):
    assert onboard(client).headers["Location"] == "/today"
    profile = Profile.get()
    assert (profile.legs, profile.symptoms_started, profile.baseline_walk_minutes) == ("right", date(2026, 10, 20), 8)
    assert (profile.cancer_history, profile.immune_risk) == (False, True)
    assert User.get_by_id(patient.id).region == "US"
    assert client.get("/today").status_code == 200


def test_answers_can_be_changed_later(client, patient):
    onboard(client)
    page = client.get("/onboarding").get_data(as_text=True)
    assert "Your answers" in page and 'value="8"' in page
    onboard(client, baseline_walk_minutes="15", cancer_history="yes")
    assert Profile.select().count() == 1
    assert (Profile.get().baseline_walk_minutes, Profile.get().cancer_history) == (15, True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"legs": None}, "Choose which leg."),
        ({"legs": "middle"}, "Choose which leg."),
        ({"symptoms_started": ""}, "Enter the date it started"),
        ({"symptoms_started": "yesterday"}, "Enter a real date, like 2026-10-20."),
        ({"symptoms_started": (date.today() + timedelta(days=5)).isoformat()}, "This date is in the future."),
        ({"region": "Mars"}, "Choose where you live from the list."),
        ({"baseline_walk_minutes": ""}, "Enter how many minutes you can walk"),
        ({"baseline_walk_minutes": "-3"}, "Enter a whole number of minutes"),
        ({"cancer_history": None}, "Answer yes or no."),
        ({"invite_code": "ABCD2345", "share": ""}, "Tick this box to share your record"),
        ({"invite_code": "ZZZZ9999", "share": "y"}, "We could not find that code."),
    ],
)
def test_bad_onboarding_input_stores_nothing(client, patient, changes, message):
    response = onboard(client, **changes)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert Profile.select().count() == 0 and User.get_by_id(patient.id).region == "UK"


def test_an_invite_code_links_the_therapist(client, patient):
    therapist = make_therapist(name="Dana")
    invite = accounts.create_invite(therapist)
    spaced = f"{invite.code[:4].lower()}-{invite.code[4:]}"
    assert onboard(client, invite_code=spaced, share="y").headers["Location"] == "/today"
    assert [t.name for t in accounts.linked_therapists(patient)] == ["Dana"]
    assert Invite.get().used_by_id == patient.id
    assert "Dana, physical therapist" in client.get("/today").get_data(as_text=True)


def test_used_and_expired_codes_are_refused(app, client, patient):
    therapist = make_therapist()
    used = accounts.create_invite(therapist)
    accounts.redeem_invite(make_patient(), used.code)
    response = onboard(client, invite_code=used.code, share="y")
    assert "We could not find that code." in response.get_data(as_text=True)  # used: as unknown (tests/test_invites.py)
    old = accounts.create_invite(therapist, now=accounts.utcnow() - timedelta(days=30))
    response = onboard(client, invite_code=old.code, share="y")
    assert "This code has expired" in response.get_data(as_text=True)
    assert CareLink.select().where(CareLink.patient == patient.id).count() == 0
    assert Profile.select().count() == 0
