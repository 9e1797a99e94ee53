"""Sets grouped by the patient's local day in SQL (services/local_days.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from selfcare.services.history import build_history, day_indexes, period_for
from selfcare.services.local_days import runs, set_days
from selfcare.timeutil import day_starts, in_zone
from tests.factories import make_onboarded_patient
from tests.history_rows import add_set

D = timedelta(days=1)


@pytest.mark.parametrize(
    ("tz_name", "first", "days", "expected"),
    [
        ("UTC", date(2026, 1, 1), 365, [(0, True)]),
        ("Europe/London", date(2026, 3, 1), 60, [(0, True), (28, False), (29, True)]),  # 29 Mar 2026 lasts 23 hours
        ("Europe/London", date(2026, 3, 29), 1, [(0, False)]),
        ("Europe/London", date(2025, 12, 2), 365, [(0, True), (117, False), (118, True), (327, False), (328, True)]),
        ("Asia/Kolkata", date(2025, 12, 2), 365, [(0, True)]),
        ("Australia/Lord_Howe", date(2026, 4, 1), 10, [(0, True), (4, False), (5, True)]),  # half an hour back
    ],
)
def test_runs_split_the_period_at_days_that_are_not_24_hours(tz_name, first, days, expected):
    found = runs(day_starts(ZoneInfo(tz_name), first, days))
    assert [(index, whole) for index, _, _, whole in found] == expected
    assert found[0][1] == day_starts(ZoneInfo(tz_name), first, days)[0]
    assert found[-1][2] == day_starts(ZoneInfo(tz_name), first, days)[-1]


ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago"]


@pytest.mark.parametrize("tz_name", ZONES)
def test_set_days_groups_by_local_day_as_python_does(app, tz_name):
    patient = make_onboarded_patient(timezone=tz_name)
    now = datetime(2026, 11, 20, 12, 0)
    with app.app_context():
        period = period_for(patient, 365, now)
        tz = ZoneInfo(tz_name)
        times = [s for s in day_starts(tz, period.first, period.days)[:-1]]  # every local midnight
        times += [s - timedelta(seconds=1) for s in day_starts(tz, period.first, period.days)[1:]]  # the last second of each day
        times += [period.start + timedelta(minutes=97 * n) for n in range(0, 365 * 24 * 60 // 97, 5)]
        zones = ["back", "buttock", "thigh", "calf", "foot"]
        for n, at in enumerate(times):
            after = None if n % 3 == 0 else zones[(n * 7) % 5]
            add_set(patient, at, before=zones[n % 5], after=after, response=None if after is None else "better")
        grouped = set_days(patient, tz, period.first, period.days, period.start, period.end)
    indexes = day_indexes(tz, period, times)
    assert [(in_zone(tz, t).date() - period.first).days for t in times] == indexes
    rank = {z: r for r, z in enumerate(["none", *zones])}
    worst, done = [-1] * period.days, [0] * period.days
    for n, i in enumerate(indexes):
        after = None if n % 3 == 0 else zones[(n * 7) % 5]
        worst[i] = max(worst[i], rank[zones[n % 5]], -1 if after is None else rank[after])
        done[i] += after is not None
    assert grouped.total == len(times)
    assert grouped.worst == worst and grouped.done == done


def test_history_lists_the_newest_sets_and_counts_them_all(app):
    patient = make_onboarded_patient(timezone="Europe/London")
    now = datetime(2026, 11, 20, 12, 0)
    with app.app_context():
        for n in range(60):
            add_set(patient, now - timedelta(hours=5 * n), response=None if n % 4 else "better", after=None if n % 4 else "thigh")
        add_set(patient, now - timedelta(days=400))  # before the period
        history = build_history(patient, 30, now)
    assert history.sessions_total == 60 and len(history.sessions) == 50
    starts = [s.started for s in history.sessions]
    assert starts == sorted(starts, reverse=True) and starts[0] == in_zone(ZoneInfo("Europe/London"), now)
    assert sum(p.sets_done for p in history.series) == 15
    assert not history.empty
