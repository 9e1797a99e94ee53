"""Every HTML form a person can submit, as one table row each, and the small world they are submitted in.

A new form is one `FormCase` line in FORMS: where it posts, who submits it, the page that renders it, and
the answers a person types on top of what the page already holds. The test reads the rendered form for
the rest (hidden fields, pre-filled values, every field name), so a field added to a form is covered at once.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, Callable

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from selfcare import accounts
from selfcare.clinical import Event, EventKind, Phase, Reading, Side, Zone
from selfcare.content import current_content
from selfcare.models import Alert, ApiToken, Notice, PlayerState, RedFlagScreen, Role, User, utcnow
from selfcare.services import calendar_links, login_sessions, player, reset_links, sessions, tokens, two_factor
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_profile
from tests.html_reading import RenderedForm, read_form

_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    """PASSWORD hashed once: scrypt takes 0.1 s, too long to pay for every user of every example."""
    return generate_password_hash(PASSWORD, method=accounts.PASSWORD_METHOD)


def quick_user(role: Role, onboarded: bool = True) -> User:
    """A user whose password is PASSWORD, without hashing it again (a patient has their first answers)."""
    n = next(_counter)
    user = User.create(email=f"form-{role.value}{n}@example.com", password_hash=_password_hash(),
                       name=f"{role.value.title()} {n}", role=role.value, region="UK", timezone="Europe/London")
    if onboarded and role == Role.PATIENT:
        make_profile(user)
    return user


def log_in(client: FlaskClient, user: User, second_step: bool = True) -> FlaskClient:
    """Log `user` in through the real login form, as a person would (with the app's code, if two-step sign-in is on)."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.status_code
    if second_step and response.location.endswith("/login/two-factor"):
        token = csrf_from(client.get("/login/two-factor").get_data(as_text=True))
        code = pyotp.TOTP(two_factor.secret(user)).now()
        assert client.post("/login/two-factor", data={"code": code, "csrf_token": token}).status_code == 303
    return client


class World:
    """A therapist and a linked patient, more users as forms need them (one who deletes their account, one who
    resets their password), and a browser for each, signed in on first use."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with app.app_context():
            self.therapist, self.patient = quick_user(Role.THERAPIST), quick_user(Role.PATIENT)
            accounts.link(self.therapist, self.patient)
            self.invite = accounts.create_invite(self.therapist)
        self.users: dict[str, User] = {"therapist": self.therapist, "patient": self.patient}
        self.clients: dict[str, FlaskClient] = {}
        self.ids: dict[str, Any] = {"patient": self.patient.id, "therapist": self.therapist.id, "code": self.invite.code}
        self.baseline_checked = False

    def client(self, who: str) -> FlaskClient:
        """The browser of `who`, signed in; someone signed out gets a fresh one for every submission."""
        if who == "anonymous":
            return self.app.test_client()
        if who == "pending":  # the password was right; the login waits for the code from the app
            return log_in(self.app.test_client(), self.users["guarded"], second_step=False)
        if who not in self.users or User.get_or_none(User.id == self.users[who].id) is None:  # e.g. deleted their account
            with self.app.app_context():
                self.users[who] = quick_user(Role.PATIENT)
            self.clients.pop(who, None)
        client = self.clients.setdefault(who, self.app.test_client())
        with client.session_transaction() as session:
            signed_in = "_user_id" in session
        return client if signed_in else log_in(client, self.users[who])


# --- getting each form's world ready for one submission ----------------------------------------------

def _fresh_start(world: World) -> None:
    """The patient is on the start screen of the first set of the day (every red-flag question asked)."""
    PlayerState.delete().where(PlayerState.patient == world.patient.id).execute()
    RedFlagScreen.delete().where(RedFlagScreen.patient == world.patient.id).execute()


def _later_start(world: World) -> None:
    """The patient is on the start screen of a later set of the day (one question since the whole list)."""
    _fresh_start(world)
    RedFlagScreen.create(patient=world.patient, answered_at=utcnow(), source="checkin", kind="full", answers={},
                         level="none", reasons=[])


def _mid_set(world: World) -> None:
    """The patient is on the first step of a set."""
    _fresh_start(world)
    flags = {q: False for q in _questions()}
    sessions.start_set(world.patient, flags, Reading(Zone.CALF, 6, 3, Side.LEFT))


def _at_recheck(world: World) -> None:
    """The patient has done every step and is asked how they feel now."""
    _mid_set(world)
    for _ in range(20):
        state = player.load(world.patient).state
        if state.phase == Phase.RECHECK:
            return
        if state.deadline is not None:
            player.apply(world.patient, Event(EventKind.TIMER_ENDED), state.deadline + timedelta(seconds=1))
        else:
            player.apply(world.patient, Event(EventKind.STEP_DONE))
    raise AssertionError("never reached the re-check")


def _questions() -> tuple[str, ...]:
    """The red-flag question ids (from content/)."""
    return tuple(q.id for q in current_content().red_flags.questions)


def _new_alert(world: World) -> None:
    """A fresh urgent alert of the linked patient, not yet read or acknowledged."""
    world.ids["alert"] = Alert.create(patient=world.patient, level="urgent", reasons=["weakness_worsening"], source="checkin").id


def _due_followup(world: World) -> None:
    """An emergency alert of the patient from yesterday, read and not yet followed up (Today asks "were you seen?")."""
    from selfcare.timeutil import day_bounds, local_now

    Alert.update(followup_answer="seen").where((Alert.patient == world.patient.id) & Alert.followup_answer.is_null()).execute()
    start, _ = day_bounds(world.patient, local_now(world.patient).date() - timedelta(days=1))
    world.ids["alert"] = Alert.create(patient=world.patient, level="emergency", reasons=["falls"], source="checkin",
                                      created_at=start + timedelta(hours=12), confirmed_at=utcnow()).id


def _new_notice(world: World) -> None:
    """A fresh notice for the therapist."""
    world.ids["notice"] = Notice.create(therapist=world.therapist, text="A patient stopped sharing their record.").id


def _fresh_invite(world: World) -> None:
    """An unused code from the therapist (a code works once: the last accepted submission used the one before)."""
    world.ids["code"] = accounts.create_invite(world.therapist).code


def _relink(world: World) -> None:
    """The therapist looks after the patient (again)."""
    accounts.link(world.therapist, world.patient)


def _no_tokens(world: World) -> None:
    """The patient has no tokens, so the limit of tokens never decides the answer."""
    ApiToken.delete().where(ApiToken.user == world.patient.id).execute()


def _one_token(world: World) -> None:
    """The patient has one working token to revoke (and no others, so the limit of tokens is never reached)."""
    _no_tokens(world)
    world.ids["token"] = tokens.create_token(world.patient, "Clinic dashboard").row.id


def _calendar_on(world: World) -> None:
    """The patient's calendar link is on."""
    calendar_links.make_link(world.patient)


def _reset_link(world: World) -> None:
    """A fresh emailed link to choose a new password (it works until the password changes)."""
    if "resetter" not in world.users:
        world.users["resetter"] = quick_user(Role.PATIENT)
    resetter = User.get_by_id(world.users["resetter"].id)  # afresh: the link is tied to the current password
    world.ids["reset_token"] = reset_links.make_token(resetter, world.app.config["SECRET_KEY"])


def _another_device(world: World) -> None:
    """The patient is also logged in on another phone."""
    login_sessions.begin(world.patient)


def _two_step_pending(world: World) -> None:
    """The therapist has started setting up two-step sign-in (and has no wrong codes counted)."""
    if two_factor.is_on(User.get_by_id(world.therapist.id)):  # an earlier example turned it on
        two_factor.turn_off(world.therapist)
    two_factor.start_setup(world.therapist)
    world.ids["app_code"] = pyotp.TOTP(two_factor.pending_secret(world.therapist)).now()


def _two_step_on(world: World) -> None:
    """A therapist ("guarded") with two-step sign-in on, no code used or failed yet, and a recovery code at hand."""
    if "guarded" not in world.users:
        world.users["guarded"] = quick_user(Role.THERAPIST)
    guarded = User.get_by_id(world.users["guarded"].id)  # read afresh: an earlier example may have changed it
    if not two_factor.is_on(guarded):  # first use, or an earlier example turned it off
        two_factor.start_setup(guarded)
        two_factor.confirm_setup(guarded, pyotp.TOTP(two_factor.pending_secret(guarded)).now())
    User.update(totp_last_timestep=None, totp_failures=0, totp_locked_until=None).where(User.id == guarded.id).execute()
    world.ids["app_secret"] = two_factor.secret(guarded)
    world.ids["recovery_code"] = two_factor._replace_recovery_codes(guarded, utcnow())[0]


def _later_app_code(world: World) -> str:
    """A code from the guarded therapist's app for the step after now, asked for as the form is filled in: later than
    the step any login of this example used. (Made when the world was made ready, the login that came after could
    cross into that very step and use it up: the form's right code was then refused, now and then under load.)"""
    return pyotp.TOTP(world.ids["app_secret"]).at(datetime.now(), counter_offset=1)


def _nothing(world: World) -> None:
    """No preparation needed."""


# --- the table -----------------------------------------------------------------------------------------

READING = {"zone": "calf", "side": "left", "leg_pain": "6", "back_pain": "3"}


@dataclass(frozen=True)
class FormCase:
    """One HTML form: where it posts, who submits it, where it is rendered, what a person types in."""

    name: str
    action: str  # formatted with World.ids
    who: str  # anonymous (a fresh browser each time), therapist, patient, or any other name: a patient of its own
    page: str  # the page that renders the form, formatted with World.ids
    answers: dict[str, Any] = field(default_factory=dict)  # on top of the rendered values; a callable gets the World
    prepare: Callable[[World], None] = _nothing  # before each submission
    also_errs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a bad field whose message may sit beside another
    ids: dict[str, str] = field(default_factory=dict)  # field name -> element id, when they differ (formatted)
    headers: dict[str, str] = field(default_factory=dict)
    yes_no: bool = False  # red-flag questions: answer each "no"
    keeps: tuple[str, ...] = ()  # tables a refusal may still change (a red flag never waits for the rest of a form)

    def ready(self, world: World) -> None:
        """Get the world ready for one submission of this form: alerts read (an emergency takes over every
        patient page until it is), then what this form needs."""
        with world.app.app_context():
            Alert.update(confirmed_at=utcnow()).where(Alert.confirmed_at.is_null()).execute()
            self.prepare(world)

    def url(self, world: World) -> str:
        """The address the form posts to."""
        return self.action.format(**world.ids)

    def field_id(self, world: World, name: str) -> str:
        """The id of a field's control, which its message is named after."""
        return self.ids.get(name, name).format(**world.ids)

    def rendered(self, world: World, client: FlaskClient) -> RenderedForm:
        """The form as the page renders it in `client` right now."""
        response = client.get(self.page.format(**world.ids))
        assert response.status_code == 200, (self.page, response.status_code)
        return read_form(response.get_data(as_text=True), self.url(world))

    def baseline(self, world: World, form: RenderedForm) -> dict[str, list[str]]:
        """A valid submission: the rendered form with a person's answers filled in."""
        body = form.body()
        if self.yes_no:
            body.update({name: ["no"] for name in form.names if name.startswith("rf_")})
        for name, value in self.answers.items():
            value = value(world) if callable(value) else value
            body[name] = value if isinstance(value, list) else [value]
        return {name: values for name, values in body.items() if values != [None]}


def _email(world: World) -> str:
    """An address no account uses yet."""
    return f"new-{uuid.uuid4().hex[:12]}@example.com"


SIGNUP = {"name": "Sam", "email": _email, "password": PASSWORD, "confirm": PASSWORD, "region": "UK", "timezone": "Europe/Paris"}
ONBOARDING = {"legs": "left", "symptoms_started": lambda w: (date.today() - timedelta(days=60)).isoformat(), "region": "UK",
              "baseline_walk_minutes": "10", "cancer_history": "no", "immune_risk": "no", "invite_code": "", "share": "y"}
ACK = {"note": "Phoned the patient."}
PATIENT_PAGE = "/therapist/patients/{patient}"
CHECKIN = {**READING, "sensations": ["pain", "tingling"], "worse_with": ["sitting"], "walk_minutes": "12",
           "walk_onset_minutes": "5"}

FORMS = [
    FormCase("signup", "/signup", "anonymous", "/signup", SIGNUP,
             also_errs={"password": ("confirm",), "region": ("emergency_number",)}),  # "Other" asks for the number
    FormCase("login", "/login", "anonymous", "/login", {"email": lambda w: w.therapist.email, "password": PASSWORD},
             also_errs={"email": ("password",)}),
    FormCase("onboarding", "/onboarding", "patient", "/onboarding", ONBOARDING,
             also_errs={"invite_code": ("share",), "region": ("emergency_number",)}),
    FormCase("checkin", "/checkin", "patient", "/checkin", CHECKIN, yes_no=True, keeps=("alert",),
             also_errs={"walk_minutes": ("walk_onset_minutes",)}),
    FormCase("self_check", "/self-check", "patient", "/self-check",
             {"heel_walk": "normal", "toe_walk": "weak", "big_toe_lift": "normal", "numb_areas": ["sole"]}),
    FormCase("exercises_start", "/exercises/start", "patient", "/exercises", READING, _fresh_start, yes_no=True,
             keeps=("alert",)),
    FormCase("exercises_start_later", "/exercises/start", "patient", "/exercises", {**READING, "anything_new": "no"},
             _later_start, keeps=("red_flag_screen",)),  # a "yes" is kept, and the whole list shown
    FormCase("exercises_event", "/exercises/event", "patient", "/exercises", {}, _mid_set),
    FormCase("exercises_recheck", "/exercises/recheck", "patient", "/exercises", {**READING, "zone": "thigh", "leg_pain": "4"},
             _at_recheck),
    FormCase("link", "/link/{code}", "patient", "/link/{code}", {"share": "y"}, _fresh_invite),
    FormCase("confirm_alert", "/alerts/{alert}/confirm", "patient", "/alerts/{alert}", prepare=_new_alert),
    FormCase("followup", "/alerts/{alert}/followup", "patient", "/today", prepare=_due_followup, ids={"answer": "followup-answer"}),
    FormCase("stop_sharing", "/care-team/{therapist}/end", "patient", "/today", prepare=_relink),
    FormCase("invite", "/therapist/invites", "therapist", "/therapist/invites"),
    FormCase("note", PATIENT_PAGE + "/notes", "therapist", PATIENT_PAGE, {"text": "Phoned: walking further."}),
    FormCase("assess_sign", PATIENT_PAGE + "/assessed-signs", "therapist", PATIENT_PAGE + "/assessed-signs/new",
             {"sign": "weight_loss", "days": "30", "assess_note": "Looked into: blood tests normal."}),
    FormCase("plan", PATIENT_PAGE + "/plan", "therapist", PATIENT_PAGE + "/plan", also_errs={"paused": ("pause_message",)}),
    FormCase("acknowledge", "/therapist/alerts/{alert}/acknowledge", "therapist", PATIENT_PAGE, ACK, _new_alert,
             ids={"note": "alert-{alert}-note"}),
    FormCase("acknowledge_htmx", "/therapist/alerts/{alert}/acknowledge", "therapist", PATIENT_PAGE, ACK, _new_alert,
             ids={"note": "alert-{alert}-note"}, headers={"HX-Request": "true"}),
    FormCase("end_link", PATIENT_PAGE + "/end-link", "therapist", PATIENT_PAGE, prepare=_relink),
    FormCase("dismiss_notice", "/therapist/notices/{notice}/dismiss", "therapist", "/therapist/patients", prepare=_new_notice),
    FormCase("token_create", "/settings/tokens", "patient", "/settings", {"name": "Clinic dashboard", "password": PASSWORD},
             _no_tokens),
    FormCase("token_revoke", "/settings/tokens/{token}/revoke", "patient", "/settings", prepare=_one_token),
    FormCase("calendar_link", "/settings/calendar", "patient", "/settings"),
    FormCase("calendar_off", "/settings/calendar/off", "patient", "/settings", prepare=_calendar_on),
    FormCase("delete_account", "/my-data/delete", "leaver", "/my-data", {"password": PASSWORD}),
    FormCase("logout", "/logout", "patient", "/today"),
    FormCase("forgot_password", "/password/forgot", "anonymous", "/password/forgot", {"email": lambda w: w.patient.email}),
    FormCase("reset_password", "/password/reset/{reset_token}", "anonymous", "/password/reset/{reset_token}",
             {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}, _reset_link,
             also_errs={"password": ("confirm",)}),
    FormCase("end_other_sessions", "/settings/sessions/end-others", "patient", "/settings", prepare=_another_device),
    FormCase("two_step_start", "/settings/two-step/start", "therapist", "/settings"),
    # A wrong code is counted on the user (five mean the password again): a refusal may change that row, and the
    # stamp a trigger bumps with any change to it (patient_stamp.shown: an ETag made before is no longer good).
    FormCase("two_step_set_up", "/settings/two-step/set-up", "therapist", "/settings/two-step/set-up",
             {"code": lambda w: w.ids["app_code"]}, _two_step_pending, keeps=("user", "patient_stamp")),
    FormCase("login_code", "/login/two-factor", "pending", "/login/two-factor", {"code": _later_app_code},
             _two_step_on, keeps=("user", "patient_stamp")),
    FormCase("login_recovery_code", "/login/two-factor?method=recovery", "pending", "/login/two-factor?method=recovery",
             {"code": lambda w: w.ids["recovery_code"]}, _two_step_on, keeps=("user", "patient_stamp")),
    FormCase("two_step_recovery_codes", "/settings/two-step/recovery-codes", "guarded", "/settings/two-step/recovery-codes",
             {"code": _later_app_code}, _two_step_on, keeps=("user", "patient_stamp")),
    FormCase("two_step_off", "/settings/two-step/off", "guarded", "/settings/two-step/off",
             {"password": PASSWORD, "code": _later_app_code}, _two_step_on, keeps=("user", "patient_stamp")),
]
