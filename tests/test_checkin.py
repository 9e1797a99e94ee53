"""The daily check-in and red-flag alerts, through the real forms, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from selfcare.clinical import FLAG_LEVELS, Level
from selfcare.models import Alert, CheckIn, PlayerState, Walk
from tests.factories import make_onboarded_patient, make_profile, make_patient
from tests.patient_helpers import check_in, checkin_data, form_page, start_set


@pytest.fixture
def patient(app, auth):
    """An onboarded patient in the UK, logged in."""
    user = make_onboarded_patient(email="pat@example.com", region="UK")
    auth.login("pat@example.com")
    return user


def test_a_calm_checkin_is_stored_with_its_walk(client, patient):
    response = check_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/today"
    row = CheckIn.get()
    assert (row.zone, row.side, row.leg_pain, row.back_pain, row.level) == ("calf", "left", 6, 3, "none")
    assert row.sensations == ["pain", "tingling"] and row.worse_with == ["sitting"]
    assert set(row.red_flags) == set(FLAG_LEVELS) and not any(row.red_flags.values())
    walk = Walk.get()
    assert (walk.minutes, walk.onset_minutes, walk.checkin_id) == (12, 5, row.id)
    assert Alert.select().count() == 0
    assert "Thank you. Your check-in is saved." in client.get("/today").get_data(as_text=True)


def test_a_replayed_checkin_stores_nothing_new(client, patient):
    html, hidden = form_page(client, "/checkin")
    data = checkin_data(html, hidden, rf_bladder_change="yes")
    first = client.post("/checkin", data=data)
    second = client.post("/checkin", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert (CheckIn.select().count(), Walk.select().count(), Alert.select().count()) == (1, 1, 1)


def test_a_form_sent_again_with_changed_answers_keeps_the_new_answers(client, patient):
    """The back button re-sends the same form id: a red flag added on the second try must not be lost."""
    html, hidden = form_page(client, "/checkin")
    client.post("/checkin", data=checkin_data(html, hidden))
    second = client.post("/checkin", data=checkin_data(html, hidden, rf_bladder_change="yes"))
    alert = Alert.get()
    assert second.headers["Location"] == f"/alerts/{alert.id}" and alert.level == "emergency"
    assert CheckIn.select().count() == 2


@pytest.mark.parametrize("flag", sorted(FLAG_LEVELS))
def test_every_red_flag_raises_its_level(client, patient, flag):
    response = check_in(client, **{f"rf_{flag}": "yes"})
    alert = Alert.get()
    assert alert.level == FLAG_LEVELS[flag].value and alert.reasons == [flag] and alert.source == "checkin"
    assert response.headers["Location"] == f"/alerts/{alert.id}"
    assert CheckIn.get().level == FLAG_LEVELS[flag].value
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "I have read this" in page


def test_emergency_takes_over_every_page_until_confirmed(client, patient):
    check_in(client, rf_saddle_numbness="yes", rf_fever="yes")
    alert = Alert.get()
    assert alert.level == "emergency" and set(alert.reasons) == {"saddle_numbness"}
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert 'href="tel:999"' in page and "Call 999 now" in page
    assert "I have new numbness around my bottom and between my legs." in page  # what to tell them, as a statement
    assert "I am worried about cauda equina syndrome." in page and "you have sciatica" not in page
    for path in ("/today", "/checkin", "/exercises", "/onboarding"):
        response = client.get(path)
        assert (response.status_code, response.headers["Location"]) == (302, f"/alerts/{alert.id}"), path
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post(f"/alerts/{alert.id}/confirm", data={"csrf_token": csrf}).status_code == 303
    assert Alert.get().confirmed_at is not None
    assert client.get("/today").status_code == 200
    exercises = client.get("/exercises").get_data(as_text=True)
    assert "No exercises today" in exercises  # still blocked for the rest of the day
    assert PlayerState.get().state["phase"] == "blocked"


def test_urgent_pauses_the_plan_and_confirming_does_not_lift_it(client, patient):
    """Fever is urgent: the plan stays paused after the alert is read, until a doctor has said exercise is fine."""
    check_in(client, rf_fever="yes")
    alert = Alert.get()
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "Speak to a doctor today" in page and "111" in page  # the UK urgent-advice number
    assert "Read your alert" in client.get("/today").get_data(as_text=True)
    assert "Your exercises are paused" in client.get("/exercises").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post(f"/alerts/{alert.id}/confirm", data={"csrf_token": csrf})
    player = client.get("/exercises").get_data(as_text=True)
    assert "Start the set" not in player and "until a doctor has seen you and said exercise is fine" in player


def test_contact_pt_does_not_block(client, patient):
    check_in(client, rf_numbness_spreading="yes")
    assert Alert.get().level == "contact_pt"
    assert "Start the set" in client.get("/exercises").get_data(as_text=True)


def test_history_items_raise_combinations(app, client, auth):
    user = make_patient(email="hist@example.com")
    make_profile(user, cancer_history=True)
    auth.login("hist@example.com")
    check_in(client, rf_night_pain="yes")
    alert = Alert.get()
    assert alert.level == "urgent" and set(alert.reasons) == {"night_pain", "cancer_history"}


def test_red_flags_at_the_start_of_a_set_raise_alerts_too(client, patient):
    response = start_set(client, rf_bladder_change="yes")
    alert = Alert.get()
    assert (alert.level, alert.source) == ("emergency", "session")
    assert response.headers["Location"] == f"/alerts/{alert.id}"
    assert PlayerState.get().state["phase"] == "blocked"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"leg_pain": "11"}, "leg_pain", "Choose a number from 0 to 10."),
        ({"back_pain": "-1"}, "back_pain", "Choose a number from 0 to 10."),
        ({"leg_pain": "seven"}, "leg_pain", "Choose a number from 0 to 10."),
        ({"leg_pain": None}, "leg_pain", "Choose how bad your leg pain is"),
        ({"walk_minutes": "-5"}, "walk_minutes", "Enter a whole number of minutes"),
        ({"walk_minutes": "9999"}, "walk_minutes", "Enter 300 minutes or fewer."),
        ({"walk_minutes": "10", "walk_onset_minutes": "20"}, "walk_onset_minutes", "cannot be longer than the walk"),
        ({"walk_minutes": None, "walk_onset_minutes": "3"}, "walk_onset_minutes", "Enter how long you walked first."),
        ({"zone": "knee"}, "zone", "Choose where you feel it furthest down."),
        ({"zone": None}, "zone", "Choose where you feel it furthest down."),
        ({"side": None}, "side", "Choose which side."),
        ({"rf_bladder_change": None}, "rf_bladder_change", "Answer yes or no."),
        ({"rf_falls": "maybe"}, "rf_falls", "Answer yes or no."),
        ({"sensations": ["pain", "itching"]}, "sensations", "Choose from the list."),
        ({"entry_id": "not-a-uuid"}, "entry_id", "This form is out of date"),
    ],
)
def test_bad_checkin_input_is_explained_beside_the_field_and_stores_nothing(client, patient, changes, field, message):
    html, hidden = form_page(client, "/checkin")
    response = client.post("/checkin", data=checkin_data(html, hidden, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if field != "entry_id":
        assert f'id="{field}-error"' in page
        controls = re.findall(rf'<input[^>]*name="{field}"[^>]*>', page)  # a box, or every option of a group
        assert controls and all('aria-invalid="true"' in control for control in controls)
    assert (CheckIn.select().count(), Walk.select().count(), Alert.select().count()) == (0, 0, 0)


@pytest.mark.parametrize("sent", ["not-a-uuid", None])
def test_an_out_of_date_form_comes_back_with_a_new_id_that_saves(client, patient, sent):
    """A broken or missing entry id: the page says to send it again and carries a fresh id, which is then stored."""
    html, hidden = form_page(client, "/checkin")
    response = client.post("/checkin", data=checkin_data(html, hidden, entry_id=sent))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This form is out of date" in page
    fresh = re.search(r'name="entry_id" type="hidden" value="([0-9a-f-]{36})"', page)
    assert fresh and fresh.group(1) != hidden["entry_id"]
    assert client.post("/checkin", data=checkin_data(page, {**hidden, "entry_id": fresh.group(1)})).status_code == 303
    assert str(CheckIn.get().uuid) == fresh.group(1)


def test_answers_given_stay_chosen_when_the_form_comes_back_with_an_error(client, patient):
    """A patient who missed one question does not have to choose their leg and back pain again."""
    html, hidden = form_page(client, "/checkin")
    response = client.post("/checkin", data=checkin_data(html, hidden, side=None, leg_pain="7", back_pain="2"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    checked = dict(re.findall(r'<input[^>]*?checked[^>]*?name="(\w+)"[^>]*?value="(\w+)"', page))
    assert {name: checked.get(name) for name in ("zone", "leg_pain", "back_pain")} == {"zone": "calf", "leg_pain": "7", "back_pain": "2"}


def test_no_symptoms_needs_no_side(client, patient):
    response = check_in(client, zone="none", side=None, leg_pain="0", back_pain="0")
    assert response.status_code == 303
    assert (CheckIn.get().zone, CheckIn.get().side) == ("none", None)


def test_a_red_flag_never_shows_lower_than_its_level(client, patient):
    """Every emergency sign, whatever else is answered, lands on the emergency screen."""
    for flag, level in FLAG_LEVELS.items():
        if level != Level.EMERGENCY:
            continue
        check_in(client, **{f"rf_{flag}": "yes", "rf_numbness_spreading": "yes", "rf_fever": "yes"})
        alert = Alert.select().order_by(Alert.id.desc()).first()
        assert alert.level == "emergency"
        page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
        assert "Get emergency help now" in page
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post(f"/alerts/{alert.id}/confirm", data={"csrf_token": csrf})


# A red flag never waits for the rest of the form: an unfinished form with a "yes" raises its alert at once.


def test_an_unfinished_checkin_with_an_emergency_answer_goes_straight_to_the_alert(client, patient):
    response = check_in(client, rf_bladder_change="yes", zone=None, leg_pain=None)
    alert = Alert.get()
    assert response.status_code == 303 and response.headers["Location"] == f"/alerts/{alert.id}"
    assert (alert.level, alert.reasons, alert.source, alert.checkin_id) == ("emergency", ["bladder_change"], "checkin", None)
    assert CheckIn.select().count() == 0  # nothing half-made is stored as a check-in
    assert client.get("/exercises").headers["Location"] == f"/alerts/{alert.id}"  # the emergency takes over


def test_the_finished_checkin_joins_the_alert_its_unfinished_form_raised(client, patient):
    html, hidden = form_page(client, "/checkin")
    for _ in range(2):  # sent twice without a pain score: still one alert
        client.post("/checkin", data=checkin_data(html, hidden, rf_fever="yes", leg_pain=None))
    assert Alert.select().count() == 1
    finished = client.post("/checkin", data=checkin_data(html, hidden, rf_fever="yes"))
    alert, checkin = Alert.get(), CheckIn.get()
    assert Alert.select().count() == 1 and alert.checkin_id == checkin.id and alert.level == "urgent"
    assert finished.headers["Location"] == f"/alerts/{alert.id}"


def test_a_contact_pt_answer_on_an_unfinished_form_is_kept_and_the_form_shown_again(client, patient):
    response = check_in(client, rf_numbness_spreading="yes", zone=None)
    assert response.status_code == 422 and 'id="zone-error"' in response.get_data(as_text=True)
    alert = Alert.get()
    assert (alert.level, alert.checkin_id) == ("contact_pt", None)  # the therapist hears of it even if never finished


def test_an_unfinished_checkin_without_a_red_flag_raises_nothing(client, patient):
    response = check_in(client, zone=None)
    assert response.status_code == 422 and Alert.select().count() == 0 and CheckIn.select().count() == 0


def test_an_unfinished_set_start_with_an_emergency_answer_goes_straight_to_the_alert(client, patient):
    response = start_set(client, rf_saddle_numbness="yes", leg_pain=None)
    alert = Alert.get()
    assert response.headers["Location"] == f"/alerts/{alert.id}"
    assert (alert.level, alert.source) == ("emergency", "session")
