"""The demo: a newcomer sees patients with weeks of varied history on first run."""

from __future__ import annotations

from datetime import timezone

from selfcare.clinical import Reading, Trend, classify_trend
from selfcare.clinical import Phase, SessionState
from selfcare.models import Alert, CheckIn, ExerciseSet, PlayerState, User, Walk


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
    assert ExerciseSet.select().where(ExerciseSet.patient == alex.id).count() > 60  # most days: more after better sets
    jordan = User.get(User.email == "jordan@example.com")
    urgent = Alert.get((Alert.patient == jordan.id) & (Alert.level == "urgent"))
    assert urgent.confirmed_at is None
    spread = ExerciseSet.select().where((ExerciseSet.patient == jordan.id) & (ExerciseSet.response == "peripheralized"))
    assert [s.outcome for s in spread] == ["plan_held"]  # yesterday's set: no set after it
    assert SessionState.from_dict(PlayerState.get(PlayerState.patient == jordan.id).state).phase == Phase.HELD
    assert not PlayerState.select().where(PlayerState.patient == alex.id).exists()
    repeated = [s for s in ExerciseSet.select().where(ExerciseSet.patient == alex.id).order_by(ExerciseSet.started_at)]
    for first, second in zip(repeated, repeated[1:]):  # a second set the same day only after a better re-check
        if first.started_at.date() == second.started_at.date():
            assert first.outcome == "repeat_later"
    counts = {m.__name__: m.select().count() for m in (CheckIn, ExerciseSet, Alert)}
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts == {m.__name__: m.select().count() for m in (CheckIn, ExerciseSet, Alert)}  # running it again adds nothing
