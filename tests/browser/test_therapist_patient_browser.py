"""A therapist opens a linked patient's page on a phone and acknowledges an alert; the page passes axe and fits."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from selfcare import accounts
from selfcare.clinical import week_start
from selfcare.models import Alert, TherapistNote, utcnow
from selfcare.timeutil import in_zone, zone_of
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_onboarded_patient, make_therapist
from tests.history_rows import add_checkin, add_days, add_set, add_walk

SHOTS = os.environ.get("SELFCARE_SCREENSHOTS")  # a folder: keep pictures of the pages there, for a person to look at


def keep_picture(page: Page, name: str) -> None:
    """A screenshot of the whole page in SHOTS, when it is set."""
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def test_acknowledge_an_alert_on_a_phone(page: Page, base: str) -> None:
    therapist = make_therapist(email="pt@example.com", name="Dana Physio")
    patient = make_onboarded_patient(name="Robin Patient")
    accounts.link(therapist, patient)
    now = utcnow() - timedelta(minutes=5)
    for n, (zone, leg) in enumerate([("calf", 7), ("thigh", 5), ("buttock", 3)]):
        at = now - timedelta(days=6 - 2 * n)
        add_checkin(patient, at, zone=zone, leg=leg, worse_with=["sitting"], walk=8 + 3 * n, onset=4)
        add_set(patient, at + timedelta(minutes=10))
    add_walk(patient, now - timedelta(days=1), 20)
    TherapistNote.create(patient=patient, therapist=therapist, text="Started on the standard plan.", created_at=now)
    alert = Alert.create(patient=patient, level="emergency", reasons=["saddle_numbness"], source="checkin", created_at=now)

    log_in(page, base, "pt@example.com")
    expect(page).to_have_url(base + "/therapist/patients")

    page.goto(f"{base}/therapist/patients/{patient.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Patient")
    banner = page.locator("#open-alerts")
    expect(banner).to_contain_text("1 alert waiting for you")
    expect(banner).to_contain_text("Emergency")
    assert_accessible(page)

    item = page.locator(f"#alert-{alert.id}")
    item.get_by_role("button", name="Acknowledge alert").click()  # no note yet: the message sits by the field
    expect(item.get_by_text("Write what you did about this alert.")).to_be_visible()
    assert Alert.get_by_id(alert.id).acknowledged_at is None
    assert_accessible(page)

    item.get_by_label("What did you do?").fill("Phoned: sent to the emergency department.")
    item.get_by_role("button", name="Acknowledge alert").click()
    expect(item.get_by_text("Acknowledged by Dana Physio")).to_be_visible()
    expect(item.get_by_text("Phoned: sent to the emergency department.")).to_be_visible()
    expect(banner).to_contain_text("No alerts waiting for you.")  # refreshed at once, not after 30 s
    assert Alert.get_by_id(alert.id).acknowledgement == "Phoned: sent to the emergency department."
    assert_accessible(page)


def test_older_entries_on_a_phone(page: Page, base: str) -> None:
    """A long record: the open alert and its form first, the newest twenty entries, and "Older entries" adds the next
    twenty in place (htmx), keeping the focus on the control; nothing is wider than the phone."""
    therapist = make_therapist(email="pt@example.com", name="Dana Physio")
    patient = make_onboarded_patient(name="Robin Patient")
    accounts.link(therapist, patient)
    end = utcnow() - timedelta(hours=1)
    add_days(patient, end, 200)  # 600 entries
    alert = Alert.create(patient=patient, level="urgent", reasons=["fever"], source="checkin", created_at=utcnow() - timedelta(days=90))

    log_in(page, base, "pt@example.com")
    page.goto(f"{base}/therapist/patients/{patient.id}")
    top = page.locator("#patient-alerts")
    expect(top).to_contain_text("1 open alert for Robin Patient")
    expect(top.locator(f"#alert-{alert.id}").get_by_role("button", name="Acknowledge alert")).to_be_visible()
    entries = page.locator("#timeline-entries > li")
    expect(entries).to_have_count(20)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    keep_picture(page, "therapist-patient-top.png")
    assert_accessible(page)

    older = page.get_by_role("link", name="Older entries")
    older.focus()
    older.press("Enter")
    expect(entries).to_have_count(40)
    expect(page.locator("#timeline-older-link")).to_be_focused()  # the new control, in the old one's place
    keep_picture(page, "therapist-patient-older.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    page.goto(f"{base}/therapist/patients/{patient.id}?days=365")  # a year of charts, week by week: numbers on demand
    expect(page.locator("table")).to_have_count(0)
    page.locator("#chart-walking-numbers").get_by_role("link", name="Show the numbers").click()
    table = page.locator("#chart-walking-numbers #chart-walking-table")
    tz = zone_of(patient)
    weeks = {week_start(in_zone(tz, end - timedelta(days=n)).date()) for n in range(200)}  # the weeks with a walk
    expect(table.locator("tbody tr")).to_have_count(len(weeks))
    expect(table.locator("tbody tr").first).to_contain_text("Week of")
    expect(table).to_be_focused()
    expect(page).to_have_url(f"{base}/therapist/patients/{patient.id}?days=365")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
