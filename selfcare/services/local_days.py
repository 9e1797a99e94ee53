"""Rows grouped by the patient's calendar day in SQL: a year of exercise sets comes back as one row per day.

A local day is not a UTC day: it starts at local midnight, and days around a clock change last 23 or 25
hours. So the day of a stored (naive UTC) time is found from the period's UTC day starts (timeutil.day_starts):
between clock changes every day lasts 86,400 seconds, so each such run of days is one CASE branch,
`first day of the run + (seconds since its start) / 86400`, and a 23- or 25-hour day is a branch of its own.
A year in a zone with summer time is about five branches; in UTC it is one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from peewee import SQL, Case, ColumnBase, Field, Value, fn

from selfcare.clinical import Zone
from selfcare.db import db, is_postgresql
from selfcare.models import ExerciseSet, User
from selfcare.timeutil import day_starts

DAY = 86_400
RANKS = [(zone.value, rank) for rank, zone in enumerate(Zone)]  # declaration order: distal is higher, as Zone compares


def _epoch(stored: datetime) -> int:
    """Seconds since 1970 of a stored (naive UTC) time."""
    return int(stored.replace(tzinfo=timezone.utc).timestamp())


def runs(starts: Sequence[datetime]) -> list[tuple[int, datetime, datetime, bool]]:
    """(first day index, UTC start, UTC end, whether its days last 24 hours) for each run of days between `starts`.

    24-hour days next to each other share a run; a 23- or 25-hour day is a run of its own.
    """
    out: list[tuple[int, datetime, datetime, bool]] = []
    for i in range(len(starts) - 1):
        whole = starts[i + 1] - starts[i] == timedelta(days=1)
        if whole and out and out[-1][3]:
            out[-1] = (out[-1][0], out[-1][1], starts[i + 1], True)
        else:
            out.append((i, starts[i], starts[i + 1], whole))
    return out


def epoch_sql(field: Field) -> ColumnBase:
    """Whole seconds since 1970 of a stored time column, in this database's SQL."""
    if is_postgresql():
        return fn.FLOOR(fn.date_part("epoch", field)).cast("bigint")
    return fn.strftime("%s", field).cast("INTEGER")


def day_index_sql(field: Field, tz: ZoneInfo, first: date, days: int) -> ColumnBase:
    """The SQL for the index (0 = `first`) of the local day of `field`, for times within the period."""
    seconds = epoch_sql(field)
    branches = [
        (field < end, Value(index) + (seconds - Value(_epoch(start))) / Value(DAY) if whole else Value(index))
        for index, start, end, whole in runs(day_starts(tz, first, days))
    ]
    if len(branches) == 1:
        return branches[0][1]
    return Case(None, branches[:-1], branches[-1][1])


@dataclass(frozen=True)
class SetDays:
    """Sets by day index: the most distal zone recorded (rank, -1: none), the sets re-checked, and all sets."""

    worst: list[int]
    done: list[int]
    total: int


_PATIENT, _START, _END = -7, datetime(1900, 1, 1), datetime(1900, 1, 2)  # stand-ins, replaced on each use


@lru_cache(maxsize=64)
def _set_days_sql(tz: ZoneInfo, first: date, days: int, postgresql: bool) -> tuple[str, tuple[Any, ...]]:
    """The SQL of `set_days` and its parameters but the last three (patient, start, end), made once per period."""
    index = day_index_sql(ExerciseSet.started_at, tz, first, days)
    query = (
        ExerciseSet.select(
            index,
            fn.MAX(Case(ExerciseSet.before_zone, [(Value(v), Value(r)) for v, r in RANKS], Value(-1))),
            fn.MAX(Case(ExerciseSet.after_zone, [(Value(v), Value(r)) for v, r in RANKS], Value(-1))),
            fn.SUM(Case(None, [(ExerciseSet.response.is_null(False), Value(1))], Value(0))),
            fn.COUNT(ExerciseSet.started_at),
        )
        .where((ExerciseSet.patient == _PATIENT) & (ExerciseSet.started_at >= _START) & (ExerciseSet.started_at < _END))
        .group_by(SQL("1"))  # by position: PostgreSQL cannot match a repeated expression whose values are parameters
    )
    sql, params = query.sql()
    if list(params[-3:]) != [_PATIENT, _START, _END]:
        raise RuntimeError("set_days: the patient and period are not the last parameters")
    return sql, tuple(params[:-3])


def set_days(patient: User, tz: ZoneInfo, first: date, days: int, start: datetime, end: datetime) -> SetDays:
    """The patient's sets from `start` to `end` (the period's UTC bounds) grouped by local day: one query.

    The SQL is made once per time zone and period (peewee takes about a millisecond to write it).
    """
    sql, params = _set_days_sql(tz, first, days, is_postgresql())
    worst, done, total = [-1] * days, [0] * days, 0
    for i, before, after, rechecked, count in db.execute_sql(sql, (*params, patient.id, start, end)):
        worst[i] = max(int(before), int(after))
        done[i] = int(rechecked)
        total += int(count)
    return SetDays(worst, done, total)
