"""How the red-flag questions are asked (CLINICAL.md §2): time frames in the hint, the whole list once a day, one
question before each later set, every screen kept, the API's start event, and "both legs" from a reading's side."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from selfcare.clinical import FLAG_LEVELS
from selfcare.models import (
    Alert,
    CheckIn,
    ExerciseSet,
    PlayerState,
    RedFlagScreen,
    SessionEvent,
)
from selfcare.patient.forms import SINCE_LAST_QUESTION
from selfcare.services import sessions
from tests.api_helpers import call, checkin_body, minutes_ago, token_for
from tests.factories import make_onboarded_patient
from tests.patient_helpers import (
    check_in,
    form_page,
    no_red_flags,
    recheck,
    run_whole_set,
    start_set,
)

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

HINT = "These check for rare signs that need a doctor quickly. Each question says which days it is about."
RF_FIELD = re.compile(r'name="rf_[a-z_]+"')


@pytest.fixture
def patient(app, auth):
    """An onboarded patient (left leg) in the UK, logged in."""
    user = make_onboarded_patient(email="pat@example.com", region="UK")
    auth.login("pat@example.com")
    return user


def _fresh_start(patient) -> None:
    """Back on the start screen of a set, as after a finished set later in the day."""
    PlayerState.delete().where(PlayerState.patient == patient.id).execute()


def _screens() -> list[tuple[str, str, dict, str, list]]:
    """Every stored screen: (source, kind, answers, level, reasons), oldest first."""
    rows = RedFlagScreen.select().order_by(RedFlagScreen.answered_at, RedFlagScreen.id)
    return [(r.source, r.kind, r.answers, r.level, r.reasons) for r in rows]


def _a_day_ago() -> None:
    """Every stored screen moves back a day: today's full list has not been answered yet."""
    for row in RedFlagScreen.select():
        RedFlagScreen.update(answered_at=row.answered_at - timedelta(days=1)).where(RedFlagScreen.id == row.id).execute()


def _checked(page: str, name: str) -> list[str]:
    """The values of the chosen options of one field on a page."""
    tags = [tag for tag in re.findall(r"<input [^>]*>", page) if f'name="{name}"' in tag and " checked" in tag]
    return [re.search(r'value="([^"]*)"', tag).group(1) for tag in tags]


def _post_start(client, **answers):
    """Send the start form as the page shows it, with these answers on top of a calm reading."""
    html, _ = form_page(client, "/exercises")
    return _post_page(client, html, **answers)


def _post_page(client, html: str, **answers):
    """Send the start form of this page (its own hidden fields), with these answers on top of a calm reading."""
    hidden = {name: value for name, value in re.findall(r'name="(csrf_token|entry_id|asked)"[^>]*value="([^"]+)"', html)}
    data = {**hidden, "zone": "calf", "side": "left", "leg_pain": "6", "back_pain": "3", **answers}
    return client.post("/exercises/start", data={k: v for k, v in data.items() if v is not None})


# --- the hint --------------------------------------------------------------------------------------


def test_the_hint_names_no_day_over_questions_about_weeks(client, patient):
    """The safety questions' hint says each question names its days, on the check-in and the first set's screen."""
    for path in ("/checkin", "/exercises"):
        page = client.get(path).get_data(as_text=True)
        assert HINT in page and "about today" not in page, path
    assert "In the last 3 months, have you lost weight without trying?" in client.get("/checkin").get_data(as_text=True)


# --- once a day, then one question ----------------------------------------------------------------


def test_a_first_set_with_no_checkin_asks_the_whole_list(client, patient):
    """No check-in today: the first set's screen asks every question, none pre-selected."""
    page = client.get("/exercises").get_data(as_text=True)
    assert len(set(RF_FIELD.findall(page))) == len(FLAG_LEVELS)
    assert SINCE_LAST_QUESTION not in page and 'name="anything_new"' not in page
    assert not re.search(r'name="rf_[a-z_]+"[^>]*checked|checked[^>]*name="rf_', page)
    assert start_set(client).headers["Location"] == "/exercises"
    assert _screens() == [("session", "full", {flag: False for flag in FLAG_LEVELS}, "none", [])]


def test_after_the_checkin_a_set_asks_one_question_with_the_list_and_no_starts_it(client, patient):
    """After today's check-in: one question with every sign listed under it; "No" starts the set."""
    check_in(client)
    page = client.get("/exercises").get_data(as_text=True)
    assert SINCE_LAST_QUESTION in page and not RF_FIELD.search(page)
    assert "Losing weight without trying" in page and "Falling more than once because of your leg" in page
    assert not re.search(r'name="anything_new"[^>]*checked', page)
    response = _post_start(client, anything_new="no")
    assert response.status_code == 303 and response.headers["Location"] == "/exercises"
    assert "Lie on your front" in client.get("/exercises").get_data(as_text=True)
    assert ExerciseSet.select().count() == 1
    assert [s[:3] for s in _screens()] == [
        ("checkin", "full", {flag: False for flag in FLAG_LEVELS}), ("session", "since_last", {"anything_new": False})]


def test_a_second_set_the_same_day_asks_the_one_question(client, patient):
    """A whole set, then the next one the same day: the one question, and "No" starts it."""
    start_set(client)
    run_whole_set(client, patient)
    recheck(client, zone="thigh", leg_pain="4")
    _fresh_start(patient)
    page = client.get("/exercises").get_data(as_text=True)
    assert SINCE_LAST_QUESTION in page and not RF_FIELD.search(page)
    assert start_set(client).headers["Location"] == "/exercises"
    assert ExerciseSet.select().count() == 2
    assert [s[1] for s in _screens()] == ["full", "since_last"]


def test_an_unanswered_one_question_is_an_error_beside_it(client, patient):
    """No answer is never "no": the question is asked again with its message, and no set starts."""
    check_in(client)
    response = _post_start(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="anything_new-error">Answer yes or no.' in page and 'aria-describedby="anything_new-error"' in page
    assert ExerciseSet.select().count() == 0 and [s[1] for s in _screens()] == ["full"]


def test_yes_brings_back_the_whole_list_and_a_yes_there_raises_its_alert(client, patient):
    """"Yes": the whole list again, with the reading kept and no answer chosen; a sign there is triaged as ever."""
    check_in(client)
    response = _post_start(client, anything_new="yes", zone="thigh")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You said something has started or got worse. Please answer each question." in page
    assert len(set(RF_FIELD.findall(page))) == len(FLAG_LEVELS) and 'name="anything_new"' not in page
    assert not re.search(r'name="rf_[a-z_]+"[^>]*checked', page) and 'class="error"' not in page
    assert _checked(page, "zone") == ["thigh"] and _checked(page, "rf_fever") == []
    assert ExerciseSet.select().count() == 0
    response = _post_page(client, page, **{**no_red_flags(page), "rf_fever": "yes"})
    alert = Alert.get()
    assert (alert.level, alert.reasons, alert.source) == ("urgent", ["fever"], "session")
    assert response.headers["Location"] == f"/alerts/{alert.id}"
    assert [s[:4] for s in _screens()][1:] == [
        ("session", "since_last", {"anything_new": True}, "none"),
        ("session", "full", {**{flag: False for flag in FLAG_LEVELS}, "fever": True}, "urgent"),
    ]
    assert _screens()[-1][4] == ["fever"]


def test_yes_then_all_no_starts_the_set(client, patient):
    """After "yes", a whole list of "no" starts the set."""
    check_in(client)
    page = _post_start(client, anything_new="yes").get_data(as_text=True)
    response = _post_page(client, page, **no_red_flags(page))
    assert response.headers["Location"] == "/exercises" and ExerciseSet.select().count() == 1


def test_the_whole_list_is_due_again_the_next_day(client, patient):
    """Yesterday's answers do not count: the first set of a new day asks the whole list again."""
    check_in(client)
    _a_day_ago()
    page = client.get("/exercises").get_data(as_text=True)
    assert len(set(RF_FIELD.findall(page))) == len(FLAG_LEVELS) and SINCE_LAST_QUESTION not in page


def test_one_question_sent_after_midnight_brings_the_whole_list(client, patient):
    """The page asked the one question yesterday; sent today, "No" is not enough: the whole list is shown."""
    check_in(client)
    _, hidden = form_page(client, "/exercises")
    _a_day_ago()
    response = client.post("/exercises/start", data={**hidden, "anything_new": "no", "zone": "calf", "side": "left",
                                                     "leg_pain": "6", "back_pain": "3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This is your first set today" in page
    assert len(set(RF_FIELD.findall(page))) == len(FLAG_LEVELS) and ExerciseSet.select().count() == 0


# --- every screen kept ----------------------------------------------------------------------------


def test_every_screen_is_kept_with_its_answers_level_and_reasons(client, patient):
    """Check-in, a full set start and the one question: each kept with its time, answers, level and reasons."""
    check_in(client, rf_numbness_spreading="yes")
    start_set(client)
    rows = list(RedFlagScreen.select().order_by(RedFlagScreen.id))
    assert [(r.source, r.kind, r.level, r.reasons) for r in rows] == [
        ("checkin", "full", "contact_pt", ["numbness_spreading"]), ("session", "since_last", "none", [])]
    assert rows[0].answers["numbness_spreading"] is True and rows[0].answered_at == CheckIn.get().recorded_at
    assert all(r.answered_at is not None and r.patient_id == patient.id for r in rows)


# --- a reading on both legs after a one-leg onboarding is both_legs -------------------------------


def test_a_checkin_on_both_legs_after_a_one_leg_onboarding_raises_both_legs(client, patient):
    """Every box "no", but the reading is on both legs: the emergency alert for both legs."""
    response = check_in(client, side="both")
    alert = Alert.get()
    assert (alert.level, alert.reasons, alert.source) == ("emergency", ["both_legs"], "checkin")
    assert response.headers["Location"] == f"/alerts/{alert.id}"


def test_a_set_start_on_both_legs_raises_both_legs_even_after_the_one_question(client, patient):
    """"No" to the one question, but the before-reading is on both legs: the emergency alert, and no set."""
    check_in(client)
    response = _post_start(client, anything_new="no", side="both")
    alert = Alert.get()
    assert (alert.level, alert.reasons, alert.source) == ("emergency", ["both_legs"], "session")
    assert response.headers["Location"] == f"/alerts/{alert.id}" and ExerciseSet.select().count() == 0
    assert _screens()[-1][1:] == ("since_last", {"anything_new": False}, "emergency", ["both_legs"])


def test_a_recheck_on_both_legs_raises_both_legs(client, patient):
    """The re-check after the walk on both legs: the emergency alert."""
    start_set(client)
    run_whole_set(client, patient)
    response = recheck(client, side="both")
    alert = Alert.get()
    assert (alert.level, alert.reasons) == ("emergency", ["both_legs"])
    assert response.headers["Location"] == f"/alerts/{alert.id}"


# --- the API's start event ------------------------------------------------------------------------


def _start_event(**changes):
    """A start event as an app sends it."""
    body = {"id": str(uuid.uuid4()), "kind": "start", "occurred_at": minutes_ago(1),
            "reading": {"zone": "calf", "side": "left", "leg_pain": 6, "back_pain": 2}}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_the_api_start_takes_anything_new_false_after_a_full_screen_today(app, client):
    """anything_new false: refused (422, pointing at red_flags) before a full screen today, accepted after one."""
    patient = make_onboarded_patient()
    token = token_for(patient)
    path = f"/patients/{patient.id}/player/events"
    refused = call(client, "POST", path, token, _start_event(anything_new=False))
    problem = refused.get_json()
    assert refused.status_code == 422 and problem["errors"][0]["field"] == "red_flags"
    assert "ask every red-flag question" in problem["detail"]
    assert (SessionEvent.select().count(), RedFlagScreen.select().count()) == (0, 0)
    # Seconds apart, not half an hour: a check-in 30 minutes ago is yesterday's screen just after midnight.
    now = datetime.now(UTC)
    checkin = checkin_body(recorded_at=(now - timedelta(seconds=20)).isoformat())
    assert call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin).status_code == 201
    event = _start_event(anything_new=False, occurred_at=(now - timedelta(seconds=10)).isoformat())
    accepted = call(client, "POST", path, token, event)
    assert accepted.status_code == 201 and accepted.get_json()["session"]["screen"]["kind"] == "step"
    assert [s[:3] for s in _screens()][-1] == ("session", "since_last", {"anything_new": False})
    assert call(client, "POST", path, token, event).status_code == 200  # sent again: the stored event, nothing new
    assert RedFlagScreen.select().count() == 2


def test_the_api_start_with_anything_new_true_needs_every_answer(app, client):
    """anything_new true alone is a 422 asking for the answers; with them it is a full screen, triaged as ever."""
    patient = make_onboarded_patient()
    token = token_for(patient)
    path = f"/patients/{patient.id}/player/events"
    call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin_body())
    alone = call(client, "POST", path, token, _start_event(anything_new=True))
    assert alone.status_code == 422 and [e["field"] for e in alone.get_json()["errors"]] == ["red_flags"]
    assert "send an answer to every red-flag question" in alone.get_json()["errors"][0]["detail"]
    flags = {**{flag: False for flag in FLAG_LEVELS}, "weight_loss": True}
    out = call(client, "POST", path, token, _start_event(anything_new=True, red_flags=flags))
    assert out.status_code == 201 and Alert.get(Alert.id == out.get_json()["alert_id"]).reasons == ["weight_loss"]
    assert _screens()[-1][1:4] == ("full", flags, "urgent")
    other = call(client, "POST", path, token, {"id": str(uuid.uuid4()), "kind": "quit", "occurred_at": minutes_ago(0),
                                               "anything_new": False})
    assert other.status_code == 422 and other.get_json()["errors"][0]["field"] == "anything_new"


def test_the_api_start_on_both_legs_raises_both_legs(app, client):
    """A start event whose reading is on both legs, after a one-leg onboarding: the emergency alert."""
    patient = make_onboarded_patient()
    token = token_for(patient)
    flags = {flag: False for flag in FLAG_LEVELS}
    out = call(client, "POST", f"/patients/{patient.id}/player/events", token,
               _start_event(red_flags=flags, reading={"zone": "calf", "side": "both", "leg_pain": 6, "back_pain": 2}))
    alert = Alert.get(Alert.id == out.get_json()["alert_id"])
    assert (alert.level, alert.reasons) == ("emergency", ["both_legs"])


def test_the_service_refuses_anything_new_without_a_full_screen(app):
    """sessions.start_set: the one question alone is refused until the whole list was answered today."""
    from selfcare.clinical import Reading, Side, Zone

    patient = make_onboarded_patient()
    reading = Reading(Zone.CALF, 5, 2, Side.LEFT)
    with pytest.raises(sessions.FullScreenNeeded) as refused:
        sessions.start_set(patient, None, reading, anything_new=False)
    assert refused.value.why == sessions.FullScreenNeeded.DUE
    with pytest.raises(sessions.FullScreenNeeded) as said_yes:
        sessions.start_set(patient, None, reading, anything_new=True)
    assert said_yes.value.why == sessions.FullScreenNeeded.ANYTHING_NEW
    assert RedFlagScreen.select().count() == 0 and ExerciseSet.select().count() == 0
