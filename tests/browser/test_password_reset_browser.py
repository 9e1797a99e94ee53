"""A patient who forgot their password asks for a link, opens it from the email and is logged in; every page passes axe."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from selfcare import mail
from tests.browser.conftest import assert_accessible
from tests.factories import make_onboarded_patient


def test_forgot_password_to_a_new_password_and_logged_in(page: Page, base: str, live_app: Any) -> None:
    make_onboarded_patient(email="pat@example.com", name="Pat")
    page.goto(base + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    assert_accessible(page)

    page.get_by_label("Email address").fill("pat@example.com")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("If an account uses that address, we have sent a link")).to_be_visible()
    assert_accessible(page)

    [message] = mail.outbox(live_app)
    link = re.search(r"http://\S+/password/reset/\S+", message.body)
    assert link and link.group(0).startswith(base)
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)

    # A mistake first: the message sits beside the field.
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Type the new password again").fill("short")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.locator("#password-error")).to_contain_text("Use at least 10 characters")
    expect(page.get_by_label("New password", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("Type the new password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("Pat")
    assert_accessible(page)

    page.goto(link.group(0))  # the link worked once
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    assert_accessible(page)
