"""A held or paused plan in a real browser: the offline player shows the right screen and never "Start the set",
whether the state came from the server or was reached on the phone; the online screens pass axe too."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Flask
from playwright.sync_api import Page, expect

from selfcare.clinical import Event, EventKind, Level, Reading
from selfcare.models import CareLink, User
from selfcare.services import player
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_offline_browser import answer_red_flags, reading
from tests.factories import make_onboarded_patient, make_therapist


def patient_in(page: Page, base: str, linked: bool = True) -> User:
    """An onboarded UK patient (with a physiotherapist if `linked`), logged in."""
    user = make_onboarded_patient(email="held@example.com", region="UK")
    if linked:
        CareLink.create(therapist=make_therapist(name="Dana Physio"), patient=user)
    log_in(page, base, "held@example.com")
    return user


def test_the_offline_player_shows_a_held_plan_from_the_server_without_start(page: Page, base: str, live_app: Flask) -> None:
    """A plan held on the server: the offline player shows why and what to do, no Start, and passes axe."""
    user = patient_in(page, base)
    with live_app.app_context():
        player.apply(user, Event(EventKind.START, reading=Reading("calf", 6, 2)))
        player.apply(user, Event(EventKind.SYMPTOMS_PERIPHERALIZED))
    page.goto(base + "/exercises/offline")
    held = page.locator("[data-screen=plan_held]")
    expect(held.get_by_role("heading", name="Your exercises are on hold")).to_be_visible()
    expect(held.get_by_text("Your plan stays on hold until your physiotherapist has looked at it.")).to_be_visible()
    expect(held.get_by_text("moved further down your leg")).to_be_visible()
    expect(page.get_by_role("button", name="Start the set")).to_be_hidden()
    assert_accessible(page)
    page.goto(base + "/exercises")  # and the server's own page
    expect(page.get_by_role("heading", name="Your exercises are on hold")).to_be_visible()
    expect(page.get_by_role("button", name="Start the set")).to_have_count(0)
    assert_accessible(page)


def test_a_plan_held_on_the_phone_stays_held_and_starts_nothing(page: Page, base: str, live_app: Flask) -> None:
    """With no therapist: a set whose symptoms move down holds the plan on the phone, after a reload too; a start
    sent anyway starts nothing."""
    patient_in(page, base, linked=False)
    page.goto(base + "/exercises/offline")
    start = page.locator("[data-screen=start]")
    answer_red_flags(start)
    reading(start, "calf", "6")
    start.get_by_role("button", name="Start the set").click()
    page.locator("[data-screen=step]").get_by_role("button", name="My leg symptoms moved farther down").click()
    held = page.locator("[data-screen=plan_held]")
    expect(held.get_by_text("This plan may not suit you. Please see a physiotherapist or GP before you carry on.")).to_be_visible()
    expect(page.get_by_role("button", name="Start the set")).to_be_hidden()
    assert_accessible(page)
    page.reload()
    expect(held.get_by_role("heading", name="Your exercises are on hold")).to_be_visible()
    page.evaluate("document.querySelector(\"[data-offline-form='start']\").requestSubmit()")
    expect(held).to_be_visible()
    assert page.evaluate("SelfcareOffline.recall('player').then(saved => saved.state.phase)") == "held"


def test_a_hold_the_server_has_not_heard_of_yet_survives_a_reload(page: Page, base: str, live_app: Flask) -> None:
    """The start of the set reaches the server, the hold does not (the signal went, or the reload cut it off): after
    a reload the phone's own newer state wins over the page's older one, and the plan stays held."""
    user = patient_in(page, base, linked=False)
    page.route("**/player/events", lambda route: route.continue_() if '"kind":"start"' in (route.request.post_data or "")
               else route.abort())
    page.goto(base + "/exercises/offline")
    start = page.locator("[data-screen=start]")
    answer_red_flags(start)
    reading(start, "calf", "6")
    with page.expect_response("**/player/events"):
        start.get_by_role("button", name="Start the set").click()
    page.locator("[data-screen=step]").get_by_role("button", name="My leg symptoms moved farther down").click()
    held = page.locator("[data-screen=plan_held]")
    expect(held.get_by_role("heading", name="Your exercises are on hold")).to_be_visible()
    with live_app.app_context():
        assert player.load(user).state.phase.value == "step"  # the server still has the set under way
    page.reload()
    expect(held.get_by_role("heading", name="Your exercises are on hold")).to_be_visible()
    expect(page.get_by_role("button", name="Start the set")).to_be_hidden()


def test_a_fever_pause_from_the_server_waits_for_clearance_offline_and_online(page: Page, base: str, live_app: Flask) -> None:
    """Paused after fever two days ago: the offline player says what lifts it (no Start); the online player asks
    for the confirmation with a tick box, refuses it unticked, and passes axe. (Two days: an urgent answer stops the
    exercises until the next morning's first set, so one "yesterday" just after midnight still blocks them today.)"""
    user = patient_in(page, base)
    with live_app.app_context():
        player.apply(user, Event(EventKind.RED_FLAG, level=Level.URGENT, until_cleared=True),
                     datetime.now(timezone.utc) - timedelta(days=2))
    page.goto(base + "/exercises/offline")
    urgent = page.locator("[data-screen=urgent]")
    expect(urgent.get_by_role("heading", name="Your exercises are paused")).to_be_visible()
    expect(urgent.get_by_text("or until your physiotherapist turns them back on")).to_be_visible()
    expect(urgent.get_by_role("heading", name="No exercises today")).to_be_hidden()
    expect(page.get_by_role("button", name="Start the set")).to_be_hidden()
    assert_accessible(page)
    page.goto(base + "/exercises")
    page.get_by_role("button", name="A doctor has seen me and said I can exercise").click()
    expect(page.locator(".field .error")).to_contain_text("Tick this box only if a doctor has seen you")
    assert_accessible(page)
    page.get_by_label("A doctor has seen me since this alert and said exercise is fine").check()
    page.get_by_role("button", name="A doctor has seen me and said I can exercise").click()
    expect(page.get_by_role("button", name="Start the set")).to_be_visible()
