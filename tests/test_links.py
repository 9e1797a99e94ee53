"""Links that leave the page (the reset email, the calendar link and feed, invites, the API's server) come from
SELFCARE_BASE_URL, never from the request's Host or X-Forwarded-Host; a request for another host gets 400."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
from flask import Flask
from icalendar import Calendar

from selfcare import mail
from selfcare.db import close_database
from tests.conftest import csrf_from, make_test_app
from tests.factories import PASSWORD, make_onboarded_patient, make_therapist

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

BASE = "https://selfcare.example.org"
SITE = "http://selfcare.example.org"  # what the test client sends: the configured host (TLS ends at the proxy)
EVIL = "evil.example"
ABSOLUTE = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(params=[0, 1], ids=["direct", "behind-proxy"])
def app(request: pytest.FixtureRequest, database_url: str, tmp_path: Any) -> Iterator[Flask]:
    """The app with a configured base URL, served directly and behind one trusted proxy."""
    yield make_test_app(database_url, tmp_path / "instance", BASE_URL=BASE, TRUSTED_PROXIES=request.param)
    close_database()


def forgot(client: Any, email: str, **kwargs: Any) -> Any:
    """Fill in and send the forgot-password form, both requests with the same `kwargs`."""
    token = csrf_from(client.get("/password/forgot", **kwargs).get_data(as_text=True))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token}, **kwargs)


def signed_in(app: Flask, email: str) -> Any:
    """A client logged in as `email` on the configured host."""
    client = app.test_client()
    token = csrf_from(client.get("/login", base_url=SITE).get_data(as_text=True))
    response = client.post("/login", base_url=SITE, data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def test_a_forged_host_gets_400_and_no_mail_is_sent(app):
    make_onboarded_patient(email="pat@example.com")
    client = app.test_client()
    assert client.get("/password/forgot", base_url=f"http://{EVIL}").status_code == 400
    response = client.post("/password/forgot", base_url=f"http://{EVIL}", data={"email": "pat@example.com"})
    assert response.status_code == 400
    assert EVIL not in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the security headers are still sent
    assert client.get("/api/v1/me", base_url=f"http://{EVIL}").status_code == 400
    assert mail.outbox(app) == []


def test_a_forged_host_on_the_attackers_own_session_sends_nothing(app):
    """The whole attack on one host: the form's page, its cookie and token, and the post all on the forged host."""
    make_onboarded_patient(email="pat@example.com")
    client = app.test_client()
    page = client.get("/password/forgot", headers={"Host": EVIL})
    assert page.status_code == 400 and "csrf_token" not in page.get_data(as_text=True)
    assert client.post("/password/forgot", headers={"Host": EVIL}, data={"email": "pat@example.com"}).status_code == 400
    assert mail.outbox(app) == []


@pytest.mark.parametrize("headers", [
    {"X-Forwarded-Host": EVIL},
    {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "http", "X-Forwarded-Port": "8443", "X-Forwarded-Prefix": "/x"},
])
def test_the_reset_link_is_built_on_the_base_url_whatever_the_request_says(app, headers):
    make_onboarded_patient(email="pat@example.com")
    response = forgot(app.test_client(), "pat@example.com", base_url=SITE, headers=headers)
    assert response.status_code == 200
    [message] = mail.outbox(app)
    links = ABSOLUTE.findall(message.body)
    assert links and all(link.startswith(f"{BASE}/password/reset/") for link in links), message.body
    assert EVIL not in message.body and ":8443" not in message.body and "/x/" not in message.body


def test_the_reset_link_keeps_the_base_urls_path_once(database_url, tmp_path):
    """A base URL with a path, and the app mounted there (SCRIPT_NAME): the path appears once in the link."""
    app = make_test_app(database_url, tmp_path / "instance", BASE_URL=f"{BASE}/clinic/")
    make_onboarded_patient(email="pat@example.com")
    forgot(app.test_client(), "pat@example.com", base_url=f"{SITE}/clinic/")
    forgot(app.test_client(), "pat@example.com", base_url=f"{SITE}/")
    bodies = [message.body for message in mail.outbox(app)]
    assert len(bodies) == 2
    for body in bodies:
        assert ABSOLUTE.search(body).group(0).startswith(f"{BASE}/clinic/password/reset/"), body
    close_database()


def test_the_calendar_link_and_the_feed_use_the_base_url(app):
    make_onboarded_patient(email="pat@example.com")
    client = signed_in(app, "pat@example.com")
    forged = {"X-Forwarded-Host": EVIL}
    token = csrf_from(client.get("/settings", base_url=SITE).get_data(as_text=True))
    page = client.post("/settings/calendar", base_url=SITE, headers=forged, data={"csrf_token": token})
    assert page.status_code == 201
    [link] = [url for url in ABSOLUTE.findall(page.get_data(as_text=True)) if "/calendar/" in url][:1]
    assert link.startswith(f"{BASE}/calendar/") and link.endswith(".ics")
    feed = app.test_client().get(link.removeprefix(BASE), base_url=SITE, headers=forged)
    download = client.get("/settings/calendar.ics", base_url=SITE, headers=forged)
    for response in (feed, download):
        assert response.status_code == 200
        urls = {str(event["URL"]) for event in Calendar.from_ical(response.data).walk("VEVENT") if "URL" in event}
        assert urls == {f"{BASE}/exercises"}
        assert EVIL.encode() not in response.data


def test_invite_links_use_the_base_url(app):
    make_therapist(email="pt@example.com")
    client = signed_in(app, "pt@example.com")
    forged = {"X-Forwarded-Host": EVIL}
    token = csrf_from(client.get("/therapist/invites", base_url=SITE).get_data(as_text=True))
    made = client.post("/therapist/invites", base_url=SITE, headers=forged, data={"csrf_token": token},
                       follow_redirects=True)
    listed = client.get("/therapist/invites", base_url=SITE, headers=forged)
    pages = made.get_data(as_text=True) + listed.get_data(as_text=True)
    links = ABSOLUTE.findall(pages)
    assert links, "no invite link shown"
    assert all(link.startswith(f"{BASE}/") for link in links), links
    assert EVIL not in pages


def test_the_api_document_names_the_base_url_as_its_server(app):
    document = app.test_client().get("/api/v1/openapi.json", base_url=SITE, headers={"X-Forwarded-Host": EVIL}).json
    assert [server["url"] for server in document["servers"]] == [f"{BASE}/api/v1"]


def test_the_loopback_names_are_one_local_server(database_url, tmp_path):
    """A local base URL (make run's) also answers on the other loopback name; no other host."""
    local = make_test_app(database_url, tmp_path / "instance", BASE_URL="http://127.0.0.1:5000")
    client = local.test_client()
    assert client.get("/login", base_url="http://localhost:5000").status_code == 200
    assert client.get("/login", base_url="http://127.0.0.1:5000").status_code == 200
    assert client.get("/login", base_url=f"http://{EVIL}:5000").status_code == 400
    close_database()


def test_a_real_host_does_not_answer_on_loopback_names(app):
    assert app.test_client().get("/login", base_url="http://localhost").status_code == 400
    assert app.test_client().get("/login", base_url=SITE).status_code == 200
    assert app.test_client().get("/login", base_url=BASE).status_code == 200
