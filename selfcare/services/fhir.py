"""One patient's record as a FHIR R4 Bundle (CLINICAL.md §7), as plain JSON-ready dicts.

The Bundle (type `collection`) holds the Patient, an Observation per pain score (LOINC 72514-3),
per symptom extent (SNOMED CT body site and laterality, modelled on the HL7 Symptoms IG
SymptomObservation) and per walk (UCUM `min`), a Flag per red-flag alert and a CarePlan for the
protocol plan. Every entry has a stable `urn:uuid:` fullUrl and every reference points at one.
It reads one query per table, whatever the number of rows.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from selfcare.clinical import Plan, Side, Step, StepKind
from selfcare.content import current_content
from selfcare.models import Alert, CheckIn, ExerciseSet, PlanSetting, User, Walk
from selfcare.services.player import plan_for

Resource = dict[str, Any]

BASE = "https://selfcare.example/fhir"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)  # fullUrls: uuid5(NAMESPACE, "<type>/<id>")
LOCAL_CODES = f"{BASE}/CodeSystem/observation"  # our own codes where no standard one is certain
ZONE_CODES = f"{BASE}/CodeSystem/zone"
ALERT_LEVELS = f"{BASE}/CodeSystem/alert-level"
LATERALITY_URL = f"{BASE}/StructureDefinition/laterality"  # on bodySite: SNOMED CT side qualifier
LOINC, SNOMED, UCUM = "http://loinc.org", "http://snomed.info/sct", "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
PAIN_LOINC = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
LOWER_BACK = ("37822005", "Low back")  # SNOMED CT code, and our words for it (the text, not the display)
LOWER_LIMB = ("61685007", "Leg")  # Lower limb structure
SIDES = {"left": ("Left", "left side"), "right": ("Right", "right side"), "both": ("Right and left", "both sides")}
LEVEL_NAMES = {"emergency": "Emergency", "urgent": "Urgent", "contact_pt": "Contact physical therapist"}


def instant(moment: datetime) -> str:
    """A stored (naive UTC) or aware time as FHIR dateTime/instant in UTC: 2026-11-03T08:15:00Z."""
    aware = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return aware.isoformat(timespec="seconds").replace("+00:00", "Z")


def full_url(resource_type: str, resource_id: str) -> str:
    """The stable fullUrl of a resource in an export: the same row always gets the same urn:uuid."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{resource_type}/{resource_id}')}"


def patient_bundle(patient: User, now: datetime | None = None) -> dict[str, Any]:
    """Export `patient`'s record as a FHIR R4 collection Bundle (plain dicts, ready for json.dumps).

    `now` (aware, or naive UTC) stamps the Bundle; by default the current time. Needs an app
    context (the clinical content). Reads one query per table (check-ins, walks, sets, alerts, plan
    setting), never one per row. Raises ValueError for a user who is not a patient.
    """
    if not patient.is_patient:
        raise ValueError("only a patient's record can be exported")
    stamp = instant(now or datetime.now(timezone.utc))
    checkins = _rows(CheckIn, patient, CheckIn.recorded_at)
    walks = _rows(Walk, patient, Walk.recorded_at)
    sets = _rows(ExerciseSet, patient, ExerciseSet.started_at)
    alerts = _rows(Alert, patient, Alert.created_at)
    setting = PlanSetting.get_or_none(PlanSetting.patient == patient.id)
    plan = plan_for(patient, setting) if setting is not None else current_content().plan  # no second look-up

    subject = {"reference": full_url("Patient", f"patient-{patient.id}"), "display": patient.name}
    resources: list[Resource] = [_patient(patient)]
    for checkin in checkins:
        resources += _reading(subject, f"checkin-{checkin.get_id()}", checkin.recorded_at, checkin.zone, checkin.side,
                              checkin.leg_pain, checkin.back_pain)
    for exercise_set in sets:
        resources += _set_readings(subject, exercise_set)
    resources += [_walk(subject, walk) for walk in walks]
    resources += [_flag(subject, alert) for alert in alerts]
    resources.append(_care_plan(subject, patient, plan, setting))
    bundle_id = str(uuid.uuid5(NAMESPACE, f"Bundle/patient-{patient.id}/{stamp}"))
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
        "type": "collection",
        "timestamp": stamp,
        "entry": [{"fullUrl": full_url(r["resourceType"], r["id"]), "resource": r} for r in resources],
    }


def _rows(model: Any, patient: User, moment: Any) -> list[Any]:
    """All of the patient's rows of one table in time order: one query."""
    return list(model.select().where(model.patient == patient.id).order_by(moment, model._meta.primary_key))


def _patient(patient: User) -> Resource:
    """The Patient: name and e-mail only (never the password hash)."""
    return {
        "resourceType": "Patient",
        "id": f"patient-{patient.id}",
        "identifier": [{"system": f"{BASE}/NamingSystem/patient", "value": str(patient.id)}],
        "active": True,
        "name": [{"text": patient.name}],
        "telecom": [{"system": "email", "value": patient.email}],
    }


def _concept(system: str, code: str, display: str | None, text: str | None = None) -> dict[str, Any]:
    """A CodeableConcept with one coding (no display where we are not sure of the code system's own)."""
    coding = {"system": system, "code": code} | ({"display": display} if display else {})
    return {"coding": [coding], "text": text or display or code}


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [_concept(OBS_CATEGORY, code, display)]


def _observation(key: str, subject: dict[str, str], when: datetime, category: tuple[str, str], code: dict[str, Any]) -> Resource:
    """The parts every patient-reported Observation shares."""
    return {
        "resourceType": "Observation",
        "id": key,
        "status": "final",
        "category": _category(*category),
        "code": code,
        "subject": subject,
        "effectiveDateTime": instant(when),
        "performer": [subject],
    }


def _body_site(code: tuple[str, str], side: str | None) -> dict[str, Any]:
    """A SNOMED CT body site, with the side as a laterality extension when it is known."""
    site: dict[str, Any] = _concept(SNOMED, code[0], None, code[1])
    if side:
        display, words = SIDES[side]
        side_concept = _concept(SNOMED, current_content().side_snomed[Side(side)], display)
        site["extension"] = [{"url": LATERALITY_URL, "valueCodeableConcept": side_concept}]
        site["text"] = f"{code[1]}, {words}"
    return site


def _reading(
    subject: dict[str, str], key: str, when: datetime, zone: str, side: str | None, leg: int, back: int,
    label: str = "", note: str | None = None,
) -> list[Resource]:
    """One symptom reading as three Observations: leg pain, back pain and the symptoms' extent."""
    out = []
    for part, score, site in (("leg", leg, _body_site(LOWER_LIMB, side)), ("back", back, _body_site(LOWER_BACK, None))):
        text = f"{part.title()} pain{label}, 0-10 numeric rating"
        obs = _observation(f"{key}-{part}-pain", subject, when, ("survey", "Survey"), _concept(LOINC, PAIN_LOINC, PAIN_DISPLAY, text))
        out.append(obs | {"valueInteger": score, "bodySite": site})
    out.append(_extent(subject, f"{key}-extent", when, zone, side, label, note))
    return out


def _extent(subject: dict[str, str], key: str, when: datetime, zone: str, side: str | None, label: str, note: str | None) -> Resource:
    """Where symptoms reach, after the Symptoms IG SymptomObservation: value = zone, bodySite = SNOMED CT site."""
    text = "Most distal extent of sciatica symptoms"
    code = _concept(LOCAL_CODES, "symptom-extent", text, text + label)
    info = current_content().zone(zone)
    obs = _observation(key, subject, when, ("survey", "Survey"), code)
    obs["valueCodeableConcept"] = _concept(ZONE_CODES, zone, info.name)
    notes = [note] if note else []
    if info.snomed:
        obs["bodySite"] = _body_site((info.snomed, info.name), side)
    else:
        notes.insert(0, "No pain, numbness or tingling in the back or leg: no body site.")
    if notes:
        obs["note"] = [{"text": n} for n in notes]
    return obs


def _set_readings(subject: dict[str, str], row: ExerciseSet) -> list[Resource]:
    """The readings before and (when re-checked) after one protocol set."""
    key = f"set-{row.get_id()}"
    out = _reading(subject, f"{key}-before", row.started_at, row.before_zone, None,
                   row.before_leg_pain, row.before_back_pain, " before an exercise set")
    if row.after_zone is not None and row.after_leg_pain is not None and row.after_back_pain is not None:
        note = f"Response to the set: {row.response}." if row.response else None
        out += _reading(subject, f"{key}-after", row.finished_at or row.started_at, row.after_zone, None,
                        row.after_leg_pain, row.after_back_pain, " after an exercise set", note)
    return out


def _minutes(value: int) -> dict[str, Any]:
    return {"value": value, "unit": "min", "system": UCUM, "code": "min"}


def _walk(subject: dict[str, str], row: Walk) -> Resource:
    """A walk: minutes walked in one go, and minutes until leg symptoms started as a component."""
    text = "Walking time before stopping"
    obs = _observation(f"walk-{row.get_id()}", subject, row.recorded_at, ("activity", "Activity"),
                       _concept(LOCAL_CODES, "walking-time", text))
    obs["valueQuantity"] = _minutes(row.minutes)
    if row.onset_minutes is not None:
        onset = "Walking time until leg symptoms started"
        obs["component"] = [{"code": _concept(LOCAL_CODES, "walking-time-to-symptom-onset", onset),
                             "valueQuantity": _minutes(row.onset_minutes)}]
    else:
        obs["note"] = [{"text": "No leg symptoms came on during this walk."}]
    return obs


def _flag(subject: dict[str, str], row: Alert) -> Resource:
    """A red-flag alert: active until a therapist acknowledges it."""
    signs = current_content().red_flags.sign_words()
    level = LEVEL_NAMES.get(row.level, row.level)
    reasons = "; ".join(signs.get(r, r) for r in row.reasons or [])
    flag: Resource = {
        "resourceType": "Flag",
        "id": f"alert-{row.get_id()}",
        "status": "active" if row.acknowledged_at is None else "inactive",
        "category": [_concept(FLAG_CATEGORY, "clinical", "Clinical")],
        "code": _concept(ALERT_LEVELS, row.level, f"{level} red flag", f"{level} red flag: {reasons}" if reasons else None),
        "subject": subject,
        "period": {"start": instant(row.created_at)},
    }
    if row.acknowledged_at is not None:
        flag["period"]["end"] = instant(row.acknowledged_at)
    return flag


def _dose(step: Step, sets: int) -> tuple[str, dict[str, Any]]:
    """A step's dose as words and as a quantity (seconds held or walked, or repetitions)."""
    per_set = f", {sets} set{'s' if sets > 1 else ''}" if step.per_set else ""
    if step.kind == StepKind.REPS:
        pause = f", pausing {step.pause_seconds} s at the top" if step.pause_seconds else ""
        return f"{step.reps} repetitions{pause}{per_set}", {"value": step.reps, "unit": "repetitions", "system": UCUM, "code": "{repetitions}"}
    verb = "Walk" if step.kind == StepKind.WALK else "Hold"
    least = f" (at least {step.min_seconds} s)" if step.min_seconds else ""
    return f"{verb} for {step.seconds} s{least}{per_set}", {"value": step.seconds, "unit": "s", "system": UCUM, "code": "s"}


def _care_plan(subject: dict[str, str], patient: User, plan: Plan, setting: PlanSetting | None) -> Resource:
    """The protocol plan with the therapist's changes; on hold while the therapist has paused it."""
    paused = bool(setting and setting.paused)
    hours = f"{plan.waking_start:%H:%M}-{plan.waking_end:%H:%M}"
    repeated = " and ".join(step.title.lower() for step in plan.steps if step.per_set)
    activities = []
    for step in plan.steps:
        words, quantity = _dose(step, plan.sets)
        timing = {"repeat": {"frequency": 1, "period": plan.repeat_every_minutes, "periodUnit": "min"}}
        activities.append({"detail": {
            "code": {"text": step.title},
            "status": "on-hold" if paused else "scheduled",
            "scheduledTiming": timing,
            "quantity": quantity,
            "description": f"{step.title}: {words}. Stop rule: {step.stop_rule}",
        }})
    exhale = " with an exhale at end-range" if plan.progression.exhale else ""
    notes = [f"Progression: after {plan.progression.after_better_sessions} better sessions, {plan.progression.sets} sets{exhale}."]
    if paused:
        notes.insert(0, "Paused by the physical therapist" + (f": {setting.pause_message}" if setting and setting.pause_message else "."))
    return {
        "resourceType": "CarePlan",
        "id": f"careplan-{patient.id}",
        "status": "on-hold" if paused else "active",
        "intent": "plan",
        "category": [{"text": "Home exercise plan (physical therapy)"}],
        "title": plan.title,
        "description": (f"Do the steps below in order every {plan.repeat_every_minutes} minutes within waking hours "
                        f"({hours}, patient's local time), with {plan.sets} set{'s' if plan.sets > 1 else ''} of "
                        f"{repeated or 'each step'} each time."),
        "subject": subject,
        "activity": activities,
        "note": [{"text": n} for n in notes],
    }
