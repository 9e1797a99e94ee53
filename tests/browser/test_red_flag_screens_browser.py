"""On a phone: a later set's one safety question with the list under it, "yes" bringing back the whole list, the
safety questions after a both-legs onboarding, and a therapist marking a sign assessed; each page passes axe."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from selfcare import accounts
from selfcare.models import Alert, AssessedSign, ExerciseSet, RedFlagScreen, utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_patient_browser import answer_no_to_every_red_flag, fill_reading
from tests.factories import make_onboarded_patient, make_patient, make_profile, make_therapist

SINCE = "Since you last answered, has anything on this list started or got worse?"


def _answered_today(patient) -> None:
    """The whole list was answered at this morning's check-in."""
    RedFlagScreen.create(patient=patient, answered_at=utcnow(), source="checkin", kind="full", answers={},
                         level="none", reasons=[])


def test_a_later_set_asks_one_question_and_no_starts_it(page: Page, base: str) -> None:
    """The one question with every sign listed under it; "No" and the reading start the set."""
    patient = make_onboarded_patient(email="pat@example.com", region="UK")
    _answered_today(patient)
    log_in(page, base, "pat@example.com")
    page.goto(base + "/exercises")
    question = page.locator("#anything_new")
    expect(question.locator("legend")).to_have_text(SINCE)
    expect(question.get_by_text("Losing weight without trying")).to_be_visible()
    expect(page.locator("#rf_fever")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Start the set").click()  # nothing answered: the message beside the question
    expect(page.locator("#anything_new-error")).to_have_text("Answer yes or no.")
    assert_accessible(page)
    question.get_by_text("No", exact=True).click()
    fill_reading(page, "calf", "5")
    page.get_by_role("button", name="Start the set").click()
    expect(page.get_by_role("heading", name="Lie on your front")).to_be_visible()
    assert ExerciseSet.select().count() == 1


def test_yes_brings_back_the_whole_list(page: Page, base: str) -> None:
    """"Yes": every question, none chosen; a yes to fever there goes to the urgent alert."""
    patient = make_onboarded_patient(email="pat@example.com", region="UK")
    _answered_today(patient)
    log_in(page, base, "pat@example.com")
    page.goto(base + "/exercises")
    page.locator("#anything_new").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Start the set").click()
    expect(page.get_by_text("You said something has started or got worse.")).to_be_visible()
    expect(page.locator("#rf_fever")).to_be_visible()
    assert_accessible(page)
    answer_no_to_every_red_flag(page, except_="fever")
    fill_reading(page, "calf", "5")
    page.get_by_role("button", name="Start the set").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speak to a doctor today")
    assert Alert.get().reasons == ["fever"]


def test_both_legs_at_onboarding_asks_the_safety_questions(page: Page, base: str) -> None:
    """Both legs since last week: the safety questions come first, and pass axe."""
    make_profile(make_patient(email="pat@example.com", region="UK"), legs="both",
                 symptoms_started=date.today() - timedelta(days=7))
    log_in(page, base, "pat@example.com")
    page.goto(base + "/today")
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety questions")
    assert_accessible(page)
    answer_no_to_every_red_flag(page)
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("None of these warning signs today.")).to_be_visible()
    assert RedFlagScreen.get().source == "onboarding"


def test_a_therapist_marks_a_sign_assessed_on_a_phone(page: Page, base: str) -> None:
    """The assessed-signs card: the form loads in place when asked for, a days error beside its field, then saved,
    listed and ended; axe each time."""
    therapist = make_therapist(email="pt@example.com", name="Dana Physio")
    patient = make_onboarded_patient(name="Robin Patient")
    accounts.link(therapist, patient)
    log_in(page, base, "pt@example.com")
    page.goto(f"{base}/therapist/patients/{patient.id}")
    card = page.locator("#assessed-signs")
    expect(card.get_by_label("Sign you have assessed")).to_have_count(0)  # the form comes when asked for
    card.get_by_role("link", name="Mark a sign as assessed").click()
    expect(page).to_have_url(f"{base}/therapist/patients/{patient.id}")  # in place
    card.get_by_label("Sign you have assessed").select_option("weight_loss")
    card.get_by_label("For how many days").fill("120")
    card.get_by_role("button", name="Mark as assessed").click()
    expect(page.locator("#days-error")).to_have_text("Enter a number from 1 to 90.")
    assert_accessible(page)
    page.locator("#assessed-signs").get_by_label("Sign you have assessed").select_option("weight_loss")  # kept open
    page.locator("#assessed-signs").get_by_label("For how many days").fill("30")
    page.locator("#assessed-signs").get_by_role("button", name="Mark as assessed").click()
    expect(page.locator("#assessed-signs")).to_contain_text("Checked on")
    assert_accessible(page)
    page.locator("#assessed-signs").get_by_role("button", name="End now: Losing weight without trying").click()
    expect(page.locator("#assessed-signs")).to_contain_text("None in force.")
    assert AssessedSign.get().ended_at is not None
    page.goto(f"{base}/therapist/patients/{patient.id}/assessed-signs/new")  # the form as a page of its own (no script)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark a sign as assessed")
    assert_accessible(page)
