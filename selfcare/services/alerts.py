"""Red-flag alerts: stored for every result above `none`, shown until the patient confirms them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from selfcare.clinical import Event, EventKind, Level, Triage, needs_clearance, side_answers, triage_today
from selfcare.db import db
from selfcare.models import Alert, CheckIn, Profile, User, utcnow
from selfcare.services import player
from selfcare.services.profiles import history_answers
from selfcare.statements import Statement, as_model


def raise_alert(patient: User, result: Triage, source: str, checkin: CheckIn | None = None, now: datetime | None = None) -> Alert | None:
    """Store an alert for a result above `none` (nothing about a red flag is lost); None otherwise."""
    if result.level == Level.NONE:
        return None
    return Alert.create(
        patient=patient, level=result.level.value, reasons=list(result.reasons), source=source,
        checkin=checkin, created_at=now or utcnow(),
    )


ALERT_FIELDS = tuple(Alert._meta.sorted_fields)
UNCONFIRMED = Statement(lambda patient: Alert.select(*ALERT_FIELDS)
                        .where((Alert.patient == patient) & Alert.confirmed_at.is_null()))


def unconfirmed(patient: User) -> list[Alert]:
    """Alerts the patient has not yet said they read, most serious and newest first (one statement, on every patient
    page that has some)."""
    alerts = [as_model(Alert, ALERT_FIELDS, row) for row in UNCONFIRMED.rows(patient=patient.id)]
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
    """The patient read their alert: an emergency still blocks today (and no exercise before it was read); an urgent
    block lasts the rest of the day whether read or not."""
    first_time = alert.confirmed_at is None
    with db.atomic():
        confirm(alert, now)
        if first_time and Level(alert.level) == Level.EMERGENCY:
            player.apply(patient, Event(EventKind.CONFIRM), now)
    return alert


@dataclass(frozen=True)
class Judged:
    """Today's red-flag answers with the signs the app holds added (a reading on both legs), and their triage."""

    answers: dict[str, bool]
    result: Triage

    @property
    def until_cleared(self) -> bool:
        """Fever or trauma: the block outlasts the day until cleared (CLINICAL.md §2)."""
        return needs_clearance(self.answers, self.result)


def judge(profile: Profile | None, answers: Mapping[str, bool], side: str | None = None) -> Judged:
    """Triage today's answers as the clinical core says: a reading on both legs after a one-leg onboarding is
    `both_legs` = yes, and the onboarding history counts only in combinations (`triage_today`)."""
    implied = side_answers(profile.legs if profile is not None else None, side)
    merged = {**answers, **{key: True for key, yes in implied.items() if yes}}
    return Judged(merged, triage_today(merged, history_answers(profile)))


def act_on(patient: User, judged: Judged, source: str, checkin: CheckIn | None = None, now: datetime | None = None) -> Alert | None:
    """Store the alert for a result above none, and block the plan for urgent and emergency ones (in the caller's
    transaction): the sign stops whatever is under way, even mid-set (red_flags.toml [[level]] `blocks_protocol`)."""
    alert = raise_alert(patient, judged.result, source, checkin, now)
    block_plan(patient, judged.result, judged.until_cleared, now)
    return alert


def block_plan(patient: User, result: Triage, until_cleared: bool = False, now: datetime | None = None) -> None:
    """Pause (urgent) or block (emergency) the plan for a result; lower levels leave it as it is."""
    if result.level in (Level.URGENT, Level.EMERGENCY):
        player.apply(patient, Event(EventKind.RED_FLAG, level=result.level, until_cleared=until_cleared), now)
