"""The protocol player through the real pages: steps, timers as deadlines, stop rules, results."""

from __future__ import annotations

import pytest

from selfcare.models import ExerciseSet, PlanSetting, PlayerState
from tests.factories import make_onboarded_patient
from tests.patient_helpers import let_timer_run_out, press, recheck, run_whole_set, start_set


@pytest.fixture
def patient(app, auth):
    """An onboarded patient, logged in."""
    user = make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com")
    return user


def test_a_whole_set_that_centralizes(client, patient):
    assert start_set(client).headers["Location"] == "/exercises"
    page = client.get("/exercises").get_data(as_text=True)
    assert "Lie on your front" in page and 'data-deadline="' in page
    assert "My leg symptoms moved farther down" in page  # one tap away on every step
    run_whole_set(client, patient)
    response = recheck(client, zone="thigh", leg_pain="4")
    assert response.status_code == 303
    page = client.get("/exercises").get_data(as_text=True)
    assert "Your leg symptoms moved up from calf or shin to thigh after the last set" in page
    assert "Repeat the set later today: do your next set at" in page or "That is enough sets for today" in page
    row = ExerciseSet.get()
    assert (row.before_zone, row.after_zone, row.response, row.stop_reason) == ("calf", "thigh", "centralized", None)
    assert row.outcome in ("repeat_later", "done_for_today") and row.finished_at is not None
    today = client.get("/today").get_data(as_text=True)
    assert "<strong>1</strong> of about" in today and "moved up from calf or shin to thigh" in today


def test_a_timer_cannot_be_skipped_before_its_deadline(client, patient):
    start_set(client)
    press(client, "timer_ended")
    assert "Lie on your front" in client.get("/exercises").get_data(as_text=True)
    let_timer_run_out(patient)
    press(client, "timer_ended")
    assert "Prop up on your elbows" in client.get("/exercises").get_data(as_text=True)


def test_a_reload_keeps_the_same_step_and_deadline(client, patient):
    start_set(client)
    first = client.get("/exercises").get_data(as_text=True)
    second = client.get("/exercises").get_data(as_text=True)
    deadline = first.split('data-deadline="', 1)[1].split('"', 1)[0]
    assert f'data-deadline="{deadline}"' in second


def test_a_double_tap_does_not_skip_a_step(client, patient):
    start_set(client)
    for _ in range(2):
        let_timer_run_out(patient)
    page = client.get("/exercises").get_data(as_text=True)
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    for _ in range(2):  # the same button sent twice from the same page
        client.post("/exercises/event", data={"csrf_token": csrf, "event": "timer_ended", "token": token})
    assert PlayerState.get().state["index"] == 1


@pytest.mark.parametrize("button", ["symptoms_peripheralized", "leg_pain_worse"])
@pytest.mark.parametrize("steps_before", [0, 2, 3])
def test_the_stop_rule_wins_at_any_step(client, patient, button, steps_before):
    """Either stop button ends the set at any step: further down the leg holds the plan, leg pain worse stops the day."""
    start_set(client)
    for _ in range(steps_before):
        page = client.get("/exercises").get_data(as_text=True)
        if 'value="step_done"' in page:
            press(client, "step_done")
        else:
            let_timer_run_out(patient)
            press(client, "timer_ended")
    press(client, button)
    page = client.get("/exercises").get_data(as_text=True)
    row = ExerciseSet.get()
    if button == "symptoms_peripheralized":
        assert "Your exercises are on hold" in page and "try again tomorrow" not in page
        assert row.stop_reason == "peripheralized" and row.outcome == "plan_held"
        assert "Your exercises are on hold." in client.get("/today").get_data(as_text=True)
    else:
        assert "Stop for today" in page and "You can try again tomorrow from" in page
        assert row.stop_reason == "worse" and row.outcome == "stop_contact_pt"
        assert "Stop the exercises for today." in client.get("/today").get_data(as_text=True)
    assert "Start the set" not in page
    assert start_set(client).headers["Location"] == "/exercises"  # no new set
    assert ExerciseSet.select().count() == 1


def test_a_set_that_peripheralizes_at_the_recheck_holds_the_plan(client, patient):
    """Symptoms further down the leg at the re-check: the result, and the plan on hold (not "try again tomorrow")."""
    start_set(client, zone="thigh", leg_pain="5")
    run_whole_set(client, patient)
    recheck(client, zone="calf", leg_pain="5")
    page = client.get("/exercises").get_data(as_text=True)
    assert "Your symptoms spread further down, from thigh to calf or shin" in page
    assert "Your exercises are on hold" in page and "This plan may not suit you" in page  # no therapist linked
    assert "try again tomorrow" not in page and "Start the set" not in page
    row = ExerciseSet.get()
    assert (row.response, row.stop_reason, row.outcome) == ("peripheralized", "peripheralized", "plan_held")


def test_the_player_follows_the_therapists_plan(client, patient):
    PlanSetting.create(patient=patient, changes={"press_ups.reps": 6, "prone_lying.seconds": 180})
    start_set(client)
    page = client.get("/exercises").get_data(as_text=True)
    assert 'data-seconds="180"' in page
    let_timer_run_out(patient)
    press(client, "timer_ended")
    let_timer_run_out(patient)
    press(client, "timer_ended")
    assert "I have done 6 press-ups" in client.get("/exercises").get_data(as_text=True)


def test_a_pause_by_the_therapist_stops_new_sets(client, patient):
    PlanSetting.create(patient=patient, paused=True, pause_message="Please stop the exercises and call me.")
    page = client.get("/exercises").get_data(as_text=True)
    assert "Your exercises are paused" in page and "Please stop the exercises and call me." in page
    start_set(client)
    assert ExerciseSet.select().count() == 0
    assert "Please stop the exercises and call me." in client.get("/today").get_data(as_text=True)


def test_bad_before_reading_is_explained_and_starts_nothing(client, patient):
    response = start_set(client, leg_pain="12")
    assert response.status_code == 422
    assert "Choose a number from 0 to 10." in response.get_data(as_text=True)
    assert ExerciseSet.select().count() == 0


def test_unknown_events_are_refused(client, patient):
    page = client.get("/exercises").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    for event in ("start", "recheck_done", "confirm", "fly", ""):
        assert client.post("/exercises/event", data={"csrf_token": csrf, "event": event}).status_code == 400
