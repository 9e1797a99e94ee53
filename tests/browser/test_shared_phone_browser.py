"""A phone shared by two patients: one real Chromium profile (persistent, like a phone's browser), patient A, then
patient B. However A's session ends (cookies cleared, "log out everywhere" from another device, gone idle, a logout
with no signal, a proper logout), the phone offline afterwards shows none of A's pages or alert, and once B logs in
nothing of A is left in its localStorage, IndexedDB or Cache Storage."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from selfcare.models import LoginSession, User, utcnow
from selfcare.services import login_sessions
from tests.browser.conftest import WATCH_CSP, csp_violations, log_in, wait_until
from tests.browser.test_offline_browser import keep_pages, wait_for_worker
from tests.conftest import Auth, csrf_from
from tests.factories import make_onboarded_patient

ALICE, BOB = "Alice Sharedphone", "Bob Sharedphone"

# Everything this origin keeps on the phone, as text: localStorage, sessionStorage, every cache's entries (the
# kept pages' bodies and their account header) and every IndexedDB store's keys and values.
DUMP = """async () => {
  const out = {local: {...localStorage}, session: {...sessionStorage}, caches: {}, idb: {}};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    out.caches[name] = [];
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      out.caches[name].push({url: request.url, account: response.headers.get('Selfcare-Account'),
                             body: name.startsWith('shell-') ? '' : await response.text()});
    }
  }
  for (const {name} of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = no; });
    out.idb[name] = {};
    for (const store of db.objectStoreNames) {
      out.idb[name][store] = await new Promise(ok => {
        const tx = db.transaction(store), s = tx.objectStore(store), keys = s.getAllKeys(), values = s.getAll();
        tx.oncomplete = () => ok({keys: keys.result, values: values.result});
      });
    }
    db.close();
  }
  return JSON.stringify(out);
}"""


@pytest.fixture
def watch_csp() -> None:
    """This module's phone is its own persistent profile (below), which records CSP violations itself."""


@pytest.fixture
def phone(browser_type: Any, browser_type_launch_args: dict[str, Any], playwright: Any,
          tmp_path: Path) -> Iterator[BrowserContext]:
    """One persistent browser profile on a phone-sized screen, as a shared phone keeps it between people."""
    device = {k: v for k, v in playwright.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args, **{**device, "viewport": {"width": 360, "height": 780}})
    context.add_init_script(WATCH_CSP)
    yield context
    context.close()


@pytest.fixture
def people(live_app: Flask) -> tuple[User, User]:
    """Two patients in the UK."""
    return (make_onboarded_patient(email="alice@example.com", name=ALICE, region="UK"),
            make_onboarded_patient(email="bob@example.com", name=BOB, region="UK"))


def dump(page: Page) -> str:
    return str(page.evaluate(DUMP))


def offline(page: Page, live_app: Flask) -> None:
    """No signal at all: the phone is offline and the server is down."""
    page.context.set_offline(True)
    live_app.config["LIVE_SERVER"].stop()


def online(page: Page, live_app: Flask) -> None:
    live_app.config["LIVE_SERVER"].start()
    page.context.set_offline(False)


def a_uses_the_phone(page: Page, base: str) -> str:
    """A logs in, opens the player and Today, answers an emergency on the check-in page (its screen is saved on the
    phone until read) and lets the app keep its pages for no signal. Returns A's account value (the header)."""
    log_in(page, base, "alice@example.com")
    wait_for_worker(page)
    page.goto(base + "/exercises")  # the online player: its state is kept for the offline one
    expect(page.get_by_role("button", name="Start the set")).to_be_visible()
    page.goto(base + "/checkin")
    page.evaluate("SelfcareOffline.showAlert({level: 'emergency', reasons: ['bladder_change']}, null)")
    expect(page.get_by_role("heading", name="Get emergency help now")).to_be_visible()
    keep_pages(page)
    kept = json.loads(dump(page))
    # A's pages, the player's state and the unread alert are on the phone now.
    assert ALICE in json.dumps(kept["caches"])
    saved = json.dumps([kept["local"], kept["session"], kept["idb"]])
    assert "bladder_change" in saved and "phase" in saved
    account = page.evaluate("fetch('/today').then(r => r.headers.get('Selfcare-Account'))")
    assert account and str(account) not in ("1", "2")  # an opaque value, not the id
    return str(account)


def shows_nothing_of_a(page: Page, base: str) -> None:
    """With no signal, Today, the check-in and the player open the generic offline page: no name, no alert."""
    for path in ("/today", "/checkin", "/exercises"):
        page.goto(base + path)
        expect(page.get_by_role("heading", name="No signal right now")).to_be_visible()
        assert ALICE not in page.content(), path
        expect(page.get_by_role("heading", name="Get emergency help now")).to_have_count(0)
        expect(page.get_by_role("button", name="Start the set")).to_have_count(0)


def nothing_of_a_is_kept(page: Page, a: User, account: str) -> None:
    """Nothing of A in the phone's storage: no page of A's (name or account), no saved alert, player state or entry."""
    kept = json.loads(dump(page))
    assert ALICE not in json.dumps(kept) and account not in json.dumps(kept)
    saved = json.dumps([kept["local"], kept["session"], kept["idb"]])
    assert "bladder_change" not in saved and "phase" not in saved and "leg_pain" not in saved
    assert not [key for key in kept["local"] if key.endswith(f".{a.id}")]
    for stores in kept["idb"].values():
        for store in stores.values():
            assert not [key for key in store["keys"] if str(key).startswith(f"{a.id}:")]
            assert not [row for row in store["values"] if isinstance(row, dict) and row.get("user") == a.id]


def end_session(way: str, page: Page, base: str, live_app: Flask, a: User) -> None:
    """A's session ends `way`; afterwards the phone has no signal, for the next person who picks it up."""
    if way == "cookies cleared":
        page.context.clear_cookies()  # straight to no signal: the phone never hears from the server
    elif way == "log out everywhere":
        other_device = live_app.test_client()
        assert Auth(other_device).login("alice@example.com").status_code == 303
        token = csrf_from(other_device.get("/settings").get_data(as_text=True))
        assert other_device.post("/settings/sessions/end-others", data={"csrf_token": token}).status_code == 303
    elif way == "gone idle":
        LoginSession.update(last_seen_at=utcnow() - login_sessions.IDLE_LIMIT - timedelta(hours=1)).where(
            LoginSession.user == a.id).execute()
    elif way == "logged out":
        page.get_by_role("button", name="Log out").click()
        expect(page.locator(".who")).to_have_count(0)
        page.goto(base + "/")  # the worker went with everything else (Clear-Site-Data); the next visit brings it back
        wait_for_worker(page)
    if way in ("log out everywhere", "gone idle"):
        # The phone cannot know until it hears from the server: the next person opens the app once with a signal.
        page.goto(base + "/")
        expect(page.locator(".who")).to_have_count(0)
    if way == "logged out with no signal":
        offline(page, live_app)
        # Something is still waiting to be sent: the patient is asked first, as ever.
        page.evaluate("""SelfcareOffline.save('/checkins', {id: SelfcareOffline.newId(), recorded_at: new Date().toISOString(),
            red_flags: {}, reading: {zone: 'calf', side: 'left', leg_pain: 4, back_pain: 2}}, 'Your check-in')""")
        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("heading", name="You are logged out on this phone")).to_be_visible()
        assert asked and "have not been sent yet" in asked[0]
        assert ALICE not in page.content()
        wait_until(page, "caches.keys().then(names => !names.includes('pages'))")
    else:
        offline(page, live_app)


@pytest.mark.parametrize("way", ["cookies cleared", "log out everywhere", "gone idle", "logged out with no signal",
                                 "logged out"])
def test_the_next_person_on_a_shared_phone_sees_nothing_of_the_first(
        phone: BrowserContext, base: str, live_app: Flask, people: tuple[User, User], way: str) -> None:
    a, b = people
    page = phone.pages[0] if phone.pages else phone.new_page()
    account = a_uses_the_phone(page, base)

    end_session(way, page, base, live_app, a)
    shows_nothing_of_a(page, base)
    if way == "logged out with no signal":
        nothing_of_a_is_kept(page, a, account)
        assert LoginSession.get(LoginSession.user == a.id).ended_at is None  # nothing reached the server yet

    # Back online: a logout made with no signal reaches the server by itself, before anything else is asked.
    online(page, live_app)
    if way == "logged out with no signal":
        for _ in range(300):  # up to 30 s: on a loaded machine the worker's token fetch and POST take a while
            if LoginSession.get(LoginSession.user == a.id).ended_at is not None:
                break
            page.wait_for_timeout(100)
        assert LoginSession.get(LoginSession.user == a.id).ended_at is not None
        page.goto(base + "/today")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    # B logs in on the same phone: nothing of A is left anywhere, and B's own pages are kept for no signal.
    log_in(page, base, "bob@example.com")
    expect(page.locator(".who")).to_contain_text(BOB)
    wait_for_worker(page)
    keep_pages(page)
    nothing_of_a_is_kept(page, a, account)
    assert BOB in dump(page)
    offline(page, live_app)
    page.goto(base + "/checkin")
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    expect(page.locator(".who")).to_contain_text(BOB)
    expect(page.get_by_role("heading", name="Get emergency help now")).to_have_count(0)  # A's alert is not B's
    page.goto(base + "/today")
    expect(page.locator(".who")).to_contain_text(BOB)
    assert csp_violations(page) == []
