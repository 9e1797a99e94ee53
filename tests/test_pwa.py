"""The installable app on the server side: manifest, service worker, the offline page and what the
phone keeps for a patient, and logging out clearing it all."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from selfcare.clinical import FLAG_LEVELS, Level
from tests.conftest import Auth, client_for, csrf_from
from tests.factories import make_onboarded_patient, make_therapist

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)


def worker_settings(client: FlaskClient) -> dict:
    body = client.get("/sw.js").get_data(as_text=True)
    match = re.match(r"const SETTINGS = (\{.*\});\n", body)
    assert match, body[:200]
    return json.loads(match.group(1))


def test_manifest_names_the_app_and_its_icons(client: FlaskClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["display"] == "standalone" and manifest["scope"] == "/" and manifest["start_url"] == "/"
    assert manifest["name"] == manifest["short_name"] == "selfcare" and manifest["theme_color"].startswith("#")
    sizes = {}
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            width, height = Image.open(io.BytesIO(image.data)).size
            assert f"{width}x{height}" == icon["sizes"]
            sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes["any"] >= {192, 512} and 512 in sizes["maskable"]


def test_every_page_links_the_manifest(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


@pytest.mark.parametrize(
    ("who", "signed_in", "patient", "therapist"),
    [(None, False, False, False), ("patient", True, True, False), ("therapist", True, False, True)],
)
def test_the_header_and_offline_scripts_follow_who_is_looking(app: Flask, who: str | None, signed_in: bool, patient: bool,
                                                              therapist: bool) -> None:
    """The page's header shows the visitor's role and the current page; the offline sync is on patients' pages only."""
    client = app.test_client()
    if who == "patient":
        make_onboarded_patient(email="p@example.com")
        client = client_for(app, "p@example.com")
    elif who == "therapist":
        make_therapist(email="t@example.com")
        client = client_for(app, "t@example.com")
    page = client.get("/settings" if who else "/login").get_data(as_text=True)
    assert ('data-sync-url="/offline/sync"' in page) is patient
    assert ("js/offline.js" in page) is patient
    assert ("Log out" in page) is signed_in
    assert (" · therapist</span>" in page) is therapist
    current = "/settings" if who else "/login"
    assert f'href="{current}" aria-current="page"' in page


def test_the_worker_is_served_from_the_root_and_never_cached(client: FlaskClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    settings = worker_settings(client)
    assert settings == worker_settings(client)  # the same release names itself the same way
    assert settings["offline"] == "/offline" and settings["fallbacks"] == {"/exercises": "/exercises/offline"}
    for url in settings["shell"]:  # everything it precaches exists, under a versioned URL
        assert client.get(url).status_code == 200, url
        assert "?v=" in url or "htmx-" in url or url in (settings["offline"], settings["logged_out"])


def test_a_changed_file_is_a_new_release(app: Flask, client: FlaskClient, monkeypatch) -> None:
    from selfcare import assets

    before = worker_settings(client)["version"]
    original = assets._fingerprint
    monkeypatch.setattr(assets, "_fingerprint", lambda folder, name: "changed" if name == "css/app.css" else original(folder, name))
    assert worker_settings(client)["version"] != before


def test_the_offline_page_is_for_everyone_and_personal_to_no_one(client: FlaskClient) -> None:
    response = client.get("/offline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No signal right now" in html and "Logged in as" not in html


def test_the_generic_pages_kept_on_every_phone_name_no_one_even_when_fetched_signed_in(app: Flask) -> None:
    make_onboarded_patient(email="p@example.com", name="Pat Kept")
    phone = client_for(app, "p@example.com")
    for path in ("/offline", "/offline/logged-out"):
        response = phone.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Pat Kept" not in html and "Logged in as" not in html, path
        assert "data-user-id" not in html and "Selfcare-Account" not in response.headers, path
    assert "You are logged out on this phone" in phone.get("/offline/logged-out").get_data(as_text=True)


def test_pages_name_their_account_opaquely_and_the_phones_cookie_follows_the_login(app: Flask) -> None:
    """The service worker shows a kept page only to the account that kept it (sw.js): every page for a signed-in
    user names the account with a value that is not its id, the same on every page, different for another
    account; a cookie scripts can read holds it while the login lasts and goes at logout."""
    alice = make_onboarded_patient(email="alice@example.com")
    make_onboarded_patient(email="bob@example.com")
    phone = app.test_client()
    assert "Selfcare-Account" not in phone.get("/login").headers
    assert Auth(phone).login("alice@example.com").status_code == 303
    today = phone.get("/today")
    account = today.headers["Selfcare-Account"]
    assert len(account) == 32 and str(alice.id) != account
    assert phone.get("/checkin").headers["Selfcare-Account"] == account
    assert phone.get_cookie("selfcare_account").value == account
    assert not phone.get_cookie("selfcare_account").http_only  # the worker reads it with no signal
    assert "Selfcare-Account" not in phone.get("/offline/sync").headers  # JSON: only pages name it
    assert client_for(app, "bob@example.com").get("/today").headers["Selfcare-Account"] != account
    assert Auth(phone).logout().status_code in (302, 303)
    assert phone.get("/login").headers.get("Selfcare-Account") is None
    assert phone.get_cookie("selfcare_account") is None


def test_sync_info_is_for_the_signed_in_patient_only(app: Flask, client: FlaskClient) -> None:
    assert client.get("/offline/sync").status_code in (302, 401)
    make_therapist(email="t@example.com")
    assert client_for(app, "t@example.com").get("/offline/sync").status_code == 403
    patient = make_onboarded_patient(email="p@example.com")
    phone = client_for(app, "p@example.com")
    response = phone.get("/offline/sync")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    info = response.get_json()
    assert info["user_id"] == patient.id and info["api"] == "/api/v1" and info["patient"] == f"/patients/{patient.id}"
    assert {"/today", "/checkin", "/exercises/offline", "/learn"} <= set(info["pages"])
    for page in info["pages"]:  # every page the phone keeps opens for this patient
        assert phone.get(page).status_code == 200, page
    # The token it hands out lets the phone write through the API with this session.
    me = phone.get("/api/v1/me").get_json()
    assert me["id"] == patient.id and info["csrf_token"]


def test_the_offline_player_carries_the_plan_and_the_red_flag_table(app: Flask) -> None:
    make_onboarded_patient(email="p@example.com", region="UK")
    html = client_for(app, "p@example.com").get("/exercises/offline").get_data(as_text=True)
    table = json.loads(re.search(r'<script type="application/json" id="red-flag-table">(.*?)</script>', html, re.S).group(1))
    assert {k: v for k, v in table["levels"].items() if k in FLAG_LEVELS} == {k: v.value for k, v in FLAG_LEVELS.items()}
    assert table["history"] == {"cancer_history": False, "immune_risk": False}
    plan = json.loads(re.search(r'<script type="application/json" id="offline-plan">(.*?)</script>', html, re.S).group(1))
    assert plan["steps"][0]["title"] == "Lie on your front" and plan["zone_names"]["calf"]
    # Each alert level's screen is in the page, with the region's number for an emergency.
    for level in (Level.EMERGENCY, Level.URGENT, Level.CONTACT_PT):
        assert f'data-level="{level.value}"' in html
    assert 'href="tel:999"' in html


def test_the_check_in_works_offline_too(app: Flask) -> None:
    make_onboarded_patient(email="p@example.com", region="UK")
    html = client_for(app, "p@example.com").get("/checkin").get_data(as_text=True)
    assert 'data-offline-form="checkin"' in html and 'id="offline-alert"' in html and 'data-missing="Answer yes or no."' in html


def test_therapists_cannot_open_the_offline_player(app: Flask) -> None:
    make_therapist(email="t@example.com")
    assert client_for(app, "t@example.com").get("/exercises/offline").status_code == 403


def test_logging_out_clears_the_phone(app: Flask) -> None:
    make_onboarded_patient(email="p@example.com")
    phone = client_for(app, "p@example.com")
    token = csrf_from(phone.get("/today").get_data(as_text=True))
    response = phone.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
