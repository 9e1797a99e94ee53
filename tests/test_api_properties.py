"""Hypothesis feeds random and hostile values to every API write: nothing invalid is stored, and every
rejection is a 4xx problem document that names the field it refused and says why."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from selfcare import accounts
from selfcare.clinical import Zone
from selfcare.db import close_database
from selfcare.models import Alert, CheckIn, PlanSetting, SelfCheck, SessionEvent, Walk
from tests.api_helpers import call, checkin_body, minutes_ago, token_for
from tests.conftest import make_test_app
from tests.factories import make_onboarded_patient, make_therapist

HOSTILE_TEXT = ["", " ", "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "\u202e", "9" * 400, "null", "NaN",
                "2026-13-45T99:99:99", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "🦶", "../../etc/passwd"]
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30), st.sampled_from(HOSTILE_TEXT),
)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
SETTINGS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `body` with the dotted `path` set to `value` (or removed, for the marker 'DROP')."""
    out = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = out
    for part in parents:
        target = target[part]
    if value == "DROP":
        target.pop(last, None)
    else:
        target[last] = value
    return out


def _refused_naming(response: Any, path: str) -> None:
    """A 4xx problem document whose errors name `path` (or a part of it) with a reason."""
    assert 400 <= response.status_code < 500, response.status_code
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == response.status_code and problem["detail"]
    errors = problem.get("errors") or []
    assert errors and all(e["field"] and e["detail"] for e in errors), problem
    names = [e["field"] for e in errors]
    assert any(n == path or n.startswith(path + ".") or path.startswith(n + ".") or n == "body" for n in names), (path, names)


def _recent(moment: datetime) -> bool:
    """A stored device time in the accepted window."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now - timedelta(days=367) < moment < now + timedelta(minutes=11)


def _valid_checkin(row: CheckIn) -> bool:
    """Every stored check-in keeps the rules of the form."""
    walk = row.walks.first()
    return (
        row.zone in {z.value for z in Zone} and 0 <= row.leg_pain <= 10 and 0 <= row.back_pain <= 10
        and (row.side is None) == (row.zone == "none") and _recent(row.recorded_at)
        and len(set(row.sensations)) == len(row.sensations) <= 4 and len(set(row.worse_with)) == len(row.worse_with) <= 4
        and all(isinstance(v, bool) for v in row.red_flags.values())
        and (walk is None or (0 <= walk.minutes <= 300 and (walk.onset_minutes is None or 0 <= walk.onset_minutes <= walk.minutes)))
    )


CHECKIN_FIELDS = ["id", "recorded_at", "red_flags", "red_flags.fever", "reading", "reading.zone", "reading.side",
                  "reading.leg_pain", "reading.back_pain", "sensations", "worse_with", "walk", "walk.minutes",
                  "walk.onset_minutes"]


@pytest.fixture
def app(database_url, tmp_path):
    """The app, with room for every write hypothesis sends for one patient (hundreds in a few seconds, far over
    limits.WRITES_PER_ACCOUNT: tests/test_account_limits.py checks that limit itself)."""
    yield make_test_app(database_url, tmp_path / "instance", RATELIMIT_WRITES="100000 per 10 minutes")
    close_database()


@pytest.fixture
def patient(app):
    """An onboarded patient with a token."""
    user = make_onboarded_patient()
    return user, token_for(user)


@given(path=st.sampled_from(CHECKIN_FIELDS), value=JSON_VALUES | st.just("DROP"))
@SETTINGS
def test_hostile_checkin_values(client, patient, path, value):
    user, token = patient
    before = CheckIn.select().count()
    response = call(client, "POST", f"/patients/{user.id}/checkins", token, _set(checkin_body(), path, value))
    if response.status_code in (200, 201):
        assert all(_valid_checkin(row) for row in CheckIn.select())
    else:
        _refused_naming(response, path)
        assert CheckIn.select().count() == before


@given(body=JSON_VALUES)
@SETTINGS
def test_random_bodies_for_every_write_are_refused_and_store_nothing(client, patient, body):
    user, token = patient
    counts = [m.select().count() for m in (CheckIn, Walk, SelfCheck, SessionEvent, PlanSetting)]
    for path in ("checkins", "walks", "self-checks", "player/events"):
        response = call(client, "POST", f"/patients/{user.id}/{path}", token, body)
        assert 400 <= response.status_code < 500 and response.get_json()["errors"], path
    assert [m.select().count() for m in (CheckIn, Walk, SelfCheck, SessionEvent, PlanSetting)] == counts


WALK = {"minutes": 20, "onset_minutes": 5}


@given(path=st.sampled_from(["id", "recorded_at", "minutes", "onset_minutes"]), value=JSON_VALUES | st.just("DROP"))
@SETTINGS
def test_hostile_walk_values(client, patient, path, value):
    user, token = patient
    before = Walk.select().count()
    body = _set({"id": str(uuid.uuid4()), "recorded_at": minutes_ago(5), **WALK}, path, value)
    response = call(client, "POST", f"/patients/{user.id}/walks", token, body)
    if response.status_code in (200, 201):
        assert all(0 <= w.minutes <= 300 and (w.onset_minutes is None or 0 <= w.onset_minutes <= w.minutes)
                   and _recent(w.recorded_at) for w in Walk.select())
    else:
        _refused_naming(response, path)
        assert Walk.select().count() == before


SELF_CHECK = {"heel_walk": "normal", "toe_walk": "weak", "big_toe_lift": "normal", "numb_areas": ["sole"]}


@given(path=st.sampled_from(["id", "recorded_at", "heel_walk", "toe_walk", "big_toe_lift", "numb_areas"]),
       value=JSON_VALUES | st.just("DROP") | st.just(["sole", "sole"]) | st.just(["elbow"]))
@SETTINGS
def test_hostile_self_check_values(client, patient, path, value):
    user, token = patient
    before = (SelfCheck.select().count(), Alert.select().count())
    body = _set({"id": str(uuid.uuid4()), "recorded_at": minutes_ago(5), **SELF_CHECK}, path, value)
    response = call(client, "POST", f"/patients/{user.id}/self-checks", token, body)
    if response.status_code in (200, 201):
        abilities = {"normal", "weak", "unable"}
        assert all({c.heel_walk, c.toe_walk, c.big_toe_lift} <= abilities and len(set(c.numb_areas)) == len(c.numb_areas)
                   for c in SelfCheck.select())
    else:
        _refused_naming(response, path)
        assert (SelfCheck.select().count(), Alert.select().count()) == before


@given(path=st.sampled_from(["id", "kind", "occurred_at", "reading", "reading.leg_pain", "red_flags", "red_flags.falls"]),
       value=JSON_VALUES | st.just("DROP"))
@SETTINGS
def test_hostile_protocol_events(client, patient, path, value):
    user, token = patient
    before = SessionEvent.select().count()
    start = {"id": str(uuid.uuid4()), "kind": "start", "occurred_at": minutes_ago(1),
             "red_flags": checkin_body()["red_flags"], "reading": checkin_body()["reading"]}
    response = call(client, "POST", f"/patients/{user.id}/player/events", token, _set(start, path, value))
    if response.status_code in (200, 201):
        assert all(e.kind in {"start", "step_done", "timer_ended", "symptoms_peripheralized", "leg_pain_worse",
                              "recheck_done", "quit"} for e in SessionEvent.select())
    else:
        _refused_naming(response, path)
        assert SessionEvent.select().count() == before


@given(path=st.sampled_from(["settings", "settings.sets", "settings.press_ups.reps", "paused", "pause_message"]),
       value=JSON_VALUES | st.just("DROP"))
@example(path="paused", value=True)  # a pause without its message
@SETTINGS
def test_hostile_plan_changes(client, app, path, value):
    therapist, user = make_therapist(), make_onboarded_patient()
    accounts.link(therapist, user)
    body = {"settings": {"sets": 2}, "paused": False, "pause_message": None}
    if path.startswith("settings."):
        body["settings"][path.split(".", 1)[1]] = value
        path = "settings." + path.split(".", 1)[1]
    else:
        body = _set(body, path, value)
    before = PlanSetting.select().count()
    response = call(client, "PUT", f"/patients/{user.id}/plan", token_for(therapist), body)
    if response.status_code != 200:
        # A pause needs its message: "paused": true on its own is refused at the (missing) message.
        _refused_naming(response, "pause_message" if path == "paused" and value is True else path)
        assert PlanSetting.select().count() == before
