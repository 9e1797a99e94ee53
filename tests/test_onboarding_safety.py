"""Onboarding's signs (CLINICAL.md §2): "both legs" with a recent onset runs the whole red-flag list there and then,
and a history of cancer raises its contact_pt alert once, at onboarding or when the answer changes to yes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from selfcare.clinical import FLAG_LEVELS
from selfcare.models import Alert, RedFlagScreen
from selfcare import accounts
from tests.api_helpers import call, token_for
from tests.patient_helpers import onboard as send_onboarding
from tests.conftest import Auth, csrf_from
from tests.factories import make_therapist
from tests.patient_helpers import check_in, no_red_flags

GOOD = {
    "legs": "left", "symptoms_started": (date.today() - timedelta(days=60)).isoformat(), "region": "UK",
    "baseline_walk_minutes": "8", "cancer_history": "no", "immune_risk": "no", "invite_code": "", "share": "",
}
RECENT = (date.today() - timedelta(days=10)).isoformat()


@pytest.fixture
def patient(new_patient):
    """A new patient in the UK who has not answered the first questions (conftest.new_patient)."""
    return new_patient


def onboard(client, **changes):
    """Send the onboarding form with this module's answers."""
    return send_onboarding(client, GOOD, **changes)


def answer_safety(client, **answers):
    """Send the safety questions: "no" to each, with these answers on top."""
    page = client.get("/onboarding/safety").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), **no_red_flags(page), **answers}
    return client.post("/onboarding/safety", data={k: v for k, v in data.items() if v is not None})


def test_both_legs_with_a_recent_onset_asks_the_whole_list_before_anything_else(client, patient):
    """Both legs since 10 days ago: straight to the safety questions, and every page waits for them."""
    response = onboard(client, legs="both", symptoms_started=RECENT)
    assert response.headers["Location"] == "/onboarding/safety"
    for path in ("/today", "/checkin", "/exercises"):
        assert client.get(path).headers["Location"] == "/onboarding/safety", path
    page = client.get("/onboarding/safety").get_data(as_text=True)
    assert "Do you now have sciatica pain, numbness or tingling in both legs?" in page
    assert "Each question says which days it is about." in page
    assert len(set(no_red_flags(page))) == len(FLAG_LEVELS)
    response = answer_safety(client)
    assert response.headers["Location"] == "/today" and Alert.select().count() == 0
    screen = RedFlagScreen.get()
    assert (screen.source, screen.kind, screen.level, screen.answers) == (
        "onboarding", "full", "none", {flag: False for flag in FLAG_LEVELS})
    assert client.get("/today").status_code == 200


def test_a_yes_on_the_onboarding_screen_goes_to_its_alert(client, patient):
    """Yes to "both legs" on the safety questions: the emergency alert, from onboarding."""
    onboard(client, legs="both", symptoms_started=RECENT)
    response = answer_safety(client, rf_both_legs="yes")
    alert = Alert.get()
    assert (alert.level, alert.reasons, alert.source) == ("emergency", ["both_legs"], "onboarding")
    assert response.headers["Location"] == f"/alerts/{alert.id}"
    assert RedFlagScreen.get().level == "emergency"


def test_an_unanswered_safety_question_is_an_error_beside_it(client, patient):
    """A question left out is not a "no": the message beside it, and nothing kept."""
    onboard(client, legs="both", symptoms_started=RECENT)
    response = answer_safety(client, rf_falls=None)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="rf_falls-error">Answer yes or no.' in page
    assert RedFlagScreen.select().count() == 0


@pytest.mark.parametrize(("legs", "started"), [("both", 60), ("left", 10), ("right", 0)])
def test_an_older_onset_or_one_leg_goes_straight_to_today(client, patient, legs, started):
    """Both legs for more than 6 weeks, or one leg: no safety questions at onboarding."""
    response = onboard(client, legs=legs, symptoms_started=(date.today() - timedelta(days=started)).isoformat())
    assert response.headers["Location"] == "/today"
    assert client.get("/today").status_code == 200 and RedFlagScreen.select().count() == 0


def test_a_cancer_history_raises_its_alert_once(client, patient):
    """Cancer history at onboarding: one contact_pt alert; saved again, or at check-ins, no more."""
    onboard(client, cancer_history="yes")
    alert = Alert.get()
    assert (alert.level, alert.reasons, alert.source) == ("contact_pt", ["cancer_history"], "onboarding")
    onboard(client, cancer_history="yes", baseline_walk_minutes="12")
    check_in(client)
    assert Alert.select().count() == 1


def test_the_onboarding_alert_is_listed_by_the_api_and_on_the_therapist_page(app, client, patient):
    """An alert from onboarding reads like any other: in the API's list and on the linked therapist's page."""
    therapist = make_therapist(email="pt@example.com")
    accounts.link(therapist, patient)
    onboard(client, cancer_history="yes")
    alerts = call(client, "GET", f"/patients/{patient.id}/alerts", token_for(patient))
    assert alerts.status_code == 200 and [a["source"] for a in alerts.get_json()["items"]] == ["onboarding"]
    other = app.test_client()
    Auth(other).login("pt@example.com")
    assert "From the onboarding questions." in other.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)


def test_a_cancer_history_changed_to_yes_raises_its_alert(client, patient):
    """No at first, yes when edited: the alert then, and only then."""
    onboard(client)
    assert Alert.select().count() == 0
    onboard(client, cancer_history="yes")
    assert [(a.level, a.reasons) for a in Alert.select()] == [("contact_pt", ["cancer_history"])]
