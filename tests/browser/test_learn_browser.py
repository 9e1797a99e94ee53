"""A patient reads Learn, does the nerve self-check and opens My data on a phone; every page passes axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from selfcare.models import SelfCheck
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_onboarded_patient

# Radios and checkboxes are tapped through their whole label (label.option), which is measured instead.
SMALL_TARGETS = """[...document.querySelectorAll('a, button, input, select, label.option')]
  .filter(e => e.offsetParent !== null && !e.closest('.prose') && !['radio', 'checkbox'].includes(e.type))
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
  .filter(([, h]) => h < 44)"""


def fits_a_phone(page: Page) -> None:
    """Nothing scrolls sideways, and every control is big enough to tap."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(SMALL_TARGETS) == []


def test_patient_learns_checks_their_nerves_and_sees_their_data(page: Page, base: str) -> None:
    make_onboarded_patient(email="robin@example.com", name="Robin")
    log_in(page, base, "robin@example.com")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robin")

    page.goto(base + "/learn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn about sciatica")
    assert_accessible(page)
    fits_a_phone(page)

    page.get_by_role("link", name="Which nerve affects which part of your leg").click()
    expect(page).to_have_url(base + "/learn/nerve_roots")
    expect(page.get_by_role("heading", level=1)).to_have_text("Which nerve affects which part of your leg")
    expect(page.get_by_role("table")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the table scrolls in its box

    page.get_by_role("link", name="Back to Learn").click()
    page.get_by_role("link", name="Start the nerve self-check").click()
    expect(page).to_have_url(base + "/self-check")
    assert_accessible(page)
    fits_a_phone(page)

    # Missing answers first: the message is beside the question, nothing is stored.
    page.get_by_role("button", name="Save my answers").click()
    expect(page.locator("#heel_walk-error")).to_have_text("Choose how walking on your heels went.")
    assert SelfCheck.select().count() == 0
    assert_accessible(page)

    page.get_by_role("group", name="Walk on your heels").get_by_label("As easy as with my other leg").check()
    page.get_by_role("group", name="Walk on your toes").get_by_label("Harder than usual, or my leg felt weak").check()
    page.get_by_role("group", name="Lift your big toe").get_by_label("As easy as with my other leg").check()
    page.get_by_label("Sole of the foot").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your self-check result")
    expect(page.get_by_text("This is your first nerve self-check")).to_be_visible()
    assert SelfCheck.get().toe_walk == "weak"
    assert_accessible(page)
    fits_a_phone(page)

    page.goto(base + "/my-data")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    assert_accessible(page)
    fits_a_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as one file (JSON)").click()
    assert download.value.suggested_filename == "selfcare-my-data.json"
