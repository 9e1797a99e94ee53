"""A therapist on a phone turns on two-step sign-in, logs out, and logs in with password and code."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from selfcare.models import User
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_therapist


def test_therapist_turns_on_two_step_sign_in_and_logs_in_with_a_code(page: Page, base: str) -> None:
    make_therapist(email="dana@example.com", name="Dana")
    log_in(page, base, "dana@example.com")

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page).to_have_url(base + "/settings/two-step/set-up")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)

    key = page.locator("#setup-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", key), key  # groups of four, to type by hand
    totp = pyotp.TOTP(key.replace(" ", ""))
    page.get_by_label("6-digit code from your app").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#code-error")).to_contain_text("That code did not work")
    assert_accessible(page)

    page.get_by_label("6-digit code from your app").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved these").click()
    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()
    expect(page.get_by_text("10 unused recovery codes")).to_be_visible()
    assert User.get(User.email == "dana@example.com").totp_enabled_at is not None

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(base + "/login")
    page.get_by_label("Email address").fill("dana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(base + "/login/two-factor")
    expect(page.get_by_role("link", name="Use a recovery code instead")).to_be_visible()
    assert_accessible(page)

    # The code that turned it on cannot be used again: the app's next code is accepted (one step ahead is allowed).
    page.get_by_label("6-digit code from your app").fill(totp.at(time.time(), counter_offset=1))
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_contain_text("Logged in as")
    expect(page.locator(".who")).to_contain_text("Dana")
