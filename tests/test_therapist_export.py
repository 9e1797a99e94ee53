"""The therapist's CSV download of a patient: what a clinic needs, named one by one; the patient's own export keeps all."""

from __future__ import annotations

import csv
import io
import zipfile

from selfcare import accounts
from selfcare.models import (
    Alert,
    AssessedSign,
    AuditEvent,
    CareLink,
    PlanChange,
    TherapistNote,
)
from selfcare.services import export
from tests.conftest import Auth
from tests.factories import make_onboarded_patient, make_therapist
from tests.test_my_data import NOW, fill

CLINICAL = {"profile", "checkins", "walks", "exercise_sets", "self_checks", "alerts", "red_flag_screens", "assessed_signs",
            "plan_settings", "plan_changes", "therapist_notes"}
NEVER = {"care_links", "record_views", "api_tokens", "calendar_links", "exercise_events", "player_state", "login_sessions",
         "recovery_codes"}


def world():
    """Robin, looked after by Dana and Lee and once by Former, with rows in every table; each of them acted on it."""
    dana, lee = make_therapist(name="Dana", email="dana@example.com"), make_therapist(name="Lee Other", email="lee@example.com")
    former = make_therapist(name="Former Person", email="former@example.com")
    robin = make_onboarded_patient(name="Robin", email="robin@example.com", region="OTHER", emergency_number="10111")
    fill(robin, dana, rows=2)
    accounts.link(lee, robin)
    CareLink.create(therapist=former, patient=robin, created_at=NOW, ended_at=NOW)
    for someone in (lee, former):
        TherapistNote.create(patient=robin, therapist=someone, text=f"Private note by {someone.name}", created_at=NOW)
        PlanChange.create(patient=robin, therapist=someone, changes={"press_ups.reps": 6}, created_at=NOW)
        AssessedSign.create(patient=robin, therapist=someone, flag_id="weight_loss", assessed_at=NOW, until=NOW)
        AuditEvent.create(actor=someone, actor_name=someone.name, patient=robin, action="viewed_record", created_at=NOW)
        Alert.create(patient=robin, level="urgent", reasons=["fever"], source="checkin", created_at=NOW,
                     acknowledged_by=someone, acknowledged_at=NOW, acknowledgement="Phoned, seen by GP.")
    return dana, lee, former, robin


def download(app, email, patient):
    """The therapist's ZIP of the patient's entries, as {table: rows} and the whole text."""
    client = app.test_client()
    assert Auth(client).login(email).status_code == 303
    response = client.get(f"/therapist/patients/{patient.id}/entries.zip")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    text = "\n".join(archive.read(name).decode() for name in archive.namelist())
    tables = {n[:-4]: list(csv.DictReader(io.StringIO(archive.read(n).decode()))) for n in archive.namelist() if n.endswith(".csv")}
    return tables, text, set(archive.namelist())


def test_the_therapists_download_holds_the_clinical_record_and_nothing_else(app):
    dana, lee, former, robin = world()
    tables, text, names = download(app, dana.email, robin)
    assert names == {"account.csv", "README.txt", *(f"{t}.csv" for t in CLINICAL)}
    assert not NEVER & set(tables)
    # Nobody else who looks or looked after Robin is named: not their name, email, or id.
    for someone in (lee, former):
        assert someone.name not in text and someone.email not in text
    for table, rows in tables.items():
        for row in rows:
            for column in ("therapist", "acknowledged_by", "updated_by", "actor", "actor_name", "therapist_id",
                           "acknowledged_by_id", "updated_by_id", "used_by_id"):
                assert row.get(column) in (None, "", "you", "another therapist"), (table, column, row[column])
    # No credentials or calendar details, no record views.
    assert "sc_abcde" not in text and "App 0" not in text and "viewed_record" not in text
    assert f"{robin.id:064d}" not in text and "token_hash" not in text and "two_step" not in text
    # The clinical record is all there.
    assert tables["account"] == [{"id": str(robin.id), "name": "Robin", "email": "robin@example.com", "region": "OTHER",
                                  "emergency_number": "10111", "timezone": robin.timezone}]
    assert len(tables["profile"]) == 1 and len(tables["checkins"]) == 2 and len(tables["walks"]) == 2
    assert len(tables["exercise_sets"]) == 2 and len(tables["self_checks"]) == 2 and len(tables["red_flag_screens"]) == 2
    assert len(tables["plan_settings"]) == 1 and tables["plan_settings"][0]["updated_by"] == "you"
    acknowledged = sorted((a["acknowledged_by"], a["acknowledgement"]) for a in tables["alerts"])
    assert acknowledged == [("another therapist", "Phoned, seen by GP.")] * 2 + [("you", "'=HYPERLINK(\"http://evil\")")] * 2
    assert sorted(p["therapist"] for p in tables["plan_changes"]) == ["another therapist"] * 2 + ["you"] * 2
    assert sorted(s["therapist"] for s in tables["assessed_signs"]) == ["another therapist"] * 2 + ["you"] * 2
    # Notes: this therapist's own only.
    assert [(n["therapist"], n["text"]) for n in tables["therapist_notes"]] == [("you", "Doing well")] * 2
    assert "Private note" not in text


def test_each_therapist_gets_their_own_notes_and_the_patient_keeps_everything(app):
    _, lee, _, robin = world()
    tables, text, _ = download(app, lee.email, robin)
    assert [(n["therapist"], n["text"]) for n in tables["therapist_notes"]] == [("you", "Private note by Lee Other")]
    assert "Dana" not in text and "dana@example.com" not in text
    mine = export.collect(robin)  # the patient's own export: every part, every therapist by name, Lee's download too
    assert {link["therapist_name"] for link in mine["care_links"]} == {"Dana", "Lee Other", "Former Person"}
    assert len(mine["therapist_notes"]) == 4 and len(mine["record_views"]) == 5 and len(mine["api_tokens"]) == 2
    assert NEVER - {"login_sessions", "recovery_codes"} <= set(mine)


def test_every_part_of_the_patients_export_is_classified_for_the_therapists(app):
    """A new table in the patient's export fails here until it is put in THERAPIST_TABLES or PATIENT_ONLY."""
    robin = make_onboarded_patient()
    fill(robin, make_therapist(), rows=1)
    parts = {name for name, value in export.collect(robin).items() if isinstance(value, (list, dict))}
    allowed, withheld = {"account", *export.THERAPIST_TABLES}, set(export.PATIENT_ONLY)
    assert not allowed & withheld
    assert parts == allowed | withheld, f"classify for the therapist's export: {sorted(parts - allowed - withheld)}"
    assert set(export.THERAPIST_TABLES) == CLINICAL
