"""Every route decides who may see it; roles are enforced."""

from __future__ import annotations

import pytest

from selfcare import accounts
from tests.factories import make_onboarded_patient, make_patient, make_therapist

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

OPEN_TO_ALL = {"static"}  # Flask's own static files


def test_every_route_declares_who_may_see_it(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_TO_ALL:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "access", None) in {"public", "signed_in", "patient", "therapist"}, rule.endpoint


@pytest.mark.parametrize(
    ("path", "anonymous", "patient", "therapist"),
    [
        ("/", 200, 302, 302),
        ("/healthz", 200, 200, 200),
        ("/login", 200, 302, 302),
        ("/signup", 200, 302, 302),
        ("/today", 302, 200, 403),
        ("/checkin", 302, 200, 403),
        ("/exercises", 302, 200, 403),
        ("/onboarding", 302, 200, 403),
        ("/therapist/patients", 302, 403, 200),
    ],
)
def test_who_gets_what(app, auth, path, anonymous, patient, therapist):
    make_onboarded_patient(email="pat@example.com")
    make_therapist(email="pt@example.com")
    for who, expected in (("anonymous", anonymous), ("pat@example.com", patient), ("pt@example.com", therapist)):
        client = app.test_client()
        if who != "anonymous":
            assert type(auth)(client).login(who).status_code == 303
        assert client.get(path).status_code == expected, (who, path)


def test_start_page_sends_each_role_home(app, auth):
    make_patient(email="pat@example.com")
    make_therapist(email="pt@example.com")
    patient, therapist = app.test_client(), app.test_client()
    type(auth)(patient).login("pat@example.com")
    type(auth)(therapist).login("pt@example.com")
    assert patient.get("/").headers["Location"] == "/today"
    assert therapist.get("/").headers["Location"] == "/therapist/patients"


def test_a_therapist_sees_only_linked_patients(client, auth):
    therapist = make_therapist(email="pt@example.com")
    mine = make_patient(name="Mine Person", email="mine@example.com")
    make_patient(name="Stranger Person", email="stranger@example.com")
    accounts.link(therapist, mine)
    auth.login("pt@example.com")
    page = client.get("/therapist/patients").get_data(as_text=True)
    assert "Mine Person" in page
    assert "Stranger" not in page and "stranger@example.com" not in page


def test_patient_sees_their_therapist(client, auth):
    therapist = make_therapist(name="Dana")
    patient = make_onboarded_patient(email="pat@example.com", region="US")
    accounts.link(therapist, patient)
    auth.login("pat@example.com")
    page = client.get("/today").get_data(as_text=True)
    assert "Dana, physical therapist" in page
    assert 'href="tel:911"' in page


def test_logout_needs_a_post_with_a_token(client, auth):
    make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/today").status_code == 200


@pytest.mark.parametrize(("path", "status", "text"), [("/no-such-page", 404, "We could not find that page")])
def test_error_pages_are_friendly(client, path, status, text):
    response = client.get(path)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_oversized_bodies_are_refused(client):
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_htmx_comes_from_the_pinned_package_with_a_long_cache(client):
    page = client.get("/").get_data(as_text=True)
    assert '/assets/htmx-2.0.3.1.min.js' in page
    response = client.get("/assets/htmx-2.0.3.1.min.js")
    assert response.status_code == 200
    assert b"htmx" in response.data[:2000]
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_own_static_files_have_versioned_urls(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/css/app.css?v=" in page and "/static/js/app.js?v=" in page
    css_url = page[page.index("/static/css/app.css?v="):].split('"', 1)[0]
    response = client.get(css_url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
