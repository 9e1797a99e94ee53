"""On a phone: the next day's "were you seen?" card on Today, and choosing "Somewhere else" with a typed
emergency number at onboarding; both pass axe at 360 px."""

from __future__ import annotations

import re

from datetime import timedelta

from playwright.sync_api import Page, expect

from selfcare.models import Alert, Profile, User, utcnow
from selfcare.timeutil import day_bounds, local_now
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_onboarded_patient, make_patient


def test_the_follow_up_card_asks_and_keeps_the_answer(page: Page, base: str) -> None:
    """The day after an emergency Today asks "were you seen?"; "Not yet" is kept and says what to do now."""
    patient = make_onboarded_patient(email="seen@example.com", region="UK")
    start, _ = day_bounds(patient, local_now(patient).date() - timedelta(days=1))
    alert = Alert.create(patient=patient, level="emergency", reasons=["bladder_change"], source="checkin",
                         created_at=start + timedelta(hours=9), confirmed_at=utcnow())
    log_in(page, base, "seen@example.com")
    page.goto(base + "/today")
    card = page.get_by_role("region", name="Yesterday's alert: were you seen by a doctor or at A&E?")
    expect(card.get_by_role("button", name="I did not go")).to_be_visible()
    assert_accessible(page)
    card.get_by_role("button", name="Not yet").click()
    expect(page.get_by_text("If you still have the warning signs, call 999 or go to A&E now.")).to_be_visible()
    expect(page.get_by_text("were you seen by a doctor")).to_have_count(0)
    assert Alert.get_by_id(alert.id).followup_answer == "not_yet"


def test_somewhere_else_takes_a_typed_number_beside_it(page: Page, base: str) -> None:
    """Onboarding: "Somewhere else" with a bad number is refused beside the box; a good one is kept."""
    make_patient(email="away@example.com", region=None)
    log_in(page, base, "away@example.com")
    page.goto(base + "/onboarding")
    page.get_by_text("Left leg", exact=True).click()
    page.get_by_label("When did it start?").fill("2026-10-01")
    page.get_by_label("Where you live", exact=True).select_option("OTHER")
    page.get_by_label("Your emergency number").fill("12a")
    page.get_by_label("How many minutes can you walk in one go today?").fill("10")
    for question in ("Have you ever had cancer?", "Is your immune system weaker than usual?"):
        page.locator("fieldset").filter(has_text=question).get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator("#emergency_number-error")).to_have_text("Use digits only: 2 to 6 of them, like 112.")
    assert_accessible(page)
    assert Profile.select().count() == 0
    page.get_by_label("Your emergency number").fill("10111")
    page.get_by_role("button", name="Save my answers").click()
    expect(page).not_to_have_url(re.compile(r"/onboarding$"))  # saved: the next page, not the form again
    user = User.get(User.email == "away@example.com")
    assert (user.region, user.emergency_number) == ("OTHER", "10111")
