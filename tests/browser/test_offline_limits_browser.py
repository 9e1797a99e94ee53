"""A phone sending what it kept meets the per-account write limit (limits.py): the entries over it stay on the
phone, waiting (not shown as refused, not dropped), and go at the next sync once the limit allows."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from selfcare.models import Walk
from tests.browser.conftest import log_in
from tests.factories import make_onboarded_patient

SAVE_TWO_WALKS = """() => Promise.all([1, 2].map(n => SelfcareOffline.save('/walks',
    {id: SelfcareOffline.newId(), recorded_at: new Date().toISOString(), minutes: 10 + n, onset_minutes: null},
    'Your walk ' + n)))"""


def test_entries_over_the_write_limit_stay_waiting_on_the_phone(page: Page, base: str, live_app: Flask) -> None:
    make_onboarded_patient(email="keen@example.com")
    log_in(page, base, "keen@example.com")
    live_app.config["RATELIMIT_WRITES"] = "1 per 10 minutes"  # the documented override: one write, then 429
    page.goto(base + "/today")
    page.evaluate(SAVE_TWO_WALKS)
    page.evaluate("SelfcareOffline.sync()")
    expect(page.locator("#outbox .outbox-waiting")).to_contain_text("1 entry is saved on this phone")
    expect(page.locator("#outbox .outbox-rejected")).to_have_count(0)
    assert Walk.select().count() == 1

    live_app.config["RATELIMIT_WRITES"] = None  # back to limits.WRITES_PER_ACCOUNT: room again
    page.evaluate("SelfcareOffline.sync()")
    expect(page.locator("#outbox")).to_be_hidden()
    assert Walk.select().count() == 2
