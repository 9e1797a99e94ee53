"""Demo data: one therapist and a few patients, so a newcomer sees a working app."""

from __future__ import annotations

from selfcare import accounts
from selfcare.models import Role, User

DEMO_PASSWORD = "demo-password-1"

THERAPIST = {"email": "sam.therapist@example.com", "name": "Sam Rivera", "region": "UK", "timezone": "Europe/London"}
PATIENTS = [
    {"email": "alex@example.com", "name": "Alex", "region": "UK", "timezone": "Europe/London"},
    {"email": "jordan@example.com", "name": "Jordan", "region": "US", "timezone": "America/New_York"},
    {"email": "priya@example.com", "name": "Priya", "region": "AU", "timezone": "Australia/Sydney"},
]


def _ensure(spec: dict[str, str], role: Role) -> User:
    """Return the demo user with this email, creating it the first time."""
    existing = User.get_or_none(User.email == spec["email"])
    if existing is not None:
        return existing
    return accounts.create_user(spec["email"], DEMO_PASSWORD, spec["name"], role, spec["region"], spec["timezone"])


def create_demo() -> list[str]:
    """Create (or find) the demo accounts and links; return lines describing the logins."""
    therapist = _ensure(THERAPIST, Role.THERAPIST)
    lines = ["Demo logins (password for all: " + DEMO_PASSWORD + "):", f"  therapist  {therapist.email}"]
    for spec in PATIENTS:
        patient = _ensure(spec, Role.PATIENT)
        accounts.link(therapist, patient)
        lines.append(f"  patient    {patient.email}")
    return lines
