"""Settings: any signed-in user makes personal access tokens for the API, sees each once, and revokes them."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from selfcare.models import MODELS, ApiToken, User
from selfcare.services import tokens
from tests.conftest import client_for, csrf_from
from tests.factories import PASSWORD, make_onboarded_patient, make_patient, make_therapist

SECRET_RE = re.compile(r'value="(sc_[A-Za-z0-9_\-]+)"')


def make_token(client: FlaskClient, name: str, csrf: bool = True):
    """Fill in "Make a token" on the settings page (with the account's password) and submit it."""
    data = {"name": name, "password": PASSWORD}
    if csrf:
        data["csrf_token"] = csrf_from(client.get("/settings").get_data(as_text=True))
    return client.post("/settings/tokens", data=data)


def secret_in(response) -> str:
    """The token shown on the page after making it."""
    match = SECRET_RE.search(response.get_data(as_text=True))
    assert match, "no token on the page"
    return match.group(1)


def revoke(client: FlaskClient, token_id: int):
    """Press a Revoke button, with the page's own CSRF token."""
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    return client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": token})


def me(app: Flask, secret: str):
    """GET /api/v1/me from an app with no cookies, only the bearer token."""
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})


def everything_stored() -> str:
    """Every value in every row of every table, as one string."""
    return "\n".join(str(value) for model in MODELS for row in model.select().dicts() for value in row.values())


# --- Who may open the page ---

def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "settings" in response.headers["Location"]
    assert client.post("/settings/tokens", data={"name": "x"}).status_code == 400  # no session, so no CSRF token
    assert ApiToken.select().count() == 0


@pytest.mark.parametrize(
    ("factory", "says"),
    [(make_onboarded_patient, "read and add to your record"), (make_patient, "read and add to your record"),
     (make_therapist, "read your patients&#39; records")],
)
def test_patients_and_therapists_can_open_settings(app, factory, says):
    factory(email="me@example.com")
    client = client_for(app, "me@example.com")
    response = client.get("/settings")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Settings</h1>" in html and says in html
    assert "No app is connected." in html
    assert 'href="/settings" aria-current="page">Settings</a>' in html  # the header link, marked as here
    assert response.headers["Cache-Control"] == "no-store"


def test_the_header_links_to_settings_on_other_pages(app):
    make_onboarded_patient(email="me@example.com")
    html = client_for(app, "me@example.com").get("/today").get_data(as_text=True)
    assert '<a class="settings-link" href="/settings"' in html
    assert 'aria-current="page">Settings</a>' not in html


# --- Making a token ---

def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(app):
    patient = make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    response = make_token(client, "Clinic app")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = secret_in(response)
    assert secret.startswith("sc_") and len(secret) > 40
    html = response.get_data(as_text=True)
    assert "shown only this once" in html and "Clinic app" in html

    row = ApiToken.get()
    assert row.user_id == patient.id and row.name == "Clinic app" and row.revoked_at is None
    assert row.token_hash != secret and row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in everything_stored()

    again = client.get("/settings")
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert secret not in page and "Your new token" not in page
    assert "Clinic app" in page and row.hint in page  # listed, told apart by its first characters
    assert not SECRET_RE.search(page)


def test_the_token_reaches_the_api_until_it_is_revoked_on_the_page(app):
    patient = make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    secret = secret_in(make_token(client, "Clinic app"))

    answer = me(app, secret)
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert (answer.json["id"], answer.json["email"], answer.json["role"]) == (patient.id, "me@example.com", "patient")
    assert ApiToken.get().last_used_at is not None  # the page can say when it was last used

    response = revoke(client, ApiToken.get().id)
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    page = client.get("/settings").get_data(as_text=True)
    assert "Token revoked. Anything using it can no longer reach your data." in page
    assert "Clinic app" not in page and "No app is connected." in page
    assert ApiToken.get().revoked_at is not None

    refused = me(app, secret)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 401 and "revoked" in refused.json["detail"]
    assert "email" not in refused.json
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")

    assert revoke(client, ApiToken.get().id).status_code == 404  # already revoked: nothing to revoke


def test_a_therapists_token_returns_the_therapist(app):
    therapist = make_therapist(email="pt@example.com")
    secret = secret_in(make_token(client_for(app, "pt@example.com"), "Practice tool"))
    answer = me(app, secret)
    assert answer.status_code == 200
    assert (answer.json["id"], answer.json["role"]) == (therapist.id, "therapist")


def test_nobody_can_revoke_someone_elses_token(app):
    make_onboarded_patient(email="me@example.com")
    owner = make_onboarded_patient(email="them@example.com")
    theirs = client_for(app, "them@example.com")
    secret = secret_in(make_token(theirs, "Their app"))
    row = ApiToken.get()

    intruder = client_for(app, "me@example.com")
    assert revoke(intruder, row.id).status_code == 404
    assert revoke(intruder, row.id + 1000).status_code == 404  # no such token: the same answer
    assert "Their app" not in intruder.get("/settings").get_data(as_text=True)
    assert ApiToken.get_by_id(row.id).revoked_at is None
    assert me(app, secret).status_code == 200 and me(app, secret).json["id"] == owner.id
    assert "Their app" in theirs.get("/settings").get_data(as_text=True)


# --- Mistakes and limits ---

@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Give the token a name, like the app that will use it."), ("   ", "Give the token a name, like the app that will use it."),
     ("x" * 61, "Keep the name to 60 characters.")],
)
def test_a_missing_or_long_name_is_refused_beside_the_field(app, name, message):
    make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    response = make_token(client, name)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<p class="error" id="name-error">{message}</p>' in html
    assert 'aria-invalid="true"' in html and 'class="error-summary"' in html
    assert not SECRET_RE.search(html)
    assert ApiToken.select().count() == 0


def test_a_name_of_exactly_60_characters_is_fine_and_spaces_around_it_do_not_count(app):
    make_onboarded_patient(email="me@example.com")
    response = make_token(client_for(app, "me@example.com"), "  " + "x" * 60 + " ")
    assert response.status_code == 201 and ApiToken.get().name == "x" * 60


def test_the_eleventh_token_is_refused_until_one_is_revoked(app):
    patient = make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    for n in range(tokens.MAX_ACTIVE):
        assert make_token(client, f"App {n}").status_code == 201
    page = client.get("/settings").get_data(as_text=True)
    assert "You have the most tokens one account can have. Revoke one to make another." in page
    assert "Make token" not in page  # the form is gone at the limit

    response = make_token(client, "One too many")  # sent anyway (an old tab, say)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (f'<p class="error" id="name-error">You have {tokens.MAX_ACTIVE} tokens already. '
            "Revoke one you no longer use first.</p>") in html
    assert not SECRET_RE.search(html)
    assert ApiToken.select().where(ApiToken.user == patient.id).count() == tokens.MAX_ACTIVE
    assert "One too many" not in everything_stored()

    assert revoke(client, ApiToken.select().first().id).status_code == 303
    assert make_token(client, "Now there is room").status_code == 201


def test_the_limit_counts_only_working_tokens_of_each_user(app):
    make_onboarded_patient(email="me@example.com")
    other = make_onboarded_patient(email="them@example.com")
    for n in range(tokens.MAX_ACTIVE):
        tokens.create_token(other, f"Their app {n}")
    assert make_token(client_for(app, "me@example.com"), "Mine").status_code == 201


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(app):
    make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    assert make_token(client, "Sneaky", csrf=False).status_code == 400
    assert ApiToken.select().count() == 0

    secret = secret_in(make_token(client, "Clinic app"))
    assert client.post(f"/settings/tokens/{ApiToken.get().id}/revoke").status_code == 400
    assert client.post(f"/settings/tokens/{ApiToken.get().id}/revoke", data={"csrf_token": "forged"}).status_code == 400
    assert ApiToken.get().revoked_at is None and me(app, secret).status_code == 200


def test_user_for_refuses_anything_but_a_working_token(app):
    user = make_patient()
    made = tokens.create_token(user, "  Padded name  ")
    assert made.row.name == "Padded name"
    assert tokens.user_for(made.secret) == user
    assert tokens.user_for(made.secret + "x") is None
    assert tokens.user_for(made.row.token_hash) is None  # the stored hash is not a key
    assert tokens.user_for("") is None
    assert User.select().count() == 1
