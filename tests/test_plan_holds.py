"""The plan after a stop (CLINICAL.md §4 "A stop holds the plan", §2 urgent): held for the therapist, stopped for the
day, paused until a doctor's all-clear, and who lifts each; through the real pages, on the patient's clock."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from selfcare import accounts
from selfcare.clinical import Event, EventKind, Level, Reading, triage_today
from selfcare.content import current_content
from selfcare.models import Alert, ExerciseSet, PlayerState, SessionEvent, User
from selfcare.patient.forms import red_flag_field_name
from selfcare.services import alerts, holds, player
from tests.api_helpers import call, token_for
from tests.conftest import Auth, csrf_from
from tests.factories import make_onboarded_patient, make_therapist
from tests.patient_helpers import check_in, press, recheck, run_whole_set, start_set

START_FORM = 'action="/exercises/start"'


def midday_zone() -> str:
    """A time zone where it is now between 11:00 and 15:59, so a later set today and "tomorrow" are both clear."""
    hour = datetime.now(timezone.utc).hour
    for offset in range(-12, 15):
        if 11 <= (hour + offset) % 24 <= 15:
            return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # Etc/GMT-5 is five hours ahead of UTC
    raise AssertionError("no zone found")


def hours_pass(patient: User, hours: int) -> None:
    """Time passes for the plan: the stored times of the patient's state move `hours` into the past."""
    row = PlayerState.get(PlayerState.patient == patient.id)
    state = dict(row.state)
    for name in ("next_at", "deadline"):
        if state.get(name):
            state[name] = (datetime.fromisoformat(state[name]) - timedelta(hours=hours)).isoformat()
    PlayerState.update(state=state).where(PlayerState.id == row.id).execute()
    for model, fields in ((ExerciseSet, ("started_at", "finished_at")), (SessionEvent, ("occurred_at",))):
        for item in model.select().where(model.patient == patient.id):
            for field in fields:
                if getattr(item, field) is not None:
                    setattr(item, field, getattr(item, field) - timedelta(hours=hours))
            item.save()


def a_day_passes(patient: User) -> None:
    """The next day comes (what blocked the plan "for today" is over)."""
    hours_pass(patient, 24)


def phase(patient: User) -> str:
    """The stored phase of the patient's plan."""
    return str(PlayerState.get(PlayerState.patient == patient.id).state["phase"])


def exercises(client: Any) -> str:
    """The player page."""
    return str(client.get("/exercises").get_data(as_text=True))


def today(client: Any) -> str:
    """The Today page."""
    return str(client.get("/today").get_data(as_text=True))


def blind_start(client: Any) -> Any:
    """POST a complete, valid set start straight to /exercises/start, as an old page or a second tab would."""
    csrf = csrf_from(exercises(client))
    with client.application.app_context():
        questions = current_content().red_flags.questions
    data = {"csrf_token": csrf, "entry_id": str(uuid.uuid4()), "asked": "full", "zone": "calf", "side": "left", "leg_pain": "6", "back_pain": "3",
            **{red_flag_field_name(q): "no" for q in questions}}
    return client.post("/exercises/start", data=data)


def a_set(client: Any, patient: User, after: dict[str, str]) -> None:
    """A whole set from calf 6/10 with the re-check reading `after`."""
    assert start_set(client).status_code == 303
    run_whole_set(client, patient)
    recheck(client, **after)


PLAN_FORM = {"sets": "1", "repeat_every_minutes": "150", "prone_lying__seconds": "120", "prone_on_elbows__seconds": "90",
             "press_ups__reps": "10", "press_ups__pause_seconds": "1", "walk_recheck__seconds": "120", "progression": "y", "exhale": "y"}
UNCHANGED = {"zone": "calf", "leg_pain": "6"}
BETTER = {"zone": "thigh", "leg_pain": "4"}


@pytest.fixture
def therapist(app: Any) -> User:
    """A physiotherapist (UK words)."""
    return make_therapist(email="pt@example.com", name="Dana Physio")


@pytest.fixture
def patient(app: Any, auth: Any, therapist: User) -> User:
    """An onboarded UK patient linked to their therapist, logged in, at midday on their clock."""
    user = make_onboarded_patient(email="pat@example.com", timezone=midday_zone())
    accounts.link(therapist, user)
    auth.login("pat@example.com")
    return user


def therapist_client(app: Any, email: str = "pt@example.com") -> Any:
    """A logged-in therapist's own client."""
    client = app.test_client()
    assert Auth(client).login(email).status_code == 303
    return client


def release(client: Any, patient: User) -> Any:
    """The therapist presses "Re-enable the plan" on the patient's page."""
    page = client.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    return client.post(f"/therapist/patients/{patient.id}/plan/release", data={"csrf_token": csrf_from(page)})


# ---- Held for the therapist ------------------------------------------------------------------------


def test_symptoms_further_down_hold_the_plan_across_days_until_the_therapist_re_enables_it(app, client, patient, therapist):
    """The stop button "moved farther down" holds the plan, the next day too; the PT sees why and since when, re-enables
    it (recorded with who and when), and the patient is told and can start again."""
    start_set(client)
    press(client, "symptoms_peripheralized")
    page = exercises(client)
    assert "Your exercises are on hold" in page and "moved further down your leg" in page
    assert "Your plan stays on hold until your physiotherapist has looked at it." in page
    assert "contact your physiotherapist" in page and "try again tomorrow" not in page and START_FORM not in page
    a_day_passes(patient)
    page = exercises(client)
    assert "Your exercises are on hold" in page and START_FORM not in page
    assert ("Your exercises are on hold until your physiotherapist has looked at them. Please contact them."
            in today(client)) and "Time for a set" not in today(client)
    assert blind_start(client).headers["Location"] == "/exercises" and ExerciseSet.select().count() == 1

    pt = therapist_client(app)
    card = pt.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    assert "Exercises on hold" in card and "symptoms moved further down the leg" in card and "Re-enable the plan" in card
    assert "Exercises on hold" in pt.get(f"/therapist/patients/{patient.id}/plan").get_data(as_text=True)
    response = release(pt, patient)
    assert response.status_code == 303 and phase(patient) == "ready"
    assert "plan is back on" in pt.get(response.headers["Location"]).get_data(as_text=True)
    lift = SessionEvent.get(SessionEvent.kind == "release")
    assert lift.body["by"] == therapist.id and lift.body["held"] == "peripheralized" and lift.patient_id == patient.id
    timeline = pt.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    assert "Plan turned back on by Dana Physio" in timeline and "Re-enable the plan" not in timeline

    told = "Your physiotherapist has looked at your plan and turned your exercises back on."
    assert told in exercises(client) and START_FORM in exercises(client) and told in today(client)
    start_set(client)
    assert ExerciseSet.select().count() == 2 and told not in today(client)  # said until the next set


def test_a_set_that_ends_further_down_the_leg_holds_the_plan(client, patient):
    """A re-check further down the leg holds the plan: the same screen, held the next day."""
    a_set(client, patient, {"zone": "foot", "leg_pain": "6"})
    assert phase(patient) == "held" and "Your exercises are on hold" in exercises(client)
    a_day_passes(patient)
    assert phase(patient) == "held" and START_FORM not in exercises(client)


def test_without_a_therapist_the_held_plan_says_to_see_one(app, client, patient, therapist):
    """No therapist linked: the plan may not suit them, see a physiotherapist or GP (UK words)."""
    from selfcare.services.care import end_link

    end_link(therapist, patient)
    start_set(client)
    press(client, "symptoms_peripheralized")
    page = exercises(client)
    assert "This plan may not suit you. Please see a physiotherapist or GP before you carry on." in page
    assert "until your physiotherapist has looked at it" not in page
    assert "This plan may not suit you. Please see a physiotherapist or GP before you carry on." in today(client)


def test_a_therapist_not_linked_cannot_re_enable_the_plan(app, client, patient):
    """Another therapist gets 404 and the plan stays held; nothing is recorded."""
    start_set(client)
    press(client, "symptoms_peripheralized")
    make_therapist(email="other@example.com")
    other = therapist_client(app, "other@example.com")
    csrf = csrf_from(other.get("/therapist/patients").get_data(as_text=True))
    response = other.post(f"/therapist/patients/{patient.id}/plan/release", data={"csrf_token": csrf})
    assert response.status_code == 404 and phase(patient) == "held"
    assert SessionEvent.select().where(SessionEvent.kind == "release").count() == 0


def test_a_plan_change_by_the_therapist_releases_the_hold(app, client, patient):
    """Saving the plan page re-enables a held plan, as a plan change and a lifted hold on the timeline."""
    start_set(client)
    press(client, "symptoms_peripheralized")
    pt = therapist_client(app)
    path = f"/therapist/patients/{patient.id}/plan"
    data = {"csrf_token": csrf_from(pt.get(path).get_data(as_text=True)), **PLAN_FORM, "repeat_every_minutes": "120"}
    assert pt.post(path, data=data).status_code == 303
    assert phase(patient) == "ready" and START_FORM in exercises(client)
    assert SessionEvent.get(SessionEvent.kind == "release").body["changed_plan"] is True
    timeline = pt.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    assert "Plan changed by Dana Physio" in timeline and "by saving a change to the plan" in timeline


def test_the_api_plan_put_releases_the_hold_and_the_player_says_held(client, patient, therapist):
    """The API shows phase "held" and screen "plan_held"; the therapist's PUT /plan re-enables the plan."""
    start_set(client)
    press(client, "symptoms_peripheralized")
    mine = call(client, "GET", f"/patients/{patient.id}/player", token_for(patient)).get_json()
    assert mine["phase"] == "held" and mine["screen"]["kind"] == "plan_held" and mine["screen"]["until_cleared"] is False
    put = call(client, "PUT", f"/patients/{patient.id}/plan", token_for(therapist), {"settings": {}, "paused": False})
    assert put.status_code == 200 and phase(patient) == "ready"


# ---- Stopped for the day, and "no benefit" ----------------------------------------------------------


def test_leg_pain_worse_stops_for_today_only(client, patient):
    """Leg pain worse: stop for today (no Start, POST start refused); the next day Start is there again."""
    start_set(client)
    press(client, "leg_pain_worse")
    page = exercises(client)
    assert "Stop for today" in page and "You told us your leg pain is getting worse." in page
    assert "You can try again tomorrow from 08:00." in page and START_FORM not in page
    assert "Stop the exercises for today and tell your physiotherapist." in today(client)
    assert blind_start(client).headers["Location"] == "/exercises" and ExerciseSet.select().count() == 1
    a_day_passes(patient)
    assert START_FORM in exercises(client)


def test_a_second_no_benefit_stop_holds_the_plan_across_days(client, patient):
    """Unchanged three times: stop for today and a warning; three more: held for the therapist, the next day too."""
    for _ in range(2):
        a_set(client, patient, UNCHANGED)
        a_day_passes(patient)
    a_set(client, patient, UNCHANGED)
    page = exercises(client)
    assert phase(patient) == "stopped" and "Stop for today" in page
    assert "Your last sets have not eased your leg symptoms." in page
    assert "If the plan does not help the next time either, it will be put on hold" in page
    a_day_passes(patient)
    for _ in range(2):
        a_set(client, patient, UNCHANGED)
        a_day_passes(patient)
    a_set(client, patient, UNCHANGED)
    page = exercises(client)
    assert phase(patient) == "held" and "The plan has not eased your leg symptoms twice now." in page
    assert ExerciseSet.select().order_by(ExerciseSet.id.desc()).first().outcome == "plan_held"
    a_day_passes(patient)
    assert phase(patient) == "held" and START_FORM not in exercises(client)


def test_an_unchanged_recheck_is_done_for_today_and_a_better_one_repeats_later(client, patient):
    """Seed 003 step 4: "Repeat later today" only after a better re-check; unchanged is done for today."""
    check_in(client)
    a_set(client, patient, UNCHANGED)
    page = exercises(client)
    assert "That is all for today." in page and "Repeat the set later today" not in page
    assert ExerciseSet.get().outcome == "done_for_today"
    assert "You have done your sets for today." in today(client)
    a_day_passes(patient)
    a_set(client, patient, BETTER)
    page = exercises(client)
    assert "Repeat the set later today: do your next set at" in page
    assert ExerciseSet.select().order_by(ExerciseSet.id.desc()).first().outcome == "repeat_later"


def test_any_stop_resets_progression_to_the_base_dose(client, patient):
    """Three better sets progress to 2 sets; a stop says the plan goes back to its first level, and the next set has 1."""
    for _ in range(3):
        a_set(client, patient, BETTER)
        hours_pass(patient, 3)
    assert PlayerState.get().state["progressed"] is True
    start_set(client)
    assert ExerciseSet.select().order_by(ExerciseSet.id.desc()).first().sets == 2
    press(client, "leg_pain_worse")
    page = exercises(client)
    assert "When you start again, the plan goes back to its first level: 1 set of press-ups" in page
    a_day_passes(patient)
    start_set(client)
    assert ExerciseSet.select().order_by(ExerciseSet.id.desc()).first().sets == 1
    assert "set 1 of 1" in exercises(client) or "Lie on your front" in exercises(client)


# ---- Urgent: the rest of the day; fever or trauma until cleared --------------------------------------


def confirm_alert(client: Any) -> None:
    """The patient reads their newest alert and confirms it."""
    alert = Alert.select().order_by(Alert.id.desc()).first()
    page = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert client.post(f"/alerts/{alert.id}/confirm", data={"csrf_token": csrf_from(page)}).status_code in (302, 303)


def test_urgent_blocks_the_rest_of_the_day_even_after_confirming_and_lifts_the_next_day(client, patient):
    """Night pain (urgent, not fever or trauma): no set today, read or not; the next day Start is back."""
    check_in(client, rf_night_pain="yes")
    assert Alert.get().level == "urgent"
    confirm_alert(client)
    page = exercises(client)
    assert "No exercises today" in page and "You can start again tomorrow from 08:00." in page and START_FORM not in page
    assert "doctor has seen me" not in page
    assert "No exercise set today." in today(client) and "Time for a set" not in today(client)
    assert blind_start(client).headers["Location"] == "/exercises" and ExerciseSet.select().count() == 0
    a_day_passes(patient)
    assert START_FORM in exercises(client)


def clear(client: Any, ticked: bool = True) -> Any:
    """The patient sends "a doctor has seen me and said I can exercise", with or without the tick."""
    data = {"csrf_token": csrf_from(exercises(client))} | ({"seen": "y"} if ticked else {})
    return client.post("/exercises/cleared", data=data)


def test_fever_stays_paused_the_next_day_until_the_patient_says_a_doctor_cleared_them(app, client, patient):
    """Fever: paused the next day too, with the confirmation; refused without the tick (nothing stored); ticked, it
    lifts, is kept with when, and the therapist sees it."""
    check_in(client, rf_fever="yes")
    confirm_alert(client)
    a_day_passes(patient)
    page = exercises(client)
    assert "Your exercises are paused" in page and START_FORM not in page
    assert "until a doctor has seen you and said exercise is fine, or until your physiotherapist turns them back on" in page
    assert "A doctor has seen me since this alert and said exercise is fine" in page  # the tick box's label
    assert "paused until a doctor has seen you and said exercise is fine" in today(client)
    assert blind_start(client).headers["Location"] == "/exercises" and ExerciseSet.select().count() == 0
    refused = clear(client, ticked=False)
    assert refused.status_code == 422 and "Tick this box only if a doctor has seen you" in refused.get_data(as_text=True)
    assert PlayerState.get().state["until_cleared"] is True and SessionEvent.select().count() == 0
    assert clear(client).headers["Location"] == "/exercises"
    assert START_FORM in exercises(client) and PlayerState.get().state["until_cleared"] is False
    kept = SessionEvent.get(SessionEvent.kind == "cleared")
    assert kept.body["statement"] == holds.CLEARED_STATEMENT and kept.patient_id == patient.id
    timeline = therapist_client(app).get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    assert "Patient: a doctor said exercise is fine" in timeline


def test_a_doctor_the_same_day_still_leaves_no_set_today(client, patient):
    """Trauma cleared on the same day: the rest of the day stays without a set; the next day Start is back."""
    check_in(client, rf_trauma="yes")
    assert clear(client).headers["Location"] == "/exercises"
    page = exercises(client)
    assert "No exercises today" in page and START_FORM not in page and "doctor has seen me" not in page
    a_day_passes(patient)
    assert START_FORM in exercises(client)


def test_the_confirmation_counts_only_while_the_plan_waits_for_it(client, patient):
    """With nothing to clear (or a day-only urgent block) the confirmation changes nothing and is not kept."""
    assert clear(client).headers["Location"] == "/exercises"
    check_in(client, rf_night_pain="yes")
    assert clear(client).headers["Location"] == "/exercises"
    a_day_passes(patient)
    assert SessionEvent.select().count() == 0 and START_FORM in exercises(client)


def test_the_therapist_re_enabling_lifts_a_fever_pause(app, client, patient):
    """Fever: the therapist sees the pause until cleared and turns the plan back on; the next day Start is back."""
    check_in(client, rf_fever="yes")
    confirm_alert(client)
    a_day_passes(patient)
    pt = therapist_client(app)
    card = pt.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    assert "Exercises paused until cleared" in card and "fever" in card
    assert release(pt, patient).status_code == 303
    assert START_FORM in exercises(client)
    assert SessionEvent.get(SessionEvent.kind == "release").body["until_cleared"] is True


# ---- No Start on any blocked screen -------------------------------------------------------------------


def _held(patient: User, at: datetime) -> None:
    player.apply(patient, Event(EventKind.START, reading=Reading("calf", 6, 2)), at)
    player.apply(patient, Event(EventKind.SYMPTOMS_PERIPHERALIZED), at)


def _stopped(patient: User, at: datetime) -> None:
    player.apply(patient, Event(EventKind.START, reading=Reading("calf", 6, 2)), at)
    player.apply(patient, Event(EventKind.LEG_PAIN_WORSE), at)


def _urgent(patient: User, at: datetime) -> None:
    player.apply(patient, Event(EventKind.RED_FLAG, level=Level.URGENT), at)


def _until_cleared(patient: User, at: datetime) -> None:
    player.apply(patient, Event(EventKind.RED_FLAG, level=Level.URGENT, until_cleared=True), at - timedelta(days=1))


def _emergency(patient: User, at: datetime) -> None:
    player.apply(patient, Event(EventKind.RED_FLAG, level=Level.EMERGENCY), at)
    player.apply(patient, Event(EventKind.CONFIRM), at)


def _paused_by_therapist(patient: User, at: datetime) -> None:
    from selfcare.services.plans import change_plan

    change_plan(User.get(User.email == "pt@example.com"), patient, {}, True, "Please call me first.")


@pytest.mark.parametrize("block", [_held, _stopped, _urgent, _until_cleared, _emergency, _paused_by_therapist],
                         ids=["held", "stopped", "urgent", "until_cleared", "emergency", "paused_by_therapist"])
def test_no_start_on_any_blocked_screen_and_a_start_posted_there_starts_nothing(app, client, patient, block):
    """Every blocked screen offers no "Start the set", and a start posted anyway changes nothing."""
    with app.app_context():
        block(patient, datetime.now(timezone.utc))
    stored = [row.state for row in PlayerState.select()]
    page = exercises(client)
    assert START_FORM not in page and "Start the set" not in page
    assert "Time for a set" not in today(client)
    assert blind_start(client).headers["Location"] == "/exercises"
    assert [row.state for row in PlayerState.select()] == stored
    assert ExerciseSet.select().where(ExerciseSet.finished_at.is_null()).count() == 0


def test_a_fever_pause_has_no_set_times_the_next_days(app, patient):
    """Fever or trauma: no set times on any day until cleared; the all-clear brings tomorrow's back."""
    from selfcare.services import reminders

    now = datetime.now(timezone.utc)
    with app.app_context():
        check = alerts.Judged({"fever": True}, triage_today({"fever": True}, {}))
        alerts.act_on(patient, check, "checkin", now=now.replace(tzinfo=None))
        calendar = reminders.build(patient, now)
        assert [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == reminders.SET_SUMMARY] == []
        assert reminders.WAITING in str(calendar["X-WR-CALDESC"])
        assert holds.clear(patient, now) is True
        later = reminders.build(patient, now)
    assert [e for e in later.walk("VEVENT") if str(e["SUMMARY"]) == reminders.SET_SUMMARY]


@pytest.mark.parametrize("kind", ["release", "cleared", "confirm", "red_flag"])
def test_an_app_cannot_send_a_release_or_a_clearance_as_an_event(client, patient, kind):
    """Only the therapist's page (release) and the patient's tick box (cleared) lift a hold: the API refuses them."""
    start_set(client)
    press(client, "symptoms_peripheralized")
    body = {"id": str(uuid.uuid4()), "kind": kind, "occurred_at": datetime.now(timezone.utc).isoformat()}
    response = call(client, "POST", f"/patients/{patient.id}/player/events", token_for(patient), body)
    assert response.status_code == 422 and phase(patient) == "held"
