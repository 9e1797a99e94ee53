"""Tiny factories for test data: sensible defaults, any field overridable."""

from __future__ import annotations

import itertools
from typing import Any

from selfcare import accounts
from selfcare.models import Role, User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(role: Role = Role.PATIENT, **overrides: Any) -> User:
    """Create a user; email, name and password default to unique, valid values."""
    n = next(_counter)
    values: dict[str, Any] = {
        "email": f"{role.value}{n}@example.com",
        "password": PASSWORD,
        "name": f"{role.value.title()} {n}",
        "region": "UK",
        "timezone": "Europe/London",
    }
    values.update(overrides)
    return accounts.create_user(values.pop("email"), values.pop("password"), values.pop("name"), role, **values)


def make_patient(**overrides: Any) -> User:
    """A patient account."""
    return make_user(Role.PATIENT, **overrides)


def make_therapist(**overrides: Any) -> User:
    """A therapist account."""
    return make_user(Role.THERAPIST, **overrides)


def make_profile(patient: User, **overrides: Any) -> Any:
    """Onboarding answers for a patient (so patient pages open)."""
    from datetime import date

    from selfcare.services.profiles import ProfileAnswers, save_profile

    values: dict[str, Any] = {
        "legs": "left",
        "symptoms_started": date(2026, 10, 1),
        "baseline_walk_minutes": 10,
        "cancer_history": False,
        "immune_risk": False,
        "region": patient.region or "UK",
        "emergency_number": patient.emergency_number,
    }
    values.update(overrides)
    return save_profile(patient, ProfileAnswers(**values))


def make_onboarded_patient(**overrides: Any) -> User:
    """A patient who has finished onboarding."""
    patient = make_patient(**overrides)
    make_profile(patient)
    return patient
