"""One account cannot starve the others: writes (every POST, PUT and DELETE of a signed-in user, page or API) and
exports are limited per account, by user id, with the calm 429 and Retry-After; nothing of a refused write is
stored; other accounts, reads and logging out go on as before."""

from __future__ import annotations

import uuid

from limits import parse, parse_many

from selfcare import accounts
from selfcare.limits import EXPORTS, EXPORTS_PER_ACCOUNT, WRITES_PER_ACCOUNT
from selfcare.models import CheckIn, TherapistNote, Walk
from tests.api_helpers import call, checkin_body, minutes_ago, token_for
from tests.conftest import Auth, csrf_from, make_test_app
from tests.factories import make_onboarded_patient, make_therapist
from tests.test_rate_limits import clock  # noqa: F401 (the limiter's clock, moved by the test)

SHORT, DAILY = parse_many(WRITES_PER_ACCOUNT)





def walk(client, patient, token: str | None = None, headers: dict[str, str] | None = None):
    """Log a walk through the API (with a token, or with the session and its CSRF header)."""
    body = {"id": str(uuid.uuid4()), "recorded_at": minutes_ago(5), "minutes": 20, "onset_minutes": None}
    return call(client, "POST", f"/patients/{patient.id}/walks", token, body, headers=dict(headers or {}))


def signed_in(app, user):
    """A browser logged in as `user`, and the CSRF token of its pages."""
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 303
    return client, csrf_from(client.get("/settings").get_data(as_text=True))


def assert_calm_429(response, api: bool) -> None:
    """The app's calm 429: "Too many tries", Retry-After within the window; a problem document under /api/."""
    assert response.status_code == 429, response.status_code
    retry = int(response.headers["Retry-After"])
    assert 0 < retry <= 24 * 3600
    if api:
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["status"] == 429 and problem["type"].endswith("#problem-too-many-requests")
        assert "Too many tries. Please try again in" in problem["detail"]
    else:
        assert "Too many tries. Please try again in" in response.get_data(as_text=True)


def test_the_numbers_are_generous_for_real_use_and_far_below_a_loop():
    assert (SHORT.amount, SHORT.get_expiry()) == (120, 600)
    assert (DAILY.amount, DAILY.get_expiry()) == (600, 24 * 3600)
    assert (parse(EXPORTS_PER_ACCOUNT).amount, parse(EXPORTS_PER_ACCOUNT).get_expiry()) == (10, 3600)


def test_the_write_after_the_limit_is_refused_and_stores_nothing_for_that_account_only(app):
    patient, other = make_onboarded_patient(), make_onboarded_patient()
    token, client = token_for(patient), app.test_client()
    for _ in range(SHORT.amount):
        assert walk(client, patient, token).status_code == 201
    refused = walk(client, patient, token)
    assert_calm_429(refused, api=True)
    assert Walk.select().where(Walk.patient == patient.id).count() == SHORT.amount  # nothing stored
    # The same account in the browser: the same count (by user id, not by token or cookie).
    browser, csrf = signed_in(app, patient)
    assert_calm_429(walk(browser, patient, headers={"X-CSRFToken": csrf}), api=True)
    page = browser.post("/checkin", data={"csrf_token": csrf})
    assert_calm_429(page, api=False)
    assert CheckIn.select().count() == 0
    # Reads, and logging out, still work; another account writes as before.
    assert call(client, "GET", f"/patients/{patient.id}/walks", token).status_code == 200
    assert walk(app.test_client(), other, token_for(other)).status_code == 201
    assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 303


def test_page_writes_count_per_account_and_not_per_address(app):
    therapist, patient = make_therapist(), make_onboarded_patient()
    accounts.link(therapist, patient)
    colleague = make_therapist()
    accounts.link(colleague, patient)
    browser, csrf = signed_in(app, therapist)
    note = f"/therapist/patients/{patient.id}/notes"
    for n in range(SHORT.amount):
        assert browser.post(note, data={"csrf_token": csrf, "text": f"Note {n}"}).status_code in (200, 303)
    assert_calm_429(browser.post(note, data={"csrf_token": csrf, "text": "One too many"}), api=False)
    assert TherapistNote.select().count() == SHORT.amount
    # The colleague in the same clinic (the same address) is not held back.
    same_address, their_csrf = signed_in(app, colleague)
    assert same_address.post(note, data={"csrf_token": their_csrf, "text": "From the colleague"}).status_code in (200, 303)
    assert TherapistNote.select().count() == SHORT.amount + 1


def test_both_windows_and_their_reset(app, database_url, tmp_path, clock):
    """The documented override (RATELIMIT_WRITES) with small numbers: the short window, then the day."""
    small = make_test_app(database_url, tmp_path / "small", RATELIMIT_WRITES="3 per 10 minutes;5 per day")
    patient = make_onboarded_patient()
    token, client = token_for(patient), small.test_client()
    assert [walk(client, patient, token).status_code for _ in range(4)] == [201, 201, 201, 429]
    refused = walk(client, patient, token)
    assert 540 < int(refused.headers["Retry-After"]) <= 600
    clock.advance(601)
    day = [walk(client, patient, token) for _ in range(3)]
    assert [r.status_code for r in day] == [201, 201, 429]  # the day's 5 are used
    assert int(day[-1].headers["Retry-After"]) > 600  # until the day's window ends
    clock.advance(24 * 3600)
    assert walk(client, patient, token).status_code == 201


def test_exports_are_limited_per_account(app, clock):
    patient, other = make_onboarded_patient(), make_onboarded_patient()
    browser, _ = signed_in(app, patient)
    allowed = parse(EXPORTS_PER_ACCOUNT).amount
    urls = ["/my-data.json", "/my-data.csv", "/summary.pdf"]
    for n in range(allowed):
        assert browser.get(urls[n % len(urls)]).status_code == 200
    for url in urls:  # one count for every kind of export
        assert_calm_429(browser.get(url), api=False)
    assert browser.get("/today").status_code == 200  # other pages are not exports
    elsewhere, _ = signed_in(app, other)
    assert elsewhere.get("/my-data.json").status_code == 200
    clock.advance(parse(EXPORTS_PER_ACCOUNT).get_expiry() + 1)
    assert browser.get("/my-data.json").status_code == 200


def test_a_therapists_exports_count_across_patients(app):
    therapist = make_therapist()
    patients = [make_onboarded_patient() for _ in range(3)]
    for patient in patients:
        accounts.link(therapist, patient)
    browser, _ = signed_in(app, therapist)
    kinds = ["record.fhir.json", "entries.zip", "summary.pdf"]
    allowed = parse(EXPORTS_PER_ACCOUNT).amount
    for n in range(allowed):
        url = f"/therapist/patients/{patients[n % 3].id}/{kinds[n % 3]}"
        assert browser.get(url).status_code == 200, url
    assert_calm_429(browser.get(f"/therapist/patients/{patients[0].id}/record.fhir.json"), api=False)
    assert browser.get(f"/therapist/patients/{patients[0].id}").status_code == 200


def test_every_export_is_named_and_exists(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert EXPORTS <= endpoints
    assert {e for e in endpoints if "export" in e and not e.endswith("export_summary")} <= EXPORTS


def test_the_api_documents_the_429_of_writes(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "put", "delete") and operation.get("x-selfcare-access"):
                answer = operation["responses"]["429"]
                assert "per account" in answer["description"] and "Retry-After" in answer["headers"], (method, path)


def test_a_check_in_through_the_api_is_refused_whole(app):
    """The 429 comes before the view: not the check-in, nor its walk, nor its alert."""
    patient = make_onboarded_patient()
    token, client = token_for(patient), app.test_client()
    for _ in range(SHORT.amount):
        assert walk(client, patient, token).status_code == 201
    walks = Walk.select().count()
    response = call(client, "POST", f"/patients/{patient.id}/checkins", token, checkin_body(red_flags={"fever": True}))
    assert_calm_429(response, api=True)
    assert CheckIn.select().count() == 0 and Walk.select().count() == walks
