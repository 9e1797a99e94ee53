"""Which re-evaluation prompts are due for a patient (CLINICAL.md §5), from their stored record."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from peewee import prefetch

from selfcare.clinical import CheckIn as ClinicalCheckIn
from selfcare.clinical import History, Prompt, Reading, due_reevaluations
from selfcare.clinical import SelfCheck as ClinicalSelfCheck
from selfcare.content import current_content
from selfcare.models import CheckIn, SelfCheck, User, Walk, utcnow
from selfcare.services.profiles import get_profile

LOOK_BACK_DAYS = 60  # longer than any rule's window (reevaluation.toml): older rows cannot change a prompt


def _aware(stored: datetime) -> datetime:
    return stored.replace(tzinfo=timezone.utc)


def patient_history(patient: User, now: datetime | None = None) -> History | None:
    """The clinical History of a patient (None before onboarding), in a fixed number of queries."""
    profile = get_profile(patient)
    if profile is None:
        return None
    since = (now or utcnow()) - timedelta(days=LOOK_BACK_DAYS)
    rows = CheckIn.select().where((CheckIn.patient == patient.id) & (CheckIn.recorded_at >= since)).order_by(CheckIn.recorded_at)
    checkins = [
        ClinicalCheckIn(
            _aware(row.recorded_at),
            Reading(row.zone, row.leg_pain, row.back_pain, row.side, max((w.minutes for w in row.walks), default=None)),
            numbness_spreading=bool(row.red_flags.get("numbness_spreading")),
        )
        for row in prefetch(rows, Walk.select().where(Walk.patient == patient.id))
    ]
    checks = [
        ClinicalSelfCheck(_aware(s.recorded_at), s.heel_walk, s.toe_walk, s.big_toe_lift, s.numb_areas)
        for s in SelfCheck.select().where((SelfCheck.patient == patient.id) & (SelfCheck.recorded_at >= since))
    ]
    return History(_aware(profile.created_at), checkins, checks, baseline_walk_minutes=profile.baseline_walk_minutes)


def due_prompts(patient: User, now: datetime | None = None) -> tuple[Prompt, ...]:
    """The re-evaluation prompts due now, each with its reason."""
    history = patient_history(patient, now)
    if history is None:
        return ()
    content = current_content()
    return due_reevaluations(history, content.reevaluation, _aware(now or utcnow()), content.trend_rule)
