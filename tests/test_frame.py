"""The frame of every page (selfcare/frame.py): the same links as url_for and static_url write, under each
script root, kept per root; who is looking and which page this is, as the request says."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request, url_for

from selfcare.assets import htmx_version, static_url
from selfcare.frame import KEY, frame
from tests.conftest import Auth
from tests.factories import make_onboarded_patient, make_therapist

ENDPOINTS = ["pwa.manifest", "pwa.service_worker", "pwa.sync_info", "patient.today", "patient.player_page", "home.index",
             "settings.index", "auth.logout", "auth.login", "auth.signup", "therapist.caseload"]
STATIC = ["icons/icon.svg", "icons/apple-touch-icon.png", "css/app.css", "js/app.js", "js/offline.js"]


@pytest.mark.parametrize("script_root", ["", "/clinic"])
def test_links_are_what_url_for_writes(app: Flask, script_root: str) -> None:
    """Each link, the first time and when kept, under no script root and under one."""
    for _ in range(2):
        with app.test_request_context("/today", base_url=f"http://localhost{script_root}/"):
            shown = frame()["frame"]
            for endpoint in ENDPOINTS:
                assert shown.url(endpoint) == url_for(endpoint)
            for name in STATIC:
                assert shown.static(name) == static_url(name)
            assert shown.htmx == url_for("assets.htmx", version=htmx_version())
            assert shown.here == request.endpoint == "patient.today"
    assert set(app.extensions[KEY]) == {script_root}  # kept for this root only


def test_another_script_root_never_gets_the_first_ones_links(app: Flask) -> None:
    with app.test_request_context("/", base_url="http://localhost/"):
        assert frame()["frame"].url("patient.today") == "/today"
    with app.test_request_context("/", base_url="http://localhost/clinic/"):
        assert frame()["frame"].url("patient.today") == "/clinic/today"


def test_nothing_is_kept_when_the_app_has_url_defaults(app: Flask) -> None:
    """A URL default can make the same endpoint's link differ between requests: then each page builds its own."""
    calls: list[str] = []

    def note(endpoint: str, values: dict[str, Any]) -> None:
        calls.append(endpoint)

    app.url_default_functions.setdefault(None, []).append(note)
    with app.test_request_context("/"):
        shown = frame()["frame"]
        shown.url("patient.today")
    assert calls == ["patient.today"] and app.extensions[KEY] == {}


@pytest.mark.parametrize(
    ("who", "signed_in", "patient", "therapist"),
    [(None, False, False, False), ("patient", True, True, False), ("therapist", True, False, True)],
)
def test_who_is_looking(app: Flask, who: str | None, signed_in: bool, patient: bool, therapist: bool) -> None:
    """The page's frame knows the visitor's role, and shows the matching header."""
    client = app.test_client()
    if who == "patient":
        make_onboarded_patient(email="p@example.com")
        Auth(client).login("p@example.com")
    elif who == "therapist":
        make_therapist(email="t@example.com")
        Auth(client).login("t@example.com")
    seen: dict[str, Any] = {}
    page = client.get("/settings" if who else "/login").get_data(as_text=True)
    with client:
        client.get("/settings" if who else "/login")
        shown = frame()["frame"]
        seen.update(signed_in=shown.signed_in, patient=shown.patient, therapist=shown.therapist)
    assert seen == {"signed_in": signed_in, "patient": patient, "therapist": therapist}
    assert ('data-sync-url="/offline/sync"' in page) is patient  # the offline sync only for patients
    assert ("Log out" in page) is signed_in
    assert (' · therapist</span>' in page) is therapist
