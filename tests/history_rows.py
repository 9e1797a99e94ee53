"""Rows for the history and summary tests, made directly with the peewee models (times naive UTC)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from selfcare.db import db
from selfcare.models import Alert, CheckIn, ExerciseSet, User, Walk


def add_checkin(
    patient: User, at: datetime, zone: str = "calf", leg: int = 5, back: int = 3, side: str | None = "left",
    worse_with: Iterable[str] = (), walk: int | None = None, onset: int | None = None, **extra: Any,
) -> CheckIn:
    """A check-in (level none), and a walk logged with it if `walk` is given."""
    checkin = CheckIn.create(
        uuid=uuid.uuid4(), patient=patient, recorded_at=at, red_flags={}, level="none", reasons=[], zone=zone,
        side=None if zone == "none" else side, leg_pain=leg, back_pain=back, sensations=[], worse_with=list(worse_with),
        **extra,
    )
    if walk is not None:
        add_walk(patient, at, walk, onset, checkin=checkin)
    return checkin


def add_walk(patient: User, at: datetime, minutes: int, onset: int | None = None, checkin: CheckIn | None = None) -> Walk:
    """A walk: minutes walked and minutes until leg symptoms started (None: they did not)."""
    return Walk.create(uuid=uuid.uuid4(), patient=patient, checkin=checkin, recorded_at=at, minutes=minutes, onset_minutes=onset)


def add_set(
    patient: User, at: datetime, before: str = "calf", after: str | None = "thigh", response: str | None = "centralized",
    outcome: str | None = "repeat_later",
) -> ExerciseSet:
    """One run through the protocol, finished five minutes after it started."""
    return ExerciseSet.create(
        uuid=uuid.uuid4(), patient=patient, started_at=at, finished_at=at + timedelta(minutes=5),
        before_zone=before, before_leg_pain=6, before_back_pain=3, after_zone=after,
        after_leg_pain=None if after is None else 4, after_back_pain=None if after is None else 3,
        response=response, outcome=outcome,
    )


def add_alert(patient: User, at: datetime, level: str, reasons: list[str]) -> Alert:
    """A red-flag alert the patient has already confirmed (so it does not take over the pages)."""
    return Alert.create(patient=patient, level=level, reasons=reasons, source="checkin", created_at=at, confirmed_at=at)


def add_days(patient: User, end: datetime, days: int) -> None:
    """One check-in with a walk and one set on each of `days` days up to `end`, in bulk."""
    moments = [end - timedelta(days=n) for n in range(days)]
    with db.atomic():
        CheckIn.insert_many([
            {"uuid": uuid.uuid4(), "patient": patient, "recorded_at": t, "received_at": t, "red_flags": {}, "level": "none",
             "reasons": [], "zone": "thigh", "side": "left", "leg_pain": 4, "back_pain": 2, "sensations": [],
             "worse_with": ["sitting"]}
            for t in moments
        ]).execute()
        Walk.insert_many([
            {"uuid": uuid.uuid4(), "patient": patient, "recorded_at": t, "received_at": t, "minutes": 10 + n % 20,
             "onset_minutes": 5}
            for n, t in enumerate(moments)
        ]).execute()
        ExerciseSet.insert_many([
            {"uuid": uuid.uuid4(), "patient": patient, "started_at": t, "finished_at": t, "before_zone": "calf",
             "before_leg_pain": 5, "before_back_pain": 2, "after_zone": "thigh", "after_leg_pain": 3, "after_back_pain": 2,
             "response": "centralized", "outcome": "repeat_later"}
            for t in moments
        ]).execute()


class QueryCount:
    """How many SQL statements ran (filled in by `count_queries`)."""

    n = 0


@contextmanager
def count_queries() -> Iterator[QueryCount]:
    """Count every statement the bound database runs inside the block."""
    database = db.obj
    original = database.execute_sql
    counter = QueryCount()

    def counting(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        counter.n += 1
        return original(sql, params, *args, **kwargs)

    database.execute_sql = counting
    try:
        yield counter
    finally:
        del database.execute_sql  # back to the class's method
