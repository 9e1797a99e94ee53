"""A patient on a phone makes a calendar link in Settings, sees it once, replaces it and turns it off."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from selfcare.models import CalendarFeed
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_onboarded_patient


def test_patient_makes_replaces_and_turns_off_a_calendar_link(page: Page, base: str) -> None:
    make_onboarded_patient(email="robin@example.com", name="Robin", timezone="Europe/London")
    log_in(page, base, "robin@example.com")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Calendar reminders")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Make my calendar link").click()
    expect(page.get_by_role("heading", name="Your calendar link")).to_be_visible()
    expect(page).to_have_url(base + "/settings")
    first = page.get_by_label("Calendar link", exact=True).input_value()
    assert first.startswith(base + "/calendar/") and first.endswith(".ics")
    assert_accessible(page)
    feed = page.request.get(first)
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "X-WR-CALNAME:selfcare" in feed.text()

    page.reload()  # shown once
    expect(page.get_by_role("heading", name="Your calendar link")).to_have_count(0)
    assert first not in page.content()
    expect(page.get_by_text("Your calendar link is on.")).to_be_visible()

    page.get_by_role("button", name="Make a new link").click()
    second = page.get_by_label("Calendar link", exact=True).input_value()
    assert second != first
    assert page.request.get(first).status == 404 and page.request.get(second).status == 200

    page.get_by_role("button", name="Turn off the calendar link").click()
    expect(page.get_by_text("Calendar link turned off.")).to_be_visible()
    expect(page.get_by_role("button", name="Make my calendar link")).to_be_visible()
    assert page.request.get(second).status == 404 and CalendarFeed.select().count() == 0
    assert_accessible(page)

    buttons = page.locator("#calendar-heading ~ * .button")  # touch targets at least 44 px, within a 360 px screen
    assert buttons.count() == 2  # make a link, download
    for n in range(buttons.count()):
        box = buttons.nth(n).bounding_box()
        assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= 360
