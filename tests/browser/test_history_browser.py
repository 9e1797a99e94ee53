"""A patient with some data opens their history and visit summary on a phone; both pass axe and fit."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from selfcare.models import utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_onboarded_patient
from tests.history_rows import add_alert, add_checkin, add_set, add_walk

SMALL_TARGETS = """[...document.querySelectorAll('a, button, input, select, summary')]
     .filter(e => e.offsetParent !== null)
     .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
     .filter(([, h]) => h < 44)"""


def _fits_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(SMALL_TARGETS) == []


def test_history_and_summary_on_a_phone(page: Page, base: str) -> None:
    patient = make_onboarded_patient(email="pat@example.com", name="Robin")
    now = utcnow() - timedelta(minutes=5)
    for n, (zone, leg) in enumerate([("calf", 7), ("calf", 6), ("thigh", 5), ("thigh", 4), ("buttock", 3)]):
        at = now - timedelta(days=8 - 2 * n)
        add_checkin(patient, at, zone=zone, leg=leg, back=3 + n % 2, worse_with=["sitting"], walk=8 + 3 * n, onset=4 + n)
        add_set(patient, at + timedelta(minutes=10))
    add_walk(patient, now - timedelta(days=1), 25)
    add_alert(patient, now - timedelta(days=3), "contact_pt", ["numbness_spreading"])

    log_in(page, base, "pat@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Robin")
    expect(page.get_by_text("Getting better over the last 14 days: symptoms moved up, to your thigh", exact=False)).to_be_visible()
    assert_accessible(page)  # Today, with its progress line

    page.goto(base + "/history?days=14")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your history")
    expect(page.get_by_text("Getting better", exact=True)).to_be_visible()
    expect(page.get_by_text("Moving up towards your back is usually a good sign.", exact=False)).to_be_visible()
    expect(page.get_by_role("img", name="Chart of where symptoms reached", exact=False)).to_be_visible()
    expect(page.locator("table")).to_have_count(0)  # the numbers load on demand
    page.get_by_role("link", name="Show the numbers").first.click()  # open a data table: in place, and it must fit too
    expect(page.locator("#chart-zone-numbers #chart-zone-table")).to_be_visible()
    expect(page.locator("#chart-zone-table")).to_be_focused()  # where the link was
    expect(page).to_have_url(base + "/history?days=14")
    assert_accessible(page)
    _fits_a_phone(page)

    page.get_by_role("link", name="Make a visit summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visit summary")
    expect(page.get_by_text("Numbness in your leg or foot getting bigger or spreading")).to_be_visible()
    assert_accessible(page)
    _fits_a_phone(page)

    # Printed, the page drops the header, the range links and the buttons.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Download as PDF")).to_be_hidden()
    expect(page.get_by_text("Where symptoms travel")).to_be_visible()


def test_older_sets_on_a_phone(page: Page, base: str) -> None:
    """A year of History on a phone: charts week by week, the ten newest sets, and "Older sets" adds the next ones in
    place (htmx), keeping the focus on the control; nothing is wider than the phone, and axe finds nothing."""
    patient = make_onboarded_patient(email="pat@example.com", name="Robin")
    now = utcnow() - timedelta(minutes=5)
    for n in range(24):
        add_set(patient, now - timedelta(days=n * 10))  # 24 sets, ten days apart, over most of the year

    log_in(page, base, "pat@example.com")
    page.goto(base + "/history?days=365")
    expect(page.get_by_text("The furthest point each week.", exact=False)).to_be_visible()
    expect(page.get_by_role("img", name="Bar chart of sets done each week", exact=False)).to_be_visible()
    sets = page.locator("#sets-list > li")
    expect(sets).to_have_count(10)
    expect(page.get_by_text("24 sets in these days, newest first.")).to_be_visible()
    older = page.get_by_role("link", name="Older sets")
    older.focus()
    older.press("Enter")
    expect(sets).to_have_count(20)
    expect(page.locator("#sets-older-link")).to_be_focused()  # the new control, in the old one's place
    expect(page).to_have_url(base + "/history?days=365")
    page.locator("#sets-older-link").click()
    expect(sets).to_have_count(24)
    expect(page.get_by_text("That is every set in these days.")).to_be_visible()
    assert_accessible(page)
    _fits_a_phone(page)
