"""The demo: a newcomer sees patients with weeks of varied history on first run."""

from __future__ import annotations

from datetime import timezone

from selfcare.clinical import Reading, Trend, classify_trend
from selfcare.models import Alert, CheckIn, ExerciseSet, User, Walk


def trend_of(email: str) -> Trend:
    """The zone trend over a demo patient's whole record."""
    patient = User.get(User.email == email)
    rows = CheckIn.select().where(CheckIn.patient == patient.id)
    return classify_trend([(r.recorded_at.replace(tzinfo=timezone.utc), Reading(r.zone, r.leg_pain, r.back_pain)) for r in rows])


def test_demo_patients_have_six_weeks_of_varied_history(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert trend_of("alex@example.com") == Trend.CENTRALIZING
    assert trend_of("jordan@example.com") == Trend.PERIPHERALIZING
    assert trend_of("priya@example.com") == Trend.INSUFFICIENT_DATA
    alex = User.get(User.email == "alex@example.com")
    assert CheckIn.select().where(CheckIn.patient == alex.id).count() == 42
    assert Walk.select().where(Walk.patient == alex.id).count() == 42
    assert ExerciseSet.select().where(ExerciseSet.patient == alex.id).count() > 80
    jordan = User.get(User.email == "jordan@example.com")
    urgent = Alert.get((Alert.patient == jordan.id) & (Alert.level == "urgent"))
    assert urgent.confirmed_at is None
    assert ExerciseSet.select().where((ExerciseSet.patient == jordan.id) & (ExerciseSet.response == "peripheralized")).count() > 0
    counts = {m.__name__: m.select().count() for m in (CheckIn, ExerciseSet, Alert)}
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts == {m.__name__: m.select().count() for m in (CheckIn, ExerciseSet, Alert)}  # running it again adds nothing
