"""Device cookies (OWASP "Slow down online guessing attacks with device cookies"): a browser that logged in to an
account before keeps logging in while someone elsewhere guesses its password; every other browser meets the
account's shared limit, as before."""

from __future__ import annotations

import pytest
from limits import parse

import selfcare.limits
from selfcare import devices
from selfcare.services import two_factor
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_patient
from tests.test_two_factor import clock, code_at, secret_of, turned_on  # noqa: F401  (clock is a fixture)

pytestmark = pytest.mark.one_database  # cookies and limiter counters, no database behaviour: SQLite only


def amount(rate: str) -> int:
    """How many tries a limit such as "10 per 15 minutes" allows."""
    return parse(rate).amount


def login(client, email: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    """Fill in and send the login form from `ip`."""
    environ = {"REMOTE_ADDR": ip}
    token = csrf_from(client.get("/login", environ_base=environ).get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}, environ_base=environ)


def name_for(app, email: str) -> str:
    """The device cookie's name for the account with this email."""
    with app.app_context():
        return devices.cookie_name(email)


def trusted_browser(app, email: str, ip: str):
    """A browser that logged in to the account once (and logged out again): it keeps its device cookie."""
    client = app.test_client()
    assert login(client, email, ip=ip).status_code == 303
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get_cookie(name_for(app, email)) is not None
    return client


def attack(app, email: str, times: int, ip: str = "10.66.0.1") -> list[int]:
    """Wrong passwords for `email` from one address, each from a fresh browser (no device cookie)."""
    return [login(app.test_client(), email, "wrong password", ip=ip).status_code for _ in range(times)]


def test_a_login_gives_the_browser_a_device_cookie_for_that_account(app, client):
    make_patient(email="pat@example.com")
    assert login(client, "pat@example.com", "wrong password").status_code == 422
    assert client.get_cookie(name_for(app, "pat@example.com")) is None  # a wrong password earns nothing
    assert login(client, "Pat@Example.com").status_code == 303
    cookie = client.get_cookie(name_for(app, "pat@example.com"))
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    assert cookie.max_age == devices.MAX_AGE == 365 * 24 * 60 * 60
    assert "pat" not in cookie.key + cookie.value and "example" not in cookie.key + cookie.value  # no address in it
    assert name_for(app, "other@example.com") != cookie.key  # one per account per browser


def test_the_device_cookie_is_secure_over_https(app, database_url, tmp_path):
    from tests.conftest import make_test_app

    https = make_test_app(database_url, tmp_path / "https", HTTPS=True)
    make_patient(email="pat@example.com")
    client = https.test_client()
    token = csrf_from(client.get("/login", base_url="https://localhost").get_data(as_text=True))
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                           data={"email": "pat@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert client.get_cookie(name_for(https, "pat@example.com")).secure


def test_an_attack_from_elsewhere_locks_untrusted_browsers_but_not_the_owners(app):
    make_patient(email="pat@example.com")
    owner = trusted_browser(app, "pat@example.com", ip="10.1.0.1")
    statuses = attack(app, "pat@example.com", 22)
    allowed = amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL)
    assert statuses == [422] * allowed + [429] * (22 - allowed)
    assert login(app.test_client(), "pat@example.com", ip="10.2.0.1").status_code == 429  # an untrusted browser waits
    response = login(owner, "pat@example.com", ip="10.3.0.1")  # the owner's phone, on another network
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_a_device_cookie_for_another_account_does_not_help(app):
    make_patient(email="pat@example.com")
    make_patient(email="sam@example.com")
    sams = trusted_browser(app, "sam@example.com", ip="10.1.0.1")
    attack(app, "pat@example.com", amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL))
    assert login(sams, "pat@example.com", ip="10.3.0.1").status_code == 429  # Sam's cookie, as it is
    renamed = app.test_client()  # Sam's signed value under the name Pat's cookie would have
    renamed.set_cookie(name_for(app, "pat@example.com"), sams.get_cookie(name_for(app, "sam@example.com")).value)
    assert login(renamed, "pat@example.com", ip="10.3.0.2").status_code == 429


@pytest.mark.parametrize("change", [
    lambda value: value[:-2] + ("AA" if not value.endswith("AA") else "BB"),  # the signature
    lambda value: "x" + value,
    lambda value: "",
    lambda value: "not.a.cookie",
])
def test_a_tampered_device_cookie_does_not_help(app, change):
    make_patient(email="pat@example.com")
    owner = trusted_browser(app, "pat@example.com", ip="10.1.0.1")
    name = name_for(app, "pat@example.com")
    attack(app, "pat@example.com", amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL))
    owner.set_cookie(name, change(owner.get_cookie(name).value))
    assert login(owner, "pat@example.com", ip="10.3.0.1").status_code == 429


def test_wrong_passwords_from_a_trusted_browser_are_limited_per_device(app):
    make_patient(email="pat@example.com")
    lost_phone = trusted_browser(app, "pat@example.com", ip="10.1.0.1")
    laptop = trusted_browser(app, "pat@example.com", ip="10.1.0.2")
    allowed = amount(selfcare.limits.LOGIN_FAILURES_PER_DEVICE)
    for n in range(allowed):
        assert login(lost_phone, "pat@example.com", "wrong password", ip=f"10.4.0.{n + 1}").status_code == 422
    assert login(lost_phone, "pat@example.com", ip="10.4.1.1").status_code == 429  # this device waits
    assert login(laptop, "pat@example.com", ip="10.1.0.2").status_code == 303  # another trusted device does not
    # ...and the account's shared limit was not touched: an untrusted browser still has all its tries.
    assert attack(app, "pat@example.com", amount(selfcare.limits.LOGIN_FAILURES_PER_EMAIL), ip="10.5.0.1")[-1] == 422


def test_a_new_login_replaces_the_browsers_device_cookie(app):
    make_patient(email="pat@example.com")
    browser = trusted_browser(app, "pat@example.com", ip="10.1.0.1")
    first = browser.get_cookie(name_for(app, "pat@example.com")).value
    assert login(browser, "pat@example.com", ip="10.1.0.1").status_code == 303
    assert browser.get_cookie(name_for(app, "pat@example.com")).value != first


# ---- The second step of logging in follows the same rule ----------------------------------------------------

def second_step(client, code: str):
    """Answer the second step of logging in."""
    token = csrf_from(client.get("/login/two-factor").get_data(as_text=True))
    return client.post("/login/two-factor", data={"code": code, "csrf_token": token})


def test_a_trusted_browser_still_gets_its_code_checked_while_two_step_is_locked(app, clock):
    therapist, _ = turned_on(clock, email="pt@example.com")
    owner = app.test_client()
    assert login(owner, "pt@example.com").headers["Location"] == "/login/two-factor"
    assert second_step(owner, code_at(secret_of(therapist), clock.now)).status_code == 303  # now with a device cookie
    owner.post("/logout", data={"csrf_token": csrf_from(owner.get("/settings").get_data(as_text=True))})
    clock.advance(30)

    wrong = "000000" if code_at(secret_of(therapist), clock.now) != "000000" else "111111"
    for n in range(two_factor.LOCK_AFTER // two_factor.MAX_FAILURES):  # someone who knows the password, elsewhere
        thief = app.test_client()
        assert login(thief, "pt@example.com", ip=f"10.66.0.{n}").status_code == 303
        for _ in range(two_factor.MAX_FAILURES):
            second_step(thief, wrong)
    thief = app.test_client()
    login(thief, "pt@example.com", ip="10.66.1.1")
    assert second_step(thief, code_at(secret_of(therapist), clock.now)).status_code == 429  # paused for untrusted browsers

    assert login(owner, "pt@example.com", ip="10.3.0.1").headers["Location"] == "/login/two-factor"
    assert second_step(owner, wrong).status_code == 422  # the owner's wrong code is checked, and counted per device
    response = second_step(owner, code_at(secret_of(therapist), clock.now))
    assert response.status_code == 303 and response.headers["Location"] == "/"
