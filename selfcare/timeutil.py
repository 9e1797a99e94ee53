"""Times for people: each patient's own time zone in, UTC (without tzinfo) in the database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from selfcare.models import User


def zone_of(user: User) -> ZoneInfo:
    """The user's time zone (UTC if unknown)."""
    return _zone_named(user.timezone or "UTC")


@lru_cache(maxsize=512)
def _zone_named(name: str) -> ZoneInfo:
    """The time zone of this name, or UTC (cached: a 365-day page converts thousands of times)."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_now(user: User, now: datetime | None = None) -> datetime:
    """Now (or `now`) as an aware datetime on the user's clock."""
    moment = now if now is not None else datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone_of(user))


def to_utc(moment: datetime) -> datetime:
    """An aware datetime as stored: UTC without tzinfo (naive input is taken as UTC already)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def to_local(user: User, stored: datetime) -> datetime:
    """A stored UTC time on the user's clock."""
    return stored.replace(tzinfo=timezone.utc).astimezone(zone_of(user))


def in_zone(tz: ZoneInfo, stored: datetime) -> datetime:
    """A stored UTC time on the clock of `tz` (for loops: look the zone up once with `zone_of`)."""
    return stored.replace(tzinfo=timezone.utc).astimezone(tz)


def day_bounds(user: User, day: date) -> tuple[datetime, datetime]:
    """The stored (UTC) start and end of a calendar day on the user's clock."""
    tz = zone_of(user)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return to_utc(start), to_utc(start + timedelta(days=1))


@lru_cache(maxsize=64)
def day_starts(tz: ZoneInfo, first: date, days: int) -> tuple[datetime, ...]:
    """The stored (UTC) starts of `days` calendar days from `first` on the clock of `tz`, and the end of the last.

    Cached: every history page of the day asks for the same year (a few hundred conversions).
    """
    return tuple(to_utc(datetime.combine(first + timedelta(days=n), time.min, tzinfo=tz)) for n in range(days + 1))


def clock(user: User, stored: datetime | None) -> str:
    """A stored time as HH:MM on the user's clock ('' for None)."""
    return "" if stored is None else to_local(user, stored).strftime("%H:%M")
