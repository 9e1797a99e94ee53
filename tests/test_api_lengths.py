"""Nothing in a request is unbounded: every string the API takes (path, query, body) has a maxLength in openapi.json
that the app keeps to, and an address longer than the app takes is a documented 400 problem document on every
operation, well before the server in front would refuse it with its own (also documented) 414."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from selfcare.url_rules import URI_MAX
from tests.api_helpers import call, checkin_body, minutes_ago, token_for
from tests.factories import make_onboarded_patient

UNKNOWN_ID = "7ed7488d-e0cc-47e2-a2ce-8b53bb916212"  # fixed, so parallel workers collect the same test ids


def strings_without_a_limit(schema: Any, schemas: dict[str, Any], where: str, seen: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every place in `schema` (following $refs) where a string, or an object's key, has no maxLength."""
    if isinstance(schema, list):
        for item in schema:
            yield from strings_without_a_limit(item, schemas, where, seen)
        return
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from strings_without_a_limit(schemas[name], schemas, f"{where}->{name}", seen | {name})
        return
    if schema.get("type") == "string" and "maxLength" not in schema and "enum" not in schema and "const" not in schema:
        yield where
    if schema.get("type") == "object" and schema.get("additionalProperties", False) is not False \
            and "maxLength" not in schema.get("propertyNames", {}):
        yield where + " (its keys)"
    for key, value in schema.items():
        if key == "properties":
            for name, part in value.items():
                yield from strings_without_a_limit(part, schemas, f"{where}.{name}", seen)
        elif isinstance(value, (dict, list)):
            yield from strings_without_a_limit(value, schemas, f"{where}/{key}", seen)


@pytest.fixture
def document(app) -> dict[str, Any]:
    """The app's own OpenAPI document."""
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every operation."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_every_string_the_api_takes_has_a_max_length(document):
    schemas = document["components"]["schemas"]
    unbounded = []
    for method, path, operation in operations(document):
        for parameter in operation["parameters"]:
            unbounded += strings_without_a_limit(parameter["schema"], schemas, f"{method} {path} {parameter['name']}")
        if "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            unbounded += strings_without_a_limit(body, schemas, f"{method} {path} body")
    assert not unbounded, "\n".join(unbounded)


def test_every_operation_documents_both_refusals_of_a_long_address(document):
    for method, path, operation in operations(document):
        assert str(URI_MAX) in operation["responses"]["400"]["description"], (method, path)
        assert "application/problem+json" in operation["responses"]["400"]["content"]
        answer = operation["responses"].get("414")  # the server in front (gunicorn.conf.py)
        assert answer and "gunicorn" in answer["description"], (method, path)
        assert set(answer["content"]) == {"application/problem+json", "text/html"}


@pytest.mark.parametrize("path", ["/me", "/openapi.json", "/patients/{id}/walks", "/patients/{id}/checkins/" + UNKNOWN_ID])
def test_an_address_over_the_limit_is_a_400_problem_document(app, path):
    patient = make_onboarded_patient()
    token = token_for(patient)
    path = path.format(id=patient.id)
    prefix = f"/api/v1{path}?cursor="
    fits = call(app.test_client(), "GET", f"{path}?cursor=" + "x" * (URI_MAX - len(prefix)), token)
    assert fits.status_code not in (400, 414)
    response = call(app.test_client(), "GET", f"{path}?cursor=" + "x" * (URI_MAX - len(prefix) + 1), token)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["type"].endswith("#problem-uri-too-long")
    assert str(URI_MAX) in problem["detail"]


def test_an_address_counts_as_sent_percent_encoded(app):
    """A character that takes nine when encoded counts nine: what a proxy measures, not what Python decodes."""
    patient = make_onboarded_patient()
    response = call(app.test_client(), "GET", "/me?x=" + "é" * (URI_MAX // 6 + 1), token_for(patient))
    assert response.status_code == 400


def test_pages_are_not_the_apis_business(client):
    """Pages read the parameters they know and ignore the rest (tests/test_caseload.py): no 400 for a long one."""
    assert client.get("/login?next=" + "x" * URI_MAX).status_code == 200


def test_a_write_with_an_over_long_address_stores_nothing(app):
    patient = make_onboarded_patient()
    body = {"id": str(uuid.uuid4()), "recorded_at": minutes_ago(5), "minutes": 20}
    response = call(app.test_client(), "POST", f"/patients/{patient.id}/walks?x=" + "y" * URI_MAX, token_for(patient), body)
    assert response.status_code == 400
    assert call(app.test_client(), "GET", f"/patients/{patient.id}/walks", token_for(patient)).get_json()["items"] == []


@pytest.mark.parametrize(("field", "value"), [
    ("id", "urn:uuid:" + UNKNOWN_ID + "0"), ("recorded_at", "2026-11-22T08:30:00." + "1" * 30 + "+01:00"),
])
def test_body_strings_over_their_max_length_are_refused_beside_the_field(app, field, value):
    patient = make_onboarded_patient()
    response = call(app.test_client(), "POST", f"/patients/{patient.id}/checkins", token_for(patient),
                    {**checkin_body(), field: value})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_a_plan_setting_name_over_its_max_length_is_refused(app):
    from selfcare import accounts
    from tests.factories import make_therapist

    therapist, patient = make_therapist(), make_onboarded_patient()
    accounts.link(therapist, patient)
    response = call(app.test_client(), "PUT", f"/patients/{patient.id}/plan", token_for(therapist),
                    {"settings": {"s" * 61: 1}, "paused": False, "pause_message": None})
    assert response.status_code == 422


def test_a_cursor_is_base64url_as_the_api_gives_it(app):
    patient = make_onboarded_patient()
    response = call(app.test_client(), "GET", f"/patients/{patient.id}/walks?cursor=%C3%A9", token_for(patient))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "cursor"
