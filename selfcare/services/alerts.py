"""Red-flag alerts: stored for every result above `none`, shown until the patient confirms them."""

from __future__ import annotations

from datetime import datetime

from selfcare.clinical import Event, EventKind, Level, Triage
from selfcare.db import db
from selfcare.models import Alert, CheckIn, User, utcnow
from selfcare.prepared import prepared
from selfcare.services import player


def raise_alert(patient: User, result: Triage, source: str, checkin: CheckIn | None = None, now: datetime | None = None) -> Alert | None:
    """Store an alert for a result above `none` (nothing about a red flag is lost); None otherwise."""
    if result.level == Level.NONE:
        return None
    return Alert.create(
        patient=patient, level=result.level.value, reasons=list(result.reasons), source=source,
        checkin=checkin, created_at=now or utcnow(),
    )


UNCONFIRMED = prepared(lambda patient: Alert.select().where((Alert.patient == patient) & Alert.confirmed_at.is_null()))


def unconfirmed(patient: User) -> list[Alert]:
    """Alerts the patient has not yet said they read, most serious and newest first (one query, on every patient page)."""
    alerts: list[Alert] = UNCONFIRMED.all(patient=patient.id)
    return sorted(alerts, key=lambda a: (Level(a.level), a.created_at), reverse=True)


def open_emergency(patient: User) -> Alert | None:
    """The newest emergency alert the patient has not confirmed: it takes over every patient page."""
    return (
        Alert.select()
        .where((Alert.patient == patient.id) & (Alert.level == Level.EMERGENCY.value) & Alert.confirmed_at.is_null())
        .order_by(Alert.created_at.desc())
        .first()
    )


def get_own(patient: User, alert_id: int) -> Alert | None:
    """The patient's own alert with this id, or None (never someone else's)."""
    return Alert.get_or_none((Alert.id == alert_id) & (Alert.patient == patient.id))


def confirm(alert: Alert, now: datetime | None = None) -> Alert:
    """Record that the patient read the alert (the first time only)."""
    if alert.confirmed_at is None:
        alert.confirmed_at = now or utcnow()
        alert.save()
    return alert


def confirm_read(patient: User, alert: Alert, now: datetime | None = None) -> Alert:
    """The patient read their alert: an urgent pause lifts, an emergency still blocks today."""
    first_time = alert.confirmed_at is None
    with db.atomic():
        confirm(alert, now)
        if first_time and Level(alert.level) in (Level.URGENT, Level.EMERGENCY):
            player.apply(patient, Event(EventKind.CONFIRM), now)
    return alert
