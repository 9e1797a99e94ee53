"""Built histories and timelines are kept until what they show changes (stamp, time zone, day, content, alerts, notes)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from selfcare import accounts
from selfcare.models import Alert, CheckIn, ExerciseSet, PlanChange, TherapistNote, User, Walk, utcnow
from selfcare.services import history_cache, open_alerts
from selfcare.services.history_cache import history_with_charts, kept_timeline
from tests.factories import make_onboarded_patient, make_therapist
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


# ---- The therapist's timeline ---------------------------------------------------------------------


@pytest.fixture
def linked(app, patient):
    therapist = make_therapist(email="pt@example.com", name="Dana Physio")
    accounts.link(therapist, patient)
    alert = Alert.create(patient=patient, level="contact_pt", reasons=["falls"], source="checkin", created_at=utcnow() - timedelta(hours=3))
    return therapist, alert


@pytest.mark.parametrize(
    ("change", "shows"),
    [
        (lambda p, t, a: add_checkin(p, utcnow() - timedelta(minutes=5), zone="foot"), "Ankle, foot or toes"),
        (lambda p, t, a: add_walk(p, utcnow() - timedelta(minutes=5), 41), "41 min"),
        (lambda p, t, a: TherapistNote.create(patient=p, therapist=t, text="Called: all well", created_at=utcnow()), "Called: all well"),
        (lambda p, t, a: PlanChange.create(patient=p, therapist=t, changes={"sets": 2}, paused=True, pause_message="Rest today",
                                            created_at=utcnow()), "Rest today"),
        (lambda p, t, a: Alert.create(patient=p, level="urgent", reasons=["falls"], source="checkin", created_at=utcnow()),
         "Urgent (same day)"),
        (lambda p, t, a: open_alerts.acknowledge(t, a, "Phoned them"), "Phoned them"),
        (lambda p, t, a: Alert.update(confirmed_at=utcnow()).where(Alert.id == a.id).execute(), "confirmed='"),
    ],
    ids=["check-in", "walk", "note", "plan change", "new alert", "acknowledged", "confirmed"],
)
def test_the_timeline_is_built_again_when_anything_in_it_changes(app, patient, linked, change, shows):
    therapist, alert = linked
    with app.app_context():
        before = kept_timeline(patient)
        assert kept_timeline(patient) is before  # nothing changed: the same one
        change(patient, therapist, alert)
        after = kept_timeline(patient)
    assert after is not before
    words = " ".join(f"{e.title} {e.text} {e.details} {e.level_name} {e.alert}" for e in after.entries)
    assert shows in words and (shows not in " ".join(f"{e.title} {e.text} {e.details} {e.level_name} {e.alert}"
                                                      for e in before.entries))
