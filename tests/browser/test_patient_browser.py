"""A new patient on a phone: onboarding, check-in, sets that centralize and peripheralize, each alert level."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from selfcare.models import Alert, CheckIn, ExerciseSet, PlayerState, User
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_onboarded_patient
from tests.patient_helpers import let_timer_run_out


def answer_no_to_every_red_flag(page: Page, except_: str | None = None) -> None:
    """Tap No on each safety question (Yes on one of them, if asked)."""
    for group in page.locator("section.red-flags fieldset").all():
        choice = "Yes" if except_ and group.get_attribute("id") == f"rf_{except_}" else "No"
        group.get_by_text(choice, exact=True).click()


def fill_reading(page: Page, zone: str, leg: str, back: str = "2") -> None:
    """Where symptoms reach (by tapping the body outline), which side, and both pains."""
    page.locator(f'.body-outline [data-zone="{zone}"]').first.click()
    page.locator("#side").get_by_text("Left leg").click()
    page.locator("#leg_pain").get_by_label(leg, exact=True).check()
    page.locator("#back_pain").get_by_label(back, exact=True).check()


def test_new_patient_onboards_and_checks_in(page: Page, base: str) -> None:
    page.goto(base + "/signup")
    page.get_by_label("Your first name").fill("Robin")
    page.get_by_label("Email address").fill("robin@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_label("Where you live").select_option("UK")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A few questions to start")
    assert_accessible(page)
    page.locator("#legs").get_by_text("Left leg").click()
    page.get_by_label("When did it start?").fill("2026-10-25")
    page.get_by_label("How many minutes can you walk in one go today?").fill("10")
    page.locator("#cancer_history").get_by_text("No", exact=True).click()
    page.locator("#immune_risk").get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Robin")
    expect(page.get_by_text("Start with your daily check-in")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Check in", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily check-in")
    assert_accessible(page)
    page.get_by_role("button", name="Save my check-in").click()  # nothing answered yet
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#rf_bladder_change-error")).to_have_text("Answer yes or no.")
    assert CheckIn.select().count() == 0
    assert_accessible(page)
    answer_no_to_every_red_flag(page)
    fill_reading(page, "calf", "6")
    expect(page.locator('.body-outline [data-zone="calf"]').first).to_have_class(re.compile("picked"))
    page.get_by_label("How many minutes could you walk in one go?").fill("12")
    page.get_by_label("After how many minutes did your leg symptoms start?").fill("6")
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_text("Your check-in is saved")).to_be_visible()
    row = CheckIn.get()
    assert (row.zone, row.side, row.leg_pain, row.level) == ("calf", "left", 6, "none")
    # Boosted pages are not copied into the phone's storage: health answers stay on the server.
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daily check-in")


def do_set(page: Page, patient: User, before: tuple[str, str], after: tuple[str, str]) -> None:
    """Start a set, go through every step (timers run out), and give the after-reading."""
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/")[2] + "/exercises")
    answer_no_to_every_red_flag(page)
    fill_reading(page, *before)
    page.get_by_role("button", name="Start the set").click()
    expect(page.get_by_role("heading", name="Lie on your front")).to_be_visible()
    expect(page.locator("[data-clock]")).not_to_have_text("")
    assert_accessible(page)
    for title in ("Lie on your front", "Prop up on your elbows"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
        let_timer_run_out(patient)
        page.reload()  # the page counts down from the stored deadline and moves on by itself
    expect(page.get_by_role("heading", name="Press-ups")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("I have done 10 press-ups")).click()
    expect(page.get_by_role("heading", name="Stand up and walk")).to_be_visible()
    let_timer_run_out(patient)
    page.reload()
    expect(page.get_by_role("heading", name="How do you feel now?")).to_be_visible(timeout=10000)
    assert_accessible(page)
    fill_reading(page, *after)
    page.get_by_role("button", name="See my result").click()


@pytest.fixture
def patient(page: Page, base: str) -> User:
    """An onboarded patient in the UK, logged in on the phone."""
    user = make_onboarded_patient(email="pat@example.com", region="UK")
    log_in(page, base, "pat@example.com")
    return user


def test_a_set_that_centralizes(page: Page, base: str, patient: User) -> None:
    do_set(page, patient, before=("calf", "6"), after=("thigh", "4"))
    expect(page.get_by_text("moved up from calf or shin to thigh")).to_be_visible()
    expect(page.get_by_text(re.compile("next set"))).to_be_visible()
    assert_accessible(page)
    row = ExerciseSet.get()
    assert (row.before_zone, row.after_zone, row.response) == ("calf", "thigh", "centralized")


def test_a_set_that_peripheralizes_stops(page: Page, base: str, patient: User) -> None:
    page.goto(base + "/exercises")
    answer_no_to_every_red_flag(page)
    fill_reading(page, "thigh", "5")
    page.get_by_role("button", name="Start the set").click()
    expect(page.get_by_role("heading", name="Lie on your front")).to_be_visible()
    page.get_by_role("button", name="My leg symptoms moved farther down").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your exercises are on hold")  # held, not "try tomorrow"
    expect(page.get_by_role("button", name="Start the set")).to_have_count(0)
    assert_accessible(page)
    assert ExerciseSet.get().stop_reason == "peripheralized"
    page.get_by_role("link", name="Back to Today").click()
    expect(page.get_by_text("This plan may not suit you. Please see a physiotherapist or GP before you carry on.")).to_be_visible()


@pytest.mark.parametrize(
    ("flag", "heading", "blocks"),
    [
        ("bladder_change", "Get emergency help now", "No exercises today"),
        ("fever", "Speak to a doctor today", "Your exercises are paused"),
        ("numbness_spreading", "Let your physiotherapist know", None),  # the UK word
    ],
)
def test_each_red_flag_level(page: Page, base: str, patient: User, flag: str, heading: str, blocks: str | None) -> None:
    page.goto(base + "/checkin")
    answer_no_to_every_red_flag(page, except_=flag)
    fill_reading(page, "thigh", "4")
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    alert = Alert.get()
    assert alert.reasons == [flag]
    if flag == "bladder_change":
        expect(page.get_by_role("link", name="Call 999 now")).to_have_attribute("href", "tel:999")
        page.goto(base + "/today")  # no way past the emergency screen without confirming it
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.get_by_role("button", name="I have read this").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Hello"))
    assert Alert.get().confirmed_at is not None
    page.goto(base + "/exercises")
    if blocks == "Your exercises are paused":  # fever: read or not, paused until a doctor says exercise is fine
        expect(page.get_by_role("heading", level=1)).to_have_text(blocks)
        expect(page.get_by_role("button", name="Start the set")).to_have_count(0)
        assert_accessible(page)
    elif blocks:
        expect(page.get_by_role("heading", level=1)).to_have_text(blocks)
        assert PlayerState.get().state["phase"] == "blocked"
    else:
        expect(page.get_by_role("button", name="Start the set")).to_be_visible()
