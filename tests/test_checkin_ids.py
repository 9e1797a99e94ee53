"""record_checkin inserts a new id straight away; an id stored before (sent again, or by another request at the same
moment) is refused by the unique index, nothing of the attempt is kept, and it is judged as a replay or a conflict."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from selfcare.clinical import Reading
from selfcare.models import Alert, CheckIn, PatientStamp, PlayerState, Walk
from selfcare.services.checkins import CheckInData, record_checkin
from selfcare.services.entries import OTHER_OWNER, EntryConflict
from tests.factories import make_onboarded_patient

NOW = datetime(2026, 11, 20, 12, 0)
ID = uuid.UUID("0b5f4e0e-8a43-4d5e-9a43-0d3f4c1f0a11")


def entry(**changes: object) -> CheckInData:
    """A calm check-in with a walk, under ID."""
    values: dict[str, object] = {"uuid": ID, "recorded_at": None, "red_flags": {"fever": False}, "reading": Reading("calf", 6, 3, "left"),
                                 "sensations": ("pain",), "worse_with": ("sitting",), "walk_minutes": 12, "walk_onset_minutes": 5}
    values.update(changes)
    return CheckInData(**values)  # type: ignore[arg-type]


def stored() -> tuple[int, ...]:
    """How many rows of each kind there are, and the patients' change stamps."""
    stamps = sum(s.version for s in PatientStamp.select())
    return CheckIn.select().count(), Walk.select().count(), Alert.select().count(), PlayerState.select().count(), stamps


@pytest.mark.parametrize("flags", [{"fever": False}, {"fever": True}, {"bladder_change": True}])
def test_the_same_entry_again_is_a_replay_that_stores_nothing(app, flags: dict[str, bool]) -> None:
    """Sent again (same id, same answers): the stored check-in, its level and alert, and nothing new, not even a stamp."""
    with app.app_context():
        patient = make_onboarded_patient()
        first = record_checkin(patient, entry(red_flags=flags), NOW)
        before = stored()
        again = record_checkin(patient, entry(red_flags=flags), NOW)
        assert stored() == before
        assert (first.created, again.created) == (True, False)
        assert (again.checkin.id, again.level, again.alert_id) == (first.checkin.id, first.level, first.alert_id)
        assert (first.alert_id is None) == (not any(flags.values()))


def test_the_same_id_with_other_answers_is_a_conflict_naming_them(app) -> None:
    """Changed answers under a stored id: EntryConflict naming what differs; the stored one is untouched."""
    with app.app_context():
        patient = make_onboarded_patient()
        record_checkin(patient, entry(), NOW)
        before = stored()
        with pytest.raises(EntryConflict) as conflict:
            record_checkin(patient, entry(red_flags={"fever": True}, walk_minutes=20), NOW)
        assert conflict.value.fields == ("red_flags", "walk_minutes")
        assert stored() == before and Alert.select().count() == 0


def test_someone_elses_id_is_a_conflict(app) -> None:
    """An id another patient stored: a conflict about the id, never their answers; nothing stored."""
    with app.app_context():
        one, other = make_onboarded_patient(), make_onboarded_patient()
        record_checkin(one, entry(), NOW)
        before = stored()
        with pytest.raises(EntryConflict) as conflict:
            record_checkin(other, entry(), NOW)
        assert conflict.value.fields == OTHER_OWNER
        assert stored() == before and CheckIn.get().patient_id == one.id
