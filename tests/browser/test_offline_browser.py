"""The installable, offline app on a phone: Chromium's own installability check, and a patient with no
signal (server stopped) who checks in, does a whole set and answers an emergency red flag; then the
entries reach the server exactly once, with the times they were made on the phone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask, jsonify
from playwright.sync_api import Page, expect

from selfcare.models import Alert, CareLink, CheckIn, ExerciseSet, SessionEvent, User
from tests.browser.conftest import assert_accessible, log_in, wait_until
from tests.factories import make_onboarded_patient, make_therapist

ABROAD = "If you are somewhere else, call the local emergency number."
CES = "I am worried about cauda equina syndrome."


def installability_errors(page: Page) -> tuple[list[Any], list[str]]:
    """Ask Chromium itself: manifest parse errors, and why the page could not be installed."""
    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # A normal Playwright context is incognito; that is the one reason allowed (TOOLING.md).
    return manifest["errors"], [e["errorId"] for e in errors if e["errorId"] != "in-incognito"]


def wait_for_worker(page: Page) -> None:
    """The service worker controls the page (it claims clients as soon as it is active)."""
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def test_chromium_finds_the_app_installable(page: Page, base: str) -> None:
    page.goto(base + "/login")
    wait_for_worker(page)
    page.reload()  # the worker now controls the page, as on a second visit
    manifest_errors, errors = installability_errors(page)
    assert manifest_errors == []
    assert errors == []
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])


def test_a_broken_manifest_is_caught(page: Page, base: str, live_app: Flask) -> None:
    # The same check on a manifest without icons or a display mode must report it.
    live_app.view_functions["pwa.manifest"] = lambda: jsonify(name="selfcare", start_url="/")
    page.goto(base + "/login")
    wait_for_worker(page)
    page.reload()
    _, errors = installability_errors(page)
    assert errors, "Chromium should refuse a manifest with no icons"


# ---- no signal -----------------------------------------------------------------------------------

@pytest.fixture
def patient(page: Page, base: str) -> User:
    """An onboarded patient in the UK, logged in on the phone; the app's pages kept for offline use."""
    user = make_onboarded_patient(email="offline@example.com", region="UK")
    log_in(page, base, "offline@example.com")
    wait_for_worker(page)
    return user


def keep_pages(page: Page) -> None:
    """Let the app keep its offline pages now (it does so after an online visit) and wait until done."""
    done = page.evaluate("""() => new Promise(resolve => {
        navigator.serviceWorker.addEventListener('message', e => { if (e.data.type === 'keep-done') resolve(true); });
        setTimeout(() => resolve(false), 15000);  // a test that fails, not one that waits for ever
        fetch(document.body.dataset.syncUrl).then(r => r.json()).then(info =>
            navigator.serviceWorker.controller.postMessage({type: 'keep', pages: info.pages}));
    })""")
    assert done, "the service worker did not say it kept the pages within 15 s"


def answer_red_flags(scope: Any, yes: str | None = None) -> None:
    for group in scope.locator("section.red-flags fieldset").all():
        choice = "Yes" if yes and group.get_attribute("id") == f"rf_{yes}" else "No"
        group.get_by_text(choice, exact=True).click()


def reading(scope: Any, zone: str, leg: str, back: str = "2") -> None:
    scope.locator(f'.body-outline [data-zone="{zone}"]').first.click()
    scope.locator("fieldset[id$=side]").get_by_text("Left leg").click()
    scope.locator("fieldset[id$=leg_pain]").get_by_label(leg, exact=True).check()
    scope.locator("fieldset[id$=back_pain]").get_by_label(back, exact=True).check()


def test_no_signal_check_in_whole_set_and_emergency(page: Page, base: str, live_app: Flask, patient: User) -> None:
    # The phone's clock starts an hour ago, so the set's timers can be run through quickly.
    started = datetime.now(timezone.utc) - timedelta(hours=1)
    page.clock.install(time=started)
    page.goto(base + "/today")
    wait_for_worker(page)
    keep_pages(page)
    live = live_app.config["LIVE_SERVER"]
    page.context.set_offline(True)
    live.stop()

    # A check-in with no signal.
    page.goto(base + "/checkin")
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.locator(".error-summary")).to_contain_text("Answer yes or no.")  # checked on the phone
    answer_red_flags(page)
    reading(page, "calf", "6")
    page.get_by_label("How many minutes could you walk in one go?").fill("12")
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_role("heading", name="Check-in saved on this phone")).to_be_visible()
    expect(page.locator("#outbox")).to_contain_text("1 entry is saved on this phone")
    assert_accessible(page)

    # A whole set with no signal: the offline player, timers by deadline.
    page.goto(base + "/exercises")
    start = page.locator("[data-screen=start]")
    expect(start.get_by_role("button", name="Start the set")).to_be_visible()
    answer_red_flags(start)
    reading(start, "calf", "6")
    start.get_by_role("button", name="Start the set").click()
    step = page.locator("[data-screen=step]")
    expect(step.get_by_role("heading", name="Lie on your front")).to_be_visible()
    assert_accessible(page)
    recheck_heading = page.locator("[data-screen=recheck]").get_by_role("heading", name="How do you feel now?")
    seen = []
    for _ in range(30):  # every step of the plan, as the patient meets it
        if recheck_heading.is_visible():
            break
        seen.append(step.locator("h1").inner_text())
        where = step.locator("[data-progress]").inner_text()  # "Step 2 of 7 · set 1 of 2"
        done = step.get_by_role("button", name=re.compile("I have done 10 press-ups"))
        if done.is_visible():
            done.click()
        else:
            page.clock.run_for("05:00")  # the timer reaches its deadline and moves on by itself
        expect(recheck_heading.or_(step.locator("[data-progress]").filter(has_not_text=where))).to_be_visible()
    assert seen[0] == "Lie on your front" and "Press-ups" in seen and seen[-1] == "Stand up and walk"
    recheck = page.locator("[data-screen=recheck]")
    expect(recheck.get_by_role("heading", name="How do you feel now?")).to_be_visible()
    reading(recheck, "thigh", "4")
    recheck.get_by_role("button", name="See my result").click()
    expect(page.get_by_text("moved up from calf or shin to thigh")).to_be_visible()
    assert_accessible(page)

    # An emergency answer: its screen at once, with no network.
    page.goto(base + "/checkin")
    answer_red_flags(page, yes="bladder_change")
    reading(page, "calf", "6")
    page.get_by_role("button", name="Save my check-in").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("heading", name="Get emergency help now")).to_be_visible()
    expect(alert.get_by_role("link", name="Call 999 now")).to_be_visible()
    # What to tell them, as the online screen says it: short statements, the cauda equina worry, travel, abroad.
    expect(alert.locator("ul.tell li:visible")).to_have_text(["I have new problems with peeing.", CES])
    expect(alert.get_by_text("If you cannot get there safely, call 999.")).to_be_visible()
    expect(alert.get_by_text(ABROAD)).to_be_visible()
    expect(alert.get_by_text("Tell them you have had cancer.")).to_be_hidden()
    expect(alert).not_to_contain_text("you have sciatica")
    expect(alert.get_by_text("so the app has not told anyone")).to_be_visible()  # no physiotherapist linked
    assert_accessible(page)
    page.reload()  # it cannot be skipped: still there until read
    expect(page.get_by_role("heading", name="Get emergency help now")).to_be_visible()
    page.get_by_role("button", name="I have read this").click()

    assert CheckIn.select().count() == 0 and SessionEvent.select().count() == 0  # nothing could reach the server

    # Back online: everything arrives once, with the phone's times. The first try is cut off: the server
    # stores the first check-in, but its answer never reaches the phone, which must send it again.
    dropped: list[str] = []

    def drop_answer(route: Any) -> None:
        route.fetch()
        dropped.append(route.request.url)
        route.abort("connectionreset")

    page.route("**/checkins", drop_answer, times=1)
    live.start()
    page.context.set_offline(False)  # the app syncs by itself when the signal returns
    page.clock.run_for("00:05")
    page.evaluate("SelfcareOffline.sync()")
    page.evaluate("SelfcareOffline.sync()")
    expect(page.locator("#outbox")).to_be_hidden()
    assert len(dropped) == 1
    checkins = list(CheckIn.select().order_by(CheckIn.recorded_at))
    assert len(checkins) == 2
    assert all(started - timedelta(minutes=1) < c.recorded_at.replace(tzinfo=timezone.utc) < started + timedelta(minutes=40) for c in checkins)
    emergency = Alert.get(Alert.level == "emergency")
    assert emergency.confirmed_at is not None  # read on the phone, confirmed when sent
    sets = list(ExerciseSet.select())
    assert [(s.before_zone, s.after_zone, s.response) for s in sets] == [("calf", "thigh", "centralized")]
    assert sets[0].started_at.replace(tzinfo=timezone.utc) < started + timedelta(minutes=40)
    events = SessionEvent.select().count()

    # A second sync, and two tabs syncing at once, change nothing.
    page.evaluate("SelfcareOffline.sync()")
    other = page.context.new_page()
    other.goto(base + "/today")
    page.evaluate("Promise.all([SelfcareOffline.sync(), SelfcareOffline.sync()])")
    other.evaluate("SelfcareOffline.sync()")
    assert (CheckIn.select().count(), SessionEvent.select().count(), ExerciseSet.select().count()) == (2, events, 1)


def _alert_words(page: Page) -> dict[str, Any]:
    """What the visible alert screen says that depends on the answers."""
    alert = page.get_by_role("alert")
    return {
        "tell": alert.locator("ul.tell li:visible").all_inner_texts(),
        "cancer": alert.locator(".tell-cancer:visible").all_inner_texts(),
        "told": alert.locator(".told:visible").all_inner_texts(),
        "call": alert.locator("a[href^='tel:']:visible").all_inner_texts(),
    }


@pytest.mark.parametrize(("level", "reasons"), [
    ("emergency", ["cancer_history", "weakness_new"]),
    ("emergency", ["saddle_numbness", "both_legs"]),
    ("urgent", ["fever"]),
])
def test_the_offline_alert_screen_says_what_the_online_one_says(page: Page, base: str, live_app: Flask, level: str,
                                                               reasons: list[str]) -> None:
    """The alert screen the phone shows with no signal (offline.js showAlert) has the same statements, lines and
    therapist wording as the server's, for the same reasons; both pass axe."""
    user = make_onboarded_patient(email="same@example.com", region="UK")
    CareLink.create(therapist=make_therapist(name="Dana Physio"), patient=user)
    log_in(page, base, "same@example.com")
    page.goto(base + "/checkin")
    page.evaluate("r => SelfcareOffline.showAlert(r, null)", {"level": level, "reasons": reasons})
    expect(page.get_by_role("alert").locator("h1")).to_be_visible()
    offline = _alert_words(page)
    shown = page.get_by_role("alert").inner_text()
    assert_accessible(page)
    page.evaluate("SelfcareOffline.remember('alert', null)")  # read: the online screen next
    alert = Alert.create(patient=user, level=level, reasons=reasons, source="checkin")
    page.goto(f"{base}/alerts/{alert.id}")
    online = _alert_words(page)
    assert_accessible(page)
    assert offline["tell"] == online["tell"] and offline["cancer"] == online["cancer"] and offline["call"] == online["call"]
    assert online["told"] == ["Your physiotherapist, Dana Physio, can see this in selfcare."]
    assert offline["told"] == ["You have no signal right now. Your answers are saved on this phone. Your physiotherapist, "
                               "Dana Physio, can see them in selfcare when the phone sends them."]
    if reasons[0] == "cancer_history":
        assert online["cancer"] == ["Tell them you have had cancer."] and "I have had cancer in the past." in online["tell"]
    if reasons[0] == "saddle_numbness":
        assert online["tell"][-1] == CES and online["cancer"] == []
    if level == "urgent":
        assert online["call"] == ["111"] and "until a doctor has seen you" in shown  # NHS 111 in the sentence, no 999
    assert "you have sciatica" not in shown.lower()


def test_an_entry_the_server_refuses_is_shown_not_dropped(page: Page, base: str, patient: User) -> None:
    page.goto(base + "/today")
    # A check-in kept on the phone that the server cannot accept (its pain score is off the scale).
    page.evaluate("""SelfcareOffline.save('/checkins', {id: SelfcareOffline.newId(), recorded_at: new Date().toISOString(),
        red_flags: {}, reading: {zone: 'calf', side: 'left', leg_pain: 14, back_pain: 2}}, 'Your check-in from 09:00')""")
    page.evaluate("SelfcareOffline.sync()")
    refused = page.locator("#outbox .outbox-rejected")
    expect(refused).to_contain_text("Your check-in from 09:00 could not be sent")
    expect(refused).to_contain_text("reading.leg_pain")
    assert CheckIn.select().count() == 0
    page.reload()  # still there on the next visit
    expect(refused).to_be_visible()
    assert_accessible(page)
    refused.get_by_role("button", name="Remove it from this phone").click()
    expect(page.locator("#outbox")).to_be_hidden()


def test_a_page_view_asks_nothing_when_nothing_waits_and_the_kept_pages_are_fresh(page: Page, base: str, patient: User) -> None:
    page.goto(base + "/today")
    wait_for_worker(page)
    # The first controlled visit keeps the offline pages, which starts the ten-minute timer.
    wait_until(page, "SelfcareOffline.recall('kept').then(at => at !== undefined)")
    asked: list[str] = []
    # The page's own requests (the worker passes each GET on to the server: the context would see it twice).
    page.on("request", lambda request: asked.append(request.url) if "/offline/sync" in request.url else None)
    page.reload()
    expect(page.locator(".who")).to_contain_text("Logged in as")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Check in").click()  # a boosted visit
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    page.wait_for_timeout(500)
    assert asked == []
    # Once the timer has run out, the next page view asks again.
    page.evaluate("SelfcareOffline.remember('kept', 0)")
    page.reload()
    wait_until(page, "SelfcareOffline.recall('kept').then(at => at > 0)")
    assert len(asked) == 1
