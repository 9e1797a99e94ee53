"""What the patient sees of their record's audit trail: which therapist looked at or exported it, and when."""

from __future__ import annotations

from dataclasses import dataclass

from selfcare.models import AuditEvent, User
from selfcare.services.care import ACTIONS
from selfcare.services.periods import time_text
from selfcare.services.timeline import LOOKS_SHOWN, _id_column
from selfcare.timeutil import to_local


@dataclass(frozen=True)
class Look:
    """A therapist looked at or exported the patient's record."""

    who: str
    what: str
    when: str  # on the patient's clock


def record_looks(patient: User, limit: int = LOOKS_SHOWN) -> list[Look]:
    """The latest looks at the patient's record, newest first (one query)."""
    events = (
        AuditEvent.select()
        .where(AuditEvent.patient == patient.id)
        .order_by(AuditEvent.created_at.desc(), _id_column(AuditEvent).desc())
        .limit(limit)
    )
    return [
        Look(e.actor_name, ACTIONS.get(e.action, e.action.replace("_", " ")), time_text(to_local(patient, e.created_at)))
        for e in events
    ]
