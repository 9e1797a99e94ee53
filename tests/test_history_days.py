"""Pure helpers behind the year-long history: placing stored times on local days, and the charts' text."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from selfcare.charts import day_label
from selfcare.services.history import day_indexes
from selfcare.services.periods import Period, day_text, time_text
from selfcare.timeutil import day_bounds, day_starts, in_zone


class _Patient:
    def __init__(self, timezone: str) -> None:
        self.timezone = timezone


def _period(tz_name: str, first: date, days: int) -> Period:
    patient = _Patient(tz_name)
    last = first + timedelta(days=days - 1)
    return Period(first, last, day_bounds(patient, first)[0], day_bounds(patient, last)[1])  # type: ignore[arg-type]


ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata",
         "America/Santiago", "Asia/Beirut"]  # the last two change their clocks at midnight


@pytest.mark.parametrize("tz_name", ZONES)
@pytest.mark.parametrize(("first", "days"), [(date(2025, 12, 1), 365), (date(2026, 3, 20), 14), (date(2026, 10, 20), 14),
                                             (date(2026, 4, 1), 1)])
@pytest.mark.parametrize("every_minutes", [37, 60 * 24 * 3 + 11])  # many times a day, and fewer times than days
def test_day_indexes_match_converting_each_time(tz_name, first, days, every_minutes):
    tz = ZoneInfo(tz_name)
    period = _period(tz_name, first, days)
    times = []
    moment = period.start
    while moment < period.end:
        times.append(moment)
        moment += timedelta(minutes=every_minutes)
    times += [period.end - timedelta(microseconds=1)] + [s for s in day_starts(tz, first, days)[:-1]]  # the edges
    times.sort()
    expected = [(in_zone(tz, t).date() - first).days for t in times]
    assert day_indexes(tz, period, times) == expected
    assert all(0 <= i < days for i in expected)


@pytest.mark.parametrize("tz_name", ZONES)
def test_day_starts_are_the_day_bounds(tz_name):
    patient = _Patient(tz_name)
    first = date(2026, 1, 1)
    starts = day_starts(ZoneInfo(tz_name), first, 365)
    assert len(starts) == 366
    for n, start in enumerate(starts[:-1]):
        assert (start, starts[n + 1]) == day_bounds(patient, first + timedelta(days=n))  # type: ignore[arg-type]


@pytest.mark.parametrize("day", [date(2026, 1, 1) + timedelta(days=n) for n in range(0, 365, 17)])
def test_chart_days_read_as_before(day):
    assert day_label(day) == f"{day.day} {day:%b}"


@pytest.mark.parametrize("moment", [datetime(2026, 1, 1, 0, 0) + timedelta(days=n * 23, minutes=n * 97) for n in range(0, 40)])
def test_dates_and_times_read_as_strftime_wrote_them(moment):
    assert day_text(moment) == f"{moment:%a} {moment.day} {moment:%b %Y}"
    assert day_text(moment.date()) == day_text(moment)
    assert time_text(moment) == f"{moment:%a} {moment.day} {moment:%b %Y}, {moment:%H:%M}"
