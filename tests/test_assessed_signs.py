"""Signs a linked therapist has assessed (CLINICAL.md §2): for the days they state, the patient is asked whether the
sign got worse; "yes" raises it as before, "no" does not; expired or ended assessments are ignored."""

from __future__ import annotations

from datetime import timedelta

import pytest

from selfcare import accounts
from selfcare.clinical import FLAG_LEVELS
from selfcare.models import Alert, AssessedSign, RedFlagScreen, utcnow
from selfcare.services import assessed_signs
from tests.api_helpers import call, checkin_body, token_for
from tests.conftest import Auth, csrf_from
from tests.factories import make_onboarded_patient, make_therapist
from tests.patient_helpers import check_in

PLAIN = "In the last 3 months, have you lost weight without trying?"


def worded(day: str) -> str:
    """The weight-loss question as asked while a UK physiotherapist's assessment is in force."""
    return f"Losing weight without trying. Your physiotherapist checked this on {day}. Has it got worse since then?"


@pytest.fixture
def people(app):
    """A UK patient, their linked therapist and another therapist, each with their own logged-in client."""
    patient = make_onboarded_patient(email="pat@example.com", region="UK")
    therapist, other = make_therapist(email="pt@example.com", name="Dana"), make_therapist(email="other@example.com")
    accounts.link(therapist, patient)
    clients = {}
    for name, email in (("patient", "pat@example.com"), ("therapist", "pt@example.com"), ("other", "other@example.com")):
        clients[name] = app.test_client()
        assert Auth(clients[name]).login(email).status_code == 303
    return {"patient": patient, "therapist": therapist, "other": other, **{f"{k}_client": v for k, v in clients.items()}}


def assess(client, patient_id: int, **fields):
    """Send the "mark as assessed" form as the therapist's patient page loads it."""
    token = csrf_from(client.get(f"/therapist/patients/{patient_id}/assessed-signs/new").get_data(as_text=True))
    data = {"csrf_token": token, "sign": "weight_loss", "days": "30", "assess_note": "Blood tests normal.", **fields}
    return client.post(f"/therapist/patients/{patient_id}/assessed-signs", data={k: v for k, v in data.items() if v is not None})


def today_words() -> str:
    """Today as the question says it (the patient's clock is UTC here)."""
    now = utcnow()
    return f"{now.day} {now:%B}"


def test_an_assessed_sign_is_asked_as_got_worse_on_the_checkin_and_before_a_set(people):
    """The therapist marks weight loss assessed: the check-in and the first set ask whether it got worse."""
    pid = people["patient"].id
    response = assess(people["therapist_client"], pid)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/therapist/patients/{pid}#assessed-signs")
    page = people["therapist_client"].get(f"/therapist/patients/{pid}").get_data(as_text=True)
    until = (utcnow() + timedelta(days=30)).strftime("%-d %B %Y")
    assert "Losing weight without trying" in page and f"until {until}" in page and "Blood tests normal." in page
    for path in ("/checkin", "/exercises"):
        html = people["patient_client"].get(path).get_data(as_text=True)
        assert f'<legend class="question">{worded(today_words())}</legend>' in html, path
        assert f'<legend class="question">{PLAIN}</legend>' not in html, path


def test_no_to_an_assessed_sign_raises_nothing_and_yes_raises_it_as_before(people):
    """"No, not worse": no alert. "Yes, worse": the urgent weight-loss alert, as without the assessment."""
    assess(people["therapist_client"], people["patient"].id)
    client = people["patient_client"]
    assert check_in(client, rf_weight_loss="no").headers["Location"] == "/today"
    assert Alert.select().count() == 0
    screen = RedFlagScreen.get()
    assert (screen.assessed, screen.level, screen.answers["weight_loss"]) == (["weight_loss"], "none", False)
    response = check_in(client, rf_weight_loss="yes")
    alert = Alert.get()
    assert (alert.level, alert.reasons) == ("urgent", ["weight_loss"])
    assert response.headers["Location"] == f"/alerts/{alert.id}"


def test_the_api_means_the_same_while_a_sign_is_assessed(people):
    """The API's answers are unchanged: true still raises the sign."""
    assess(people["therapist_client"], people["patient"].id)
    patient = people["patient"]
    out = call(people["patient_client"], "POST", f"/patients/{patient.id}/checkins", token_for(patient),
               checkin_body(red_flags={"weight_loss": True}))
    assert out.status_code == 201 and Alert.get().reasons == ["weight_loss"]


def test_an_expired_assessment_is_ignored(people):
    """Past its end, the sign is asked in its own words again, and the therapist page no longer lists it."""
    assess(people["therapist_client"], people["patient"].id, days="1")
    AssessedSign.update(until=utcnow() - timedelta(minutes=1)).execute()
    html = people["patient_client"].get("/checkin").get_data(as_text=True)
    assert f'<legend class="question">{PLAIN}</legend>' in html and "checked this on" not in html
    page = people["therapist_client"].get(f"/therapist/patients/{people['patient'].id}").get_data(as_text=True)
    assert "None in force." in page


def test_the_therapist_can_end_an_assessment_early(people):
    """"End now": the sign's own question again from the next page."""
    pid = people["patient"].id
    assess(people["therapist_client"], pid)
    row = AssessedSign.get()
    client = people["therapist_client"]
    token = csrf_from(client.get(f"/therapist/patients/{pid}").get_data(as_text=True))
    response = client.post(f"/therapist/patients/{pid}/assessed-signs/{row.id}/end", data={"csrf_token": token})
    assert response.status_code == 303 and AssessedSign.get().ended_at is not None
    assert PLAIN in people["patient_client"].get("/checkin").get_data(as_text=True)
    assert assessed_signs.active(people["patient"]) == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"days": "0"}, "days", "Enter a number from 1 to 90."),
        ({"days": "91"}, "days", "Enter a number from 1 to 90."),
        ({"days": "a week"}, "days", "Enter a number from 1 to 90."),
        ({"days": None}, "days", "Enter the number of days."),
        ({"sign": "cancer_history"}, "sign", "Choose a sign from the list."),
        ({"sign": ""}, "sign", "Choose a sign from the list."),
        ({"assess_note": "x" * 301}, "assess_note", "Use at most 300 characters."),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_stores_nothing(people, fields, field, message):
    """A wrong number of days, sign or note: the message beside the field, 422, nothing kept."""
    response = assess(people["therapist_client"], people["patient"].id, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error">{message}' in page
    assert AssessedSign.select().count() == 0


def test_only_a_linked_therapist_can_assess_or_end(people):
    """Another therapist gets 404 on both, and the patient 403; nothing changes."""
    pid = people["patient"].id
    assess(people["therapist_client"], pid)
    row_id = AssessedSign.get().id
    other = people["other_client"]
    token = csrf_from(other.get("/therapist/patients").get_data(as_text=True))
    data = {"csrf_token": token, "sign": "weight_loss", "days": "30"}
    assert other.post(f"/therapist/patients/{pid}/assessed-signs", data=data).status_code == 404
    assert other.post(f"/therapist/patients/{pid}/assessed-signs/{row_id}/end", data={"csrf_token": token}).status_code == 404
    patient = people["patient_client"]
    token = csrf_from(patient.get("/today").get_data(as_text=True))
    assert patient.post(f"/therapist/patients/{pid}/assessed-signs", data={**data, "csrf_token": token}).status_code == 403
    assert AssessedSign.select().count() == 1 and AssessedSign.get().ended_at is None


def test_the_service_refuses_unknown_signs_and_days_out_of_range(people):
    """assessed_signs.assess: only daily red-flag ids, 1 to 90 days; a new one replaces the one in force."""
    patient, therapist = people["patient"], people["therapist"]
    for flag, days in (("cancer_history", 5), ("weight_loss", 0), ("weight_loss", 91)):
        with pytest.raises(ValueError):
            assessed_signs.assess(therapist, patient, flag, days)
    first = assessed_signs.assess(therapist, patient, "night_pain", 5)
    second = assessed_signs.assess(therapist, patient, "night_pain", 10)
    assert [row.id for row in assessed_signs.active(patient)] == [second.id]
    assert AssessedSign.get_by_id(first.id).ended_at is not None
    assert set(FLAG_LEVELS) >= {row.flag_id for row in AssessedSign.select()}


def test_the_form_comes_when_asked_for(people):
    """The patient's page links to the form (most visits need none); the link is a page of its own, and htmx takes
    the form from it in place. Another therapist gets 404."""
    pid, client = people["patient"].id, people["therapist_client"]
    page = client.get(f"/therapist/patients/{pid}").get_data(as_text=True)
    assert 'name="sign"' not in page and f'href="/therapist/patients/{pid}/assessed-signs/new"' in page
    assert 'hx-select="#assess-sign"' in page
    form = client.get(f"/therapist/patients/{pid}/assessed-signs/new")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "<h1" in html and 'name="sign"' in html and f'action="/therapist/patients/{pid}/assessed-signs"' in html
    assert people["other_client"].get(f"/therapist/patients/{pid}/assessed-signs/new").status_code == 404
