"""Rate limits: each trips at exactly its stated count, says how long to wait, resets after its window,
counts failures only where it should, and can be turned off; Redis by URL, and no 500 when Redis is down."""

from __future__ import annotations

import socket
import time as real_time

import limits.storage.memory
import pytest
from limits import parse

import selfcare.limits
from selfcare import accounts
from selfcare.limits import limiter, too_many_message
from selfcare.services import calendar_links
from tests.api_helpers import token_for
from tests.conftest import csrf_from, make_test_app
from tests.factories import PASSWORD, make_onboarded_patient, make_patient, make_therapist

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)


def amount(rate: str) -> int:
    """How many tries a limit such as "10 per 15 minutes" allows."""
    return parse(rate).amount


def seconds(rate: str) -> int:
    """The window of a limit, in seconds."""
    return parse(rate).get_expiry()


def on(ip: str) -> dict[str, dict[str, str]]:
    """Send a request from this client address."""
    return {"environ_base": {"REMOTE_ADDR": ip}}


def login(client, email: str, password: str = PASSWORD, ip: str = "10.0.0.1", **extra):
    """Fill in and send the login form from `ip`."""
    token = csrf_from(client.get("/login", **on(ip)).get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}, **on(ip), **extra)


def assert_too_many(response, minutes: int) -> None:
    """A calm 429 that names the minutes to wait, with Retry-After."""
    assert response.status_code == 429
    assert f"Too many tries. Please try again in {minutes} minute{'' if minutes == 1 else 's'}." in response.get_data(as_text=True)
    retry = int(response.headers["Retry-After"])
    assert (minutes - 1) * 60 < retry <= minutes * 60


class Clock:
    """A clock for the limiter's in-memory counters that the test moves on (no sleeping)."""

    def __init__(self) -> None:
        self.now = real_time.time()

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """Move the counters' time (limits' memory storage) and the wait shown in the message together."""
    fake = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(selfcare.limits, "time", fake)
    return fake


@pytest.mark.parametrize(("wait", "words"), [
    (1, "1 minute"), (59.5, "1 minute"), (60, "1 minute"), (61, "2 minutes"), (899, "15 minutes"), (3600, "60 minutes"),
])
def test_the_message_names_whole_minutes_rounded_up(wait, words):
    assert too_many_message(wait) == f"Too many tries. Please try again in {words}."


# ---- Logins ------------------------------------------------------------------------------------------

def test_failed_logins_from_one_address_trip_at_the_limit_but_not_for_others(app, client):
    make_patient(email="pat@example.com")
    allowed = amount(selfcare.limits.LOGIN_FAILURES_PER_IP)
    for n in range(allowed):  # a different account each time: the per-email limit stays far off
        assert login(client, f"guess{n}@example.com", "wrong password", ip="10.0.0.66").status_code == 422
    refused = login(client, "pat@example.com", ip="10.0.0.66")  # even the right password: nothing is checked
    assert_too_many(refused, 15)
    assert 'id="password-error"' in refused.get_data(as_text=True)  # beside the field, like any form error
    assert client.get("/today").status_code == 302  # not logged in
    assert login(app.test_client(), "pat@example.com", ip="10.0.0.7").status_code == 303  # someone else, elsewhere


def test_failed_logins_for_one_email_trip_across_addresses(app):
    make_patient(email="pat@example.com")
    allowed = amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL)
    for n in range(allowed):
        assert login(app.test_client(), "PAT@example.com ", "wrong password", ip=f"10.1.0.{n + 1}").status_code == 422
    assert_too_many(login(app.test_client(), "pat@example.com", ip="10.2.0.1"), 15)
    make_patient(email="other@example.com")
    assert login(app.test_client(), "other@example.com", ip="10.2.0.1").status_code == 303


def test_only_failed_logins_count(app):
    make_patient(email="pat@example.com")
    allowed = amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL)
    for _ in range(allowed - 1):
        assert login(app.test_client(), "pat@example.com", "wrong password").status_code == 422
    for _ in range(3):  # the family logging in as usual
        assert login(app.test_client(), "pat@example.com").status_code == 303
    assert login(app.test_client(), "pat@example.com", "wrong password").status_code == 422  # the last allowed failure
    assert login(app.test_client(), "pat@example.com").status_code == 429


def test_a_forged_forwarded_for_header_does_not_change_the_address(app):
    for n in range(amount(selfcare.limits.LOGIN_FAILURES_PER_IP)):
        headers = {"X-Forwarded-For": f"192.0.2.{n}"}
        assert login(app.test_client(), f"guess{n}@example.com", "wrong password", headers=headers).status_code == 422
    assert login(app.test_client(), "guess@example.com", "wrong", headers={"X-Forwarded-For": "192.0.2.200"}).status_code == 429


def test_counters_start_again_after_the_window(app, clock):
    make_patient(email="pat@example.com")
    for _ in range(amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL)):
        login(app.test_client(), "pat@example.com", "wrong password")
    clock.advance(seconds(selfcare.limits.LOGIN_FAILURES_PER_EMAIL) - 30)
    assert_too_many(login(app.test_client(), "pat@example.com"), 1)
    clock.advance(31)
    assert login(app.test_client(), "pat@example.com").status_code == 303


# ---- Sign-up, invite codes -----------------------------------------------------------------------------

def test_sign_ups_per_address(app):
    allowed = amount(selfcare.limits.SIGNUPS_PER_IP)
    for n in range(allowed):  # refused forms count too: each one can tell whether an email is taken
        client = app.test_client()
        token = csrf_from(client.get("/signup", **on("10.3.0.1")).get_data(as_text=True))
        assert client.post("/signup", data={"csrf_token": token, "email": f"x{n}@example.com"}, **on("10.3.0.1")).status_code == 422
    client = app.test_client()
    token = csrf_from(client.get("/signup", **on("10.3.0.1")).get_data(as_text=True))
    refused = client.post("/signup", data={"csrf_token": token, "email": "late@example.com", "name": "Late"}, **on("10.3.0.1"))
    assert_too_many(refused, 60)
    page = refused.get_data(as_text=True)
    assert 'id="email-error"' in page and 'value="late@example.com"' in page  # the answers are kept
    token = csrf_from(client.get("/signup", **on("10.3.0.2")).get_data(as_text=True))
    assert client.post("/signup", data={"csrf_token": token}, **on("10.3.0.2")).status_code == 422


def patient_client(app, ip: str, onboarded: bool = True):
    """A signed-in patient's client, calling from `ip`."""
    patient = make_onboarded_patient() if onboarded else make_patient()
    client = app.test_client()
    assert login(client, patient.email, ip=ip).status_code == 303
    return client


ONBOARDING = {
    "legs": "right", "symptoms_started": "2026-10-20", "region": "US", "baseline_walk_minutes": "8",
    "cancer_history": "no", "immune_risk": "yes", "share": "y",
}


def onboard(client, ip: str, code: str):
    """Send the onboarding answers with an invite code."""
    token = csrf_from(client.get("/onboarding", **on(ip)).get_data(as_text=True))
    return client.post("/onboarding", data={**ONBOARDING, "invite_code": code, "csrf_token": token}, **on(ip))


def test_wrong_invite_codes_per_patient_across_the_link_page_and_onboarding(app):
    therapist = make_therapist()
    good = accounts.create_invite(therapist).code
    client = patient_client(app, "10.4.0.1", onboarded=False)
    allowed = amount(selfcare.limits.INVITE_FAILURES_PER_USER)
    for n in range(allowed):
        if n % 2:
            assert client.get(f"/link/WRONG{n:03d}", **on(f"10.4.1.{n}")).status_code == 404
        else:
            assert onboard(client, f"10.4.1.{n}", f"WRONG{n:03d}").status_code == 422
    refused = onboard(client, "10.4.2.1", good)
    assert_too_many(refused, 60)
    assert 'id="invite_code-error"' in refused.get_data(as_text=True)
    assert_too_many(client.get(f"/link/{good}", **on("10.4.2.1")), 60)  # the right code is not even looked up
    assert onboard(client, "10.4.2.1", "").status_code == 303  # answers without a code still go through
    other = patient_client(app, "10.4.0.1")
    assert other.get(f"/link/{good}", **on("10.4.0.1")).status_code == 200


def test_wrong_invite_codes_per_address(app):
    allowed = amount(selfcare.limits.INVITE_FAILURES_PER_IP)
    per_patient = amount(selfcare.limits.INVITE_FAILURES_PER_USER) - 1
    tried, clients = 0, []
    while tried < allowed:
        client = patient_client(app, "10.5.0.1")
        clients.append(client)
        for _ in range(min(per_patient, allowed - tried)):
            assert client.get(f"/link/WRONG{tried:03d}", **on("10.5.0.1")).status_code == 404
            tried += 1
    fresh = patient_client(app, "10.5.0.1")
    assert_too_many(fresh.get("/link/WRONG999", **on("10.5.0.1")), 60)
    assert fresh.get("/link/WRONG999", **on("10.5.0.2")).status_code == 404


# ---- Secrets: API tokens, calendar links ---------------------------------------------------------------

def test_wrong_api_tokens_per_address(app, client):
    patient = make_onboarded_patient()
    good = token_for(patient)
    allowed = amount(selfcare.limits.TOKEN_FAILURES_PER_IP)
    bad = {"Authorization": "Bearer sc_not-a-real-token"}
    for _ in range(allowed):
        assert client.get("/api/v1/me", headers=bad, **on("10.6.0.1")).status_code == 401
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"}, **on("10.6.0.1"))
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["detail"] == "Too many tries. Please try again in 15 minutes."
    assert body["status"] == 429 and body["type"].endswith("#problem-too-many-requests")
    assert 840 < int(refused.headers["Retry-After"]) <= 900
    assert client.get("/api/v1/openapi.json", **on("10.6.0.1")).status_code == 200  # no token tried: not limited
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"}, **on("10.6.0.2")).status_code == 200


def test_right_api_tokens_do_not_count(app, client):
    good = {"Authorization": f"Bearer {token_for(make_onboarded_patient())}"}
    for _ in range(amount(selfcare.limits.TOKEN_FAILURES_PER_IP) + 5):
        assert client.get("/api/v1/me", headers=good).status_code == 200


def test_wrong_calendar_links_per_address(app, client):
    patient = make_onboarded_patient()
    secret = calendar_links.make_link(patient).secret
    for n in range(amount(selfcare.limits.CALENDAR_FAILURES_PER_IP)):
        assert client.get(f"/calendar/{n:043d}.ics", **on("10.7.0.1")).status_code == 404
    assert_too_many(client.get(f"/calendar/{secret}.ics", **on("10.7.0.1")), 60)
    assert client.get(f"/calendar/{secret}.ics", **on("10.7.0.2")).status_code == 200


# ---- Password reset requests ----------------------------------------------------------------------------

def forgot(client, email: str, ip: str):
    """Ask for a reset link from `ip`."""
    token = csrf_from(client.get("/password/forgot", **on(ip)).get_data(as_text=True))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token}, **on(ip))


def test_reset_requests_per_email_and_per_address(app, client):
    per_email = amount(selfcare.limits.RESET_REQUESTS_PER_EMAIL)
    for n in range(per_email):
        assert forgot(client, "pat@example.com", f"10.8.0.{n + 1}").status_code == 200
    refused = forgot(client, "PAT@example.com", "10.8.1.1")
    assert_too_many(refused, 60)
    assert 'id="email-error"' in refused.get_data(as_text=True)
    per_ip = amount(selfcare.limits.RESET_REQUESTS_PER_IP)
    for n in range(per_ip):
        assert forgot(client, f"person{n}@example.com", "10.8.2.1").status_code == 200
    assert_too_many(forgot(client, "someone@example.com", "10.8.2.1"), 60)


# ---- Switching off, fresh counters, Redis ---------------------------------------------------------------

def test_limits_can_be_turned_off(app, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("SELFCARE_RATELIMIT_ENABLED", "false")
    app = make_test_app(database_url, tmp_path / "off")
    assert app.config["RATELIMIT_ENABLED"] is False
    for n in range(amount(selfcare.limits.LOGIN_FAILURES_PER_IP) + 2):
        assert login(app.test_client(), f"guess{n}@example.com", "").status_code == 422  # refused, never limited


def test_each_app_starts_with_fresh_counters_and_limits_on(app, database_url, tmp_path):
    first = make_test_app(database_url, tmp_path / "first", RATELIMIT_ENABLED=False)
    second = make_test_app(database_url, tmp_path / "second")
    for _ in range(amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL)):
        login(second.test_client(), "pat@example.com", "")
    assert login(second.test_client(), "pat@example.com", "").status_code == 429
    third = make_test_app(database_url, tmp_path / "third")
    assert login(third.test_client(), "pat@example.com", "").status_code == 422
    assert first.config["RATELIMIT_ENABLED"] is False


def _closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_redis_url_is_used_and_an_unreachable_redis_is_no_server_error(app, database_url, tmp_path, monkeypatch):
    port = _closed_port()
    monkeypatch.setenv("SELFCARE_RATELIMIT_STORAGE_URI", f"redis://127.0.0.1:{port}/0")
    app = make_test_app(database_url, tmp_path / "redis")
    try:
        assert type(limiter.storage).__name__ == "RedisStorage"
        kwargs = limiter.storage.storage.connection_pool.connection_kwargs
        assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", port, 0)
        make_patient(email="pat@example.com")
        # Redis is down: the counters fall back to this process's memory, and the limit still holds.
        for _ in range(amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL)):
            assert login(app.test_client(), "pat@example.com", "").status_code == 422
        assert login(app.test_client(), "pat@example.com").status_code == 429
    finally:
        make_test_app(database_url, tmp_path / "after")  # leave the shared limiter on memory for later tests
        # ... and forget this test's Redis outage (Flask-Limiter keeps it on the limiter until a backend check passes;
        # only tests make several apps in one process, so the app itself never resets it)
        limiter._storage_dead = False
