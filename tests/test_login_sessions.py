"""Signed-in sessions live on the server: logging out, a new password or "log out everywhere else" ends them
for real, even for a copy of the cookie; sessions go idle; logging in always starts a new one."""

from __future__ import annotations

from datetime import timedelta

from selfcare import accounts
from selfcare.models import LoginSession, utcnow
from selfcare.services import login_sessions
from tests.conftest import Auth, csrf_from
from tests.factories import make_onboarded_patient

COOKIES = ("session", "remember_token")


def _copy_cookies(source, target) -> None:
    """Put `source`'s login cookies into `target`, as someone who copied them would."""
    for name in COOKIES:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    """Whether this client's cookies open the patient's pages."""
    return client.get("/today").status_code == 200


def test_a_copied_cookie_stops_working_at_logout(app, client, auth):
    make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com", remember="y")
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert _signed_in(thief)
    auth.logout()
    assert not _signed_in(client)
    assert not _signed_in(thief)  # neither the session cookie nor the remember cookie opens anything any more
    assert LoginSession.get().ended_at is not None


def test_each_login_starts_a_new_session_and_logging_out_ends_only_that_one(app, client, auth):
    make_onboarded_patient(email="pat@example.com")
    with client.session_transaction() as session:  # whatever was in the cookie before logging in is dropped
        session["planted"] = "by someone else"
    auth.login("pat@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
    phone = app.test_client()
    Auth(phone).login("pat@example.com")
    assert LoginSession.select().count() == 2
    Auth(phone).logout()
    assert _signed_in(client) and not _signed_in(phone)


def test_a_new_password_ends_every_session(app, client, auth):
    patient = make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com", remember="y")
    accounts.set_password(patient, "a brand new password")
    assert not _signed_in(client)
    assert LoginSession.select().where(LoginSession.ended_at.is_null()).count() == 0


def test_log_out_everywhere_else_keeps_this_device(app, client, auth):
    make_onboarded_patient(email="pat@example.com")
    others = [app.test_client() for _ in range(2)]
    for other in others:
        Auth(other).login("pat@example.com")
    auth.login("pat@example.com")
    page = client.get("/settings").get_data(as_text=True)
    assert "You are also logged in on 2 other phones or browsers." in page
    response = client.post("/settings/sessions/end-others", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Logged out on 2 other phones or browsers." in response.get_data(as_text=True)
    assert _signed_in(client) and not any(_signed_in(other) for other in others)
    assert "Only on this phone or browser." in client.get("/settings").get_data(as_text=True)


def test_log_out_everywhere_else_needs_the_form_token(client, auth):
    make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com")
    assert client.post("/settings/sessions/end-others").status_code == 400


def test_an_idle_session_ends_and_a_remembered_one_lasts_longer(app):
    patient = make_onboarded_patient(email="pat@example.com")
    start = utcnow()
    short = login_sessions.begin(patient, remember=False, now=start)
    long = login_sessions.begin(patient, remember=True, now=start)
    later = start + login_sessions.IDLE_LIMIT + timedelta(minutes=1)
    assert login_sessions.user_for(patient.id, short, now=later) is None
    assert login_sessions.user_for(patient.id, long, now=later) == patient
    # Use keeps a session alive: seen within the limit, it counts from then.
    fresh = login_sessions.begin(patient, now=start)
    assert login_sessions.user_for(patient.id, fresh, now=start + timedelta(days=20)) == patient
    assert login_sessions.user_for(patient.id, fresh, now=start + timedelta(days=40)) == patient


def test_a_key_opens_only_its_own_users_session(app):
    patient = make_onboarded_patient(email="pat@example.com")
    other = make_onboarded_patient(email="other@example.com")
    key = login_sessions.begin(patient)
    assert login_sessions.user_for(other.id, key) is None
    assert login_sessions.user_for(patient.id, key + "x") is None
    assert LoginSession.get().key_hash != key  # only a hash is kept


def test_cookies_from_before_server_sessions_no_longer_open_anything(app, client, auth):
    """A Flask-Login id without a key (the old "<id>" form) is refused rather than trusted."""
    patient = make_onboarded_patient(email="pat@example.com")
    with client.session_transaction() as session:
        session["_user_id"] = str(patient.id)
        session["_fresh"] = True
    assert not _signed_in(client)


def test_a_request_that_changes_nothing_sends_no_cookie(app, client, auth):
    """A request still in flight from before a login (the service worker fetching /offline) must not answer
    with a cookie: it would replace the new login's and log the person straight out again."""
    make_onboarded_patient(email="pat@example.com")
    client.get("/login")
    for path in ("/offline", "/login", "/sw.js", "/manifest.webmanifest"):
        assert client.get(path).headers.getlist("Set-Cookie") == [], path
    auth.login("pat@example.com")
    client.get("/today")  # where the login goes: the new session gets its form token there
    for path in ("/offline", "/today", "/history"):
        assert client.get(path).headers.getlist("Set-Cookie") == [], path


def test_a_patients_answers_come_with_the_session(app, client, auth):
    """One statement reads the session, the user and a patient's onboarding answers; a therapist has none."""
    from selfcare.models import Profile
    from tests.factories import make_therapist
    from tests.query_counter import count_queries

    patient = make_onboarded_patient(email="pat@example.com")
    therapist = make_therapist(email="pt@example.com")
    key, other = login_sessions.begin(patient), login_sessions.begin(therapist)
    found = login_sessions.user_for(patient.id, key)
    assert found.joined_profile == Profile.get(Profile.patient == patient.id)
    assert login_sessions.user_for(therapist.id, other).joined_profile is None
    auth.login("pat@example.com")
    with count_queries() as queries:
        assert client.get("/exercises").status_code == 200
    assert not [sql for sql in queries.statements if 'FROM "profile"' in sql], queries.report()
    Profile.delete().where(Profile.patient == patient.id).execute()  # answers gone: onboarding again, at once
    assert client.get("/exercises").headers["Location"].endswith("/onboarding")
