"""A year of History goes week by week: each week's point, summed up by the database, equals the period's days of that
week summed up one by one (the furthest zone, the highest pains, the longest walk and the soonest onset of equally
long ones, the sets done)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfcare.clinical import Zone, week_start
from selfcare.models import DailySummary
from selfcare.services.history_series import DayPoint, by_day, by_week, summary_series
from selfcare.services.periods import Period, period_for
from tests.factories import make_onboarded_patient

NOW = datetime(2026, 11, 20, 12, 0)  # a Friday; London is on UTC in November
ZONES = [None, *(zone.value for zone in Zone)]


def weeks_from_days(period: Period, days: list[DayPoint]) -> list[DayPoint]:
    """The week points as the module docstring says, from the period's day points, one by one."""
    out = []
    for monday in period.weeks():
        week = [p for p in days if week_start(p.day) == monday]
        zones = [p.zone for p in week if p.zone is not None]
        legs = [p.leg_pain for p in week if p.leg_pain is not None]
        backs = [p.back_pain for p in week if p.back_pain is not None]
        walked = [p for p in week if p.walk_minutes is not None]
        longest = max((p.walk_minutes for p in walked), default=None)
        onsets = [p.onset_minutes for p in walked if p.walk_minutes == longest]  # equally long: the soonest onset
        onset = min((o for o in onsets if o is not None), default=None)
        out.append(DayPoint(monday, max(zones, key=lambda z: z.rank) if zones else None, max(legs, default=None),
                            max(backs, default=None), longest, onset,
                            sum(p.sets_done for p in week)))
    return out


day_rows = st.dictionaries(
    st.integers(-10, 380),  # days before today: some fall before the year, and into its first, partial week
    st.tuples(st.sampled_from(ZONES), st.none() | st.integers(0, 10), st.integers(0, 10),
              st.none() | st.sampled_from([0, 5, 12, 300]), st.none() | st.sampled_from([0, 1, 4, 12, 300]), st.integers(0, 4),
              st.integers(0, 2)),
    max_size=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=day_rows)
def test_each_week_equals_its_days_summed_up(app, rows):
    """Random daily rows (equal walks in a week, walks with no onset, days outside the year): the year's points by week
    equal its points by day summed up week by week, and the totals the page shows are the same."""
    with app.app_context():
        patient = make_onboarded_patient(timezone="Europe/London")
        today = date(2026, 11, 20)
        for ago, (zone, leg, back, walk, onset, done, extra) in rows.items():
            day = today - timedelta(days=ago)
            DailySummary.create(patient=patient.id, day=day, week=week_start(day), zone=zone, leg_pain=leg,
                                back_pain=None if leg is None else back, walk_minutes=walk,
                                onset_minutes=None if walk is None else onset, sets_done=done,
                                sets_started=done + extra, sets_planned=4, results={})
        year, quarter = period_for(patient, 365, NOW), period_for(patient, 90, NOW)
        shown, days = summary_series(patient, year), by_day(patient, year)
        assert shown == by_week(patient, year) and summary_series(patient, quarter) == by_day(patient, quarter)
    assert year.by_week and not quarter.by_week
    assert shown.points == weeks_from_days(year, days.points)
    assert (shown.sets_started, shown.days_recorded, shown.days_checked_in) == (
        days.sets_started, days.days_recorded, days.days_checked_in)
