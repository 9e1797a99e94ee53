"""Hypothesis fills every HTML form (tests/form_cases.py) with hostile values: never a 5xx; a refusal is a 4xx
with a message beside the field it refuses and stores nothing; what is accepted stores only valid rows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import CharField, TextField

from selfcare import accounts
from selfcare.clinical import FLAG_LEVELS, Ability, Area, Side, SessionState, Zone, adjust_plan, valid_emergency_number
from selfcare.content import current_content, regions
from selfcare.db import close_database
from selfcare.fields import UNUSUAL_MESSAGE, Form
from selfcare.models import (
    MODELS, Alert, ApiToken, AssessedSign, AuditEvent, CheckIn, ExerciseSet, Invite, JSONField, PlanChange, PlanSetting,
    PlayerState, Profile, SelfCheck, TherapistNote, User, Walk,
)
from selfcare.patient.forms import MAX_WALK, SENSATIONS, WORSE_WITH
from selfcare.services.timeline import ACK_MAX, NOTE_MAX
from tests.api_helpers import token_for
from tests.conftest import csrf_from, make_test_app
from tests.form_cases import FORMS, FormCase, World
from tests.html_reading import field_messages

SETTINGS = settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
MISSING = "<the field is not sent>"
HOSTILE = [
    "", " ", "\t\n ", "\x00", "a\x00b", "\x01", "\x08", "\x1b[2J", "\x7f", "\x85", "\u2028", "\u202e", "\ufeff", "\u200b",
    "\ufffd", "\U0010ffff", "🦶", "e\u0301", "NaN", "nan", "inf", "-inf", "1e309", "-1", "-0", "+5", "0", "1.5", "10.0",
    "1e3", "0x10", "1_000", "²", "٣", "１２", "99999999999999999999", "-" + "9" * 30, "<script>alert(1)</script>",
    "' OR 1=1 --", "null", "None", "true", "false", "on", "yes", "no", "y", "2026-02-30", "0001-01-01", "9999-12-31",
    "2026-13-45", "../../etc/passwd", "%00", "&#0;",
]
LENGTHS = [31, 32, 33, 59, 60, 61, 79, 80, 81, 127, 128, 129, 253, 254, 255, 499, 500, 501, 1999, 2000, 2001, 4301, 20000]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(lambda n, ch: ch * n, st.sampled_from(LENGTHS), st.sampled_from(["a", "é", "🦶", "İ", " ", "9", "\x00"])),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(str),
)
PYTHON_WORDS = re.compile(r"invalid literal|Exceeds the limit|NoneType|Traceback|object has no|Not a valid")


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Flask]:
    """The app with rate limits off: hypothesis posts to /login and /signup far more often than a person."""
    yield make_test_app(database_url, tmp_path / "instance", RATELIMIT_ENABLED=False)
    close_database()


@pytest.fixture
def world(app: Flask) -> World:
    """Users, a care link and signed-in browsers, shared by the examples of one test."""
    return World(app)


def _value(options: list[str]) -> st.SearchStrategy[Any]:
    """One field's hostile value: odd text, an offered value, several values, or nothing at all."""
    single = TEXT | st.sampled_from(options) if options else TEXT
    return single | st.just(MISSING) | st.lists(single, min_size=2, max_size=3)


def _snapshot() -> dict[str, dict[Any, str]]:
    """Every row of every table by primary key (but the record of who looked at a record, which any page adds to)."""
    return {m._meta.table_name: {row[0]: repr(row) for row in m.select().tuples()} for m in MODELS if m is not AuditEvent}


def _changed(before: dict[str, dict[Any, str]], after: dict[str, dict[Any, str]]) -> dict[str, set[Any]]:
    """The keys of the rows a submission added or changed, by table."""
    return {table: {key for key, row in rows.items() if before[table].get(key) != row} for table, rows in after.items()}


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # the test's own oracle, not the app's UNUSUAL


def _assert_text_columns_valid(rows: Any) -> None:
    """No stored text holds a control character, and none is longer than its column."""
    for model in MODELS:
        columns = [f for f in model._meta.sorted_fields if isinstance(f, (CharField, TextField)) and not isinstance(f, JSONField)]
        for row in rows(model).select(*columns).tuples() if columns else ():
            for column, value in zip(columns, row):
                if isinstance(value, str):
                    assert not CONTROL.search(value), (model.__name__, column.name, value[:80])
                    assert len(value) <= (getattr(column, "max_length", None) or len(value)), (model.__name__, column.name)


def _assert_rows_valid(changed: dict[str, set[Any]]) -> None:
    """Every row a submission added or changed keeps the rules of the forms that write it."""

    def rows(model: Any) -> Any:
        keys = changed.get(model._meta.table_name, set())
        key = model._meta.primary_key
        return model.select().where(key.in_(list(keys)) if keys else key.is_null())

    _assert_text_columns_valid(rows)
    zones, sides, regions_ = {z.value for z in Zone}, {s.value for s in Side}, set(regions())
    sensations, worse = {v for v, _ in SENSATIONS}, {v for v, _ in WORSE_WITH}
    for c in rows(CheckIn):
        assert c.zone in zones and 0 <= c.leg_pain <= 10 and 0 <= c.back_pain <= 10 and (c.side is None) == (c.zone == "none")
        assert c.side is None or c.side in sides
        assert set(c.sensations) <= sensations and len(set(c.sensations)) == len(c.sensations)
        assert set(c.worse_with) <= worse and len(set(c.worse_with)) == len(c.worse_with)
        assert all(isinstance(v, bool) for v in c.red_flags.values())
    for w in rows(Walk):
        assert 0 <= w.minutes <= MAX_WALK and (w.onset_minutes is None or 0 <= w.onset_minutes <= w.minutes)
    abilities, areas = {a.value for a in Ability}, {a.value for a in Area}
    for s in rows(SelfCheck):
        assert {s.heel_walk, s.toe_walk, s.big_toe_lift} <= abilities and set(s.numb_areas) <= areas
        assert len(set(s.numb_areas)) == len(s.numb_areas)
    today = date.today()
    for p in rows(Profile):
        assert p.legs in sides and 0 <= p.baseline_walk_minutes <= MAX_WALK
        assert today - timedelta(days=365 * 30) <= p.symptoms_started <= today + timedelta(days=1)
    for a in rows(AssessedSign):
        assert a.flag_id in FLAG_LEVELS and timedelta(days=1) <= a.until - a.assessed_at <= timedelta(days=90)
        assert a.note is None or (a.note == a.note.strip() and 0 < len(a.note) <= 300)
    for u in rows(User):
        assert u.name == u.name.strip() and 0 < len(u.name) <= accounts.NAME_MAX and u.email == accounts.normalize_email(u.email)
        assert u.region is None or u.region in regions_
        # A typed emergency number only with "Somewhere else", and only 2 to 6 digits.
        assert u.emergency_number is None or (regions()[u.region].typed_number and valid_emergency_number(u.emergency_number))
        assert accounts.valid_timezone(u.timezone) == u.timezone
    for e in rows(ExerciseSet):
        assert e.before_zone in zones and 0 <= e.before_leg_pain <= 10 and 0 <= e.before_back_pain <= 10
        assert e.after_zone is None or (e.after_zone in zones and 0 <= e.after_leg_pain <= 10 and 0 <= e.after_back_pain <= 10)
    for state in rows(PlayerState):
        SessionState.from_dict(state.state)
    plan = current_content().plan
    for setting in [*rows(PlanSetting), *rows(PlanChange)]:
        adjust_plan(plan, setting.changes)
        message = setting.pause_message
        assert message is None or (0 < len(message) <= 500 and message == message.strip())
        assert not setting.paused or message
    for note in rows(TherapistNote):
        assert note.text == note.text.strip() and 0 < len(note.text) <= NOTE_MAX
    for alert in rows(Alert).where(Alert.followup_answer.is_null(False)):
        assert alert.level == "emergency" and alert.followup_answer in {"seen", "not_yet", "did_not_go"} and alert.followup_at
    for alert in rows(Alert).where(Alert.acknowledgement.is_null(False)):
        assert alert.acknowledgement == alert.acknowledgement.strip() and 0 < len(alert.acknowledgement) <= ACK_MAX
    for token in rows(ApiToken):
        assert token.name == token.name.strip() and token.name
    for invite in rows(Invite):  # only the hash of a code is kept
        assert len(invite.code_hash) == 64 and set(invite.code_hash) <= set("0123456789abcdef")


def submit(world: World, case: FormCase, client: FlaskClient, body: dict[str, Any], offender: str | None,
           hidden: frozenset[str] = frozenset()) -> str:
    """Post `body` and judge the answer; `offender` is the one field made hostile (None: the whole body is)."""
    before, audits = _snapshot(), AuditEvent.select().count()
    response = client.post(case.url(world), data=body, headers=case.headers)
    status, html = response.status_code, response.get_data(as_text=True)
    assert status < 500, status
    after = _snapshot()
    if 200 <= status < 300 or status == 303:
        with world.app.app_context():
            _assert_rows_valid(_changed(before, after))
        return "accepted"
    unchanged = {t: rows for t, rows in after.items() if t not in case.keeps}
    assert unchanged == {t: rows for t, rows in before.items() if t not in case.keeps}, "a refusal changed what is stored"
    assert {a.action for a in AuditEvent.select().order_by(AuditEvent.id).offset(audits)} <= {"viewed_record"}
    if after != before:  # what a refusal may keep (a red-flag answer) follows the rules too
        with world.app.app_context():
            _assert_rows_valid(_changed(before, after))
    if status == 413:  # a whole random body of long values can pass MAX_CONTENT_LENGTH
        assert "That was too much to send" in html
        return "refused"
    if offender == "csrf_token" or status == 400:
        assert status == 400, status
        assert ("This form has expired" if offender == "csrf_token" else "Something was wrong") in html
        return "refused"
    assert status == 422, status
    messages = field_messages(html)
    assert messages.messages or messages.summary, "a 422 that says nothing"
    assert not any(PYTHON_WORDS.search(m) for m in [messages.summary, *messages.messages.values()]), messages.messages
    if offender in hidden:  # a person cannot fix a hidden field: the summary at the top says what to do
        assert messages.summary, "no summary of the problem"
    elif offender is not None:
        ids = [case.field_id(world, name) for name in (offender, *case.also_errs.get(offender, ()))]
        assert any(messages.of(i) for i in ids), f"no message beside {offender}: {messages.messages}"
    return "refused"


def _form_ready(world: World, case: FormCase) -> tuple[FlaskClient, Any, dict[str, list[str]]]:
    """The world ready for one submission: the browser, the rendered form and its valid submission."""
    case.ready(world)
    client = world.client(case.who)
    form = case.rendered(world, client)
    return client, form, case.baseline(world, form)


@pytest.mark.parametrize("case", FORMS, ids=lambda c: c.name)
@given(data=st.data())
@SETTINGS
def test_hostile_form_input(world, case, data):
    if not world.baseline_checked:  # once per test: the table's valid submission is accepted, so refusals mean something
        client, form, body = _form_ready(world, case)
        assert set(case.answers) <= form.names, "the table names a field the form does not render"
        assert submit(world, case, client, body, None) == "accepted", "the table's valid submission is refused"
        world.baseline_checked = True
    client, form, body = _form_ready(world, case)
    if data.draw(st.integers(0, 3), label="whole random body") == 0:
        names = st.sampled_from(sorted(form.names)) | st.text(max_size=8)
        body = {**data.draw(st.dictionaries(names, st.lists(TEXT, max_size=3), max_size=8)), "csrf_token": body["csrf_token"]}
        submit(world, case, client, body, None, frozenset(form.hidden))
        return
    name = data.draw(st.sampled_from(sorted(form.names | {"csrf_token"})), label="field")
    value = data.draw(_value(form.options.get(name, [])), label="value")
    if value == MISSING:
        body.pop(name, None)
    else:
        body[name] = value if isinstance(value, list) else [value]
    submit(world, case, client, body, name, frozenset(form.hidden))


@given(code=TEXT)
@SETTINGS
def test_hostile_invite_codes_in_the_link_address(world, code):
    client = world.client("patient")
    token = csrf_from(client.get("/today").get_data(as_text=True))
    before = _snapshot()
    response = client.post("/link/" + quote(code, safe=""), data={"csrf_token": token, "share": "y"})
    assert response.status_code in (404, 405, 422), response.status_code
    assert _snapshot() == before


# Bugs hypothesis found, pinned: (form, changes to its valid baseline, the field that must carry `message`).
REGRESSIONS = [
    ("note", {"text": "Phoned\x00"}, "text", UNUSUAL_MESSAGE),  # PostgreSQL: 500 on storing NUL
    ("acknowledge", {"note": "\x00"}, "note", UNUSUAL_MESSAGE),
    ("acknowledge_htmx", {"note": "Phoned\x1b[2J"}, "note", UNUSUAL_MESSAGE),  # stored as invisible junk
    ("token_create", {"name": "Clinic\x00"}, "name", UNUSUAL_MESSAGE),
    ("signup", {"name": "Sam\x00"}, "name", UNUSUAL_MESSAGE),
    ("plan", {"paused": "y", "pause_message": "Stop and call me\x00"}, "pause_message", UNUSUAL_MESSAGE),
    ("onboarding", {"invite_code": "AB\x00CD"}, "invite_code", UNUSUAL_MESSAGE),
    ("exercises_recheck", {"leg_pain": ""}, "leg_pain", "Choose how bad your leg pain is"),  # was a 500 (AttributeError)
    ("checkin", {"leg_pain": "²"}, "leg_pain", "Choose a number from 0 to 10."),  # was "invalid literal for int()"
    ("checkin", {"walk_minutes": "9" * 5000}, "walk_minutes", "Enter 300 minutes or fewer."),  # was "Exceeds the limit"
    ("plan", {"sets": " "}, "sets", "Enter a number from 1 to 5."),  # was "Not a valid integer value."
    ("onboarding", {"baseline_walk_minutes": " "}, "baseline_walk_minutes", "even if it is 0"),  # was a 500 (assert)
    ("onboarding", {"symptoms_started": " "}, "symptoms_started", "Enter the date it started"),  # was a 500 (assert)
]


@pytest.mark.parametrize(("name", "changes", "field", "message"), [pytest.param(*r, id=f"{r[0]}-{r[2]}") for r in REGRESSIONS])
def test_found_bugs_stay_fixed(world, name, changes, field, message):
    case = next(c for c in FORMS if c.name == name)
    client, _, body = _form_ready(world, case)
    body.update({k: [v] for k, v in changes.items()})
    response = client.post(case.url(world), data=body, headers=case.headers)
    assert response.status_code == 422
    assert message in field_messages(response.get_data(as_text=True)).of(case.field_id(world, field))
    assert submit(world, case, client, body, field) == "refused"


def test_a_value_ticked_twice_is_stored_once(world):
    """A repeated checkbox value was stored twice (["numbness", "numbness"]); the API refuses such a list."""
    case = next(c for c in FORMS if c.name == "checkin")
    client, _, body = _form_ready(world, case)
    body["sensations"] = ["numbness", "numbness", "pain"]
    assert submit(world, case, client, body, "sensations") == "accepted"
    assert CheckIn.select().order_by(CheckIn.id.desc()).first().sensations == ["numbness", "pain"]


def test_every_form_class_refuses_control_characters(app):
    """Every form derives from selfcare.fields.Form, the one place that refuses NUL (PostgreSQL cannot store it)."""

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("selfcare.")]  # create_app imported them all
    assert ours and not [c.__qualname__ for c in ours if not issubclass(c, Form)]


@pytest.mark.parametrize(("path", "who"),
                         [("/signup", "anonymous"), ("/therapist/patients/{patient}/notes", "therapist"), ("/checkin", "patient")])
def test_oversized_form_bodies_get_the_413_page_and_store_nothing(world, path, who):
    client = world.client(who)
    before = _snapshot()
    response = client.post(path.format(**world.ids), data={"text": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "That was too much to send" in response.get_data(as_text=True)
    assert _snapshot() == before


def test_oversized_api_bodies_get_a_413_problem_and_store_nothing(world):
    with world.app.app_context():
        token = token_for(world.patient)
    before = _snapshot()
    response = world.app.test_client().post(
        f"/api/v1/patients/{world.patient.id}/checkins", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 413
    with world.app.app_context():
        assert {t: r for t, r in _snapshot().items() if t != "api_token"} == {t: r for t, r in before.items() if t != "api_token"}


def test_a_plan_the_clinical_core_refuses_is_a_message_not_a_500(world, monkeypatch):
    """Should the form's ranges and the clinical core's ever differ, the therapist reads why (the summary crashed)."""
    import selfcare.therapist.plan as plan_view

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ValueError("press_ups.reps must be a whole number from 1 to 30")

    monkeypatch.setattr(plan_view, "change_plan", refuse)
    case = next(c for c in FORMS if c.name == "plan")
    client, _, body = _form_ready(world, case)
    response = client.post(case.url(world), data=body)
    assert response.status_code == 422
    assert "press_ups.reps must be a whole number from 1 to 30" in field_messages(response.get_data(as_text=True)).summary
