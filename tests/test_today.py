"""Today's counts and last result, from build_today at a fixed moment, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from selfcare.models import User
from selfcare.services.today import build_today
from tests.factories import make_onboarded_patient
from tests.history_rows import add_checkin, add_set

NOW = datetime(2026, 7, 20, 22, 30)  # 23:30 in London (summer time): the patient's day ends after UTC's
RESULT = "Your leg symptoms moved up from calf or shin to thigh after the last set. That is a good sign."


def patient_in(zone: str) -> User:
    return make_onboarded_patient(timezone=zone)


@pytest.mark.parametrize(("finished", "shown"), [
    (None, None),
    (NOW - timedelta(hours=1), RESULT),  # today
    (NOW - timedelta(hours=23, minutes=29), RESULT),  # 00:01 today in London
    (NOW - timedelta(hours=23, minutes=31), RESULT + " (on 19 July)"),  # 23:59 yesterday in London
    (NOW - timedelta(days=40), RESULT + " (on 10 June)"),
])
def test_the_last_result_and_its_day_on_the_patients_clock(app, finished: datetime | None, shown: str | None) -> None:
    """The newest set with a result, with its date when it was not today where the patient lives."""
    with app.app_context():
        patient = patient_in("Europe/London")
        if finished is not None:
            add_set(patient, finished - timedelta(minutes=5))
            add_set(patient, finished - timedelta(days=3, minutes=5), after="foot", response="peripheralized")  # older
            add_set(patient, finished + timedelta(minutes=10), after=None, response=None, outcome="quit")  # no result
        assert build_today(patient, NOW).last_result == shown


def test_sets_done_and_checked_in_count_the_patients_day(app) -> None:
    """Sets with a result started today on the patient's clock, and whether they checked in today."""
    with app.app_context():
        patient = patient_in("Europe/London")
        start_of_day = NOW - timedelta(hours=23, minutes=30)  # 00:00 in London, as stored (UTC)
        add_set(patient, start_of_day - timedelta(minutes=1))  # yesterday
        add_set(patient, start_of_day)
        add_set(patient, NOW - timedelta(hours=1))
        add_set(patient, NOW - timedelta(minutes=30), after=None, response=None, outcome="quit")
        add_checkin(patient, start_of_day - timedelta(minutes=1))
        today = build_today(patient, NOW)
        assert (today.sets_done, today.checked_in_today) == (2, False)
        add_checkin(patient, start_of_day)
        assert build_today(patient, NOW).checked_in_today
