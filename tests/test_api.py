"""The JSON API through the test client: who may do what, problem details, paging, and the record it keeps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from selfcare import accounts
from selfcare.api.spec import OPERATIONS
from selfcare.models import Alert, AuditEvent, CheckIn, PlanSetting, Walk
from tests.api_helpers import call, checkin_body, minutes_ago, token_for
from tests.conftest import csrf_from
from tests.factories import make_onboarded_patient, make_therapist

PROBLEM = "application/problem+json"


@pytest.fixture
def patient(app):
    """An onboarded patient."""
    return make_onboarded_patient(email="pat@example.com")


@pytest.fixture
def token(patient):
    """The patient's token."""
    return token_for(patient)


def _concrete(path: str) -> str:
    """An operation's path with ids filled in."""
    return path.replace("{patient_id}", "1").replace("{alert_id}", "1").replace("{entry_id}", str(uuid.uuid4()))


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.access != "public"], ids=lambda op: f"{op.method} {op.path}")
def test_every_private_operation_refuses_anonymous_callers(client, op):
    response = client.open("/api/v1" + _concrete(op.path), method=op.method.upper(), json={})
    assert response.status_code == 401 and response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["type"] == "/api/v1/docs#problem-unauthenticated"


def test_a_revoked_or_unknown_token_is_refused(client, patient):
    from selfcare.services import tokens

    made = tokens.create_token(patient, "phone")
    assert call(client, "GET", "/me", made.secret).status_code == 200
    tokens.revoke_token(patient, made.row.id)
    for secret in (made.secret, "sc_not-a-token", "garbage"):
        response = call(client, "GET", "/me", secret)
        assert response.status_code == 401 and response.get_json()["status"] == 401


def test_a_checkin_is_stored_once_per_id_and_a_changed_body_is_a_conflict(client, patient, token):
    body = checkin_body()
    first = call(client, "POST", f"/patients/{patient.id}/checkins", token, body)
    assert first.status_code == 201
    assert first.headers["Location"] == f"/api/v1/patients/{patient.id}/checkins/{body['id']}"
    again = call(client, "POST", f"/patients/{patient.id}/checkins", token, body)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    changed = call(client, "POST", f"/patients/{patient.id}/checkins", token, {**body, "reading": {**body["reading"], "leg_pain": 2}})
    assert changed.status_code == 409 and changed.mimetype == PROBLEM
    assert [e["field"] for e in changed.get_json()["errors"]] == ["leg_pain"]
    assert (CheckIn.select().count(), Walk.select().count()) == (1, 1)
    assert CheckIn.get().leg_pain == 6


def test_the_device_time_is_kept_with_the_receipt_time(client, patient, token):
    offline = (datetime.now(UTC) - timedelta(hours=5)).astimezone(ZoneInfo("America/New_York"))
    body = checkin_body(recorded_at=offline.isoformat())
    out = call(client, "POST", f"/patients/{patient.id}/checkins", token, body).get_json()
    assert datetime.fromisoformat(out["recorded_at"]) == offline
    assert datetime.fromisoformat(out["received_at"]) - offline > timedelta(hours=4, minutes=59)
    assert CheckIn.get().recorded_at == offline.astimezone(UTC).replace(tzinfo=None)


def test_a_red_flag_sent_through_the_api_raises_its_alert_and_blocks_the_exercises(client, patient, token):
    body = checkin_body(red_flags={"bladder_change": True})
    out = call(client, "POST", f"/patients/{patient.id}/checkins", token, body).get_json()
    assert out["triage"] == {"level": "emergency", "reasons": ["bladder_change"]}
    alert = Alert.get()
    assert out["alert_id"] == alert.id and alert.source == "checkin"
    assert call(client, "GET", f"/patients/{patient.id}/player", token).get_json()["screen"]["kind"] == "emergency"
    confirmed = call(client, "POST", f"/alerts/{alert.id}/confirm", token).get_json()
    assert confirmed["confirmed_at"] is not None


def test_every_red_flag_question_must_be_answered(client, patient, token):
    body = checkin_body()
    del body["red_flags"]["saddle_numbness"]
    response = call(client, "POST", f"/patients/{patient.id}/checkins", token, body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "red_flags.saddle_numbness", "pointer": "/red_flags/saddle_numbness", "detail": "This field is required."}
    ]
    assert CheckIn.select().count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reading": {"zone": "calf", "side": None, "leg_pain": 6, "back_pain": 3}}, "reading.side"),
        ({"reading": {"zone": "none", "side": "left", "leg_pain": 0, "back_pain": 0}}, "reading.side"),
        ({"reading": {"zone": "calf", "side": "left", "leg_pain": 11, "back_pain": 3}}, "reading.leg_pain"),
        ({"reading": {"zone": "calf", "side": "left", "leg_pain": "6", "back_pain": 3}}, "reading.leg_pain"),
        ({"walk": {"minutes": 5, "onset_minutes": 9}}, "walk.onset_minutes"),
        ({"recorded_at": "2026-11-22T08:00:00"}, "recorded_at"),
        ({"recorded_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "recorded_at"),
        ({"sensations": ["pain", "pain"]}, "sensations"),
        ({"worse_with": ["dancing"]}, "worse_with.0"),
        ({"id": "not-a-uuid"}, "id"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(client, patient, token, change, field):
    response = call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin_body(**change))
    problem = response.get_json()
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert problem["type"] == "/api/v1/docs#problem-validation" and field in problem["detail"]
    assert [e["field"] for e in problem["errors"]] == [field] and problem["errors"][0]["detail"]
    assert CheckIn.select().count() == 0


def test_a_body_that_is_not_json_is_refused(client, patient, token):
    path = f"/patients/{patient.id}/walks"
    assert call(client, "POST", path, token, data="minutes=5", content_type="application/x-www-form-urlencoded").status_code == 415
    broken = call(client, "POST", path, token, data="{", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["errors"][0]["pointer"] == ""
    assert Walk.select().count() == 0


def test_one_patients_token_cannot_reach_another_patients_record(client, patient, token):
    other = make_onboarded_patient()
    theirs = checkin_body()
    assert call(client, "POST", f"/patients/{other.id}/checkins", token_for(other), theirs).status_code == 201
    for path in ("checkins", "walks", "self-checks", "readings", "sessions", "alerts", "plan", "summary", "player",
                 f"checkins/{theirs['id']}"):
        response = call(client, "GET", f"/patients/{other.id}/{path}", token)
        assert response.status_code == 404, path
    assert call(client, "POST", f"/patients/{other.id}/checkins", token, checkin_body()).status_code == 404
    assert call(client, "POST", f"/patients/{other.id}/walks", token, {"id": str(uuid.uuid4()), "recorded_at": minutes_ago(1), "minutes": 5}).status_code == 404
    # Their entry's id, sent to my own record: a conflict, and their check-in is untouched.
    stolen = call(client, "POST", f"/patients/{patient.id}/checkins", token, {**theirs, "reading": {**theirs["reading"], "leg_pain": 0}})
    assert stolen.status_code == 409
    assert CheckIn.select().where(CheckIn.patient == patient.id).count() == 0
    assert CheckIn.get(CheckIn.patient == other.id).leg_pain == 6
    alert = Alert.create(patient=other, level="urgent", reasons=["fever"], source="checkin")
    assert call(client, "POST", f"/alerts/{alert.id}/confirm", token).status_code == 404
    assert Alert.get_by_id(alert.id).confirmed_at is None


def test_a_therapist_reads_linked_patients_only_and_cannot_write_their_entries(client, patient, token):
    therapist, stranger = make_therapist(name="Dr Lee"), make_onboarded_patient()
    accounts.link(therapist, patient)
    call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin_body(red_flags={"fever": True}))
    pt = token_for(therapist)
    listed = call(client, "GET", f"/patients/{patient.id}/checkins", pt)
    assert listed.status_code == 200 and len(listed.get_json()["items"]) == 1
    assert AuditEvent.get().action == "read_api"  # the patient sees the look on My data
    call(client, "GET", f"/patients/{patient.id}/walks", pt)
    assert AuditEvent.select().count() == 1  # an app polling is one look, not hundreds
    assert call(client, "GET", f"/patients/{stranger.id}/checkins", pt).status_code == 404
    write = call(client, "POST", f"/patients/{patient.id}/checkins", pt, checkin_body())
    assert write.status_code == 403 and write.get_json()["type"].endswith("problem-forbidden")
    assert call(client, "GET", "/caseload", token).status_code == 403  # patients have no caseload


def test_a_therapist_acknowledges_an_alert_once(client, patient, token):
    first, second = make_therapist(name="Dr Lee"), make_therapist(name="Dr Roe")
    accounts.link(first, patient)
    accounts.link(second, patient)
    call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin_body(red_flags={"fever": True}))
    alert = Alert.get()
    waiting = call(client, "GET", "/alerts", token_for(first)).get_json()["items"]
    assert [a["id"] for a in waiting] == [alert.id]
    assert call(client, "POST", f"/alerts/{alert.id}/acknowledge", token_for(first), {"note": " "}).status_code == 422
    nul = call(client, "POST", f"/alerts/{alert.id}/acknowledge", token_for(first), {"note": "a\u0000b"})
    assert nul.status_code == 422 and nul.get_json()["errors"][0]["field"] == "note"  # PostgreSQL cannot store NUL
    done = call(client, "POST", f"/alerts/{alert.id}/acknowledge", token_for(first), {"note": "Called; GP today."})
    assert done.status_code == 200 and done.get_json()["acknowledged_by"] == {"id": first.id, "name": "Dr Lee"}
    late = call(client, "POST", f"/alerts/{alert.id}/acknowledge", token_for(second), {"note": "Me too"})
    assert late.status_code == 409 and Alert.get().acknowledgement == "Called; GP today."
    assert call(client, "GET", "/alerts", token_for(second)).get_json()["items"] == []


def test_a_therapist_changes_the_plan_and_the_patient_sees_the_pause(client, patient, token):
    therapist = make_therapist()
    accounts.link(therapist, patient)
    pt = token_for(therapist)
    plan = call(client, "GET", f"/patients/{patient.id}/plan", token).get_json()
    assert plan["paused"] is False and plan["settings"]["sets"] == plan["defaults"]["sets"]
    bad = call(client, "PUT", f"/patients/{patient.id}/plan", pt, {"settings": {"sets": 99, "nonsense": 1}, "paused": True})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"settings.sets", "settings.nonsense", "pause_message"}
    assert PlanSetting.select().count() == 0
    saved = call(client, "PUT", f"/patients/{patient.id}/plan", pt,
                 {"settings": {"sets": 2}, "paused": True, "pause_message": "Stop for now and call me."})
    assert saved.status_code == 200 and saved.get_json()["settings"]["sets"] == 2
    seen = call(client, "GET", f"/patients/{patient.id}/player", token).get_json()
    assert seen["paused_by_therapist"] and seen["pause_message"] == "Stop for now and call me."
    assert call(client, "PUT", f"/patients/{patient.id}/plan", token, {"settings": {}}).status_code == 403


def test_session_writes_need_the_csrf_token_tokens_do_not(client, auth, patient):
    auth.login("pat@example.com")
    body = checkin_body()
    refused = client.post(f"/api/v1/patients/{patient.id}/checkins", json=body)
    assert refused.status_code == 403 and refused.get_json()["type"].endswith("problem-csrf")
    assert CheckIn.select().count() == 0
    csrf = csrf_from(client.get("/checkin").get_data(as_text=True))
    stored = client.post(f"/api/v1/patients/{patient.id}/checkins", json=body, headers={"X-CSRFToken": csrf})
    assert stored.status_code == 201
    assert client.get("/api/v1/me").get_json()["id"] == patient.id  # reads need no token


def test_lists_page_by_cursor_newest_first_without_gaps(client, patient, token):
    for minutes in range(5):
        call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin_body(recorded_at=minutes_ago(10 + minutes)))
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = call(client, "GET", f"/patients/{patient.id}/checkins", token, query_string=query).get_json()
        seen += [item["recorded_at"] for item in page["items"]]
        pages, cursor = pages + 1, page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 5 and seen == sorted(seen, reverse=True)
    readings = call(client, "GET", f"/patients/{patient.id}/readings", token, query_string={"limit": 3}).get_json()
    assert len(readings["items"]) == 3 and readings["next_cursor"]
    for bad in ({"cursor": "nonsense"}, {"cursor": "WyJ4Il0"}):
        response = call(client, "GET", f"/patients/{patient.id}/checkins", token, query_string=bad)
        assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "cursor"
    assert call(client, "GET", f"/patients/{patient.id}/checkins", token, query_string={"limit": 0}).status_code == 422


def test_the_protocol_runs_from_events_sent_by_id(client, patient, token):
    path = f"/patients/{patient.id}/player/events"
    no = {flag: False for flag in checkin_body()["red_flags"]}
    start = {"id": str(uuid.uuid4()), "kind": "start", "occurred_at": minutes_ago(5), "red_flags": no,
             "reading": {"zone": "calf", "side": "left", "leg_pain": 6, "back_pain": 2}}
    first = call(client, "POST", path, token, start)
    assert first.status_code == 201 and first.get_json()["session"]["screen"]["kind"] == "step"
    assert first.get_json()["session"]["screen"]["step"]["id"]
    again = call(client, "POST", path, token, start)
    assert again.status_code == 200 and again.get_json()["id"] == start["id"]
    stop = call(client, "POST", path, token, {"id": str(uuid.uuid4()), "kind": "symptoms_peripheralized", "occurred_at": minutes_ago(4)})
    assert stop.get_json()["session"]["screen"]["kind"] == "plan_held"  # further down the leg: held for the therapist
    assert stop.get_json()["session"]["phase"] == "held" and stop.get_json()["session"]["screen"]["until_cleared"] is False
    sessions = call(client, "GET", f"/patients/{patient.id}/sessions", token).get_json()["items"]
    assert len(sessions) == 1 and sessions[0]["stop_reason"] == "peripheralized"
    missing = call(client, "POST", path, token, {"id": str(uuid.uuid4()), "kind": "start", "occurred_at": minutes_ago(1)})
    assert missing.status_code == 422 and {e["field"] for e in missing.get_json()["errors"]} == {"reading", "red_flags"}


def test_a_red_flag_answered_mid_set_stops_the_set(client, patient, token):
    path = f"/patients/{patient.id}/player/events"
    no = {flag: False for flag in checkin_body()["red_flags"]}
    reading = {"zone": "calf", "side": "left", "leg_pain": 6, "back_pain": 2}
    call(client, "POST", path, token, {"id": str(uuid.uuid4()), "kind": "start", "occurred_at": minutes_ago(5), "red_flags": no, "reading": reading})
    again = {"id": str(uuid.uuid4()), "kind": "start", "occurred_at": minutes_ago(4), "reading": reading,
             "red_flags": {**no, "saddle_numbness": True}}
    out = call(client, "POST", path, token, again).get_json()
    assert out["alert_id"] == Alert.get().id and Alert.get().level == "emergency"
    assert out["session"]["screen"]["kind"] == "emergency"


def test_summary_caseload_and_me(client, patient, token):
    therapist = make_therapist()
    accounts.link(therapist, patient)
    call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin_body())
    me = call(client, "GET", "/me", token).get_json()
    assert me["role"] == "patient" and me["therapists"] == [{"id": therapist.id, "name": therapist.name}]
    summary = call(client, "GET", f"/patients/{patient.id}/summary", token).get_json()
    assert summary["trend"] == "insufficient_data" and summary["last_readings"][0]["zone"] == "calf"
    assert (summary["progress"], summary["progress_headline"]) == ("unknown", "Not enough check-ins yet")
    assert summary["baseline_walk_minutes"] == 10
    caseload = call(client, "GET", "/caseload", token_for(therapist)).get_json()
    assert caseload["total"] == 1 and caseload["items"][0]["patient_id"] == patient.id
    assert caseload["items"][0]["progress"] == "unknown"


def test_unknown_paths_and_methods_answer_with_problems(client, token):
    missing = call(client, "GET", "/nothing-here", token)
    assert missing.status_code == 404 and missing.mimetype == PROBLEM
    wrong = call(client, "DELETE", "/me", token)
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"] and wrong.mimetype == PROBLEM
    huge = call(client, "GET", "/patients/99999999999999999999/checkins", token)
    assert huge.status_code == 404
