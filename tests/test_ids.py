"""Ids that cannot exist: every route with an id, page or API, answers 404 for 0, -1, 2^31, 2^63 or 2^64, whoever
asks and with whatever method (never a 405 from a GET-only twin, never a 500 from a number the database cannot
hold); the API's 404 is a problem document."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from selfcare import accounts
from selfcare.url_rules import ID_MAX, IdConverter, digits_up_to
from tests.conftest import Auth
from tests.factories import make_onboarded_patient, make_therapist

IMPOSSIBLE = ["0", "-1", str(2**31), str(2**63), str(2**64), "00042"]
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def id_arguments(rule: str) -> list[str]:
    """The names of a rule's integer arguments (`<id:...>`, or werkzeug's own `<int:...>`)."""
    return [name for converter, name in ARGUMENT.findall(rule) if converter in ("id", "int")]


def url_with(rule: str, name: str, value: str) -> str:
    """The rule's path with `value` as argument `name`, 1 for any other id and a new UUID for a UUID."""

    def fill(match: re.Match[str]) -> str:
        converter, argument = match.group(1), match.group(2)
        if argument == name:
            return value
        return str(uuid.uuid4()) if converter == "uuid" else "1"

    return ARGUMENT.sub(fill, rule)



@pytest.mark.parametrize("role", ["patient", "therapist"])
def test_an_id_that_cannot_exist_is_not_found_on_every_route(app: Flask, role: str) -> None:
    patient, therapist = make_onboarded_patient(), make_therapist()
    accounts.link(therapist, patient)
    client = app.test_client()
    assert Auth(client).login(patient.email if role == "patient" else therapist.email).status_code == 303
    rules = [rule for rule in app.url_map.iter_rules() if id_arguments(rule.rule)]
    assert len(rules) >= 30, "every route with an id should be here"
    problems = []
    for rule in rules:
        for name in id_arguments(rule.rule):
            for value in IMPOSSIBLE:
                url = url_with(rule.rule, name, value)
                for method in sorted(rule.methods):
                    response = client.open(url, method=method, json={} if url.startswith("/api/") else None)
                    if response.status_code != 404:
                        problems.append(f"{method} {url}: {response.status_code}")
                    elif url.startswith("/api/") and method != "HEAD":
                        body = response.get_json(force=True)
                        if response.mimetype != "application/problem+json" or body.get("status") != 404 \
                                or not body.get("type", "").endswith("#problem-not-found"):
                            problems.append(f"{method} {url}: not a not-found problem document: {body}")
    assert not problems, "\n".join(problems)


def test_the_write_that_answered_405_is_a_not_found_problem(app: Flask) -> None:
    """POST /api/v1/patients/0/checkins (and walks, self-checks, the plan's PUT) matched a GET-only twin: 405."""
    patient = make_onboarded_patient()
    client = app.test_client()
    assert Auth(client).login(patient.email).status_code == 303
    for method, path in [("POST", "/patients/0/checkins"), ("POST", "/patients/0/walks"), ("POST", "/patients/0/self-checks"),
                         ("PUT", "/patients/0/plan"), ("POST", f"/patients/{2**31}/player/events")]:
        response = client.open(f"/api/v1{path}", method=method, json={})
        assert response.status_code == 404, (method, path)
        assert "Allow" not in response.headers
        assert response.get_json()["type"].endswith("#problem-not-found")


def test_every_route_with_a_number_uses_the_id_converter(app: Flask) -> None:
    """werkzeug's own <int:...> lets 0 and 2^63 reach a view: a route names its ids as <id:...>."""
    plain = [rule.rule for rule in app.url_map.iter_rules() if re.search(r"<int[:(]", rule.rule)]
    assert not plain, f"use <id:...> for these: {plain}"
    assert app.url_map.converters["id"] is IdConverter


@pytest.mark.parametrize("number", [1, 9, 10, 99, 100, 999_999_999, 1_000_000_000, 1_999_999_999, 2_000_000_000,
                                    2_139_999_999, 2_147_483_599, 2_147_483_639, 2_147_483_640, ID_MAX])
def test_the_id_pattern_takes_every_id(number: int) -> None:
    assert re.fullmatch(digits_up_to(ID_MAX), str(number))


@pytest.mark.parametrize("text", ["0", "00", "01", "-1", "+1", "1.0", "", str(ID_MAX + 1), "2147483650", "2147483700",
                                  "2147490000", "2148000000", "2150000000", "2200000000", "3000000000", "9999999999",
                                  "10000000000", str(2**63), str(2**64)])
def test_the_id_pattern_refuses_what_cannot_be_an_id(text: str) -> None:
    assert not re.fullmatch(digits_up_to(ID_MAX), text)


@pytest.mark.parametrize("limit", [1, 7, 10, 19, 100, 321, 1000, 2024])
def test_the_pattern_matches_exactly_one_to_the_limit(limit: int) -> None:
    pattern = re.compile(digits_up_to(limit))
    assert [n for n in range(limit * 10 + 20) if pattern.fullmatch(str(n))] == list(range(1, limit + 1))
