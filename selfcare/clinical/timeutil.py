"""Small helpers for comparing datetimes that may be naive or timezone-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def as_utc(moment: datetime | date) -> datetime:
    """Return an aware UTC datetime; naive values (and bare dates, at midnight) are taken as UTC."""
    if type(moment) is datetime and moment.tzinfo is UTC:  # already one (the rules compare hundreds a page)
        return moment
    if not isinstance(moment, datetime):
        if isinstance(moment, date):
            return datetime.combine(moment, time(), tzinfo=UTC)
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_date(moment: datetime | date) -> date:
    """The calendar date the moment fell on where it was recorded (its own wall clock)."""
    if isinstance(moment, datetime):
        return moment.date()
    if isinstance(moment, date):
        return moment
    raise TypeError(f"expected a datetime, got {type(moment).__name__}")
