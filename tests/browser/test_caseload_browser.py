"""A therapist logs in, sees their triaged caseload on a phone, searches by name; the page passes axe and fits."""

from __future__ import annotations

import re

from datetime import timedelta

from playwright.sync_api import Page, expect

from selfcare import accounts
from selfcare.models import Notice, utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_onboarded_patient, make_therapist
from tests.history_rows import add_alert, add_checkin

SMALL_TARGETS = """[...document.querySelectorAll('a, button, input, select, summary')]
     .filter(e => e.offsetParent !== null)
     .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
     .filter(([, h]) => h < 44)"""


def _caseload(therapist_email: str) -> None:
    """A therapist with an emergency, a worsening, an improving and a silent patient, and a notice."""
    therapist = make_therapist(email=therapist_email, name="Dana")
    now = utcnow() - timedelta(minutes=5)
    for name, zones, alert in [
        ("Morgan Emergency", ["thigh", "thigh", "thigh"], "emergency"),
        ("Jules Worse", ["thigh", "calf", "foot"], None),
        ("Ali Better", ["calf", "thigh", "buttock"], None),
        ("Kit Quiet", [], None),
    ]:
        patient = make_onboarded_patient(name=name)
        accounts.link(therapist, patient)
        for n, zone in enumerate(zones):
            add_checkin(patient, now - timedelta(days=6 - 2.5 * n), zone=zone)
        if alert:
            add_alert(patient, now - timedelta(hours=1), alert, ["bladder_change"])
    Notice.create(therapist=therapist, text="Sasha stopped sharing their selfcare record with you.")


def test_therapist_triages_and_searches_the_caseload_on_a_phone(page: Page, base: str) -> None:
    _caseload("pt@example.com")
    log_in(page, base, "pt@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your patients")
    names = page.locator(".cl-name")
    expect(names).to_have_text(["Morgan Emergency", "Jules Worse", "Kit Quiet", "Ali Better"])
    expect(page.locator(".cl-row").first).to_contain_text("Emergency alert not acknowledged: bladder change")
    expect(page.get_by_text("Sasha stopped sharing")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate(SMALL_TARGETS) == []

    # Live search: typing narrows the list without a full page load, and the address follows.
    page.get_by_label("Search by name").fill("jul")
    expect(names).to_have_text(["Jules Worse"])
    expect(page).to_have_url(f"{base}/therapist/patients?q=jul&filter=all")
    assert_accessible(page)

    # The form also works as a plain submit (boosted): a filter and no match.
    page.get_by_label("Search by name").fill("")
    page.get_by_label("Show").select_option("alerts")
    expect(names).to_have_text(["Morgan Emergency"])
    page.get_by_label("Search by name").fill("nobody")
    page.get_by_role("button", name="Show patients").click()
    expect(page.locator(".cl-empty")).to_contain_text("No patient’s name contains “nobody”")
    assert_accessible(page)

    page.goto(base + "/therapist/patients")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("Sasha stopped sharing")).to_have_count(0)
    expect(names).to_have_count(4)
    assert_accessible(page)


def test_a_long_caseload_pages_by_fifty_on_a_phone(page: Page, base: str) -> None:
    """62 patients: the first 50 in triage order, then a link to the next 12 that keeps the search (no script needed)."""
    therapist = make_therapist(email="big@example.com", name="Dana")
    for n in range(62):
        patient = make_onboarded_patient(name=f"Pat {n:02d}")
        accounts.link(therapist, patient)
    log_in(page, base, "big@example.com")
    names = page.locator(".cl-name")
    expect(names).to_have_count(50)
    expect(page.locator(".cl-count")).to_contain_text("Showing 1–50 of 62 patients.")
    assert_accessible(page)
    assert page.evaluate(SMALL_TARGETS) == []
    page.get_by_role("link", name="Show the next 12 patients").click()
    expect(names).to_have_count(12)
    expect(names.first).to_have_text("Pat 50")
    expect(page).to_have_url(f"{base}/therapist/patients?page=2")
    expect(page.locator(".cl-count")).to_contain_text("Showing 51–62 of 62 patients.")
    assert_accessible(page)
    page.get_by_role("link", name="Show the previous 50 patients").click()
    expect(names).to_have_count(50)
    expect(page).not_to_have_url(re.compile(r"page=2"))  # the boosted visit has settled before the next input
    page.get_by_label("Search by name").fill("pat 1")
    expect(names).to_have_count(10)
    expect(page.get_by_role("navigation", name="More patients")).to_have_count(0)
