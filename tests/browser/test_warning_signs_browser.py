"""The warning-signs page on a phone with no signal: kept after an online visit, it opens from the phone with the
server stopped, straight away or from the offline page, and shows every sign with what to do."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from selfcare.clinical import default_content_dir, load_content
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_offline_browser import keep_pages, wait_for_worker
from tests.factories import make_onboarded_patient

FLAGS = load_content(default_content_dir()).red_flags


def test_the_warning_signs_open_with_no_signal(page: Page, base: str, live_app: Flask) -> None:
    """Visit online, lose the signal (server stopped), open the page: the kept copy with every sign; axe is happy."""
    make_onboarded_patient(email="signs@example.com", region="UK")
    log_in(page, base, "signs@example.com")
    page.goto(base + "/today")
    wait_for_worker(page)
    keep_pages(page)
    page.context.set_offline(True)
    live_app.config["LIVE_SERVER"].stop()

    page.goto(base + "/warning-signs")
    expect(page.get_by_role("heading", name="Call 999 or go to A&E now if you have:")).to_be_visible()
    expect(page.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
    expect(page.get_by_role("heading", name="Get help from a doctor today if you have:")).to_be_visible()
    expect(page.get_by_role("heading", name="Contact your physiotherapist in the next few days if you have:")).to_be_visible()
    for sign in (*FLAGS.questions, *FLAGS.held):
        expect(page.get_by_text(sign.sign, exact=True)).to_be_visible()
    assert_accessible(page)

    # Today's "If you need help fast" card leads there with no signal (a real page load the worker answers).
    page.goto(base + "/today")
    page.locator(".card-help").get_by_role("link", name="Warning signs and what to do about each one").click()
    expect(page.get_by_role("heading", name="Warning signs", exact=True)).to_be_visible()
    expect(page.get_by_text(FLAGS.held[0].sign, exact=True)).to_be_visible()

    # A page that was not kept shows the offline page, which leads to the warning signs.
    page.goto(base + "/history")
    expect(page.get_by_role("heading", name="No signal right now")).to_be_visible()
    page.get_by_role("link", name="Warning signs and what to do").click()
    expect(page.get_by_role("heading", name="Warning signs", exact=True)).to_be_visible()
    expect(page.get_by_text(FLAGS.questions[0].sign, exact=True)).to_be_visible()
