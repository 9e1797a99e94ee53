"""The alert screens (CLINICAL.md §2): one action per level in the region's words, what to tell the emergency
services, who the app has told, and the next day's "were you seen?" after an emergency. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from selfcare.models import Alert, CareLink, User, utcnow
from selfcare.services import export
from selfcare.timeutil import day_bounds, local_now
from tests.api_helpers import call, token_for
from tests.conftest import csrf_from
from tests.factories import make_onboarded_patient, make_profile, make_therapist
from tests.html_reading import field_messages
from tests.patient_helpers import check_in

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

ABROAD = "If you are somewhere else, call the local emergency number."
CES = "I am worried about cauda equina syndrome."


def patient_in(auth, region, **extra):
    """An onboarded patient living in `region`, logged in."""
    user = make_onboarded_patient(email="pat@example.com", region=region, **extra)
    auth.login("pat@example.com")
    return user


def alert_for(patient, level, *reasons, confirmed=False, days_ago=0):
    """An alert as the services store it (raised `days_ago` local days ago, at noon)."""
    start, _ = day_bounds(patient, local_now(patient).date() - timedelta(days=days_ago))
    created = start + timedelta(hours=12) if days_ago else utcnow()
    return Alert.create(patient=patient, level=level, reasons=list(reasons), source="checkin", created_at=created,
                        confirmed_at=utcnow() if confirmed else None)


def screen(client, alert):
    """The patient's alert screen, as text."""
    response = client.get(f"/alerts/{alert.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def tel_links(html):
    """The numbers the page offers to call."""
    return re.findall(r'href="tel:([^"]*)"', html)


# ---- regions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("region", "number"), [("UK", "999"), ("US", "911"), ("NZ", "111"), ("IN", "112"), ("AU", "000")])
def test_the_emergency_screen_calls_the_regions_number(client, auth, region, number):
    """New Zealand 111, India 112 and the others: one big call button with the region's own number."""
    patient = patient_in(auth, region)
    html = screen(client, alert_for(patient, "emergency", "bladder_change"))
    assert tel_links(html) == [number] and f"Call {number} now" in html
    assert ABROAD in html


def test_the_other_region_calls_the_number_the_patient_typed(client, auth):
    """"Somewhere else" with 10111 typed: the emergency screen and Today call 10111, and no other number."""
    patient = patient_in(auth, "OTHER", emergency_number="10111")
    html = screen(client, alert_for(patient, "emergency", "bowel_change"))
    assert tel_links(html) == ["10111"] and "Call 10111 now" in html and "If you cannot get there safely, call 10111." in html
    alert_for(patient, "emergency", "bowel_change", confirmed=True)
    Alert.update(confirmed_at=utcnow()).execute()
    assert tel_links(client.get("/today").get_data(as_text=True)) == ["10111"]


@pytest.mark.parametrize("region", [None, "XX", "OTHER"])
def test_an_unknown_or_unset_region_never_shows_another_countrys_number(client, auth, region):
    """No region, a code the app does not know, or "Other" with no number: no call button, "your local emergency number"."""
    patient = patient_in(auth, "UK")
    User.update(region=region, emergency_number=None).where(User.id == patient.id).execute()
    html = screen(client, alert_for(patient, "emergency", "saddle_numbness"))
    assert tel_links(html) == [] and "button-call" not in html
    assert "Call your local emergency number or go to the emergency department now." in html
    assert "If you cannot get there safely, call your local emergency number." in html and ABROAD in html
    Alert.update(confirmed_at=utcnow()).execute()
    today = client.get("/today").get_data(as_text=True)
    assert tel_links(today) == [] and "In an emergency, call your local emergency number" in today
    for other in ("999", "911", "112", "000"):
        assert other not in html and f"tel:{other}" not in today


def test_the_number_names_its_national_authority(client, auth):
    """Where the number is shown it cites the country's own emergency-service authority in small print."""
    patient = patient_in(auth, "NZ")
    html = screen(client, alert_for(patient, "emergency", "falls"))
    assert "New Zealand Police: Call 111" in html
    Alert.update(confirmed_at=utcnow()).execute()
    assert "New Zealand Police: Call 111" in client.get("/today").get_data(as_text=True)


# ---- the emergency screen: what to tell them ------------------------------------------------------


def test_saddle_numbness_tells_short_statements_and_the_cauda_equina_worry(client, auth):
    """Statements, not the question wording; the cauda equina worry; the safe-travel line; never "you have sciatica"."""
    patient = patient_in(auth, "UK")
    html = screen(client, alert_for(patient, "emergency", "saddle_numbness"))
    assert "What to tell them" in html
    assert "I have new numbness around my bottom and between my legs." in html and CES in html
    assert "If you cannot get there safely, call 999." in html and ABROAD in html
    assert "Is there new or worsening numbness" not in html  # the question as asked
    assert "you have sciatica" not in html.lower() and "Tell them you have had cancer." not in html


def test_cancer_with_new_weakness_says_to_tell_them_about_the_cancer(client, auth):
    """Cancer history + new weakness (suspected MSCC, NICE NG234): the screen puts "Tell them you have had cancer" first."""
    patient = make_onboarded_patient(email="pat@example.com", region="UK")
    make_profile(patient, cancer_history=True)
    auth.login("pat@example.com")
    check_in(client, rf_weakness_new="yes")
    alert = Alert.get()
    assert alert.level == "emergency" and set(alert.reasons) == {"cancer_history", "weakness_new"}
    html = screen(client, alert)
    assert "Tell them you have had cancer." in html
    assert html.index("Tell them you have had cancer.") < html.index("What to tell them")
    assert "I have had cancer in the past." in html and "I have new weakness in my leg or foot." in html
    assert CES not in html  # not a cauda equina sign


def test_both_legs_counts_as_a_cauda_equina_sign(client, auth):
    """Symptoms in both legs: "I am worried about cauda equina syndrome" too."""
    patient = patient_in(auth, "US")
    html = screen(client, alert_for(patient, "emergency", "both_legs"))
    assert "I now have sciatica symptoms in both legs." in html and CES in html
    assert "go to the ER now" in html


# ---- the urgent screen: same-day care, no emergency button ------------------------------------------


@pytest.mark.parametrize(
    ("region", "words", "links"),
    [
        ("UK", "Contact your GP surgery today. If you cannot get an appointment today, call NHS", ["111"]),
        ("US", "Contact your doctor today. If you cannot see them today, go to an urgent care center.", []),
        ("EU", "See a doctor today.", []),
    ],
)
def test_the_urgent_screen_points_to_same_day_care_without_an_emergency_button(client, auth, region, words, links):
    """Urgent: same-day care in the region's words; NHS 111 is a link inside the UK sentence, never a call button."""
    patient = patient_in(auth, region)
    html = screen(client, alert_for(patient, "urgent", "weight_loss"))
    assert "Speak to a doctor today" in html and words in html
    assert tel_links(html) == links and "button-call" not in html
    assert "The app has paused your exercises for the rest of today." in html
    assert "Losing weight without trying" in html  # the sign, as the warning-signs page lists it
    assert "until a doctor has seen you" not in html


@pytest.mark.parametrize("reason", ["fever", "trauma"])
def test_fever_or_trauma_keeps_the_exercises_paused_until_cleared(client, auth, reason):
    """Fever or trauma: paused until a doctor has seen them or the therapist turns them back on; a link to Exercises."""
    patient = patient_in(auth, "UK")
    html = screen(client, alert_for(patient, "urgent", reason))
    assert ("They stay paused after today too, until a doctor has seen you and said exercise is fine, "
            "or your physiotherapist turns them back on.") in html
    assert 'href="/exercises"' in html


def test_contact_pt_uses_the_regions_words(client, auth):
    """The contact-your-therapist screen says physiotherapist in the UK and physical therapist in the US."""
    uk = patient_in(auth, "UK")
    html = screen(client, alert_for(uk, "contact_pt", "numbness_spreading"))
    assert "Let your physiotherapist know" in html and "Contact your physiotherapist in the next few days." in html
    assert "{therapist}" not in html and tel_links(html) == []


# ---- who is told -----------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["emergency", "urgent", "contact_pt"])
def test_a_linked_therapist_is_named(client, auth, level):
    """With a linked therapist: "Your physiotherapist, Dana Physio, can see this in selfcare."."""
    patient = patient_in(auth, "UK")
    CareLink.create(therapist=make_therapist(name="Dana Physio"), patient=patient)
    html = screen(client, alert_for(patient, level, "numbness_spreading"))
    assert "Your physiotherapist, Dana Physio, can see this in selfcare." in html
    assert "has not told anyone" not in html


@pytest.mark.parametrize(
    ("level", "instead"),
    [
        ("emergency", "You have no physiotherapist linked in selfcare, so the app has not told anyone. "
                      "Call 999 or go to A&amp;E yourself now."),
        ("urgent", "You have no physiotherapist linked in selfcare, so the app has not told anyone. "
                   "Please get care from a doctor yourself today"),
        ("contact_pt", "You have no physiotherapist linked in selfcare. Contact your own physiotherapist or GP in the next few days."),
    ],
)
def test_with_no_therapist_the_screen_says_no_one_was_told_and_what_to_do(client, auth, level, instead):
    """With no linked therapist the screen does not pretend anyone saw it, and says what to do instead."""
    patient = patient_in(auth, "UK")
    html = screen(client, alert_for(patient, level, "numbness_spreading"))
    assert instead in html and "can see this" not in html


# ---- the next day's question after an emergency -----------------------------------------------------

QUESTION = "Yesterday&#39;s alert: were you seen by a doctor or at A&amp;E?"


def answer(client, alert, value):
    """Press one of the follow-up buttons on Today."""
    token = csrf_from(client.get("/today").get_data(as_text=True))
    return client.post(f"/alerts/{alert.id}/followup", data={"csrf_token": token, "answer": value})


def test_the_question_waits_for_the_next_day(client, auth):
    """Not on the day of the emergency; from the next day, until answered."""
    patient = patient_in(auth, "UK")
    alert = alert_for(patient, "emergency", "bladder_change", confirmed=True)
    assert QUESTION not in client.get("/today").get_data(as_text=True)
    Alert.update(created_at=alert.created_at - timedelta(days=1)).execute()
    assert QUESTION in client.get("/today").get_data(as_text=True)


def test_an_answer_is_stored_and_shown_to_the_therapist(app, client, auth):
    """"Yes" is kept on the alert with its time; Today stops asking; the therapist sees it beside the alert."""
    patient = patient_in(auth, "UK")
    therapist = make_therapist(email="pt@example.com", name="Dana Physio")
    CareLink.create(therapist=therapist, patient=patient)
    alert = alert_for(patient, "emergency", "bladder_change", confirmed=True, days_ago=1)
    today = client.get("/today").get_data(as_text=True)
    assert QUESTION in today and "your physiotherapist can see it" in today
    response = answer(client, alert, "seen")
    assert (response.status_code, response.headers["Location"]) == (303, "/today")
    stored = Alert.get_by_id(alert.id)
    assert stored.followup_answer == "seen" and stored.followup_at is not None
    assert QUESTION not in client.get("/today").get_data(as_text=True)
    assert answer(client, alert, "did_not_go").status_code == 404  # answered once
    pt = app.test_client()
    pt_token = csrf_from(pt.get("/login").get_data(as_text=True))
    pt.post("/login", data={"email": "pt@example.com", "password": "correct horse battery", "csrf_token": pt_token})
    page = pt.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    assert "Asked the next day whether they were seen: seen by a doctor or at the emergency department" in page
    caseload = pt.get("/therapist/patients").get_data(as_text=True)
    assert "Next day: seen by a doctor or at the emergency department." in caseload


def test_not_yet_is_stored_and_the_patient_is_told_what_to_do(client, auth):
    """"Not yet": stored, and Today says to call the emergency number if the signs are still there."""
    patient = patient_in(auth, "UK")
    alert = alert_for(patient, "emergency", "falls", confirmed=True, days_ago=2)
    assert "Your alert on " in client.get("/today").get_data(as_text=True)
    answer(client, alert, "not_yet")
    assert Alert.get_by_id(alert.id).followup_answer == "not_yet"
    today = client.get("/today").get_data(as_text=True)
    assert "If you still have the warning signs, call 999 or go to A&amp;E now." in today


@pytest.mark.parametrize("value", ["maybe", "", "SEEN", "seen\x00"])
def test_a_bad_answer_is_refused_beside_the_buttons_and_stores_nothing(client, auth, value):
    """A value that is not one of the buttons: 422, a message beside them, nothing stored."""
    patient = patient_in(auth, "UK")
    alert = alert_for(patient, "emergency", "falls", confirmed=True, days_ago=1)
    response = answer(client, alert, value)
    assert response.status_code == 422
    assert field_messages(response.get_data(as_text=True)).of("followup-answer") == "Choose one of the answers."
    assert Alert.get_by_id(alert.id).followup_answer is None and Alert.get_by_id(alert.id).followup_at is None


def test_only_the_patients_own_due_emergency_can_be_answered(client, auth):
    """Someone else's alert, today's alert and a lower level are not asked: 404, nothing stored."""
    patient = patient_in(auth, "UK")
    other = make_onboarded_patient(email="other@example.com")
    theirs = alert_for(other, "emergency", "falls", confirmed=True, days_ago=1)
    same_day = alert_for(patient, "emergency", "falls", confirmed=True)
    urgent = alert_for(patient, "urgent", "fever", confirmed=True, days_ago=1)
    for alert in (theirs, same_day, urgent):
        assert answer(client, alert, "seen").status_code == 404
    assert Alert.select().where(Alert.followup_answer.is_null(False)).count() == 0


def test_the_answer_is_in_the_patients_export_and_the_api(client, auth):
    """The patient's own download and the API's alert carry the answer."""
    patient = patient_in(auth, "UK")
    alert = alert_for(patient, "emergency", "falls", confirmed=True, days_ago=1)
    answer(client, alert, "did_not_go")
    document = export.collect(patient)
    assert [a["followup_answer"] for a in document["alerts"]] == ["did_not_go"] and document["alerts"][0]["followup_at"]
    items = call(client, "GET", f"/patients/{patient.id}/alerts", token_for(patient)).get_json()["items"]
    assert items[0]["followup_answer"] == "did_not_go" and items[0]["followup_at"]
