"""Alerts for therapists: the banner of open alerts (how many wait across the caseload, and the most serious,
newest ones), one patient's open alerts, finding a linked patient's alert, acknowledging it, and one alert as
the timeline shows it. Plain data: the templates write the markup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import Case, fn

from selfcare.clinical import Level
from selfcare.content import current_content
from selfcare.models import Alert, CareLink, User, utcnow
from selfcare.services.timeline import (
    ALERT_ROW,
    LEVEL_NAMES,
    OPEN_SHOWN,
    AlertEntry,
    _alert_entry,
    _alerts_query,
    _id_column,
    _rid,
    question_words,
)
from selfcare.statements import Statement


@dataclass(frozen=True)
class OpenAlert:
    """An alert no therapist has acknowledged yet, for the banner."""

    id: int
    patient_id: int
    patient_name: str
    level: Level
    level_name: str
    age: str  # how long ago, so no time zone is needed


@dataclass(frozen=True)
class OpenAlerts:
    """How many alerts wait across the caseload, and the most serious, newest ones."""

    count: int
    alerts: Sequence[OpenAlert]


def age_text(then: datetime, now: datetime) -> str:
    """How long ago, in rough words: 'just now', '5 minutes ago', '3 hours ago', '2 days ago'."""
    minutes = max(int((now - then).total_seconds() // 60), 0)
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            n = minutes // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def _severity() -> Any:
    """An alert's level as a number that sorts the most serious last (order by it descending)."""
    return Case(Alert.level, [(lv.value, rank) for rank, lv in enumerate(Level)], 0)


# The banner on every therapist page lists the most serious few, with the count of all: on a phone a long list
# pushed the page itself out of sight, and the caseload puts every patient with an alert first anyway.
BANNER_SHOWN = 5


def _open(therapist: Any) -> Any:
    """The open alerts of the therapist's linked patients, most serious and newest first (the first BANNER_SHOWN),
    each with the count of all: id, patient, level, when, the patient's name, the count."""
    return (
        Alert.select(_id_column(Alert), Alert.patient, Alert.level, Alert.created_at, User.name,
                     fn.COUNT(_id_column(Alert)).over())
        .join(User, on=(Alert.patient == User.id))
        .join(CareLink, on=(CareLink.patient == User.id))
        .where((CareLink.therapist == therapist) & CareLink.ended_at.is_null() & Alert.acknowledged_at.is_null())
        .order_by(_severity().desc(), Alert.created_at.desc(), _id_column(Alert).desc())
        .limit(BANNER_SHOWN)
    )


OPEN = Statement(_open)  # the banner on every therapist page and its poll: written as SQL once, run with the id


def open_alerts(therapist: User, now: datetime | None = None) -> OpenAlerts:
    """Unacknowledged alerts of the therapist's linked patients: most serious first (one query: the count of
    them all comes with each row, as a window over the whole result before the limit)."""
    moment = now or utcnow()
    rows = OPEN.rows(therapist=therapist.id)
    alerts = [
        OpenAlert(int(alert_id), int(patient_id), name, Level(level), LEVEL_NAMES[Level(level)], age_text(created_at, moment))
        for alert_id, patient_id, level, created_at, name, _ in rows
    ]
    return OpenAlerts(int(rows[0][5]) if rows else 0, alerts)


@dataclass(frozen=True)
class PatientAlerts:
    """One patient's alerts that no therapist has acknowledged yet: how many, and the most serious, newest ones."""

    count: int
    alerts: Sequence[AlertEntry]


def _patient_open(patient: int) -> Any:
    """The patient's unacknowledged alerts (ALERT_COLUMNS), most serious and newest first, the first OPEN_SHOWN of
    them, each with the count of them all."""
    return (
        _alerts_query().select_extend(fn.COUNT(_id_column(Alert)).over().alias("open_count"))
        .where((Alert.patient == patient) & Alert.acknowledged_at.is_null())
        .order_by(_severity().desc(), Alert.created_at.desc(), _id_column(Alert).desc())
        .limit(OPEN_SHOWN)
    )


PATIENT_OPEN = Statement(_patient_open)


def patient_open_alerts(patient: User) -> PatientAlerts:
    """The patient's unacknowledged alerts, most serious and newest first, as the timeline shows them (one statement:
    the count of them all comes with each row)."""
    content = current_content()
    wording = question_words(content)
    rows = PATIENT_OPEN.rows(patient=patient.id)
    alerts = [_alert_entry(patient, ALERT_ROW(*row[:-1]), content, wording) for row in rows]  # the last: the count
    return PatientAlerts(int(rows[0][-1]) if rows else 0, alerts)


def _linked(therapist: User) -> Any:
    """Join condition: the alert's patient is currently linked to this therapist."""
    return (CareLink.therapist == therapist.id) & CareLink.ended_at.is_null()


def linked_alert(therapist: User, alert_id: int) -> Alert | None:
    """The alert with this id only if its patient is currently linked to this therapist (one query)."""
    return (
        Alert.select()
        .join(CareLink, on=(CareLink.patient == Alert.patient))
        .where((_id_column(Alert) == alert_id) & _linked(therapist))
        .first()
    )


def acknowledge(therapist: User, alert: Alert, note: str, now: datetime | None = None) -> bool:
    """Record that `therapist` acted on the alert, once: False (nothing stored) if someone already had."""
    updated = (
        Alert.update(acknowledged_at=now or utcnow(), acknowledged_by=therapist.id, acknowledgement=note.strip())
        .where((_id_column(Alert) == _rid(alert)) & Alert.acknowledged_at.is_null())
        .execute()
    )
    return bool(updated)


def alert_entry(patient: User, alert_id: int) -> AlertEntry:
    """One alert of this patient as the timeline shows it (one query)."""
    content = current_content()
    row = _alerts_query().where((_id_column(Alert) == alert_id) & (Alert.patient == patient.id)).objects().get()
    return _alert_entry(patient, row, content, question_words(content))
