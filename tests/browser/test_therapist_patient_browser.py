"""A therapist opens a linked patient's page on a phone and acknowledges an alert; the page passes axe and fits."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from selfcare import accounts
from selfcare.models import Alert, TherapistNote, utcnow
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import make_onboarded_patient, make_therapist
from tests.history_rows import add_checkin, add_set, add_walk


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
