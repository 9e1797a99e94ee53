"""Who may call what: every route of app.url_map × every method × five actors, against a real record.

Adding a route: add ONE line to MATRIX below (endpoint, method, then what each of the five actors
gets). If its URL takes an argument no route took before, add ONE line to URL_ARGS saying which of
patient A's things fills it. A route in app.url_map without a line here, or a line for a route that is
gone, fails test_every_route_has_a_line_in_the_matrix, which names it.

The five actors: nobody signed in; patient A (onboarded, with a check-in that raised an alert, a
self-check, a walk, a set, a note and a paused plan from their therapist, an API token, a calendar
link); patient B (onboarded, their own data, not linked to A's therapist); A's therapist (linked
through an invite); another therapist (not linked to A). URLs name A's things.

For each (endpoint, method) a fresh world is built and each actor gets a fresh client, logged in
through the real form. They call the URL refused actors first, then allowed ones, A and A's
therapist last; API routes twice per signed-in actor: with the session cookie and X-CSRFToken, and
with a bearer token. Nobody gets a 500; nobody but A and A's therapist finds A's name, email, notes,
token or entry ids in an answer (ZIPs and PDFs unpacked); a refused request, or any request by a
stranger to A's record, changes no row that names A or A's therapist.
"""

from __future__ import annotations

import re
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from io import BytesIO
from operator import or_
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import Flask, current_app, url_for
from flask.testing import FlaskClient
from peewee import ForeignKeyField

from selfcare import accounts
from selfcare.assets import htmx_version
from selfcare.clinical import FLAG_LEVELS, Ability, Event, EventKind, Reading, Side, Zone
from selfcare.content import current_content
from selfcare.db import close_database
from selfcare.models import MODELS, Notice, User
from selfcare.services import (
    assessed_signs, calendar_links, plans, player, reset_links, selfchecks, sessions, timeline, tokens, walks,
)
from selfcare.services.checkins import CheckInData, record_checkin
from tests.conftest import Auth, csrf_from, make_test_app
from tests.factories import make_onboarded_patient, make_therapist

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

# ---- The actors ------------------------------------------------------------------------------------

ANONYMOUS, A, B, PT, OTHER_PT = "anonymous", "patient A", "patient B", "A's therapist", "other therapist"
ACTORS = (ANONYMOUS, A, B, PT, OTHER_PT)  # the column order of MATRIX
ORDER = (ANONYMOUS, B, OTHER_PT, PT, A)  # who calls first: strangers to A's record, then A's therapist, then A

# What an actor gets, one cell of MATRIX.
OK = "ok"  # allowed: 2xx, or a 3xx that is the view's own answer (never to /login); never 401/403/404/422
FORM = "ok|422"  # allowed; an empty form or JSON body may also be answered 422 (we send no answers)
LOGIN = "login"  # refused: 302 to /login (anonymous on an HTML page)
# 401 (anonymous on the API, problem+json), 403 (wrong role) and 404 (not yours) are refusals too.
ALLOWED = (OK, FORM)

# ---- The matrix: one line per route and method -----------------------------------------------------

Cell = str | int

# fmt: off
LINES: list[tuple[str, str, Cell, Cell, Cell, Cell, Cell]] = [
    # endpoint                           method   anonymous  A      B      A's PT  other PT
    # Public: the front door, logins, the PWA shell, static files, the API's own description.
    ("home.index",                       "GET",   OK,        OK,    OK,    OK,     OK),  # signed in: 302 to their home
    ("home.health",                      "GET",   OK,        OK,    OK,    OK,     OK),
    ("home.warning_signs",               "GET",   OK,        OK,    OK,    OK,     OK),  # the signs and what to do: for anyone
    ("auth.login",                       "GET",   OK,        OK,    OK,    OK,     OK),  # signed in: 302 home
    ("auth.login",                       "POST",  FORM,      OK,    OK,    OK,     OK),
    ("auth.signup",                      "GET",   OK,        OK,    OK,    OK,     OK),
    ("auth.signup",                      "POST",  FORM,      OK,    OK,    OK,     OK),
    ("auth.logout",                      "POST",  LOGIN,     OK,    OK,    OK,     OK),
    ("auth.forgot_password",             "GET",   OK,        OK,    OK,    OK,     OK),
    ("auth.forgot_password",             "POST",  FORM,      FORM,  FORM,  FORM,   FORM),
    ("auth.reset_password",              "GET",   OK,        OK,    OK,    OK,     OK),  # A's reset link: the link is the key
    ("auth.reset_password",              "POST",  FORM,      FORM,  FORM,  FORM,   FORM),
    ("assets.htmx",                      "GET",   OK,        OK,    OK,    OK,     OK),
    ("static",                           "GET",   OK,        OK,    OK,    OK,     OK),
    ("pwa.manifest",                     "GET",   OK,        OK,    OK,    OK,     OK),
    ("pwa.service_worker",               "GET",   OK,        OK,    OK,    OK,     OK),
    ("pwa.offline",                      "GET",   OK,        OK,    OK,    OK,     OK),
    ("pwa.logged_out",                   "GET",   OK,        OK,    OK,    OK,     OK),
    ("pwa.sync_info",                    "GET",   LOGIN,     OK,    OK,    403,    403),
    ("calendar.feed",                    "GET",   OK,        OK,    OK,    OK,     OK),  # A's secret: the link is the key
    ("calendar.download",                "GET",   LOGIN,     OK,    OK,    403,    403),
    ("api.docs",                         "GET",   OK,        OK,    OK,    OK,     OK),
    ("api.openapi_json",                 "GET",   OK,        OK,    OK,    OK,     OK),
    # Settings: any signed-in user, for their own tokens; the calendar link is a patient's.
    ("settings.index",                   "GET",   LOGIN,     OK,    OK,    OK,     OK),
    ("settings.create_token",            "POST",  LOGIN,     FORM,  FORM,  FORM,   FORM),
    ("settings.end_other_sessions",      "POST",  LOGIN,     OK,    OK,    OK,     OK),  # one's own other devices
    ("settings.revoke_token",            "POST",  LOGIN,     OK,    404,   404,    404),  # A's token
    ("settings.make_calendar_link",      "POST",  LOGIN,     OK,    OK,    403,    403),
    ("settings.turn_off_calendar_link",  "POST",  LOGIN,     OK,    OK,    403,    403),
    # Two-step sign-in: a therapist's own; the second step of logging in needs a right password first.
    ("auth.enter_code",                  "GET",   LOGIN,     LOGIN, LOGIN, LOGIN,  LOGIN),  # no password step: to /login
    ("auth.enter_code",                  "POST",  303,       303,   303,   303,    303),  # likewise, 303 after a POST
    ("two_step.start_setup",             "POST",  LOGIN,     403,   403,   OK,     OK),
    ("two_step.set_up",                  "GET",   LOGIN,     403,   403,   OK,     OK),  # nothing started: 303 to Settings
    ("two_step.set_up",                  "POST",  LOGIN,     403,   403,   OK,     OK),
    ("two_step.new_recovery_codes",      "GET",   LOGIN,     403,   403,   OK,     OK),  # it is off: 303 to Settings
    ("two_step.new_recovery_codes",      "POST",  LOGIN,     403,   403,   OK,     OK),
    ("two_step.turn_off",                "GET",   LOGIN,     403,   403,   OK,     OK),
    ("two_step.turn_off",                "POST",  LOGIN,     403,   403,   OK,     OK),
    # The patient's own screens: no id in the URL, so B sees B's own.
    ("patient.today",                    "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.checkin",                  "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.checkin",                  "POST",  LOGIN,     FORM,  FORM,  403,    403),
    ("patient.onboarding",               "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.onboarding",               "POST",  LOGIN,     FORM,  FORM,  403,    403),
    ("patient.onboarding_safety",        "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.onboarding_safety",        "POST",  LOGIN,     FORM,  FORM,  403,    403),
    ("patient.self_check",               "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.self_check",               "POST",  LOGIN,     FORM,  FORM,  403,    403),
    ("patient.player_page",              "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.player_offline",           "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.start_set",                "POST",  LOGIN,     FORM,  FORM,  403,    403),
    ("patient.player_event",             "POST",  LOGIN,     OK,    OK,    403,    403),  # body: BODIES
    ("patient.recheck",                  "POST",  LOGIN,     FORM,  FORM,  403,    403),
    ("patient.confirm_cleared",          "POST",  LOGIN,     OK,    OK,    403,    403),  # not waiting for clearance: 303 back
    ("patient.history",                  "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.history_numbers",          "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.history_sets",             "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.summary",                  "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.summary_pdf",              "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.learn",                    "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.learn_page",               "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.my_data",                  "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.export_json",              "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.export_csv",               "GET",   LOGIN,     OK,    OK,    403,    403),
    ("patient.delete_account",           "POST",  LOGIN,     FORM,  FORM,  403,    403),  # no password: 422, nothing deleted
    ("patient.link_therapist",           "GET",   LOGIN,     OK,    OK,    403,    403),  # A's therapist's unused code
    ("patient.link_therapist",           "POST",  LOGIN,     FORM,  FORM,  403,    403),
    # The patient's own things by id: B gets 404 (never a hint that it exists).
    ("patient.show_alert",               "GET",   LOGIN,     OK,    404,   403,    403),
    ("patient.confirm_alert",            "POST",  LOGIN,     OK,    404,   403,    403),
    ("patient.answer_followup",          "POST",  LOGIN,     404,   404,   403,    403),  # A's alert is not a day-old emergency: not asked
    ("patient.self_check_result",        "GET",   LOGIN,     OK,    404,   403,    403),
    ("patient.stop_sharing",             "POST",  LOGIN,     OK,    404,   403,    403),  # A's therapist's id
    # The therapist's screens: only through the care link; the other therapist gets 404.
    ("therapist.caseload",               "GET",   LOGIN,     403,   403,   OK,     OK),
    ("therapist.open_alerts",            "GET",   LOGIN,     403,   403,   OK,     OK),
    ("therapist.invites",                "GET",   LOGIN,     403,   403,   OK,     OK),
    ("therapist.create_invite",          "POST",  LOGIN,     403,   403,   OK,     OK),
    ("therapist.cancel_invite",          "POST",  LOGIN,     403,   403,   OK,     404),  # A's therapist's unused invite
    ("therapist.dismiss_notice",         "POST",  LOGIN,     403,   403,   OK,     404),  # A's therapist's notice about A
    ("therapist.patient_page",           "GET",   LOGIN,     403,   403,   OK,     404),
    ("therapist.patient_timeline",       "GET",   LOGIN,     403,   403,   OK,     404),
    ("therapist.patient_history_numbers", "GET",  LOGIN,     403,   403,   OK,     404),
    ("therapist.add_note",               "POST",  LOGIN,     403,   403,   FORM,   404),
    ("therapist.assess_sign_form",       "GET",   LOGIN,     403,   403,   OK,     404),
    ("therapist.assess_sign",            "POST",  LOGIN,     403,   403,   FORM,   404),
    ("therapist.end_assessed_sign",      "POST",  LOGIN,     403,   403,   OK,     404),  # A's sign, assessed by A's therapist
    ("therapist.acknowledge_alert",      "POST",  LOGIN,     403,   403,   FORM,   404),
    ("therapist.edit_plan",              "GET",   LOGIN,     403,   403,   OK,     404),
    ("therapist.edit_plan",              "POST",  LOGIN,     403,   403,   FORM,   404),
    ("therapist.release_plan",           "POST",  LOGIN,     403,   403,   OK,     404),  # not held: 303, nothing changed
    ("therapist.end_link",               "POST",  LOGIN,     403,   403,   OK,     404),
    ("therapist.export_summary",         "GET",   LOGIN,     403,   403,   OK,     404),
    ("therapist.export_summary_pdf",     "GET",   LOGIN,     403,   403,   OK,     404),
    ("therapist.export_csv",             "GET",   LOGIN,     403,   403,   OK,     404),
    ("therapist.export_fhir",            "GET",   LOGIN,     403,   403,   OK,     404),
    # The JSON API: anonymous 401; A's record is A's and their therapist's; writes are the patient's.
    ("api.get_me",                       "GET",   401,       OK,    OK,    OK,     OK),
    ("api.list_checkins",                "GET",   401,       OK,    404,   OK,     404),
    ("api.get_checkin",                  "GET",   401,       OK,    404,   OK,     404),
    ("api.list_walks",                   "GET",   401,       OK,    404,   OK,     404),
    ("api.list_self_checks",             "GET",   401,       OK,    404,   OK,     404),
    ("api.list_readings",                "GET",   401,       OK,    404,   OK,     404),
    ("api.list_sessions",                "GET",   401,       OK,    404,   OK,     404),
    ("api.list_patient_alerts",          "GET",   401,       OK,    404,   OK,     404),
    ("api.get_plan",                     "GET",   401,       OK,    404,   OK,     404),
    ("api.get_player",                   "GET",   401,       OK,    404,   OK,     404),
    ("api.get_summary",                  "GET",   401,       OK,    404,   OK,     404),
    ("api.add_checkin",                  "POST",  401,       FORM,  404,   403,    403),
    ("api.add_walk",                     "POST",  401,       FORM,  404,   403,    403),
    ("api.add_self_check",               "POST",  401,       FORM,  404,   403,    403),
    ("api.add_player_event",             "POST",  401,       FORM,  404,   403,    403),
    ("api.confirm_alert",                "POST",  401,       OK,    404,   403,    403),
    ("api.list_open_alerts",             "GET",   401,       403,   403,   OK,     OK),
    ("api.get_caseload",                 "GET",   401,       403,   403,   OK,     OK),
    ("api.acknowledge_alert",            "POST",  401,       403,   403,   FORM,   404),
    ("api.put_plan",                     "PUT",   401,       403,   403,   FORM,   404),
]
# fmt: on

MATRIX: dict[tuple[str, str], dict[str, Cell]] = {(e, m): dict(zip(ACTORS, cells)) for e, m, *cells in LINES}

# Form fields sent with a POST (besides the CSRF token) where an empty form would not be the view's normal use.
BODIES: dict[tuple[str, str], dict[str, str]] = {
    ("patient.player_event", "POST"): {"event": "step_done"},  # an unknown event is a 400; a stale tap changes nothing
}

# Routes where more than A and A's therapist may see A's data.
LINK_IS_THE_KEY = {
    "calendar.feed",  # a calendar app cannot log in: whoever holds A's secret link gets A's reminders
    "auth.reset_password",  # whoever holds the emailed link may choose A's new password
}

SKIPPED_METHODS = {"HEAD", "OPTIONS"}


# ---- Patient A's world ---------------------------------------------------------------------------

A_NAME, A_EMAIL = "Quentin Aardvark", "quentin.aardvark@example.com"
A_NOTE, A_PAUSE, A_TOKEN_NAME = "ZEBRA-NOTE-A from the therapist", "ZEBRA-PAUSE-A call me first", "ZEBRA-TOKEN-A"
NO_FLAGS = {flag: False for flag in FLAG_LEVELS}


@dataclass(frozen=True)
class World:
    """Patient A with real data, patient B, A's therapist and another therapist; ids of A's things."""

    users: dict[str, User]
    bearer: dict[str, str]  # actor -> their API token
    alert_id: int
    check_id: int
    checkin_uuid: uuid.UUID
    token_id: int
    notice_id: int
    assessed_id: int
    invite_code: str
    invite_id: int  # A's therapist's unused invite (the one with invite_code)
    calendar_secret: str
    secrets: tuple[str, ...]  # what must never reach anyone but A and A's therapist

    @property
    def a(self) -> User:
        """Patient A."""
        return self.users[A]


# Which of A's things fills each URL argument. A new argument needs one line here.
URL_ARGS: dict[str, Callable[[World], Any]] = {
    "patient_id": lambda w: w.a.id,
    "chart": lambda w: "pain",
    "alert_id": lambda w: w.alert_id,
    "check_id": lambda w: w.check_id,
    "entry_id": lambda w: w.checkin_uuid,
    "therapist_id": lambda w: w.users[PT].id,
    "token_id": lambda w: w.token_id,
    "notice_id": lambda w: w.notice_id,
    "assessed_id": lambda w: w.assessed_id,
    "secret": lambda w: w.calendar_secret,
    "code": lambda w: w.invite_code,
    "invite_id": lambda w: w.invite_id,
    "slug": lambda w: current_content().pages[0].slug,
    "filename": lambda w: "css/app.css",
    "version": lambda w: htmx_version(),
    "token": lambda w: reset_links.make_token(w.a, current_app.config["SECRET_KEY"]),
}


def sign_in(app: Flask, user: User | None) -> FlaskClient:
    """A fresh client (its own cookie jar), logged in as `user` through the real form; None: nobody."""
    client = app.test_client()
    if user is not None:
        assert Auth(client).login(user.email).status_code == 303, f"{user.email} could not log in"
    return client


def _reading() -> Reading:
    """Symptoms down to the calf of the left leg."""
    return Reading(Zone.CALF, 6, 3, Side.LEFT)


def build_world(app: Flask) -> World:
    """Create everyone and A's data through the services (and one view), as the app itself would."""
    with app.app_context():
        a = make_onboarded_patient(name=A_NAME, email=A_EMAIL)
        b = make_onboarded_patient(name="Beatrix Badger")
        pt, other_pt = make_therapist(name="Petra Linked"), make_therapist(name="Otto Unlinked")
        accounts.redeem_invite(a, accounts.create_invite(pt).code)
        checkin = record_checkin(a, CheckInData(
            uuid.uuid4(), None, {**NO_FLAGS, "numbness_spreading": True}, _reading(), ("pain",), ("sitting",), 12, 5))
        assert checkin.alert_id is not None, "A's check-in should raise an alert"
        record_checkin(b, CheckInData(uuid.uuid4(), None, NO_FLAGS, _reading(), ("pain",), (), 20, None))
        normal = Ability.NORMAL
        check = selfchecks.record_self_check(a, selfchecks.SelfCheckData(uuid.uuid4(), normal, normal, normal))
        walks.record_walk(a, walks.WalkData(uuid.uuid4(), datetime.now(UTC), 15, 6))
        sessions.start_set(a, NO_FLAGS, _reading())
        player.apply(a, Event(EventKind.QUIT))
        timeline.add_note(pt, a, A_NOTE)
        assessed = assessed_signs.assess(pt, a, "weight_loss", 30)
        plans.change_plan(pt, a, {}, True, A_PAUSE)
        token = tokens.create_token(a, A_TOKEN_NAME)
        bearer = {who: tokens.create_token(user, "matrix").secret for who, user in ((B, b), (PT, pt), (OTHER_PT, other_pt))}
        bearer[A] = token.secret
        calendar = calendar_links.make_link(a)
        unused = accounts.create_invite(pt)
    # A stops sharing (their therapist gets a notice naming A), then shares again with a new code.
    client = sign_in(app, a)
    csrf = csrf_from(client.get("/settings").get_data(as_text=True))
    assert client.post(f"/care-team/{pt.id}/end", data={"csrf_token": csrf}).status_code == 303
    with app.app_context():
        accounts.redeem_invite(a, accounts.create_invite(pt).code)
        notice = Notice.get(Notice.therapist == pt.id)
    return World(
        users={A: a, B: b, PT: pt, OTHER_PT: other_pt}, bearer=bearer, alert_id=checkin.alert_id, check_id=check.check.id,
        checkin_uuid=checkin.checkin.uuid, token_id=token.row.id, notice_id=notice.id, assessed_id=assessed.id,
        invite_code=unused.code, invite_id=unused.row.id, calendar_secret=calendar.secret,
        secrets=(A_NAME, A_EMAIL, A_NOTE, A_PAUSE, A_TOKEN_NAME, str(checkin.checkin.uuid), token.secret, calendar.secret),
    )


def stored_about(world: World) -> list[tuple[str, dict[str, Any]]]:
    """Every row that names patient A or A's therapist, as stored (when a token or link was last used aside)."""
    people = [world.a.id, world.users[PT].id]
    rows = []
    for model in MODELS:
        keys = [f for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField) and f.rel_model is User]
        where = model.id.in_(people) if model is User else reduce(or_, (k.in_(people) for k in keys)) if keys else None
        if where is not None:
            pk = model._meta.primary_key
            rows += [(model.__name__, {k: v for k, v in r.__data__.items() if k != "last_used_at"})
                     for r in model.select().where(where).order_by(pk)]
    return rows


# ---- Calling a route as an actor -------------------------------------------------------------------


def url_of(app: Flask, world: World, endpoint: str) -> str:
    """The route's URL with A's things as its arguments."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    missing = sorted(set(rule.arguments) - set(URL_ARGS))
    assert not missing, f"{endpoint}: add a line to URL_ARGS for {missing}"
    with app.test_request_context():
        return url_for(endpoint, **{name: URL_ARGS[name](world) for name in rule.arguments})


def ready(app: Flask, world: World, actor: str, method: str, bearer: bool = False) -> tuple[FlaskClient, dict[str, str]]:
    """A fresh client for `actor`, logged in (or holding their bearer token), with a CSRF token for a write."""
    if bearer:
        return app.test_client(), {"Authorization": f"Bearer {world.bearer[actor]}"}
    user = world.users.get(actor)
    client = sign_in(app, user)
    if method == "GET":
        return client, {}
    # The token of a page this actor can open, as a browser would have it.
    return client, {"X-CSRFToken": csrf_from(client.get("/settings" if user else "/login").get_data(as_text=True))}


def send(client: FlaskClient, headers: dict[str, str], method: str, url: str, body: dict[str, str]) -> Any:
    """The request: JSON for the API, else a form carrying the CSRF token."""
    if url.startswith("/api/"):
        return client.open(url, method=method, json=None if method == "GET" else body, headers=headers)
    if method == "GET":
        return client.get(url, headers=headers)
    return client.open(url, method=method, data={**body, "csrf_token": headers.get("X-CSRFToken", "")}, headers=headers)


def readable(response: Any) -> bytes:
    """The body as text can be searched: ZIP members unpacked, PDF streams inflated."""
    data = response.get_data()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return b"\n".join(archive.read(name) for name in archive.namelist())
    if data.startswith(b"%PDF"):
        inflated = []
        for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
            try:
                inflated.append(zlib.decompress(stream))
            except zlib.error:
                inflated.append(stream)
        return data + b"\n".join(inflated)
    return data


def judge(cell: Cell, response: Any, is_api: bool) -> str | None:
    """What is wrong with `response` for this cell, or None."""
    status, location = response.status_code, response.headers.get("Location", "")
    if status >= 500:
        return f"got {status}"
    if cell in (OK, FORM):
        if status >= 400 and not (cell == FORM and status == 422):
            return f"allowed, but got {status}"
        if 300 <= status < 400 and location.startswith("/login"):
            return f"allowed, but sent to {location}"
        return None
    if cell == LOGIN:
        return None if status == 302 and location.startswith("/login") else f"expected 302 to /login, got {status} {location}"
    if status != cell:
        return f"expected {cell}, got {status} {location}"
    if is_api and response.mimetype != "application/problem+json":
        return f"a refusal from the API as {response.mimetype}, not application/problem+json"
    return None


# ---- The tests ---------------------------------------------------------------------------------------



@pytest.mark.parametrize(("endpoint", "method"), list(MATRIX), ids=[f"{e}-{m}" for e, m in MATRIX])
def test_who_gets_what(app: Flask, endpoint: str, method: str) -> None:
    """Each actor gets what the matrix says; strangers to A's record see and change none of it."""
    world = build_world(app)
    url = url_of(app, world, endpoint)
    is_api = url.startswith("/api/")
    expected, body = MATRIX[endpoint, method], BODIES.get((endpoint, method), {})
    entitled = set(ACTORS) if endpoint in LINK_IS_THE_KEY else {A, PT}
    secrets = [s for s in world.secrets if s not in url]  # what the caller sent is no leak
    refused = [who for who in ORDER if expected[who] not in ALLOWED]
    allowed = [who for who in ORDER if expected[who] in ALLOWED]
    both = (False, True) if is_api else (False,)  # the API: with the session, then with a bearer token
    calls = [(actor, bearer) for actor in refused + allowed for bearer in (both if actor != ANONYMOUS else (False,))]
    clients = {(actor, bearer): ready(app, world, actor, method, bearer) for actor, bearer in calls}  # all logged in first
    with app.app_context():
        before = stored_about(world)
    problems = []
    for actor, bearer in calls:
        who = f"{actor}{' (bearer)' if bearer else ''} {method} {url}"
        response = send(*clients[actor, bearer], method, url, body)
        wrong = judge(expected[actor], response, is_api)
        if wrong:
            problems.append(f"{who}: {wrong}")
        if actor not in entitled:
            text = readable(response)
            problems += [f"{who}: A's {s!r} is in the response" for s in secrets if s.encode() in text]
        if actor not in entitled or actor in refused:  # a refusal, or a stranger: nothing of A's may change
            with app.app_context():
                now = stored_about(world)
            if now != before:
                problems.append(f"{who}: changed A's record")
                before = now
    assert not problems, "\n".join(problems)


def matrix_gaps(app: Flask, matrix: dict[tuple[str, str], Any]) -> list[str]:
    """Routes of `app` with no line in `matrix`, and lines naming a route `app` does not have."""
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - SKIPPED_METHODS}
    missing = [f"{e} {m}: no line in MATRIX (add one in tests/test_authz_matrix.py)" for e, m in sorted(routes - set(matrix))]
    stale = [f"{e} {m}: MATRIX has a line but the app has no such route" for e, m in sorted(set(matrix) - routes)]
    arguments = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    unfilled = [f"URL argument <{name}>: no line in URL_ARGS" for name in sorted(arguments - set(URL_ARGS))]
    return missing + stale + unfilled


def test_every_route_has_a_line_in_the_matrix(app: Flask) -> None:
    """A new route must say who may call it; a line for a route that is gone must go; one line each."""
    seen = [(e, m) for e, m, *_ in LINES]
    twice = [f"{e} {m}: more than one line in MATRIX" for e, m in sorted(set(seen)) if seen.count((e, m)) > 1]
    gaps = matrix_gaps(app, MATRIX) + twice
    assert not gaps, "\n".join(gaps)


def test_the_coverage_check_names_a_new_route_and_a_gone_one(tmp_path: Path) -> None:
    """The check itself: a throwaway route on a fresh app is reported by name, and so is a stale line."""
    app = make_test_app(f"sqlite:///{tmp_path / 'meta.db'}", tmp_path / "instance")
    app.add_url_rule("/throwaway/<int:widget_id>", "throwaway", lambda widget_id: "", methods=["GET", "POST"])
    try:
        gaps = matrix_gaps(app, {**MATRIX, ("gone.view", "GET"): {}})
    finally:
        close_database()
    assert "throwaway GET: no line in MATRIX (add one in tests/test_authz_matrix.py)" in gaps
    assert "throwaway POST: no line in MATRIX (add one in tests/test_authz_matrix.py)" in gaps
    assert "gone.view GET: MATRIX has a line but the app has no such route" in gaps
    assert "URL argument <widget_id>: no line in URL_ARGS" in gaps
