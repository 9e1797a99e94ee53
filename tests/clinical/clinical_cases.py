"""Short constructors for the clinical test tables."""

from __future__ import annotations

from datetime import datetime

from selfcare.clinical import Reading


def reading(zone: str = "thigh", leg: int = 5, back: int = 3, walk: float | None = None, side: str | None = None) -> Reading:
    """A Reading with short argument names for tables."""
    return Reading(zone=zone, leg_pain=leg, back_pain=back, walk_minutes=walk, side=side)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A naive datetime in March 2025 (day 1 = 1 March)."""
    return datetime(2025, 3, day, hour, minute)
