"""The next-day question after an emergency alert: "were you seen by a doctor?" (CLINICAL.md §2), asked on Today from
the patient's next calendar day until answered, stored on the alert and shown to their therapist."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from selfcare.clinical import Level
from selfcare.db import db
from selfcare.models import Alert, User, utcnow
from selfcare.services.alerts import ALERT_FIELDS
from selfcare.services.periods import day_text, time_text
from selfcare.statements import Statement, as_model
from selfcare.timeutil import day_bounds, local_now, to_local, to_utc

# How long an unanswered emergency is asked about: after two weeks "were you seen?" no longer helps anyone, and an
# old alert must not greet the patient every day.
ASK_DAYS = 14


class FollowUp(StrEnum):
    """The patient's answer to "were you seen by a doctor or at the emergency department?"."""

    SEEN = "seen"
    NOT_YET = "not_yet"
    DID_NOT_GO = "did_not_go"


# The buttons the patient presses, in order.
PATIENT_WORDS = {FollowUp.SEEN: "Yes", FollowUp.NOT_YET: "Not yet", FollowUp.DID_NOT_GO: "I did not go"}
# How their therapist reads the answer.
THERAPIST_WORDS = {
    FollowUp.SEEN: "seen by a doctor or at the emergency department",
    FollowUp.NOT_YET: "not seen yet",
    FollowUp.DID_NOT_GO: "did not go",
}


class NotAsked(LookupError):
    """The alert is not the patient's, not an emergency, already answered, or not yet a day old (shown as 404)."""


def _unanswered(patient: int, oldest: datetime, start: datetime) -> Any:
    """The newest emergency alert of the patient raised from `oldest` to before `start` (stored UTC) not yet answered."""
    return (
        Alert.select(*ALERT_FIELDS)
        .where((Alert.patient == patient) & (Alert.level == Level.EMERGENCY.value) & Alert.followup_answer.is_null()
               & (Alert.created_at < start) & (Alert.created_at >= oldest))
        .order_by(Alert.created_at.desc())
        .limit(1)
    )


UNANSWERED = Statement(_unanswered)


def due(patient: User, now: datetime | None = None) -> Alert | None:
    """The newest emergency alert raised before the patient's today (in the last ASK_DAYS days) not yet answered."""
    today = local_now(patient, now).date()
    start, _ = day_bounds(patient, today)
    oldest, _ = day_bounds(patient, today - timedelta(days=ASK_DAYS))
    row = UNANSWERED.first(patient=patient.id, oldest=oldest, start=start)
    return None if row is None else as_model(Alert, ALERT_FIELDS, row)


def asked_day(patient: User, alert: Alert, now: datetime | None = None) -> str:
    """Which day the question is about: "Yesterday's alert" or "Your alert on Tue 3 Mar 2026"."""
    raised: date = to_local(patient, alert.created_at).date()
    if raised == local_now(patient, now).date() - timedelta(days=1):
        return "Yesterday's alert"
    return f"Your alert on {day_text(raised)}"


def askable(patient: User, alert: Alert, now: datetime | None = None) -> bool:
    """Whether the question may be answered for this alert: the patient's own emergency, raised before their today
    (in the last ASK_DAYS days), not answered yet."""
    today = local_now(patient, now).date()
    start, _ = day_bounds(patient, today)
    oldest, _ = day_bounds(patient, today - timedelta(days=ASK_DAYS))
    return (alert.patient_id == patient.id and alert.level == Level.EMERGENCY.value and alert.followup_answer is None
            and oldest <= alert.created_at < start)


def record(patient: User, alert_id: int, answer: FollowUp, now: datetime | None = None) -> Alert:
    """Store the patient's answer on their own alert once it is asked (the first answer only); NotAsked otherwise."""
    with db.atomic():
        alert = Alert.get_or_none((Alert.id == alert_id) & (Alert.patient == patient.id))
        if alert is None or not askable(patient, alert, now):
            raise NotAsked(alert_id)
        alert.followup_answer = answer.value
        alert.followup_at = to_utc(now) if now is not None else utcnow()
        alert.save()
    return alert


def therapist_text(patient: User, alert: Alert) -> str | None:
    """The answer as the therapist reads it, e.g. "Asked the next day: seen by a doctor ... (Tue 3 Mar 2026, 09:12)."."""
    if alert.followup_answer is None:
        return None
    try:
        words = THERAPIST_WORDS[FollowUp(alert.followup_answer)]
    except ValueError:
        words = str(alert.followup_answer)
    when = f" ({time_text(to_local(patient, alert.followup_at))})" if alert.followup_at is not None else ""
    return f"Asked the next day whether they were seen: {words}{when}."
