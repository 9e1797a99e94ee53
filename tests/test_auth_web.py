"""Sign-up, login and logout through the real forms (Flask test client, CSRF on)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfcare.accounts import AccountError, normalize_email
from selfcare.limits import limiter
from selfcare.models import User
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_onboarded_patient, make_patient, make_therapist

GOOD = {"name": "Robin", "email": "robin@example.com", "password": PASSWORD, "confirm": PASSWORD, "region": "UK", "timezone": "Europe/London"}


def signup(client, **changes):
    """Fill in and send the sign-up form; None removes a field."""
    token = csrf_from(client.get("/signup").get_data(as_text=True))
    data = {**GOOD, "csrf_token": token, **changes}
    return client.post("/signup", data={k: v for k, v in data.items() if v is not None})


def test_signup_creates_a_patient_and_logs_them_in(client):
    response = signup(client)
    assert response.status_code == 303
    user = User.get()
    assert (user.email, user.role, user.name, user.region, user.timezone) == ("robin@example.com", "patient", "Robin", "UK", "Europe/London")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "A few questions to start" in page  # onboarding comes first
    assert "Logged in as </span><strong>Robin</strong>" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": ""}, "Enter your email address."),
        ({"email": "robin"}, "Enter an email address like name@example.com."),
        ({"email": "r" * 300 + "@example.com"}, "at most 254 characters"),
        ({"password": "", "confirm": ""}, "Choose a password."),
        ({"password": "too short", "confirm": "too short"}, "Use at least 10 characters"),
        ({"password": "p" * 200, "confirm": "p" * 200}, "Use at most 128 characters"),
        ({"confirm": "something else entirely"}, "The two passwords are not the same."),
        ({"name": ""}, "Enter your name."),
        ({"name": "n" * 81}, "Use at most 80 characters."),
        ({"region": ""}, "Choose where you live."),
        ({"region": "Narnia"}, "Choose where you live from the list."),
        ({"name": None, "email": None, "password": None, "confirm": None, "region": None}, "Enter your email address."),
    ],
)
def test_signup_bad_input_shows_the_message_beside_the_field_and_stores_nothing(client, changes, message):
    response = signup(client, **changes)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'class="error"' in page and 'aria-invalid="true"' in page
    assert User.select().count() == 0


def test_signup_with_a_taken_email_answers_as_for_a_new_one_and_tells_the_owner(app, monkeypatch):
    from selfcare import accounts, mail

    make_patient(email="robin@example.com", name="Robin")
    hashed = []
    real_hash = accounts.generate_password_hash
    monkeypatch.setattr(accounts, "generate_password_hash", lambda *a, **k: hashed.append(1) or real_hash(*a, **k))
    new = signup(app.test_client(), email="kim@example.com", name="Kim")
    taken = signup(app.test_client(), email="Robin@Example.com", name="Someone")
    assert new.status_code == taken.status_code == 303
    assert new.headers["Location"] == taken.headers["Location"] == "/"
    assert len(hashed) == 2  # the password is hashed either way: the answer takes as long
    assert "already" not in taken.get_data(as_text=True)
    assert User.select().count() == 2 and User.get(User.email == "robin@example.com").name == "Robin"  # nothing made or changed

    [sent] = [m for m in mail.outbox(app) if m.to == "robin@example.com"]
    assert "Someone tried to create a selfcare account with your email" in sent.body
    assert f"{app.config['BASE_URL']}/login\n" in sent.body and PASSWORD not in sent.body
    assert [m.to for m in mail.outbox(app)] == ["robin@example.com"]  # and no mail about the new account's address


def test_the_signup_mail_link_follows_the_base_url_not_the_request(app, database_url, tmp_path):
    from selfcare import mail
    from tests.conftest import make_test_app

    configured = make_test_app(database_url, tmp_path / "base", BASE_URL="https://care.example.org")
    make_patient(email="robin@example.com")
    client = configured.test_client()
    site = {"base_url": "http://care.example.org"}
    token = csrf_from(client.get("/signup", **site).get_data(as_text=True))
    response = client.post("/signup", data={**GOOD, "csrf_token": token}, headers={"X-Forwarded-Host": "evil.example"}, **site)
    assert response.status_code == 303
    [sent] = mail.outbox(configured)
    assert "https://care.example.org/login" in sent.body and "evil.example" not in sent.body


def test_signup_with_an_unknown_timezone_keeps_utc(client):
    signup(client, timezone="<script>")
    assert User.get().timezone == "UTC"


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_forged_or_missing_csrf_is_refused_and_stores_nothing(client, token):
    data = {**GOOD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/signup", data=data)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert User.select().count() == 0


def test_csrf_token_also_works_as_an_htmx_header(client):
    token = csrf_from(client.get("/signup").get_data(as_text=True))
    response = client.post("/signup", data=GOOD, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303
    assert User.select().count() == 1


def test_signup_rejects_json_and_odd_types_without_a_server_error(client):
    token = csrf_from(client.get("/signup").get_data(as_text=True))
    assert client.post("/signup", json={**GOOD, "csrf_token": token}).status_code == 400
    response = client.post("/signup", data={**GOOD, "csrf_token": token, "email": ["a@example.com", "b@example.com"], "region": ["UK", "US"]})
    assert response.status_code in (303, 422)
    assert User.select().count() <= 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=120),
    email=st.one_of(st.text(max_size=300), st.emails()),
    password=st.text(max_size=200),
    region=st.one_of(st.sampled_from(["UK", "US", "EU", "AU", "CA"]), st.text(max_size=10)),
)
def test_any_signup_input_gets_a_page_never_a_server_error(app, name, email, password, region):
    limiter.reset()  # every example is a new visitor: the sign-up limit is tested in test_rate_limits.py
    before = User.select().count()
    try:
        taken = User.select().where(User.email == normalize_email(email)).exists()
    except AccountError:
        taken = False
    response = signup(app.test_client(), name=name, email=email, password=password, confirm=password, region=region)
    assert response.status_code in (303, 422), response.status_code
    stored = User.select().count() - before
    # A taken address gets the same 303 as a new one, and nothing is stored.
    assert stored == (1 if response.status_code == 303 and not taken else 0)


def test_login_and_logout(client, auth):
    make_onboarded_patient(email="pat@example.com", name="Pat")
    response = auth.login("PAT@example.com ")
    assert response.status_code == 303
    assert "Hello, Pat" in client.get("/today").get_data(as_text=True)
    assert auth.logout().status_code == 303
    response = client.get("/today")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("pat@example.com", "wrong password!", "do not match an account"),
        ("nobody@example.com", PASSWORD, "do not match an account"),
        ("", PASSWORD, "Enter your email address."),
        ("pat@example.com", "", "Enter your password."),
        ("p" * 300, PASSWORD, "Field cannot be longer than 254 characters."),
    ],
)
def test_login_failures_say_what_to_do(client, auth, email, password, message):
    make_patient(email="pat@example.com")
    response = auth.login(email, password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert client.get("/today").status_code == 302


def test_login_gives_a_fresh_session(client, auth):
    make_patient(email="pat@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("pat@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/therapist/patients", "/therapist/patients"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_only_follows_local_next(client, next_url, lands_on):
    make_therapist(email="pt@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", query_string={"next": next_url}, data={"email": "pt@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == lands_on
