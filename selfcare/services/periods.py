"""The days a page covers on the patient's clock (History's ranges), and dates and times the way patients read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from selfcare.clinical import week_start
from selfcare.models import User
from selfcare.timeutil import day_bounds, local_now

ALLOWED_DAYS = (7, 14, 30, 90, 365)
DAILY_UP_TO = 90  # a longer range is drawn week by week: a year of days is under one pixel each on a phone


def parse_days(value: str | None, default: int) -> int:
    """A `?days=` value if it is one of ALLOWED_DAYS, else `default` (never an error)."""
    try:
        days = int(value or "")
    except ValueError:
        return default
    return days if days in ALLOWED_DAYS else default


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # as %a and %b write them, without a strftime each
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(moment: datetime | date) -> str:
    """A date the way patients read it, e.g. 'Tue 3 Mar 2026'."""
    return f"{WEEKDAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def time_text(moment: datetime) -> str:
    """A local time the way patients read it, e.g. 'Tue 3 Mar 2026, 14:05'."""
    return f"{day_text(moment)}, {moment.hour:02d}:{moment.minute:02d}"


@dataclass(frozen=True)
class Period:
    """The last `days` calendar days on the patient's clock, today included, and their UTC bounds."""

    first: date
    last: date
    start: datetime  # stored (naive UTC) start of `first`
    end: datetime  # stored (naive UTC) end of `last`

    @property
    def days(self) -> int:
        """How many calendar days the period covers."""
        return (self.last - self.first).days + 1

    @property
    def text(self) -> str:
        """The period in words, e.g. 'Mon 2 Mar 2026 to Sun 15 Mar 2026'."""
        return f"{day_text(self.first)} to {day_text(self.last)}"

    @property
    def by_week(self) -> bool:
        """Whether the period's charts and numbers go week by week (longer than DAILY_UP_TO days) rather than by day."""
        return self.days > DAILY_UP_TO

    @property
    def unit(self) -> str:
        """What one point of the period's charts covers, in words: "day" or "week"."""
        return "week" if self.by_week else "day"

    def dates(self) -> list[date]:
        """Every calendar day in the period, oldest first."""
        return [self.first + timedelta(days=n) for n in range(self.days)]

    def weeks(self) -> list[date]:
        """The Monday of every week the period touches, oldest first (the first may fall before the period)."""
        first, last = week_start(self.first), week_start(self.last)
        return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def period_for(patient: User, days: int, now: datetime | None = None) -> Period:
    """The period of the last `days` days up to today (on the patient's clock) at `now`."""
    last = local_now(patient, now).date()
    first = last - timedelta(days=days - 1)
    return Period(first, last, day_bounds(patient, first)[0], day_bounds(patient, last)[1])
