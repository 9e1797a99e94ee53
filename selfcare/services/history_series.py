"""History's points from the daily summary rows (models.DailySummary, written with each entry): one per calendar day,
or one per week for a range longer than 90 days (periods.DAILY_UP_TO), summed up by the database.

A day's values are clinical.summarize_day's. A week's are the same choices over its days in the period:
- zone: the most distal zone of the week; leg and back pain: the highest score (the worst, on purpose, as a day's);
- walking: the longest walk of the week and when leg symptoms came on during it; of equally long walks on different
  days, the one where they came on soonest (the worse case, as for zones and pain);
- sets: the sets done in the week.
A week is read as one row, not seven: a year is 53 rows and 53 points, whatever the patient logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from peewee import Case, fn

from selfcare.clinical import Zone
from selfcare.models import DailySummary, User
from selfcare.services.periods import Period, period_for
from selfcare.statements import Statement


class DayPoint(NamedTuple):
    """One calendar day (or, in a period read by week, one week: `day` is its Monday) of the series; None where nothing
    was recorded (a named tuple: a year by day has 365 of them)."""

    day: date
    zone: Zone | None
    leg_pain: int | None
    back_pain: int | None
    walk_minutes: int | None
    onset_minutes: int | None  # on the longest walk; None: no symptoms came on (or no walk)
    sets_done: int


ZONES_BY_RANK = list(Zone)  # declaration order, as Zone compares (distal is higher)
RANK_OF_VALUE = {zone.value: rank for rank, zone in enumerate(ZONES_BY_RANK)}  # by the stored text


@dataclass(frozen=True)
class SummarySeries:
    """The period's points from the daily summary rows (per day or per week), and what its days held in all."""

    points: list[DayPoint]
    sets_started: int
    days_recorded: int  # days with a row: 0 means nothing was recorded in the period
    days_checked_in: int  # days with a check-in (a leg pain): the trend's distinct local days


# The rows of the statements below, as the database gives them.
SummaryRow = tuple[date, str | None, int | None, int | None, int | None, int | None, int, int]
# week, furthest zone's rank, highest leg and back pain, longest walk and its onset (as one number: walk_and_onset),
# sets done and started, days with a row, days with a check-in
WeekRow = tuple[date, int | None, int | None, int | None, int | None, int, int, int, int]


def _in_period(row: Any, patient: int, first: date, last: date) -> Any:
    """The patient's daily summary rows from `first` to `last` (`row`: DailySummary or an alias of it)."""
    return (row.patient == patient) & (row.day >= first) & (row.day <= last)


def _summary_rows(patient: int, first: date, last: date) -> Any:
    """The daily summary rows of the patient's days from `first` to `last` (at most one per day)."""
    return (DailySummary.select(DailySummary.day, DailySummary.zone, DailySummary.leg_pain, DailySummary.back_pain,
                                DailySummary.walk_minutes, DailySummary.onset_minutes, DailySummary.sets_done,
                                DailySummary.sets_started)
            .where(_in_period(DailySummary, patient, first, last)))


# A week's longest walk and its onset in one aggregate (see _week_rows): minutes × ONSET_ROOM + (ONSET_ROOM - 1 - onset),
# or + 0 when no symptoms came on. Every entry keeps an onset at most patient.forms.MAX_WALK (300), well under 999.
ONSET_ROOM = 1000


def _week_rows(patient: int, first: date, last: date) -> Any:
    """One row per week with a daily summary row from `first` to `last`, oldest first (see the module docstring).

    The longest walk and its onset come as one number, the largest of the week's days: the minutes of each day's walk
    times ONSET_ROOM, plus how soon symptoms came on (ONSET_ROOM - 1 - onset; 0 when they did not). So the longest
    walk wins, and of equally long ones the one where symptoms came on soonest (`walk_and_onset` reads it back)."""
    rank = Case(DailySummary.zone, [(value, rank) for value, rank in RANK_OF_VALUE.items()])
    soon = fn.COALESCE(ONSET_ROOM - 1 - DailySummary.onset_minutes, 0)
    minutes = DailySummary.walk_minutes.cast("INTEGER")  # PostgreSQL multiplies a SMALLINT as a SMALLINT
    return (DailySummary.select(DailySummary.week, fn.MAX(rank), fn.MAX(DailySummary.leg_pain),
                                fn.MAX(DailySummary.back_pain), fn.MAX(minutes * ONSET_ROOM + soon),
                                fn.SUM(DailySummary.sets_done), fn.SUM(DailySummary.sets_started),
                                fn.COUNT(DailySummary.id), fn.COUNT(DailySummary.leg_pain))
            .where(_in_period(DailySummary, patient, first, last))
            .group_by(DailySummary.week).order_by(DailySummary.week))


def walk_and_onset(packed: int | None) -> tuple[int | None, int | None]:
    """The longest walk's minutes and its onset (None: no symptoms came on) from _week_rows' one number."""
    if packed is None:
        return None, None
    minutes, soon = divmod(packed, ONSET_ROOM)
    return minutes, None if soon == 0 else ONSET_ROOM - 1 - soon


SUMMARY_ROWS = Statement(_summary_rows)
WEEK_ROWS = Statement(_week_rows)


def _points(keys: list[date], rows: dict[date, Any], point: Callable[[date, Any], DayPoint]) -> list[DayPoint]:
    """A point for each day or week of `keys`, oldest first: `point(key, row)` where a row was kept, else an empty one."""
    return [DayPoint(key, None, None, None, None, None, 0) if key not in rows else point(key, rows[key]) for key in keys]


def _day_point(day: date, row: SummaryRow) -> DayPoint:
    _, zone, leg, back, walk, onset, done, _started = row
    return DayPoint(day, Zone(zone) if zone else None, leg, back, walk, onset, done)


def _week_point(week: date, row: WeekRow) -> DayPoint:
    _, rank, leg, back, packed, done = row[:6]
    walk, onset = walk_and_onset(packed)
    return DayPoint(week, None if rank is None else ZONES_BY_RANK[rank], leg, back, walk, onset, int(done))


def by_day(patient: User, period: Period) -> SummarySeries:
    """One point per calendar day of the period, oldest first (one statement, at most one row per day)."""
    rows = cast(list[SummaryRow], SUMMARY_ROWS.rows(patient=patient.id, first=period.first, last=period.last))
    points = _points(period.dates(), {row[0]: row for row in rows}, _day_point)
    return SummarySeries(points, sum(row[7] for row in rows), len(rows), sum(1 for row in rows if row[2] is not None))


def by_week(patient: User, period: Period) -> SummarySeries:
    """One point per week the period touches, oldest first (one statement, at most one row per week)."""
    rows = cast(list[WeekRow], WEEK_ROWS.rows(patient=patient.id, first=period.first, last=period.last))
    points = _points(period.weeks(), {row[0]: row for row in rows}, _week_point)
    return SummarySeries(points, sum(int(row[6]) for row in rows), sum(int(row[7]) for row in rows),
                         sum(int(row[8]) for row in rows))


def summary_series(patient: User, period: Period) -> SummarySeries:
    """The period's points from the daily summary rows: by day, or by week for a long period (Period.by_week)."""
    return by_week(patient, period) if period.by_week else by_day(patient, period)


def numbers_series(patient: User, days: int, now: datetime | None = None) -> tuple[Period, list[DayPoint]]:
    """The period of the last `days` days and its points from the daily summary rows alone (one query): what the
    numbers behind the charts need."""
    period = period_for(patient, days, now)
    return period, summary_series(patient, period).points
