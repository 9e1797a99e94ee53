"""Rows for the history and summary tests, made directly with the peewee models (times naive UTC), each with its day's
daily summary row written as the app writes it (services/daily_summary.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import Flask, has_app_context

from selfcare.clinical import load_content
from selfcare.content import EXTENSION
from selfcare.db import db
from selfcare.models import Alert, CheckIn, ExerciseSet, User, Walk
from selfcare.services import daily_summary


@lru_cache(maxsize=1)
def _content_app() -> Flask:
    """A bare app holding content/ only: the summary reads the plan from the running app's content."""
    app = Flask(__name__)
    app.extensions[EXTENSION] = load_content()
    return app


def _in_app() -> Any:
    """The running app's context if there is one, else the bare app's."""
    return nullcontext() if has_app_context() else _content_app().app_context()


def summarize(patient: User, *moments: datetime) -> None:
    """Write again the daily summary rows of the local days of these stored times, as each entry's transaction does."""
    with _in_app(), db.atomic():
        daily_summary.refresh_days(patient, moments)


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
    else:
        summarize(patient, at)
    return checkin


def add_walk(patient: User, at: datetime, minutes: int, onset: int | None = None, checkin: CheckIn | None = None) -> Walk:
    """A walk: minutes walked and minutes until leg symptoms started (None: they did not)."""
    walk = Walk.create(uuid=uuid.uuid4(), patient=patient, checkin=checkin, recorded_at=at, minutes=minutes, onset_minutes=onset)
    summarize(patient, at)
    return walk


def add_set(
    patient: User, at: datetime, before: str = "calf", after: str | None = "thigh", response: str | None = "centralized",
    outcome: str | None = "repeat_later",
) -> ExerciseSet:
    """One run through the protocol, finished five minutes after it started."""
    row = ExerciseSet.create(
        uuid=uuid.uuid4(), patient=patient, started_at=at, finished_at=at + timedelta(minutes=5),
        before_zone=before, before_leg_pain=6, before_back_pain=3, after_zone=after,
        after_leg_pain=None if after is None else 4, after_back_pain=None if after is None else 3,
        response=response, outcome=outcome,
    )
    summarize(patient, at)
    return row


def add_alert(patient: User, at: datetime, level: str, reasons: list[str]) -> Alert:
    """A red-flag alert the patient has already confirmed (so it does not take over the pages)."""
    return Alert.create(patient=patient, level=level, reasons=reasons, source="checkin", created_at=at, confirmed_at=at)


def add_days(patient: User, end: datetime, days: int) -> None:
    """One check-in with a walk and one set on each of `days` days up to `end`, in bulk (the summary rebuilt after)."""
    moments = [end - timedelta(days=n) for n in range(days)]
    with _in_app(), db.atomic():
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
        daily_summary.rebuild(patient)


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
