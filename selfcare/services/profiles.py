"""Onboarding answers: the patient's profile, and the history red flags every triage includes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from selfcare.db import db
from selfcare.models import Profile, User, utcnow


@dataclass(frozen=True)
class ProfileAnswers:
    """What onboarding asks."""

    legs: str
    symptoms_started: date
    baseline_walk_minutes: int
    cancer_history: bool
    immune_risk: bool
    region: str
    emergency_number: str | None = None  # typed by a patient in the "Other" region (regions.toml typed_number)


UNREAD: Any = object()  # a `profile` argument the caller has not read (None: read, and there is none)


def get_profile(patient: User) -> Profile | None:
    """The patient's onboarding answers, or None before onboarding (on every patient page)."""
    return Profile.select().where(Profile.patient == patient.id).first()


def profile_of(patient: User, profile: Profile | None = UNREAD) -> Profile | None:
    """`profile` when the caller has read it already, else read it."""
    return get_profile(patient) if profile is UNREAD else profile


def save_profile(patient: User, answers: ProfileAnswers, now: datetime | None = None) -> Profile:
    """Create or update the profile (and the region and typed emergency number on the account) in one transaction."""
    moment = now or utcnow()
    values = {
        "legs": answers.legs,
        "symptoms_started": answers.symptoms_started,
        "baseline_walk_minutes": answers.baseline_walk_minutes,
        "cancer_history": answers.cancer_history,
        "immune_risk": answers.immune_risk,
        "updated_at": moment,
    }
    with db.atomic():
        profile = get_profile(patient)
        if profile is None:
            profile = Profile.create(patient=patient, created_at=moment, **values)
        else:
            Profile.update(**values).where(Profile.id == profile.id).execute()
            profile = Profile.get_by_id(profile.id)
        if (patient.region, patient.emergency_number) != (answers.region, answers.emergency_number):
            User.update(region=answers.region, emergency_number=answers.emergency_number).where(User.id == patient.id).execute()
            patient.region, patient.emergency_number = answers.region, answers.emergency_number
    return profile


def history_answers(profile: Profile | None) -> dict[str, bool]:
    """The history items (red_flags.toml [[history]]) as triage answers."""
    if profile is None:
        return {}
    return {"cancer_history": bool(profile.cancer_history), "immune_risk": bool(profile.immune_risk)}
