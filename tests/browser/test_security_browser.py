"""The Content-Security-Policy in a real browser: the app's own pages break none of it, and it stops what it should."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from selfcare import accounts
from tests.browser.conftest import csp_violations, log_in, wait_until
from tests.factories import make_onboarded_patient, make_therapist

PATIENT_PAGES = ["/today", "/checkin", "/exercises", "/exercises/offline", "/history", "/learn", "/self-check",
                 "/summary", "/my-data", "/settings", "/api/v1/docs", "/offline"]


def test_every_patient_and_therapist_page_runs_within_the_policy(page: Page, base: str) -> None:
    therapist = make_therapist(email="pt@example.com")
    patient = make_onboarded_patient(email="robin@example.com", name="Robin")
    accounts.link(therapist, patient)

    log_in(page, base, "robin@example.com")
    for path in PATIENT_PAGES:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert csp_violations(page) == [], path
    # A boosted htmx navigation and a form post still work under the policy (htmx runs without eval).
    page.goto(base + "/today")
    page.get_by_role("link", name="History").first.click()
    expect(page).to_have_url(base + "/history")
    assert csp_violations(page) == []
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()

    log_in(page, base, "pt@example.com")
    for path in ["/therapist/patients", f"/therapist/patients/{patient.id}", f"/therapist/patients/{patient.id}/plan",
                 "/therapist/invites", "/therapist/alerts/open", f"/therapist/patients/{patient.id}/summary"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert csp_violations(page) == [], path


def test_injected_markup_cannot_run_script(page: Page, base: str) -> None:
    """Were some text ever to slip through unescaped, an inline handler or script would still not run."""
    page.goto(base + "/login")
    page.evaluate("""() => {
        document.body.insertAdjacentHTML("beforeend", '<img src="/static/none.png" onerror="window.__ran = 1">');
        const script = document.createElement("script");
        script.textContent = "window.__ran = 2";
        document.body.append(script);
    }""")
    wait_until(page, "window.__cspViolations.length >= 2")
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in csp_violations(page))


def test_no_other_site_can_frame_a_page(page: Page, base: str) -> None:
    """Clickjacking: a page from elsewhere puts the login page in a frame; the browser refuses to show it."""
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
    page.set_content(f'<iframe title="framed" src="{base}/login"></iframe>')
    page.wait_for_timeout(500)
    assert "Log in" not in page.frames[1].content()
    assert any("frame-ancestors 'none'" in text for text in refusals), refusals
