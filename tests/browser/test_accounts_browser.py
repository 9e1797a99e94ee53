"""A patient signs up, logs out and logs in again on a phone; every page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from selfcare.models import User
from tests.browser.conftest import assert_accessible
from tests.factories import make_therapist


def test_patient_signs_up_logs_out_and_logs_in(page: Page, base: str) -> None:
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Look after your sciatica at home")
    assert_accessible(page)

    page.get_by_role("link", name="Create an account").first.click()
    expect(page).to_have_url(base + "/signup")
    assert_accessible(page)

    # A mistake first: the message appears beside the field, and nothing is stored.
    page.get_by_label("Your first name").fill("Robin")
    page.get_by_label("Email address").fill("robin@example.com")
    page.get_by_label("Password", exact=True).fill("too short")
    page.get_by_label("Type the password again").fill("too short")
    page.get_by_label("Where you live").select_option("UK")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_contain_text("Use at least 10 characters")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    assert User.select().count() == 0
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Type the password again").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A few questions to start")  # onboarding first
    expect(page).to_have_url(base + "/onboarding")
    expect(page.locator(".who")).to_contain_text("Robin")
    assert_accessible(page)
    user = User.get(User.email == "robin@example.com")
    assert user.timezone != ""  # filled in from the phone's settings by app.js

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email address").fill("robin@example.com")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_contain_text("do not match an account")
    assert_accessible(page)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A few questions to start")


def test_therapist_logs_in_to_their_patients_and_pages_fit_a_phone(page: Page, base: str) -> None:
    make_therapist(email="pt@example.com", name="Dana", password="therapist password")
    page.goto(base + "/therapist/patients")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("Please log in to see that page.")).to_be_visible()
    page.get_by_label("Email address").fill("pt@example.com")
    page.get_by_label("Password").fill("therapist password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your patients")
    assert_accessible(page)
    # Nothing overflows a phone screen sideways, and every control is big enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """[...document.querySelectorAll('a, button, input, select')]
             .filter(e => e.offsetParent !== null)
             .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect().height])
             .filter(([, h]) => h < 44)"""
    )
    assert small == []

    page.goto(base + "/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    assert_accessible(page)
