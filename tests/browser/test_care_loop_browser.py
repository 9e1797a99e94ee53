"""The whole care loop on phones: invite, link, a bad session and an urgent flag, triage, acknowledge, pause."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from selfcare.models import Alert
from tests.browser.conftest import assert_accessible
from tests.browser.test_patient_browser import (
    answer_no_to_every_red_flag,
    fill_reading,
    log_in,
)
from tests.factories import make_onboarded_patient, make_therapist


def test_invite_link_flag_acknowledge_and_pause(page: Page, base: str, browser: Any, browser_context_args: dict[str, Any]) -> None:
    make_therapist(email="dana@example.com", name="Dana")
    make_onboarded_patient(email="calm@example.com", name="Calm Carla")
    make_onboarded_patient(email="robin@example.com", name="Robin", region="UK")

    # The therapist makes an invite code.
    log_in(page, base, "dana@example.com")
    page.get_by_role("link", name="Invite", exact=True).click()
    page.get_by_role("button", name="Make a new code").click()
    code = page.locator(".invite .code").first.inner_text().replace("-", "")
    assert_accessible(page)

    # The patient follows the link on their own phone and agrees to share.
    phone = browser.new_context(**browser_context_args).new_page()
    log_in(phone, base, "robin@example.com")
    phone.goto(f"{base}/link/{code}")
    phone.get_by_label(re.compile("I agree to share")).check()
    phone.get_by_role("button", name="Share my record").click()
    expect(phone.get_by_text("You are now sharing your selfcare record with Dana")).to_be_visible()

    # A set that makes the leg worse, then an urgent red flag at the check-in.
    phone.goto(base + "/exercises")
    answer_no_to_every_red_flag(phone)
    fill_reading(phone, "thigh", "5")
    phone.get_by_role("button", name="Start the set").click()
    phone.get_by_role("button", name="My leg symptoms moved farther down").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your exercises are on hold")
    phone.goto(base + "/checkin")
    answer_no_to_every_red_flag(phone, except_="fever")
    fill_reading(phone, "calf", "6")
    phone.get_by_role("button", name="Save my check-in").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Speak to a doctor today")
    phone.get_by_role("button", name="I have read this").click()

    # The therapist sees Robin first, with the reason, and acknowledges the alert.
    page.get_by_role("link", name="Patients", exact=True).click()
    first = page.locator(".cl-name").first
    expect(first).to_have_text("Robin")
    expect(page.locator(".cl-reason").first).to_contain_text(re.compile("urgent", re.I))
    assert_accessible(page)
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin")
    expect(page.get_by_role("heading", name="Exercises on hold")).to_be_visible()  # why, since when, and the button
    expect(page.get_by_role("button", name="Re-enable the plan")).to_be_visible()
    assert_accessible(page)
    alert = Alert.get(Alert.level == "urgent")
    page.locator(f"#alert-{alert.id}-note").fill("Phoned Robin; GP appointment today.")
    page.get_by_role("button", name="Acknowledge alert").click()
    expect(page.get_by_text("Acknowledged by Dana")).to_be_visible()
    assert Alert.get_by_id(alert.id).acknowledged_by_id is not None

    # The therapist pauses the plan; Robin's app shows the pause straight away.
    page.get_by_role("link", name="Change the exercise plan").click()
    page.get_by_label("Pause the exercises").check()
    page.get_by_label("Message to your patient").fill("Please stop the exercises and call me.")
    assert_accessible(page)
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_text("plan is saved")).to_be_visible()
    phone.goto(base + "/today")
    expect(phone.get_by_text("Please stop the exercises and call me.")).to_be_visible()
    phone.goto(base + "/exercises")
    expect(phone.get_by_text("Please stop the exercises and call me.")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_have_text("No exercises today")  # the fever's day comes first
    expect(phone.get_by_role("button", name="Start the set")).to_have_count(0)
