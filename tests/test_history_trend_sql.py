"""History's trend from SQL aggregates (services/history.period_trend) equals the rule applied to each check-in
(clinical.summarize_trend over services/history.period_readings), field for field, on random histories."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from selfcare.clinical import TrendRule, summarize_trend
from selfcare.db import db
from selfcare.models import CheckIn, Walk
from selfcare.services import daily_summary
from selfcare.services.history import build_history, period_readings
from selfcare.services.periods import period_for
from tests.factories import make_onboarded_patient

NOW = datetime(2026, 11, 20, 12, 0)  # naive UTC, as stored
TIME_ZONES = ["UTC", "America/New_York", "Pacific/Chatham", "Asia/Kolkata"]
SLOTS = 60  # times are drawn from a few slots of the period, so same-second ties are common

walks = st.lists(st.tuples(st.integers(0, 90), st.sampled_from([timedelta(0), timedelta(minutes=5), -timedelta(days=400),
                                                                 timedelta(days=2)])), max_size=2)
checkins = st.lists(
    st.fixed_dictionaries({
        "slot": st.integers(-3, SLOTS),  # below 0: before the period
        "micro": st.sampled_from([0, 0, 1, 500_000]),
        "zone": st.sampled_from(["none", "back", "buttock", "thigh", "calf", "foot"]),
        "side": st.sampled_from(["left", "right", "both", None]),
        "leg": st.integers(0, 10),
        "walks": walks,  # walks logged with the check-in, some recorded outside the period
    }),
    max_size=25,
)
loose_walks = st.lists(st.tuples(st.integers(-3, SLOTS), st.integers(0, 90)), max_size=4)  # walks without a check-in
rules = st.builds(TrendRule, min_readings=st.sampled_from([2, 3]), min_days=st.sampled_from([2, 3]),
                  min_span_hours=st.sampled_from([0, 36]), window_fraction=st.sampled_from([1 / 3, 0.5, 0.25]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(entries=checkins, loose=loose_walks, tz=st.sampled_from(TIME_ZONES), days=st.sampled_from([7, 14, 30]),
       rule=rules)
def test_the_trend_from_aggregates_equals_the_trend_of_each_reading(app, entries, loose, tz, days, rule):
    with app.app_context():
        patient = make_onboarded_patient(timezone=tz)
        period = period_for(patient, days, NOW)
        step = (period.end - period.start) / SLOTS

        def at(slot: int, micro: int = 0) -> datetime:
            return period.start + step * slot + timedelta(microseconds=micro)

        with db.atomic():
            for entry in entries:
                moment = at(entry["slot"], entry["micro"])
                checkin = CheckIn.create(
                    uuid=uuid.uuid4(), patient=patient, recorded_at=moment, red_flags={}, level="none", reasons=[],
                    zone=entry["zone"], side=None if entry["zone"] == "none" else entry["side"], leg_pain=entry["leg"],
                    back_pain=2, sensations=[], worse_with=[])
                for minutes, shift in entry["walks"]:
                    Walk.create(uuid=uuid.uuid4(), patient=patient, checkin=checkin, recorded_at=moment + shift,
                                minutes=minutes)
            for slot, minutes in loose:
                Walk.create(uuid=uuid.uuid4(), patient=patient, recorded_at=at(slot), minutes=minutes)
            daily_summary.rebuild(patient)
        expected = summarize_trend(period_readings(patient, period), rule)
        event(f"trend: {expected.direction.value}{', side changed' if expected.side_changed else ''}")
        assert build_history(patient, days, NOW, rule).trend == expected


def test_equally_frequent_sides_first_seen_at_the_same_moment_go_by_id(app):
    """Left and right twice each in the earlier window, both first at the same moment: the one stored first then is
    the usual side (the rule reads check-ins by time, then by id), though the other has the lowest id of all."""
    with app.app_context():
        patient = make_onboarded_patient(timezone="UTC")
        start = NOW - timedelta(days=6)
        rows = [(start + timedelta(hours=1), "left"), (start, "right"), (start, "left"), (start + timedelta(hours=2), "right"),
                (NOW - timedelta(hours=1), "left")]
        for moment, side in rows:
            CheckIn.create(uuid=uuid.uuid4(), patient=patient, recorded_at=moment, red_flags={}, level="none", reasons=[],
                           zone="calf", side=side, leg_pain=5, back_pain=2, sensations=[], worse_with=[])
        daily_summary.rebuild(patient)
        rule = TrendRule(min_days=2, min_span_hours=0)
        expected = summarize_trend(period_readings(patient, period_for(patient, 7, NOW)), rule)
        assert expected.side_changed  # usual: right (id 2 at the first moment), so a recent left is another side
        assert build_history(patient, 7, NOW, rule).trend == expected
