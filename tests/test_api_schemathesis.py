"""schemathesis against the app's own /api/v1/openapi.json, as a patient and as their therapist.

Every operation is called with data generated from the document (valid and invalid): no server errors,
every status, header, content type and body as the document says, invalid data refused, and no
operation that answers without credentials. The one built-in check left out is
`positive_data_acceptance`: some rules cannot be written in JSON Schema (a device time not in the
future, walking onset within the walk, plan settings the clinical core allows) and rightly answer 422.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from selfcare import accounts
from selfcare.api.spec import OPERATIONS
from selfcare.limits import limiter
from selfcare.models import Alert
from tests.api_helpers import call, checkin_body, token_for
from tests.factories import make_onboarded_patient, make_therapist

MAX_EXAMPLES = 25


@pytest.fixture
def people(app):
    """A patient with a check-in and an open alert, their therapist, and a token for each."""
    patient, therapist = make_onboarded_patient(), make_therapist()
    accounts.link(therapist, patient)
    patient_token = token_for(patient)
    client = app.test_client()
    body = checkin_body(red_flags={"fever": True})
    call(client, "POST", f"/patients/{patient.id}/checkins", patient_token, body)
    return {"patient": patient, "patient_token": patient_token, "therapist_token": token_for(therapist),
            "ids": {"patient_id": patient.id, "alert_id": Alert.get().id, "entry_id": body["id"]}}


def _operations(app, people, token):
    """Every operation of the app's own OpenAPI document, called with `token` as its bearer credentials."""
    config = SchemathesisConfig.from_dict({"auth": {"openapi": {"token": {"bearer": token}}}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    return operations


def _recent(case):
    """Give a generated entry a device time in the last day, so valid entries get stored (not refused as future)."""
    body = case.body
    if isinstance(body, dict):
        for key in ("recorded_at", "occurred_at"):
            if isinstance(body.get(key), str):
                body[key] = (datetime.now(UTC) - timedelta(minutes=len(str(body)) % 1440 + 1)).isoformat()
    return case


PLAIN = {"Accept-Encoding": "identity"}
CALLERS = {"public": {"patient", "therapist"}, "signed_in": {"patient", "therapist"}, "patient": {"patient"}, "therapist": {"therapist"}}


@pytest.mark.parametrize("who", ["patient", "therapist"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_to_its_description(app, people, who, mode):
    ids = people["ids"]
    access = {f"{op.method.upper()} {op.path}": op.access for op in OPERATIONS}
    for operation in _operations(app, people, people[f"{who}_token"]):
        path_parameters = {name: value for name, value in ids.items() if "{" + name + "}" in operation.path}
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
        statuses: list[int] = []

        @given(case=strategy.map(_recent) if mode == GenerationMode.POSITIVE else strategy)
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case):
            limiter.reset()  # schemathesis also tries each call without the token: those failures must not add up to a 429
            # The WSGI transport does not decode br or gzip: ask for plain bodies (compression has its own tests).
            response = case.call_and_validate(headers=PLAIN, excluded_checks=[positive_data_acceptance])
            statuses.append(response.status_code)

        run()
        allowed = who in CALLERS[access[f"{operation.method.upper()} {operation.path}"]]
        if mode == GenerationMode.POSITIVE and allowed:  # the data and the token did reach the operation
            assert any(200 <= status < 300 for status in statuses), (operation.label, sorted(set(statuses)))
        if not allowed:
            assert set(statuses) <= {400, 401, 403, 415, 422}, (operation.label, sorted(set(statuses)))
