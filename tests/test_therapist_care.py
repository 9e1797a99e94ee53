"""Therapist side: invites and links, plan changes the player follows, exports, and who may see what."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from fhir.resources.R4B.bundle import Bundle

from selfcare import accounts
from selfcare.models import AuditEvent, CareLink, Invite, Notice, PlanChange, PlanSetting
from tests.conftest import client_for, post_from
from tests.factories import make_onboarded_patient, make_therapist
from tests.patient_helpers import check_in, start_set


@pytest.fixture
def people(app):
    """Dana looks after Robin; Lee is another therapist; Sam is another patient."""
    dana = make_therapist(email="dana@example.com", name="Dana")
    lee = make_therapist(email="lee@example.com", name="Lee")
    robin = make_onboarded_patient(email="robin@example.com", name="Robin")
    sam = make_onboarded_patient(email="sam@example.com", name="Sam")
    accounts.link(dana, robin)
    accounts.link(lee, sam)
    return {"dana": dana, "lee": lee, "robin": robin, "sam": sam}


def test_a_therapist_invites_and_the_patient_links_with_consent(app, people):
    dana = client_for(app, "dana@example.com")
    made = post_from(dana, "/therapist/invites", "/therapist/invites")
    assert made.status_code == 201  # the code is shown in this answer only (tests/test_invites.py)
    code = "".join(re.search(r'class="code">(\w{4})-(\w{4})<', made.get_data(as_text=True)).groups())
    assert f"/link/{code}" in made.get_data(as_text=True)
    new = make_onboarded_patient(email="new@example.com", name="Noor")
    patient = client_for(app, "new@example.com")
    page = patient.get(f"/link/{code}").get_data(as_text=True)
    assert "Dana" in page and "I agree to share" in page
    refused = post_from(patient, f"/link/{code}", f"/link/{code}")
    assert refused.status_code == 422 and CareLink.select().where(CareLink.patient == new.id).count() == 0
    assert post_from(patient, f"/link/{code}", f"/link/{code}", {"share": "y"}).status_code == 303
    assert [p.name for p in accounts.linked_patients(people["dana"])] == ["Noor", "Robin"]
    again = post_from(make_patient_client(app), f"/link/{code}", "/today", {"share": "y"})
    assert again.status_code == 422 and "We could not find that code" in again.get_data(as_text=True)
    assert Invite.get(Invite.therapist == people["dana"].id).used_by_id == new.id


def make_patient_client(app):
    """Another onboarded patient, logged in."""
    make_onboarded_patient(email="late@example.com")
    return client_for(app, "late@example.com")


def test_an_unknown_code_is_a_404(app, people):
    assert client_for(app, "robin@example.com").get("/link/NOPE2345").status_code == 404


def test_either_side_can_end_the_link(app, people):
    robin = client_for(app, "robin@example.com")
    assert post_from(robin, f"/care-team/{people['dana'].id}/end", "/today").status_code == 303
    assert accounts.linked_patients(people["dana"]) == []
    assert "stopped sharing" in Notice.get(Notice.therapist == people["dana"].id).text
    accounts.link(people["dana"], people["robin"])
    dana = client_for(app, "dana@example.com")
    assert post_from(dana, f"/therapist/patients/{people['robin'].id}/end-link", "/therapist/invites").status_code == 303
    assert accounts.linked_patients(people["dana"]) == []
    assert dana.get(f"/therapist/patients/{people['robin'].id}/plan").status_code == 404


def test_plan_changes_are_recorded_and_the_player_follows_them(app, people):
    dana = client_for(app, "dana@example.com")
    path = f"/therapist/patients/{people['robin'].id}/plan"
    page = dana.get(path).get_data(as_text=True)
    assert 'name="press_ups__reps"' in page and 'value="10"' in page
    data = {"sets": "2", "repeat_every_minutes": "120", "prone_lying__seconds": "150", "prone_on_elbows__seconds": "60",
            "press_ups__reps": "8", "press_ups__pause_seconds": "2", "walk_recheck__seconds": "120", "progression": "y"}
    assert post_from(dana, path, path, data).status_code == 303
    setting = PlanSetting.get()
    assert setting.changes == {"sets": 2, "repeat_every_minutes": 120, "prone_lying.seconds": 150, "prone_on_elbows.seconds": 60,
                               "press_ups.reps": 8, "press_ups.pause_seconds": 2, "exhale": False}
    change = PlanChange.get()
    assert (change.therapist_id, change.paused) == (people["dana"].id, False)
    robin = client_for(app, "robin@example.com")
    start_set(robin)
    assert 'data-seconds="150"' in robin.get("/exercises").get_data(as_text=True)


def test_a_pause_with_a_message_reaches_the_patient_at_once(app, people):
    dana = client_for(app, "dana@example.com")
    path = f"/therapist/patients/{people['robin'].id}/plan"
    base = {"sets": "1", "repeat_every_minutes": "150", "prone_lying__seconds": "120", "prone_on_elbows__seconds": "90",
            "press_ups__reps": "10", "press_ups__pause_seconds": "1", "walk_recheck__seconds": "120", "progression": "y", "exhale": "y"}
    missing = post_from(dana, path, path, {**base, "paused": "y"})
    assert missing.status_code == 422 and "Write a short message" in missing.get_data(as_text=True)
    assert PlanSetting.select().count() == 0
    assert post_from(dana, path, path, {**base, "paused": "y", "pause_message": "Stop the exercises and call me."}).status_code == 303
    robin = client_for(app, "robin@example.com")
    assert "Stop the exercises and call me." in robin.get("/today").get_data(as_text=True)
    assert "Your exercises are paused" in robin.get("/exercises").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("press_ups__reps", "0", "Enter a number from 1 to 30."),
    ("press_ups__reps", "many", "Enter a number from 1 to 30."),  # not a number: the same plain message
    ("repeat_every_minutes", "30", "Enter a number from 120 to 180."),
    ("sets", "9", "Enter a number from 1 to 5."),
])
def test_bad_plan_values_are_explained_and_change_nothing(app, people, field, value, message):
    dana = client_for(app, "dana@example.com")
    path = f"/therapist/patients/{people['robin'].id}/plan"
    base = {"sets": "1", "repeat_every_minutes": "150", "prone_lying__seconds": "120", "prone_on_elbows__seconds": "90",
            "press_ups__reps": "10", "press_ups__pause_seconds": "1", "walk_recheck__seconds": "120"}
    response = post_from(dana, path, path, {**base, field: value})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert (PlanSetting.select().count(), PlanChange.select().count()) == (0, 0)


def test_exports_are_recorded_and_hold_the_record(app, people):
    robin = client_for(app, "robin@example.com")
    check_in(robin, zone="thigh", leg_pain="5", rf_fever="yes")
    dana = client_for(app, "dana@example.com")
    base = f"/therapist/patients/{people['robin'].id}"
    summary = dana.get(base + "/summary").get_data(as_text=True)
    assert "Visit summary" in summary and "Robin" in summary
    pdf = dana.get(base + "/summary.pdf")
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(dana.get(base + "/entries.zip").data))
    assert "checkins.csv" in archive.namelist() and "thigh" in archive.read("checkins.csv").decode()
    fhir = dana.get(base + "/record.fhir.json")
    bundle = json.loads(fhir.data)
    Bundle.model_validate(bundle)
    codes = [c["code"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation" for c in e["resource"]["code"].get("coding", [])]
    assert codes.count("72514-3") == 2 and any(e["resource"]["resourceType"] == "Flag" for e in bundle["entry"])
    actions = [a.action for a in AuditEvent.select().where(AuditEvent.patient == people["robin"].id).order_by(AuditEvent.id)]
    assert actions == ["exported_summary", "exported_summary", "exported_csv", "exported_fhir"]


THERAPIST_PATIENT_PATHS = ["/plan", "/summary", "/summary.pdf", "/entries.zip", "/record.fhir.json"]


@pytest.mark.parametrize("suffix", THERAPIST_PATIENT_PATHS)
def test_no_one_else_reaches_a_patients_exports(app, people, suffix):
    robin = people["robin"]
    path = f"/therapist/patients/{robin.id}{suffix}"
    for who, expected in (("lee@example.com", 404), ("sam@example.com", 403), ("robin@example.com", 403), (None, 302)):
        client = client_for(app, who) if who else app.test_client()
        response = client.get(path)
        assert response.status_code == expected, (who, path)
        if who != "robin@example.com":  # Robin's own header shows her name
            assert b"Robin" not in response.data and b"robin@example.com" not in response.data
    assert AuditEvent.select().count() == 0
    assert client_for(app, "lee@example.com").post(f"/therapist/patients/{robin.id}/end-link").status_code in (400, 404)
    assert CareLink.get(CareLink.patient == robin.id).ended_at is None
