"""A patient on a phone makes an API token in Settings, sees it once, and revokes it; the API page fits a phone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from selfcare.models import ApiToken
from tests.browser.conftest import assert_accessible, log_in
from tests.factories import PASSWORD, make_onboarded_patient


def test_patient_makes_a_token_sees_it_once_and_revokes_it(page: Page, base: str) -> None:
    make_onboarded_patient(email="robin@example.com", name="Robin")
    log_in(page, base, "robin@example.com")

    page.get_by_role("link", name="Settings").click()
    expect(page).to_have_url(base + "/settings")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(page.get_by_text("No app is connected.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("What will use this token?").fill("Clinic app")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    expect(page).to_have_url(base + "/settings")  # so a reload opens the page, not the form's POST-only target
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("sc_") and secret.startswith(ApiToken.get().hint)
    expect(page.locator(".tokens")).to_contain_text("Clinic app")
    expect(page.get_by_label("What will use this token?")).to_have_value("")  # ready for another, not refilled
    expect(page.get_by_label("Your password")).to_have_value("")  # never sent back
    expect(page.locator(".tokens")).to_contain_text("Works until")
    assert_accessible(page)

    # Shown once: not kept in htmx's history cache, not back after leaving and returning, not on reload.
    page.get_by_role("link", name="Today").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Robin")
    assert secret not in page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
    page.go_back()
    expect(page).to_have_url(base + "/settings")
    expect(page.locator(".tokens")).to_contain_text("Clinic app")
    expect(page.get_by_role("heading", name="Your new token")).to_have_count(0)
    assert secret not in page.content()
    page.reload()
    expect(page.locator(".tokens")).to_contain_text("Clinic app")
    expect(page.get_by_role("heading", name="Your new token")).to_have_count(0)
    assert secret not in page.content()

    page.get_by_role("button", name="Revoke Clinic app").click()
    expect(page.get_by_text("Token revoked.")).to_be_visible()
    expect(page.get_by_text("No app is connected.")).to_be_visible()
    assert ApiToken.get().revoked_at is not None
    assert_accessible(page)

    answer = page.request.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 401 and answer.headers["content-type"].startswith("application/problem+json")


def test_the_api_page_fits_a_phone(page: Page, base: str) -> None:
    page.goto(base + "/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_have_text("The selfcare API")
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    assert_accessible(page)
