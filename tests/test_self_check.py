"""The nerve self-check: stored once, compared with the last, alerts and plan pauses as triage says."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from selfcare import clinical
from selfcare.clinical import Ability, Area, Level, Phase, compare_checks
from selfcare.models import Alert, PlayerState, SelfCheck
from selfcare.services import player
from selfcare.services.entries import EntryConflict
from selfcare.services.selfchecks import (
    SelfCheckData,
    describe,
    outcome,
    record_self_check,
)
from tests.conftest import csrf_from
from tests.factories import make_onboarded_patient, make_therapist

NOW = datetime(2026, 11, 3, 10, 0)  # naive UTC, as stored
ALL_NORMAL = {"heel_walk": "normal", "toe_walk": "normal", "big_toe_lift": "normal"}
AREA_NAMES = {
    Area.INNER_FOOT_BIG_TOE: "Big toe", Area.TOP_OF_FOOT: "Top of the foot and the middle toes",
    Area.OUTER_FOOT_LITTLE_TOE: "Outer edge of the foot and the little toe", Area.SOLE: "Sole of the foot",
    Area.INNER_SHIN: "Inner side of the lower leg, down to the ankle", Area.SHIN: "Outer side of the lower leg",
    Area.CALF: "Back of the calf", Area.THIGH: "Thigh", Area.BUTTOCK: "Buttock",
}


def data(numb=(), **abilities: str) -> SelfCheckData:
    """Self-check answers: every test normal unless named."""
    answers = {**ALL_NORMAL, **abilities}
    return SelfCheckData(
        uuid=uuid.uuid4(), heel_walk=Ability(answers["heel_walk"]), toe_walk=Ability(answers["toe_walk"]),
        big_toe_lift=Ability(answers["big_toe_lift"]), numb_areas=frozenset(Area(a) for a in numb),
    )


def phase_of(patient) -> str | None:
    """The patient's protocol phase as stored (None: never touched)."""
    row = PlayerState.get_or_none(PlayerState.patient == patient.id)
    return row.state["phase"] if row else None


def login_patient(auth, email: str = "pat@example.com"):
    """An onboarded patient, logged in through the real form."""
    patient = make_onboarded_patient(email=email)
    assert auth.login(email).status_code == 303
    return patient


def post_check(client, numb=(), token_from: str | None = None, **fields: str | None):
    """Fill in and send the self-check form like a browser: the page's own token and form id."""
    page = token_from or client.get("/self-check").get_data(as_text=True)
    form_id = re.search(r'id="uuid" name="uuid" type="hidden" value="([^"]+)"', page).group(1)
    values = {"csrf_token": csrf_from(page), "uuid": form_id, **ALL_NORMAL, **fields}
    body = [(k, v) for k, v in values.items() if v is not None] + [("numb_areas", a) for a in numb]
    return client.post("/self-check", data=MultiDict(body))


# --- Service: storing, comparing, alerting ---

def test_a_first_check_with_all_tests_normal_is_a_baseline_with_no_alert(app):
    """Numbness alone on a first check is where the patient starts from: stored, no alert, the plan as it was."""
    patient = make_onboarded_patient()
    with app.app_context():
        recorded = record_self_check(patient, data(numb=["top_of_foot"]), NOW)
    assert recorded.created and recorded.level == Level.NONE and recorded.alert_id is None
    row = SelfCheck.get()
    assert (row.patient_id, row.numb_areas, row.recorded_at) == (patient.id, ["top_of_foot"], NOW)
    assert Alert.select().count() == 0 and phase_of(patient) is None


@pytest.mark.parametrize(
    ("abilities", "level", "reasons", "phase"),
    [
        # CLINICAL.md §2: a first self-check with any test weak is contact_pt, any test unable (foot drop) urgent.
        ({"big_toe_lift": "weak"}, Level.CONTACT_PT, ["strength_weak"], None),
        ({"heel_walk": "weak", "toe_walk": "weak"}, Level.CONTACT_PT, ["strength_weak"], None),
        ({"heel_walk": "unable"}, Level.URGENT, ["strength_unable"], Phase.PAUSED),
        ({"big_toe_lift": "unable", "toe_walk": "weak"}, Level.URGENT, ["strength_unable"], Phase.PAUSED),
    ],
)
def test_a_first_check_with_a_weak_or_impossible_test_raises_its_level(app, abilities, level, reasons, phase):
    """The app holds the sign even though nothing changed yet: weak asks to contact the PT, unable is same-day care."""
    patient = make_onboarded_patient()
    with app.app_context():
        recorded = record_self_check(patient, data(**abilities), NOW)
    assert recorded.level == level
    alert = Alert.get()
    assert (alert.id, alert.level, alert.source, alert.reasons) == (recorded.alert_id, level.value, "self_check", reasons)
    assert phase_of(patient) == (phase.value if phase else None)


@pytest.mark.parametrize(
    ("first", "second", "days", "level", "reasons", "phase"),
    [
        # big-toe lift normal -> weak within a few days: new weakness, not (yet) worsening quickly
        ({}, {"big_toe_lift": "weak"}, 3, Level.URGENT, ["weakness_new"], Phase.PAUSED),
        # normal -> unable within a week: weakness getting worse quickly
        ({}, {"big_toe_lift": "unable"}, 2, Level.EMERGENCY, ["weakness_worsening"], Phase.BLOCKED),
        # weak -> unable within a week
        ({"toe_walk": "weak"}, {"toe_walk": "unable"}, 6, Level.EMERGENCY, ["weakness_worsening"], Phase.BLOCKED),
        # weak -> unable over more than a week: worse, but not quickly
        ({"toe_walk": "weak"}, {"toe_walk": "unable"}, 10, Level.URGENT, ["weakness_new"], Phase.PAUSED),
        # a second movement becomes weak
        ({"heel_walk": "weak"}, {"heel_walk": "weak", "big_toe_lift": "weak"}, 4, Level.URGENT, ["weakness_new"], Phase.PAUSED),
    ],
)
def test_weakness_changes_raise_the_level_triage_gives_and_pause_or_block_the_plan(app, first, second, days, level, reasons, phase):
    patient = make_onboarded_patient()
    later = NOW + timedelta(days=days)
    with app.app_context():
        record_self_check(patient, data(**first), NOW)
        recorded = record_self_check(patient, data(**second), later)
    # The same answer from the clinical core directly.
    expected = compare_checks(clinical.SelfCheck(NOW, **{**ALL_NORMAL, **first}), clinical.SelfCheck(later, **{**ALL_NORMAL, **second})).triage()
    assert expected.level == level
    assert recorded.level == level
    alert = Alert.get(Alert.created_at == later)  # the first check may have raised its own (a weak test)
    assert (alert.id, alert.patient_id, alert.level, alert.source, alert.created_at) == (recorded.alert_id, patient.id, level.value, "self_check", later)
    assert alert.reasons == reasons and alert.confirmed_at is None
    assert phase_of(patient) == phase.value


def test_new_numbness_asks_to_contact_the_pt_and_leaves_the_plan_alone(app):
    patient = make_onboarded_patient()
    with app.app_context():
        record_self_check(patient, data(numb=["top_of_foot"]), NOW)
        recorded = record_self_check(patient, data(numb=["top_of_foot", "sole"]), NOW + timedelta(days=2))
    assert recorded.level == Level.CONTACT_PT
    assert Alert.get().reasons == ["numbness_spreading"]
    assert phase_of(patient) is None


@pytest.mark.parametrize(
    ("second", "numb"),
    [(ALL_NORMAL, ["top_of_foot"]), ({"big_toe_lift": "weak"}, []), ({"big_toe_lift": "weak"}, ["top_of_foot"])],
)
def test_same_or_better_raises_nothing(app, second, numb):
    patient = make_onboarded_patient()
    with app.app_context():
        record_self_check(patient, data(numb=["top_of_foot", "sole"], big_toe_lift="unable"), NOW)
        recorded = record_self_check(patient, data(numb=numb, **second), NOW + timedelta(days=1))
    assert recorded.level == Level.NONE and Alert.select().where(Alert.created_at > NOW).count() == 0


def test_checks_compare_with_the_patients_own_previous_check_only(app):
    patient, other = make_onboarded_patient(), make_onboarded_patient()
    with app.app_context():
        record_self_check(other, data(), NOW)
        recorded = record_self_check(patient, data(big_toe_lift="unable"), NOW + timedelta(days=1))
    # A first check for this patient, whatever the other did: its own finding, not a change from someone else's.
    assert recorded.level == Level.URGENT and Alert.get().reasons == ["strength_unable"]


def test_a_replayed_check_stores_nothing_new(app):
    patient = make_onboarded_patient()
    with app.app_context():
        record_self_check(patient, data(), NOW)
        again = data(big_toe_lift="weak")
        first = record_self_check(patient, again, NOW + timedelta(days=1))
        second = record_self_check(patient, again, NOW + timedelta(days=1, minutes=5))
    assert first.created and not second.created
    assert (second.check.id, second.level, second.alert_id) == (first.check.id, Level.URGENT, first.alert_id)
    assert SelfCheck.select().count() == 2 and Alert.select().count() == 1


def test_someone_elses_form_id_is_refused(app):
    patient, other = make_onboarded_patient(), make_onboarded_patient()
    answers = data()
    with app.app_context():
        record_self_check(patient, answers, NOW)
        with pytest.raises(EntryConflict):
            record_self_check(other, answers, NOW)
    assert SelfCheck.select().where(SelfCheck.patient == other.id).count() == 0


def test_check_alert_and_plan_pause_are_one_transaction(app, monkeypatch):
    patient = make_onboarded_patient()
    with app.app_context():
        record_self_check(patient, data(), NOW)

        def broken(*args, **kwargs):
            raise RuntimeError("the player failed")

        monkeypatch.setattr(player, "apply", broken)  # a fault injected after the check and alert rows are written
        with pytest.raises(RuntimeError):
            record_self_check(patient, data(big_toe_lift="unable"), NOW + timedelta(days=1))
    assert SelfCheck.select().count() == 1 and Alert.select().count() == 0


def test_describe_says_what_changed_in_words(app):
    patient = make_onboarded_patient(timezone="Europe/London")
    with app.app_context():
        record_self_check(patient, data(numb=["sole"], heel_walk="weak"), NOW)
        record_self_check(patient, data(numb=["top_of_foot"], big_toe_lift="weak", toe_walk="unable"), NOW + timedelta(days=2))
        lines = describe(patient, outcome(patient, SelfCheck.get(SelfCheck.id == 2)), AREA_NAMES, now=NOW)
    assert lines == [
        "Walking on your toes was not possible this time. On 3 November you could still do it.",
        "Lifting your big toe is harder than last time (3 November).",
        "New numbness: top of the foot and the middle toes.",
        "Walking on your heels is easier than last time (3 November).",
        "No longer numb: sole of the foot.",
    ]


def test_describe_no_change_and_first_check(app):
    patient = make_onboarded_patient(timezone="America/New_York")
    late = datetime(2026, 11, 4, 2, 30)  # 3 November, 21:30 in New York
    with app.app_context():
        record_self_check(patient, data(), late)
        record_self_check(patient, data(), late + timedelta(days=1))
        first = describe(patient, outcome(patient, SelfCheck.get(SelfCheck.id == 1)), AREA_NAMES, now=late)
        second = describe(patient, outcome(patient, SelfCheck.get(SelfCheck.id == 2)), AREA_NAMES, now=late)
        next_year = describe(patient, outcome(patient, SelfCheck.get(SelfCheck.id == 2)), AREA_NAMES, now=datetime(2027, 2, 1))
    assert first[0].startswith("This is your first nerve self-check.")
    assert second == ["No change since 3 November."]  # the patient's own calendar day
    assert next_year == ["No change since 3 November 2026."]


# --- Web ---

def test_the_form_asks_each_test_with_no_answer_chosen(client, auth, app):
    login_patient(auth)
    response = client.get("/self-check")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with app.app_context():
        from selfcare.content import current_content

        content = current_content()
    for info in content.tests:
        assert f'<legend class="question">{info.name}</legend>' in html
        assert info.instructions in html
        assert html.count(f'name="{info.test.value}" required type="radio"') == 3
    for area in content.areas:
        assert area.name in html
    assert html.count('type="checkbox"') == len(content.areas)
    assert "checked" not in html
    assert html.count("<fieldset") == 4


def test_a_first_check_through_the_form_is_stored_and_shown(client, auth):
    patient = login_patient(auth)
    response = post_check(client, numb=["top_of_foot", "sole"], big_toe_lift="weak")
    assert response.status_code == 303
    row = SelfCheck.get()
    assert response.headers["Location"] == f"/self-check/{row.id}"
    assert (row.patient_id, row.big_toe_lift, row.numb_areas) == (patient.id, "weak", ["top_of_foot", "sole"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This is your first nerve self-check" in page
    assert "Harder than usual, or my leg felt weak" in page and "Top of the foot and the middle toes" in page
    alert = Alert.get()  # a weak test on the first check: contact the PT (CLINICAL.md §2)
    assert (alert.level, alert.reasons) == ("contact_pt", ["strength_weak"])
    assert f'href="/alerts/{alert.id}"' in page


def test_a_first_check_with_every_test_normal_links_to_no_alert(client, auth):
    """A first check with nothing weak is only a baseline: no alert link."""
    login_patient(auth)
    response = post_check(client, numb=["sole"])
    assert "/alerts/" not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_new_weakness_links_to_its_alert(client, auth):
    patient = login_patient(auth)
    post_check(client)
    response = post_check(client, big_toe_lift="weak")
    assert response.status_code == 303
    alert = Alert.get()
    assert (alert.patient_id, alert.level, alert.source) == (patient.id, "urgent", "self_check")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lifting your big toe is harder than last time" in page
    assert f'href="/alerts/{alert.id}"' in page
    assert phase_of(patient) == "paused"


def test_no_change_says_so(client, auth):
    login_patient(auth)
    post_check(client)
    response = post_check(client)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"No change since \d{1,2} [A-Z][a-z]+\.", page)
    assert Alert.select().count() == 0


def test_an_emergency_result_takes_over_with_its_alert(client, auth):
    patient = login_patient(auth)
    post_check(client)
    response = post_check(client, heel_walk="unable")
    alert = Alert.get()
    assert alert.level == "emergency" and phase_of(patient) == "blocked"
    # The result is stored; the unconfirmed emergency shows first.
    followed = client.get(response.headers["Location"])
    assert followed.status_code == 302 and followed.headers["Location"] == f"/alerts/{alert.id}"


@pytest.mark.parametrize(
    ("fields", "numb", "field", "message"),
    [
        ({"heel_walk": None}, [], "heel_walk", "Choose how walking on your heels went."),
        ({"heel_walk": None, "toe_walk": None, "big_toe_lift": None}, [], "big_toe_lift", "Choose how lifting your big toe went."),
        ({"toe_walk": "strong"}, [], "toe_walk", "Choose one of the answers shown for walking on your toes."),
        ({"big_toe_lift": ""}, [], "big_toe_lift", "Choose how lifting your big toe went."),
        ({}, ["elbow"], "numb_areas", "Choose places from the list only."),
        ({}, ["sole", "<script>"], "numb_areas", "Choose places from the list only."),
    ],
)
def test_bad_answers_show_the_message_beside_the_field_and_store_nothing(client, auth, fields, numb, field, message):
    login_patient(auth)
    response = post_check(client, numb=numb, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">{message}</p>' in html
    assert f'href="#{field}"' in html  # the summary links to the question
    assert "<script>" not in html.split("<main", 1)[1]
    assert SelfCheck.select().count() == 0 and Alert.select().count() == 0


def test_a_corrected_form_keeps_its_id_so_it_is_stored_once(client, auth):
    login_patient(auth)
    bad = post_check(client, heel_walk=None)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    first_id = re.search(r'name="uuid" type="hidden" value="([^"]+)"', page).group(1)
    assert post_check(client, token_from=page).status_code == 303
    assert post_check(client, token_from=page).status_code == 303  # sent again: the same check
    assert SelfCheck.select().count() == 1 and str(SelfCheck.get().uuid) == first_id


def test_a_replayed_form_stores_nothing_new(client, auth):
    login_patient(auth)
    page = client.get("/self-check").get_data(as_text=True)
    first = post_check(client, token_from=page, toe_walk="weak")
    second = post_check(client, token_from=page, toe_walk="weak")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert SelfCheck.select().count() == 1


def test_a_garbled_form_id_still_stores_once(client, auth):
    login_patient(auth)
    page = client.get("/self-check").get_data(as_text=True)
    response = client.post("/self-check", data={"csrf_token": csrf_from(page), "uuid": "not-a-uuid", **ALL_NORMAL})
    assert response.status_code == 303 and SelfCheck.select().count() == 1


def test_someone_elses_result_is_not_found(app, client, auth):
    other = make_onboarded_patient()
    with app.app_context():
        theirs = record_self_check(other, data(), NOW).check
    login_patient(auth)
    assert client.get(f"/self-check/{theirs.id}").status_code == 404
    assert client.get("/self-check/999999").status_code == 404


@pytest.mark.parametrize("path", ["/self-check", "/self-check/1"])
def test_only_patients_may_use_the_self_check(app, auth, path):
    owner = make_onboarded_patient(email="pat@example.com")
    make_therapist(email="pt@example.com")
    with app.app_context():
        record_self_check(owner, data(), NOW)
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    therapist = app.test_client()
    type(auth)(therapist).login("pt@example.com")
    assert therapist.get(path).status_code == 403
    token = csrf_from(therapist.get("/therapist/patients").get_data(as_text=True))
    assert therapist.post("/self-check", data={**ALL_NORMAL, "csrf_token": token}).status_code == 403
    assert SelfCheck.select().count() == 1
