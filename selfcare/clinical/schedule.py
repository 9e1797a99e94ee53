"""The planned set times of each day, for reminders: waking_start, then every repeat_every_minutes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from selfcare.clinical.protocol import Plan
from selfcare.clinical.session import Screen, ScreenKind
from selfcare.clinical.timeutil import as_utc

# Screens on which no set can start: a stop for the day (protocol.toml [plan] stop_action), an emergency or an
# urgent red flag (red_flags.toml [[level]] `blocks_protocol = "today"`), and a plan held for the PT.
NO_MORE_SETS_TODAY = frozenset({ScreenKind.STOP_CONTACT_PT, ScreenKind.EMERGENCY, ScreenKind.URGENT, ScreenKind.PLAN_HELD})


def held_indefinitely(screen: Screen) -> bool:
    """No set until someone acts: the plan is held for the PT, or a fever or trauma block waits to be cleared."""
    return screen.kind == ScreenKind.PLAN_HELD or (screen.kind in NO_MORE_SETS_TODAY and screen.until_cleared)


def set_times(plan: Plan, day: date, zone: tzinfo) -> tuple[datetime, ...]:
    """The day's planned set times on the wall clock of `zone`: as many as Plan.sets_per_day() counts."""
    first = datetime.combine(day, plan.waking_start, tzinfo=zone)
    return tuple(first + timedelta(minutes=plan.repeat_every_minutes * n) for n in range(plan.sets_per_day()))


def held_until(screen: Screen, now: datetime) -> datetime | None:
    """Until when no set can start (None: a set may start now).

    The screen's own time when it has one still to come (a stop or a red flag lasts until the next day's waking
    hours); otherwise the end of today. See held_indefinitely for blocks with no end time.
    """
    if screen.kind not in NO_MORE_SETS_TODAY:
        return None
    if screen.next_at is not None and as_utc(screen.next_at) > as_utc(now):
        return screen.next_at
    return datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)


def upcoming_set_times(plan: Plan, screen: Screen, now: datetime, days: int) -> tuple[datetime, ...]:
    """Set times from the day of `now` (aware, on the patient's clock) for `days` days, without those `screen` holds back."""
    if now.tzinfo is None:
        raise ValueError("now must be aware (on the patient's clock)")
    if held_indefinitely(screen):
        return ()
    until = held_until(screen, now)
    times: list[datetime] = []
    for offset in range(days):
        for moment in set_times(plan, now.date() + timedelta(days=offset), now.tzinfo):
            if until is None or not as_utc(now) <= as_utc(moment) < as_utc(until):
                times.append(moment)
    return tuple(times)
