"""The FHIR R4 export of one patient's record, validated with the fhir.resources models (R4B)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from flask import Flask
from pydantic import BaseModel, ValidationError

from selfcare.db import db
from selfcare.models import Alert, CheckIn, ExerciseSet, PlanSetting, User, Walk
from selfcare.services.fhir import patient_bundle
from tests.factories import make_onboarded_patient, make_therapist

NOW = datetime(2026, 11, 3, 12, 0)
LOINC_PAIN = ("http://loinc.org", "72514-3")
SNOMED = "http://snomed.info/sct"
SITES = {"back": "37822005", "buttock": "46862004", "thigh": "68367000", "calf": "53840002", "foot": "56459004"}
SIDES = {"left": "7771000", "right": "24028007", "both": "51440002"}
LOWER_LIMB = "61685007"
LATERALITY = "https://selfcare.example/fhir/StructureDefinition/laterality"
# (hours before NOW, zone, side, leg pain, back pain)
CHECKINS = [(96, "foot", "left", 7, 3), (72, "calf", "right", 6, 2), (48, "thigh", "both", 4, 4), (24, "back", "right", 1, 5),
            (2, "none", None, 0, 1)]
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def add_checkin(patient: User, at: datetime, zone: str, side: str | None, leg: int, back: int) -> CheckIn:
    """A check-in with no red flags."""
    return CheckIn.create(
        patient=patient, recorded_at=at, red_flags={}, level="none", reasons=[], zone=zone, side=side,
        leg_pain=leg, back_pain=back, sensations=["pain"], worse_with=["sitting"],
    )


def fill(patient: User, therapist: User) -> None:
    """Check-ins in every kind of zone and side, walks with and without onset, a set, two alerts, a paused plan."""
    for hours, zone, side, leg, back in CHECKINS:
        add_checkin(patient, NOW - timedelta(hours=hours), zone, side, leg, back)
    Walk.create(patient=patient, recorded_at=NOW - timedelta(hours=30), minutes=12, onset_minutes=7)
    Walk.create(patient=patient, recorded_at=NOW - timedelta(hours=3), minutes=20, onset_minutes=None)
    ExerciseSet.create(
        patient=patient, started_at=NOW - timedelta(hours=5), finished_at=NOW - timedelta(hours=5) + timedelta(minutes=8),
        before_zone="calf", before_leg_pain=6, before_back_pain=2, after_zone="thigh", after_leg_pain=3, after_back_pain=3,
        response="centralized", outcome="repeat_later",
    )
    Alert.create(patient=patient, level="emergency", reasons=["saddle_numbness", "both_legs"], source="checkin",
                 created_at=NOW - timedelta(hours=48))
    Alert.create(patient=patient, level="urgent", reasons=["fever"], source="checkin", created_at=NOW - timedelta(hours=72),
                 acknowledged_at=NOW - timedelta(hours=70), acknowledged_by=therapist, acknowledgement="Called, GP today")
    PlanSetting.create(patient=patient, changes={"press_ups.reps": 8, "repeat_every_minutes": 120}, paused=True,
                       pause_message="Please stop the exercises and call me.", updated_by=therapist)


def fill_other(other: User) -> None:
    """Another patient's rows, which must never leak into the first patient's export."""
    add_checkin(other, NOW - timedelta(hours=1), "calf", "left", 9, 9)
    Walk.create(patient=other, recorded_at=NOW, minutes=3, onset_minutes=1)
    ExerciseSet.create(patient=other, started_at=NOW, before_zone="foot", before_leg_pain=9, before_back_pain=9)
    Alert.create(patient=other, level="urgent", reasons=["weight_loss"], source="checkin", created_at=NOW)
    PlanSetting.create(patient=other, changes={}, paused=False)


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Record every SQL statement sent to the bound database (the object behind the peewee proxy)."""
    database = db.obj
    original = database.execute_sql
    seen: list[str] = []

    def counting(sql: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return original(sql, *args, **kwargs)

    database.execute_sql = counting
    try:
        yield seen
    finally:
        del database.execute_sql  # the instance attribute goes; the class method shows through again


def bound_code_errors(model: BaseModel, path: str = "") -> list[str]:
    """Codes outside their required value set, from the value lists fhir.resources keeps on each field.

    The library checks types, cardinality and patterns but not required bindings (Flag.status "bogus"
    passes `model_validate`); lists that end in "+" are incomplete and are skipped.
    """
    errors = []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        allowed = extra.get("enum_values")
        if isinstance(allowed, list) and "+" not in allowed and value is not None and value not in allowed:
            errors.append(f"{path}{name}={value!r} not in {allowed}")
        for index, child in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(child, BaseModel):
                errors += bound_code_errors(child, f"{path}{name}[{index}].")
    return errors


def validate(data: dict[str, Any]) -> Bundle:
    """Validate a Bundle as FHIR (R4B models, the closest to R4 in fhir.resources) and its required codes."""
    bundle = Bundle.model_validate(data)
    errors = bound_code_errors(bundle)
    if errors:
        raise ValueError("; ".join(errors))
    return bundle


def resources(data: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The resources of one type in the Bundle, in order."""
    return [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == kind]


def codes(concept: dict[str, Any]) -> set[tuple[str, str]]:
    """(system, code) pairs of a CodeableConcept."""
    return {(c["system"], c["code"]) for c in concept.get("coding", [])}


def references(node: Any) -> Iterator[str]:
    """Every Reference.reference anywhere in a resource tree."""
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            yield node["reference"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def laterality(site: dict[str, Any]) -> str | None:
    """The SNOMED CT side code on a bodySite, if any."""
    found = [e["valueCodeableConcept"]["coding"][0]["code"] for e in site.get("extension", []) if e["url"] == LATERALITY]
    return found[0] if found else None


@pytest.fixture
def exported(app: Flask) -> Iterator[tuple[dict[str, Any], User, User]]:
    """The export of a filled-in patient (with a second patient in the database), and both patients."""
    with app.app_context():
        therapist = make_therapist()
        patient, other = make_onboarded_patient(), make_onboarded_patient()
        fill(patient, therapist)
        fill_other(other)
        yield patient_bundle(patient, now=NOW), patient, other


def test_bundle_is_valid_fhir(exported: tuple[dict[str, Any], User, User]) -> None:
    data, patient, _ = exported
    assert json.loads(json.dumps(data)) == data  # plain JSON, no datetimes or UUID objects
    bundle = validate(data)
    assert bundle.type == "collection" and data["timestamp"] == "2026-11-03T12:00:00Z"
    assert data["identifier"]["value"].startswith("urn:uuid:") and FHIR_ID.match(data["id"])
    counts = {kind: len(resources(data, kind)) for kind in ("Patient", "Observation", "Flag", "CarePlan")}
    # 5 check-ins x 3 (leg, back, extent) + 1 set x 2 readings x 3 + 2 walks
    assert counts == {"Patient": 1, "Observation": 15 + 6 + 2, "Flag": 2, "CarePlan": 1}
    assert len(data["entry"]) == sum(counts.values())
    ids = [e["resource"]["id"] for e in data["entry"]]
    assert len(set(ids)) == len(ids) and all(FHIR_ID.match(i) for i in ids)
    (person,) = resources(data, "Patient")
    assert person["id"] == f"patient-{patient.id}"
    assert person["name"] == [{"text": patient.name}] and person["telecom"] == [{"system": "email", "value": patient.email}]


def test_references_resolve_and_full_urls_are_stable(app: Flask, exported: tuple[dict[str, Any], User, User]) -> None:
    data, patient, _ = exported
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(set(urls)) == len(urls) and all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", u) for u in urls)
    refs = {ref for e in data["entry"] for ref in references(e["resource"])}
    assert refs == {data["entry"][0]["fullUrl"]}  # everything points at the Patient entry, which is in the Bundle
    with app.app_context():
        again = patient_bundle(User.get_by_id(patient.id), now=NOW + timedelta(days=1))
    assert [e["fullUrl"] for e in again["entry"]] == urls  # same rows, same fullUrls, on any later export
    assert again["id"] != data["id"]


def test_pain_scores(exported: tuple[dict[str, Any], User, User]) -> None:
    data, _, _ = exported
    pain = [o for o in resources(data, "Observation") if LOINC_PAIN in codes(o["code"])]
    from_checkins = [o for o in pain if o["id"].startswith("checkin-")]
    assert len(from_checkins) == len(CHECKINS) * 2
    assert len(pain) == len(CHECKINS) * 2 + 4  # the set's before and after readings, leg and back
    for obs in pain:
        assert obs["status"] == "final" and isinstance(obs["valueInteger"], int)
        assert obs["category"][0]["coding"][0]["code"] == "survey"
        assert obs["code"]["coding"][0]["display"] == "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", obs["effectiveDateTime"])
    legs = [o for o in from_checkins if o["id"].endswith("-leg-pain")]
    backs = [o for o in from_checkins if o["id"].endswith("-back-pain")]
    assert [o["valueInteger"] for o in legs] == [c[3] for c in CHECKINS]
    assert [o["valueInteger"] for o in backs] == [c[4] for c in CHECKINS]
    assert all(codes(o["bodySite"]) == {(SNOMED, LOWER_LIMB)} for o in legs)
    assert all(codes(o["bodySite"]) == {(SNOMED, "37822005")} for o in backs)
    assert [laterality(o["bodySite"]) for o in legs] == [SIDES.get(c[2] or "") for c in CHECKINS]
    assert legs[0]["effectiveDateTime"] == "2026-10-30T12:00:00Z"


def test_symptom_extent(exported: tuple[dict[str, Any], User, User]) -> None:
    data, _, _ = exported
    extents = [o for o in resources(data, "Observation") if o["code"]["text"].startswith("Most distal extent")]
    from_checkins = [o for o in extents if o["id"].startswith("checkin-")]
    assert len(from_checkins) == len(CHECKINS) and len(extents) == len(CHECKINS) + 2
    for obs, (_, zone, side, _, _) in zip(from_checkins, CHECKINS):
        assert obs["valueCodeableConcept"]["coding"][0]["code"] == zone
        if side is None:
            assert zone == "none" and "bodySite" not in obs and obs["note"]
        else:
            assert codes(obs["bodySite"]) == {(SNOMED, SITES[zone])}
            assert laterality(obs["bodySite"]) == SIDES[side]
    after = next(o for o in extents if o["id"].endswith("-after-extent"))
    assert codes(after["bodySite"]) == {(SNOMED, SITES["thigh"])} and "centralized" in after["note"][0]["text"]


def test_walks(exported: tuple[dict[str, Any], User, User]) -> None:
    data, _, _ = exported
    walks = [o for o in resources(data, "Observation") if o["code"]["text"] == "Walking time before stopping"]
    assert len(walks) == 2
    for obs in walks:
        assert obs["valueQuantity"]["system"] == "http://unitsofmeasure.org" and obs["valueQuantity"]["code"] == "min"
    with_onset, without = walks
    assert with_onset["valueQuantity"]["value"] == 12
    (component,) = with_onset["component"]
    assert component["valueQuantity"] == {"value": 7, "unit": "min", "system": "http://unitsofmeasure.org", "code": "min"}
    assert without["valueQuantity"]["value"] == 20 and "component" not in without and without["note"]


def test_flags(exported: tuple[dict[str, Any], User, User]) -> None:
    data, _, _ = exported
    flags = resources(data, "Flag")
    urgent, emergency = flags  # oldest first
    assert urgent["status"] == "inactive" and urgent["period"] == {"start": "2026-10-31T12:00:00Z", "end": "2026-10-31T14:00:00Z"}
    assert emergency["status"] == "active" and emergency["period"] == {"start": "2026-11-01T12:00:00Z"}
    assert all(f["category"][0]["coding"][0]["code"] == "clinical" for f in flags)
    assert emergency["code"]["text"].startswith("Emergency") and "wipe" in emergency["code"]["text"]  # saddle numbness
    assert "both legs" in emergency["code"]["text"] and "fever" in urgent["code"]["text"].lower()


def test_care_plan(exported: tuple[dict[str, Any], User, User]) -> None:
    data, _, _ = exported
    (plan,) = resources(data, "CarePlan")
    assert plan["status"] == "on-hold" and plan["intent"] == "plan"
    assert "every 120 minutes within waking hours" in plan["description"]  # the therapist's change
    assert "call me" in plan["note"][0]["text"]
    steps = {a["detail"]["code"]["text"]: a["detail"] for a in plan["activity"]}
    assert len(steps) == 4 and all(d["status"] == "on-hold" for d in steps.values())
    assert steps["Press-ups"]["quantity"]["value"] == 8 and "8 repetitions" in steps["Press-ups"]["description"]
    assert steps["Lie on your front"]["quantity"] == {"value": 120, "unit": "s", "system": "http://unitsofmeasure.org", "code": "s"}


def test_active_plan_without_setting(app: Flask) -> None:
    with app.app_context():
        patient = make_onboarded_patient()
        db.connect(reuse_if_open=True)
        with count_queries() as queries:
            data = patient_bundle(patient, now=NOW)
    validate(data)
    assert len(queries) == 5  # no plan setting: still one look-up for it
    assert [e["resource"]["resourceType"] for e in data["entry"]] == ["Patient", "CarePlan"]
    assert data["entry"][1]["resource"]["status"] == "active"
    assert "every 150 minutes" in data["entry"][1]["resource"]["description"]


def test_nothing_of_another_patient_and_no_password(exported: tuple[dict[str, Any], User, User]) -> None:
    data, patient, other = exported
    text = json.dumps(data)
    assert other.email not in text and other.name not in text and f"patient-{other.id}" not in text
    assert patient.password_hash not in text and "password" not in text.lower()
    assert all(o["valueInteger"] != 9 for o in resources(data, "Observation") if "valueInteger" in o)
    assert "weight" not in text.lower()  # the other patient's alert reason


def test_therapist_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(ValueError, match="patient"):
        patient_bundle(make_therapist(), now=NOW)


def test_query_count_does_not_grow_with_rows(app: Flask) -> None:
    with app.app_context():
        therapist = make_therapist()
        patient = make_onboarded_patient()
        fill(patient, therapist)
        db.connect(reuse_if_open=True)
        with count_queries() as few:
            small = patient_bundle(patient, now=NOW)
        for n in range(6):
            at = NOW + timedelta(days=1, hours=n)
            add_checkin(patient, at, "calf", "left", 5, 3)
            Walk.create(patient=patient, recorded_at=at, minutes=10, onset_minutes=n or None)
            ExerciseSet.create(patient=patient, started_at=at, before_zone="thigh", before_leg_pain=4, before_back_pain=2)
            Alert.create(patient=patient, level="contact_pt", reasons=["numbness_spreading"], source="checkin", created_at=at)
        with count_queries() as many:
            big = patient_bundle(patient, now=NOW)
    assert len(big["entry"]) == len(small["entry"]) + 6 * (3 + 1 + 3 + 1)
    assert len(few) == len(many) == 5  # check-ins, walks, sets, alerts, plan setting: one query each
    validate(big)


@pytest.mark.parametrize("breakage", [
    "observation_without_status", "observation_blank_status", "pain_as_text", "unknown_element", "flag_without_subject",
])
def test_fhir_models_reject_broken_resources(exported: tuple[dict[str, Any], User, User], breakage: str) -> None:
    data, _, _ = exported
    Bundle.model_validate(data)
    broken = copy.deepcopy(data)
    observation, flag = resources(broken, "Observation")[0], resources(broken, "Flag")[0]
    if breakage == "observation_without_status":
        del observation["status"]
    elif breakage == "observation_blank_status":
        observation["status"] = " final"
    elif breakage == "pain_as_text":
        observation["valueInteger"] = "severe"
    elif breakage == "unknown_element":
        observation["painScore"] = 5
    else:
        del flag["subject"]
    with pytest.raises(ValidationError):
        Bundle.model_validate(broken)


@pytest.mark.parametrize(("kind", "element", "value"), [("Flag", "status", "bogus"), ("CarePlan", "intent", "wish"),
                                                          ("CarePlan", "status", "paused")])
def test_codes_outside_required_value_sets_are_rejected(
    exported: tuple[dict[str, Any], User, User], kind: str, element: str, value: str,
) -> None:
    data, _, _ = exported
    broken = copy.deepcopy(data)
    resources(broken, kind)[0][element] = value
    with pytest.raises(ValueError, match=f"{element}='{value}' not in"):
        validate(broken)
