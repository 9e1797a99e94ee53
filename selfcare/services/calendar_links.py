"""A patient's private calendar link: one at most, made and replaced by its owner, kept only as a hash."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from selfcare.models import CalendarFeed, User, utcnow
from selfcare.services.hashed import digest

SECRET_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes


@dataclass(frozen=True)
class NewLink:
    """A link just made: `secret` goes into the URL shown to the patient once and is never stored."""

    row: CalendarFeed
    secret: str


def current(patient: User) -> CalendarFeed | None:
    """The patient's working calendar link, if they have one."""
    return CalendarFeed.get_or_none(CalendarFeed.patient == patient.id)


def make_link(patient: User, now: datetime | None = None) -> NewLink:
    """Make the patient's calendar link, replacing (and so cutting off) any link they had."""
    secret = secrets.token_urlsafe(32)
    values = {CalendarFeed.token_hash: digest(secret), CalendarFeed.created_at: now or utcnow(), CalendarFeed.last_used_at: None}
    # One statement, so two taps at once leave one working link rather than a clash on `patient`.
    CalendarFeed.insert({CalendarFeed.patient: patient.id, **values}).on_conflict(
        conflict_target=[CalendarFeed.patient], update=values,
    ).execute()
    return NewLink(CalendarFeed.get(CalendarFeed.patient == patient.id), secret)


def turn_off(patient: User) -> bool:
    """Delete the patient's calendar link; False if there was none."""
    return bool(CalendarFeed.delete().where(CalendarFeed.patient == patient.id).execute())


def patient_for(secret: str, now: datetime | None = None) -> User | None:
    """The patient whose working link holds `secret`, noting when it was used; None for anything else."""
    if not SECRET_RE.fullmatch(secret):
        return None
    row = CalendarFeed.select(CalendarFeed, User).join(User).where(CalendarFeed.token_hash == digest(secret)).first()
    if row is None:
        return None
    moment = now or utcnow()
    if row.last_used_at is None or (moment - row.last_used_at).total_seconds() > 60:  # one write a minute at most
        CalendarFeed.update(last_used_at=moment).where(CalendarFeed.token_hash == row.token_hash).execute()
    return row.patient
