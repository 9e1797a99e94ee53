"""API tokens end with every way access ends (logging out everywhere else, a new password, two-step sign-in turned
on), each in the same transaction as the event; they expire 90 days after they were made (Settings says until
when; an expired one answers 401 like an unknown one); and making one asks for the password, and a code with
two-step sign-in on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from peewee import Table
from playhouse.migrate import SchemaMigrator, migrate

from selfcare import accounts, schema
from selfcare.db import db
from selfcare.models import ApiToken, SchemaVersion, User, utcnow
from selfcare.schema import LATEST
from selfcare.services import reset_links, tokens, two_factor
from tests.conftest import Auth, client_for, csrf_from
from tests.factories import PASSWORD, make_onboarded_patient, make_therapist

NEW_PASSWORD = "a brand new passphrase"
SECRET_RE = re.compile(r'value="(sc_[A-Za-z0-9_\-]+)"')


def works(app: Flask, secret: str) -> bool:
    """Whether the token reaches the API (GET /me with only the bearer token)."""
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code in (200, 401), response.status_code
    if response.status_code == 401:
        assert response.mimetype == "application/problem+json"
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    return response.status_code == 200


def post_settings(client: FlaskClient, path: str, **data: str):
    """Send a Settings form with the page's own CSRF token."""
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def make_token(client: FlaskClient, name: str = "Clinic app", password: str | None = PASSWORD, code: str | None = None):
    """Fill in "Make a token" on the Settings page (leaving out what is None) and send it."""
    data = {"name": name}
    if password is not None:
        data["password"] = password
    if code is not None:
        data["code"] = code
    return post_settings(client, "/settings/tokens", **data)


def fail_revoking(*args, **kwargs):
    """Stands in for tokens.revoke_all: the database refuses, after the event's own writes."""
    raise RuntimeError("the database went away")


# ---- Every way access ends ends the tokens too -------------------------------------------------------


def test_logging_out_everywhere_else_turns_off_the_tokens(app):
    patient = make_onboarded_patient()
    secret = tokens.create_token(patient, "Clinic app").secret
    other = tokens.create_token(make_onboarded_patient(), "Someone else's").secret
    client, elsewhere = client_for(app, patient.email), client_for(app, patient.email)
    page = client.get("/settings").get_data(as_text=True)
    assert "This also turns off your API tokens." in page  # said before the button is pressed
    assert works(app, secret)

    response = post_settings(client, "/settings/sessions/end-others")
    assert response.status_code == 303
    assert not works(app, secret) and works(app, other)
    assert ApiToken.get(ApiToken.name == "Clinic app").revoked_at is not None
    assert elsewhere.get("/today").status_code == 302  # the other browser is logged out too
    page = client.get("/settings").get_data(as_text=True)
    assert "Your API tokens are turned off." in page and "No app is connected." in page


def test_with_no_other_browser_the_button_is_still_there_for_the_tokens(app):
    patient = make_onboarded_patient()
    secret = tokens.create_token(patient, "Clinic app").secret
    client = client_for(app, patient.email)
    page = client.get("/settings").get_data(as_text=True)
    assert "Only on this phone or browser." in page and "This also turns off your API tokens." in page
    assert post_settings(client, "/settings/sessions/end-others").status_code == 303
    assert not works(app, secret)
    assert client.get("/today").status_code == 200  # this browser stays logged in


def test_logging_out_everywhere_else_ends_sessions_and_tokens_together_or_neither(app, monkeypatch):
    patient = make_onboarded_patient()
    secret = tokens.create_token(patient, "Clinic app").secret
    client, elsewhere = client_for(app, patient.email), client_for(app, patient.email)
    monkeypatch.setattr(tokens, "revoke_all", fail_revoking)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert post_settings(client, "/settings/sessions/end-others").status_code == 500
    assert elsewhere.get("/today").status_code == 200 and works(app, secret)  # nothing half done


def test_a_password_reset_turns_off_the_tokens(app):
    patient = make_onboarded_patient()
    secret = tokens.create_token(patient, "Clinic app").secret
    path = "/password/reset/" + reset_links.make_token(patient, app.config["SECRET_KEY"])
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    assert "This also turns off your API tokens." in page  # said before the new password is chosen
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert not works(app, secret)


def test_any_new_password_ends_the_tokens_in_the_same_transaction(app, monkeypatch):
    patient = make_onboarded_patient()
    secret = tokens.create_token(patient, "Clinic app").secret
    monkeypatch.setattr(tokens, "revoke_all", fail_revoking)
    with pytest.raises(RuntimeError):
        accounts.set_password(patient, NEW_PASSWORD)
    assert accounts.authenticate(patient.email, PASSWORD) is not None and works(app, secret)  # rolled back
    monkeypatch.undo()
    accounts.set_password(patient, NEW_PASSWORD)
    assert accounts.authenticate(patient.email, NEW_PASSWORD) is not None and not works(app, secret)


@pytest.fixture
def clock(monkeypatch):
    """Two-step sign-in's clock, fixed at the real time (the codes are made for it)."""
    now = utcnow()
    monkeypatch.setattr(two_factor, "clock", lambda: now)
    return now


def code_at(secret: str, moment: datetime, steps: int = 0) -> str:
    """What the authenticator app shows at `moment` (UTC), `steps` 30-second steps away."""
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=UTC), counter_offset=steps)


def test_turning_on_two_step_sign_in_turns_off_the_tokens(app, clock):
    therapist = make_therapist()
    secret = tokens.create_token(therapist, "Practice tool").secret
    client = client_for(app, therapist.email)
    assert post_settings(client, "/settings/two-step/start").status_code == 303
    page = client.get("/settings/two-step/set-up").get_data(as_text=True)
    assert "This also turns off your API tokens." in page  # said before the code is entered
    response = client.post("/settings/two-step/set-up", data={
        "csrf_token": csrf_from(page), "code": code_at(two_factor.pending_secret(therapist), clock)})
    assert response.status_code == 200 and two_factor.is_on(User.get_by_id(therapist.id))
    assert not works(app, secret)


def test_turning_on_two_step_sign_in_and_ending_the_tokens_happen_together(app, clock, monkeypatch):
    therapist = make_therapist()
    secret = tokens.create_token(therapist, "Practice tool").secret
    client = client_for(app, therapist.email)
    assert post_settings(client, "/settings/two-step/start").status_code == 303
    page = client.get("/settings/two-step/set-up").get_data(as_text=True)
    monkeypatch.setattr(tokens, "revoke_all", fail_revoking)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post("/settings/two-step/set-up", data={
        "csrf_token": csrf_from(page), "code": code_at(two_factor.pending_secret(therapist), clock)})
    assert response.status_code == 500
    assert not two_factor.is_on(User.get_by_id(therapist.id)) and works(app, secret)


# ---- Expiry ----------------------------------------------------------------------------------------------


def test_a_token_works_for_90_days_and_then_answers_like_an_unknown_one(app):
    patient = make_onboarded_patient()
    now = utcnow()
    fresh = tokens.create_token(patient, "Fresh", now=now - tokens.LIFETIME + timedelta(minutes=1)).secret
    old = tokens.create_token(patient, "Old", now=now - tokens.LIFETIME - timedelta(minutes=1)).secret
    assert tokens.LIFETIME == timedelta(days=90)
    assert works(app, fresh) and not works(app, old)
    unknown = app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer sc_" + "x" * 43})
    expired = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})
    assert expired.get_json() == {**unknown.get_json(), "instance": "/api/v1/me"}
    assert "expired" in expired.get_json()["detail"]


def test_the_expiry_is_the_services_own_moment(app):
    patient = make_onboarded_patient()
    made = datetime(2027, 1, 10, 9, 0)
    token = tokens.create_token(patient, "App", now=made)
    assert token.row.expires_at == made + timedelta(days=90)
    ends = made + timedelta(days=90)
    assert tokens.user_for(token.secret, now=ends - timedelta(seconds=1)) is not None
    assert tokens.user_for(token.secret, now=ends) is None
    assert tokens.owner_id(token.secret, now=ends - timedelta(seconds=1)) == patient.id
    assert tokens.owner_id(token.secret, now=ends) is None
    assert [t.name for t in tokens.active(patient, now=ends - timedelta(seconds=1))] == ["App"]
    assert tokens.active(patient, now=ends) == []  # no longer listed, and no longer counted towards MAX_ACTIVE


def test_settings_says_until_when_each_token_works(app):
    patient = make_onboarded_patient(timezone="Europe/London")
    tokens.create_token(patient, "Clinic app", now=datetime(2030, 12, 7, 12, 0))
    page = client_for(app, patient.email).get("/settings").get_data(as_text=True)
    assert "Works until 7 March 2031" in page
    assert "90 days" in page


def test_existing_tokens_get_90_days_from_the_migration(app):
    patient = make_onboarded_patient()
    secret = tokens.create_token(patient, "Made before version 13").secret
    migrator = SchemaMigrator.from_database(db.obj)
    migrate(migrator.drop_column("api_token", "expires_at"))  # the table as it was at version 12
    assert "expires_at" not in {c.name for c in db.get_columns("api_token")}
    before = utcnow()
    with db.atomic():
        schema._v13_api_token_expiry(migrator)
    columns = {c.name: c for c in db.get_columns("api_token")}
    assert not columns["expires_at"].null
    table = Table("api_token", ("id", "expires_at")).bind(db)
    (stored,) = [row[1] for row in table.select(table.id, table.expires_at).tuples()]
    expires = stored if isinstance(stored, datetime) else datetime.fromisoformat(str(stored))
    assert before + timedelta(days=90) - timedelta(seconds=1) <= expires <= utcnow() + timedelta(days=90)
    assert works(app, secret)
    schema._v13_api_token_expiry(migrator)  # run again: nothing changes
    assert ApiToken.get().expires_at == expires
    assert SchemaVersion.select().count() == LATEST


# ---- Making a token asks for the password (and a code) -----------------------------------------------


@pytest.mark.parametrize(("password", "message"), [(None, "Enter your password."), ("", "Enter your password."),
                                                   ("not my password", "That is not your password.")])
def test_a_token_needs_the_password(app, password, message):
    patient = make_onboarded_patient()
    client = client_for(app, patient.email)
    page = client.get("/settings").get_data(as_text=True)
    assert 'name="password"' in page and 'autocomplete="current-password"' in page
    response = make_token(client, password=password)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="password-error">{message}</p>' in html
    assert not SECRET_RE.search(html) and ApiToken.select().count() == 0
    assert response.status_code == 422
    made = make_token(client)
    assert made.status_code == 201 and SECRET_RE.search(made.get_data(as_text=True))
    assert 'value="' + PASSWORD not in made.get_data(as_text=True)  # the password is never sent back


def test_wrong_passwords_on_the_token_form_count_towards_the_accounts_limit(app):
    """The account's limit on wrong passwords (limits.py) counts these too: guessing here is no way round the login's."""
    from limits import parse

    from selfcare.limits import PASSWORD_FAILURES_PER_ACCOUNT

    patient = make_onboarded_patient()
    client = client_for(app, patient.email)
    allowed = parse(PASSWORD_FAILURES_PER_ACCOUNT).amount
    for _ in range(allowed):
        assert make_token(client, password="not my password").status_code == 422
    refused = make_token(client)  # even the right password waits now
    assert refused.status_code == 429 and "Too many tries" in refused.get_data(as_text=True)
    assert 'id="password-error"' in refused.get_data(as_text=True)  # beside the field
    assert int(refused.headers["Retry-After"]) > 0 and ApiToken.select().count() == 0
    # One count with the login's: a browser that never logged in to the account waits too.
    elsewhere = app.test_client()
    assert Auth(elsewhere).login(patient.email).status_code == 429
    assert client.get("/today").status_code == 200  # the signed-in browser is not logged out


def test_a_missing_name_with_the_right_password_is_no_wrong_password(app):
    from limits import parse

    from selfcare.limits import PASSWORD_FAILURES_PER_ACCOUNT

    patient = make_onboarded_patient()
    client = client_for(app, patient.email)
    for _ in range(parse(PASSWORD_FAILURES_PER_ACCOUNT).amount + 1):
        assert make_token(client, name="").status_code == 422
    assert make_token(client).status_code == 201


def two_step_on(clock: datetime) -> tuple[User, str]:
    """A therapist with two-step sign-in on, and their app's secret."""
    therapist = make_therapist()
    secret = two_factor.start_setup(therapist)
    assert two_factor.confirm_setup(therapist, code_at(secret, clock, -1)) is not None
    return therapist, secret


def signed_in_with_code(app: Flask, therapist: User, secret: str, clock: datetime) -> FlaskClient:
    """A client through both steps of logging in."""
    client = app.test_client()
    assert Auth(client).login(therapist.email).status_code == 303
    page = client.get("/login/two-factor").get_data(as_text=True)
    response = client.post("/login/two-factor", data={"csrf_token": csrf_from(page), "code": code_at(secret, clock)})
    assert response.status_code == 303
    return client


def test_with_two_step_on_a_token_also_needs_a_current_code(app, clock):
    therapist, secret = two_step_on(clock)
    client = signed_in_with_code(app, therapist, secret, clock)
    assert 'name="code"' in client.get("/settings").get_data(as_text=True)

    missing = make_token(client)
    assert missing.status_code == 422 and ApiToken.select().count() == 0
    assert '<p class="error" id="code-error">Enter the 6-digit code from your app.</p>' in missing.get_data(as_text=True)

    wrong = make_token(client, code=code_at(secret, clock, 5))
    assert wrong.status_code == 422 and ApiToken.select().count() == 0
    assert 'id="code-error"' in wrong.get_data(as_text=True)
    assert two_factor.failures(therapist) == 1  # counted, as every wrong code is

    used = make_token(client, code=code_at(secret, clock))  # the code the login used: no code works twice
    assert used.status_code == 422 and ApiToken.select().count() == 0

    right = make_token(client, code=code_at(secret, clock, 1))
    assert right.status_code == 201 and ApiToken.select().count() == 1


def test_a_wrong_password_with_two_step_on_uses_up_no_code(app, clock):
    therapist, secret = two_step_on(clock)
    client = signed_in_with_code(app, therapist, secret, clock)
    code = code_at(secret, clock, 1)
    assert make_token(client, password="not my password", code=code).status_code == 422
    assert make_token(client, code=code).status_code == 201


def test_patients_are_not_asked_for_a_code(app):
    patient = make_onboarded_patient()
    page = client_for(app, patient.email).get("/settings").get_data(as_text=True)
    assert 'name="password"' in page and 'name="code"' not in page


def test_too_many_wrong_codes_on_the_token_form_log_out_as_at_every_code_form(app, clock):
    therapist, secret = two_step_on(clock)
    client = signed_in_with_code(app, therapist, secret, clock)
    for _ in range(two_factor.MAX_FAILURES - 1):
        assert make_token(client, code=code_at(secret, clock, 5)).status_code == 422
    last = make_token(client, code=code_at(secret, clock, 5))
    assert last.status_code == 303 and last.headers["Location"] == "/login"
    assert client.get("/settings").status_code == 302 and ApiToken.select().count() == 0


def test_while_codes_are_paused_the_token_form_checks_none(app, clock):
    therapist, secret = two_step_on(clock)
    client = signed_in_with_code(app, therapist, secret, clock)
    User.update(totp_locked_until=clock + timedelta(minutes=10)).where(User.id == therapist.id).execute()
    response = make_token(client, code=code_at(secret, clock, 1))
    assert response.status_code == 429 and 540 < int(response.headers["Retry-After"]) <= 600
    assert 'id="code-error"' in response.get_data(as_text=True) and ApiToken.select().count() == 0
