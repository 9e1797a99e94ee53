"""Built histories are kept until what they show changes (stamp, time zone, day, content)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from selfcare.models import CheckIn, ExerciseSet, User, Walk, utcnow
from selfcare.services import history_cache
from selfcare.services.history_cache import history_with_charts
from tests.factories import make_onboarded_patient
from tests.history_rows import add_checkin, add_set, add_walk


@pytest.fixture
def patient(app):
    person = make_onboarded_patient(timezone="Europe/London")
    add_checkin(person, utcnow() - timedelta(days=2), zone="calf", leg=5)
    return person


def test_the_same_history_is_used_again_while_nothing_changes(app, patient):
    with app.app_context():
        first = history_with_charts(patient, 30)
        assert history_with_charts(patient, 30) is first
        assert history_with_charts(patient, 7) is not first  # each range is its own


@pytest.mark.parametrize(
    "change",
    [
        lambda p: add_checkin(p, utcnow() - timedelta(hours=1), zone="foot", leg=9),
        lambda p: add_walk(p, utcnow() - timedelta(hours=1), 25),
        lambda p: add_set(p, utcnow() - timedelta(hours=1)),
        lambda p: CheckIn.update(leg_pain=1).where(CheckIn.patient == p.id).execute(),
        lambda p: CheckIn.delete().where(CheckIn.patient == p.id).execute(),
    ],
    ids=["check-in", "walk", "set", "changed check-in", "deleted check-in"],
)
def test_any_write_to_the_patients_entries_builds_it_again(app, patient, change):
    with app.app_context():
        before = history_with_charts(patient, 30)
        change(patient)
        after = history_with_charts(patient, 30)
    assert after is not before
    fresh = [(p.day, p.zone, p.leg_pain, p.walk_minutes, p.sets_done) for p in after.history.series]
    assert fresh != [(p.day, p.zone, p.leg_pain, p.walk_minutes, p.sets_done) for p in before.history.series]


def test_a_new_time_zone_builds_it_again(app, patient):
    with app.app_context():
        before = history_with_charts(patient, 30)
        User.update(timezone="Pacific/Auckland").where(User.id == patient.id).execute()
        moved = User.get_by_id(patient.id)
        assert history_with_charts(moved, 30) is not before


def test_a_new_day_builds_it_again(app, patient):
    with app.app_context():
        now = utcnow()
        today = history_with_charts(patient, 30, now)
        assert history_with_charts(patient, 30, now + timedelta(minutes=1)) is today
        tomorrow = history_with_charts(patient, 30, now + timedelta(days=1))
    assert tomorrow is not today and tomorrow.history.period.last == today.history.period.last + timedelta(days=1)


def test_another_patient_never_gets_it(app, patient):
    other = make_onboarded_patient(timezone="Europe/London")
    with app.app_context():
        mine = history_with_charts(patient, 30)
        theirs = history_with_charts(other, 30)
    assert theirs is not mine and theirs.history.empty and not mine.history.empty


def test_only_so_many_are_kept_and_not_for_long(app, patient, monkeypatch):
    monkeypatch.setattr(history_cache, "KEPT", 2)
    with app.app_context():
        first = history_with_charts(patient, 30)
        history_with_charts(patient, 7)
        history_with_charts(patient, 14)  # the least recently used (30 days) goes
        assert history_with_charts(patient, 30) is not first
        again = history_with_charts(patient, 30)
        monkeypatch.setattr(history_cache, "MAX_AGE", 0.0)
        assert history_with_charts(patient, 30) is not again


def test_the_page_shows_a_new_entry_at_once(client, auth):
    patient = make_onboarded_patient(email="pat@example.com", timezone="Europe/London")
    assert auth.login("pat@example.com").status_code == 303
    add_checkin(patient, utcnow() - timedelta(days=1), zone="calf")
    assert "No sets of exercises in these days yet." in client.get("/history").get_data(as_text=True)
    add_set(patient, utcnow() - timedelta(minutes=5))
    page = client.get("/history").get_data(as_text=True)
    assert "No sets of exercises in these days yet." not in page and "1 sets on 1 of 30 days" in page
    ExerciseSet.delete().where(ExerciseSet.patient == patient.id).execute()
    Walk.delete().execute()
    assert "No sets of exercises in these days yet." in client.get("/history").get_data(as_text=True)
