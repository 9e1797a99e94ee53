"""Password reset: the same answer for any address, a signed one-hour single-use link, every old session ended."""

from __future__ import annotations

import re
import time
import pytest
from itsdangerous import TimestampSigner

from selfcare import mail
from selfcare.db import close_database
from selfcare.models import User, utcnow
from selfcare.services import reset_links
from tests.conftest import CSRF_RE, csrf_from, make_test_app
from tests.factories import PASSWORD, make_onboarded_patient, make_therapist

NEW = "a brand new passphrase"
SENT = "If an account uses that address, we have sent a link to reset the password. It works for 1 hour."
LINK_RE = re.compile(r"(https?://\S+/password/reset/(\S+))")


def forgot(client, email: str, **kwargs):
    """Fill in and send the forgot-password form."""
    token = csrf_from(client.get("/password/forgot", **kwargs).get_data(as_text=True))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token}, **kwargs)


def link_in(message: mail.Message) -> str:
    """The reset link in an email."""
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def path_of(link: str) -> str:
    """The path part of an absolute link, for the test client."""
    return "/" + link.split("/", 3)[3]


def choose(client, path: str, password: str = NEW, confirm: str | None = None):
    """Send the new-password form on a reset page."""
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"password": password, "confirm": password if confirm is None else confirm, "csrf_token": token})


def login(client, email: str, password: str, **extra):
    """Send the login form."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


@pytest.fixture
def patient(app):
    """An onboarded patient with a known email."""
    return make_onboarded_patient(email="pat@example.com", name="Pat")


def test_the_login_page_offers_the_way_back_in(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Forgot your password?" in page


def test_known_and_unknown_addresses_get_the_same_page_and_only_the_known_one_a_mail(app, patient):
    known = forgot(app.test_client(), "Pat@Example.com")
    unknown = forgot(app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    without_token = [CSRF_RE.sub("", r.get_data(as_text=True)) for r in (known, unknown)]
    without_token = [re.sub(r'"X-CSRFToken": "[^"]+"', "", page) for page in without_token]
    without_token = [re.sub(r'name="csrf-token" content="[^"]+"', "", page) for page in without_token]
    assert without_token[0] == without_token[1]
    assert SENT in without_token[0]
    sent = mail.outbox(app)
    assert [(m.to, m.subject) for m in sent] == [("pat@example.com", reset_links.SUBJECT)]


def test_the_mail_holds_an_absolute_link_on_the_configured_base_url(database_url, tmp_path):
    """SELFCARE_BASE_URL, whatever scheme the request came with (forged hosts: tests/test_links.py)."""
    app = make_test_app(database_url, tmp_path / "site", BASE_URL="https://selfcare.example")
    make_onboarded_patient(email="pat@example.com", name="Pat")
    forgot(app.test_client(), "pat@example.com", base_url="https://selfcare.example",
           headers={"Referer": "https://selfcare.example/password/forgot"})  # CSRF over HTTPS checks the referrer
    forgot(app.test_client(), "pat@example.com", base_url="http://selfcare.example")
    sent = mail.outbox(app)
    assert len(sent) == 2 and all(link_in(m).startswith("https://selfcare.example/password/reset/") for m in sent)
    assert "Hello Pat" in sent[0].body and "1 hour" in sent[0].body
    close_database()


def test_a_badly_typed_address_is_explained_and_sends_nothing(app, client):
    response = forgot(client, "pat at example")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter an email address like name@example.com." in page and 'id="email-error"' in page
    assert mail.outbox(app) == []


def test_the_link_works_once_and_logs_in_afresh(app, client, patient):
    forgot(client, "pat@example.com")
    path = path_of(link_in(mail.outbox(app)[0]))
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    done = choose(client, path)
    assert done.status_code == 303
    today = client.get("/today", follow_redirects=True).get_data(as_text=True)
    assert "Your password is changed." in today and "Logged in as </span><strong>Pat</strong>" in today
    again = client.get(path)
    assert again.status_code == 410
    text = again.get_data(as_text=True)
    assert "This link has already been used" in text and 'href="/password/forgot"' in text
    other = app.test_client()
    token = csrf_from(other.get("/password/forgot").get_data(as_text=True))
    assert other.post(path, data={"password": "yet another one", "confirm": "yet another one", "csrf_token": token}).status_code == 410
    assert login(app.test_client(), "pat@example.com", PASSWORD).status_code == 422
    assert login(app.test_client(), "pat@example.com", NEW).status_code == 303


def test_any_other_password_change_also_ends_the_link(app, client, patient):
    forgot(client, "pat@example.com")
    path = path_of(link_in(mail.outbox(app)[0]))
    forgot(client, "pat@example.com")
    second = path_of(link_in(mail.outbox(app)[1]))
    assert choose(client, second).status_code == 303  # the newer link was used: the older one is dead too
    assert app.test_client().get(path).status_code == 410


def test_an_expired_link_is_refused(app, client, patient, monkeypatch):
    old = int(time.time()) - reset_links.MAX_AGE - 5
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: old)
        token = reset_links.make_token(patient, app.config["SECRET_KEY"])
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: old + 10)  # 55 minutes old: still good
        token = reset_links.make_token(patient, app.config["SECRET_KEY"])
    assert client.get(f"/password/reset/{token}").status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJwIjoiMCJ9.AAAAAA.forged-signature"])
def test_a_broken_or_forged_link_is_refused(client, patient, token):
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


def test_a_link_signed_for_something_else_is_refused(app, client, patient):
    from itsdangerous import URLSafeTimedSerializer

    other = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else").dumps({"u": patient.id, "p": patient.password_fingerprint})
    assert client.get(f"/password/reset/{other}").status_code == 404


def test_every_other_session_and_remember_cookie_ends(app, patient):
    elsewhere = app.test_client()
    assert login(elsewhere, "pat@example.com", PASSWORD).status_code == 303
    remembered = app.test_client()
    assert login(remembered, "pat@example.com", PASSWORD, remember="y").status_code == 303
    cookie = remembered.get_cookie("remember_token").value
    from_cookie = app.test_client()
    from_cookie.set_cookie("remember_token", cookie)
    assert from_cookie.get("/today").status_code == 200  # the remember cookie alone logs in, before the reset

    resetting = app.test_client()
    forgot(resetting, "pat@example.com")
    assert choose(resetting, path_of(link_in(mail.outbox(app)[0]))).status_code == 303

    assert elsewhere.get("/today").status_code == 302
    returning = app.test_client()
    returning.set_cookie("remember_token", cookie)
    assert returning.get("/today").status_code == 302
    assert resetting.get("/today").status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("short", "short", "password", "Use at least 10 characters"),
        ("p" * 200, "p" * 200, "password", "Use at most 128 characters"),
        (NEW, "something else entirely", "confirm", "The two passwords are not the same."),
        ("", "", "password", "Choose a new password."),
    ],
)
def test_bad_new_passwords_are_explained_beside_the_field_and_change_nothing(app, client, patient, password, confirm, field, message):
    before = User.get_by_id(patient.id).password_hash
    forgot(client, "pat@example.com")
    path = path_of(link_in(mail.outbox(app)[0]))
    response = choose(client, path, password, confirm)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}-error"' in page and 'aria-invalid="true"' in page
    assert User.get_by_id(patient.id).password_hash == before
    assert client.get(path).status_code == 200  # the link still works
    assert client.get("/today").status_code == 302


def test_a_therapist_with_two_step_sign_in_still_gives_a_code_after_the_reset(app, client):
    therapist = make_therapist(email="pt@example.com")
    User.update(totp_secret="JBSWY3DPEHPK3PXP", totp_enabled_at=utcnow()).where(User.id == therapist.id).execute()
    forgot(client, "pt@example.com")
    done = choose(client, path_of(link_in(mail.outbox(app)[0])))
    assert done.status_code == 303 and done.headers["Location"] == "/login/two-factor"
    assert client.get("/therapist/patients").status_code == 302  # not logged in yet


# ---- The mailers -----------------------------------------------------------------------------------------

def test_the_console_mailer_prints_the_message(capsys):
    mailer = mail.ConsoleMailer({"MAIL_FROM": "selfcare <no-reply@example.com>"})
    mailer.send("pat@example.com", "Hello", "The link: http://localhost/x")
    printed = capsys.readouterr().err
    assert "To: pat@example.com" in printed and "Subject: Hello" in printed and "http://localhost/x" in printed


def test_an_unknown_mail_backend_stops_the_app_from_starting(database_url, tmp_path):
    with pytest.raises(ValueError, match="MAIL_BACKEND must be one of"):
        make_test_app(database_url, tmp_path / "instance", MAIL_BACKEND="pigeon")


class FakeSMTP:
    """Records what smtplib.SMTP was asked to do."""

    calls: list[tuple] = []

    def __init__(self, host, port, timeout):
        self.calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append(("quit",))

    def starttls(self, context):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["From"], message["To"], message["Subject"], message.get_content()))


def test_the_smtp_mailer_uses_starttls_and_login(monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.calls = []
    config = {"MAIL_FROM": "selfcare <no-reply@example.com>", "MAIL_HOST": "smtp.example.com", "MAIL_PORT": 587,
              "MAIL_USER": "selfcare", "MAIL_PASSWORD": "secret", "MAIL_STARTTLS": True}
    smtp = mail.SmtpMailer(config)
    smtp.deliver(smtp.message("pat@example.com", "Hello", "Body text"))
    assert FakeSMTP.calls == [
        ("connect", "smtp.example.com", 587), ("starttls",), ("login", "selfcare", "secret"),
        ("send", "selfcare <no-reply@example.com>", "pat@example.com", "Hello", "Body text\n"), ("quit",),
    ]


def test_an_smtp_failure_is_logged_not_raised(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no server")

    monkeypatch.setattr(mail.smtplib, "SMTP", refuse)
    smtp = mail.SmtpMailer({"MAIL_FROM": "x@example.com", "MAIL_HOST": "127.0.0.1", "MAIL_PORT": 1, "MAIL_USER": "",
                            "MAIL_PASSWORD": "", "MAIL_STARTTLS": False})
    smtp.deliver(smtp.message("pat@example.com", "Hello", "Body"))
    assert "Could not send email" in caplog.text


def test_tokens_carry_no_secret_and_a_new_hash_breaks_them(app, patient):
    key = app.config["SECRET_KEY"]
    token = reset_links.make_token(patient, key)
    assert patient.password_hash not in token
    assert reset_links.user_for(token, key) == patient
    User.update(password_hash=patient.password_hash + "x").where(User.id == patient.id).execute()
    assert reset_links.user_for(token, key) is reset_links.BadLink.USED
