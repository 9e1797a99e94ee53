"""Alerts for therapists: the banner of open alerts (how many wait across the caseload, and the most serious,
newest ones), finding a linked patient's alert, acknowledging it, and one alert as the timeline shows it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from markupsafe import Markup
from peewee import Case, fn

from selfcare.clinical import Level
from selfcare.models import Alert, CareLink, User, utcnow
from selfcare.prepared import prepared
from selfcare.content import current_content
from selfcare.services.rows import stored_time
from selfcare.services.timeline import (
    LEVEL_NAMES,
    OPEN_SHOWN,
    AlertEntry,
    _alert_entry,
    _alerts_query,
    _id_column,
    _rid,
    question_words,
)


try:  # markupsafe.escape's own core, without the Markup: ~10x str.translate on a name (charts.html_text)
    from markupsafe._speedups import _escape_inner as html_text
except ImportError:  # pragma: no cover - markupsafe built without its C speedups
    from selfcare.charts import html_text


class OpenAlert(NamedTuple):
    """An alert no therapist has acknowledged yet, for the banner (a tuple: twenty are made on every therapist page)."""

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

    def items_html(self, patient_url: Callable[[int], str]) -> Markup:
        """The banner's list items, links made by `patient_url`: written here (on every therapist page), the same
        markup to the whitespace as _open_alerts.html's loop wrote (a test renders both)."""
        return Markup("".join([
            f'\n        <li class="open-alert open-alert-{html_text(level.value)}">\n          <a href="'
            f'{html_text(patient_url(patient_id))}#alert-{alert_id}"><strong>{html_text(level_name)}</strong>: '
            f'{html_text(name)}</a>\n          <span class="muted">{html_text(age)}</span>\n        </li>\n      '
            for alert_id, patient_id, name, level, level_name, age in self.alerts
        ]))


    def banner_html(self, patient_url: Callable[[int], str], poll_url: str) -> Markup:
        """The whole banner as _open_alerts.html writes it with these alerts (`poll_url`: its url_for('therapist.open_alerts'),
        `patient_url` its patient links): written here on the patient's page, the same markup to the whitespace (a test
        renders both); the polling endpoint and other includes render the template."""
        count, shown = self.count, len(self.alerts)
        if count == 0:
            body = '\n    <p id="open-alerts-heading" class="open-alerts-title">No alerts waiting for you.</p>\n  '
        else:
            more = f'<p class="hint">Showing the {shown} most serious.</p>' if count > shown else ""
            body = (f'\n    <h2 id="open-alerts-heading" class="open-alerts-title">{count} alert{"s" if count != 1 else ""} waiting for you'
                    f'</h2>\n    <ul class="plain open-alerts-list">\n      {self.items_html(patient_url)}\n    </ul>\n    {more}\n  ')
        return Markup(
            f'\n<section id="open-alerts" class="open-alerts{" open-alerts-waiting" if count else ""}"\n'
            f'         role="status" aria-live="polite" aria-labelledby="open-alerts-heading"\n'
            f'         hx-get="{html_text(poll_url)}" hx-trigger="every 30s, alerts-changed from:body"\n'
            f'         hx-swap="outerHTML" hx-select="#open-alerts">\n  {body}\n</section>'
        )


def age_text(then: datetime, now: datetime) -> str:
    """How long ago, in rough words: 'just now', '5 minutes ago', '3 hours ago', '2 days ago'."""
    minutes = max(int((now - then).total_seconds() // 60), 0)
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            n = minutes // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def _open(therapist: object, limit: object) -> object:
    severity = Case(Alert.level, [(lv.value, rank) for rank, lv in enumerate(Level)], 0)
    return (
        Alert.select(_id_column(Alert), Alert.patient, Alert.level, Alert.created_at, User.name,
                     fn.COUNT(_id_column(Alert)).over())
        .join(User, on=(Alert.patient == User.id))
        .join(CareLink, on=(CareLink.patient == User.id))
        .where((CareLink.therapist == therapist) & CareLink.ended_at.is_null() & Alert.acknowledged_at.is_null())
        .order_by(severity.desc(), Alert.created_at.desc(), _id_column(Alert).desc())
        .limit(limit)
        .tuples()  # the banner's six values, not whole alerts: read on every therapist page
    )


LEVELS = {level.value: level for level in Level}  # a stored level to its Level, without Enum's call per row
_OPEN = prepared(_open)  # on every therapist page and every 30 s from each banner: its SQL written once


def open_alerts(therapist: User, now: datetime | None = None, limit: int = OPEN_SHOWN) -> OpenAlerts:
    """Unacknowledged alerts of the therapist's linked patients: most serious first (one query: the count of
    them all comes with each row, as a window over the whole result before the limit)."""
    moment = now or utcnow()
    _, cursor = _OPEN.cursor(therapist=therapist.id, limit=limit)
    rows = cursor.fetchall()  # as the driver gives them: times through stored_time, not peewee's strptime
    alerts = [
        OpenAlert(int(alert_id), int(patient_id), name, LEVELS[level], LEVEL_NAMES[LEVELS[level]],
                  age_text(stored_time(created_at), moment))
        for alert_id, patient_id, level, created_at, name, _ in rows
    ]
    return OpenAlerts(int(rows[0][5]) if rows else 0, alerts)


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
    row = _alerts_query().where((_id_column(Alert) == alert_id) & (Alert.patient == patient.id)).get()
    return _alert_entry(patient, row, content, question_words(content))
