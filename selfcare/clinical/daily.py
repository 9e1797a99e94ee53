"""One local day of a patient's entries summed up: the values of its daily summary row.

The choices are History's ("each day" on the patient's pages), so a page that reads the summary row shows what a
page that reads every entry showed:
- zone: the most distal zone of the day, from check-ins and from sets (before, and after if re-checked). The worst
  of the day, on purpose: symptoms moving down the leg is the change that must not be missed.
- leg and back pain: the highest score in the day's check-ins (one good evening does not hide a bad morning).
- walking: the longest walk of the day (the first of equally long ones), and when leg symptoms came on during it.
- sets: sets started; sets done (finished with a re-check, as the player counts them); the day's target (given:
  it comes from the plan in force, not from the entries); and how the re-checked sets went, by Response.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from selfcare.clinical.response import Response
from selfcare.clinical.zones import Zone


class DayCheckIn(NamedTuple):
    """What a check-in adds to its day."""

    zone: str  # a Zone value
    leg_pain: int
    back_pain: int


class DayWalk(NamedTuple):
    """What a walk adds to its day."""

    minutes: int
    onset_minutes: int | None  # None: no leg symptoms came on


class DaySet(NamedTuple):
    """What a set of the exercises adds to its day (the day it started)."""

    before_zone: str  # a Zone value
    after_zone: str | None  # None: not re-checked
    response: str | None  # a Response value; None: not re-checked


@dataclass(frozen=True)
class DayValues:
    """The values of one daily summary row."""

    zone: Zone | None  # None: no check-in and no set
    leg_pain: int | None  # None: no check-in
    back_pain: int | None
    walk_minutes: int | None  # None: no walk
    onset_minutes: int | None  # on the longest walk; None: no symptoms came on (or no walk)
    sets_started: int
    sets_done: int
    sets_planned: int
    results: dict[str, int]  # Response value -> re-checked sets with that result; only results that happened

    @property
    def empty(self) -> bool:
        """No entry made this day: no row is kept for it."""
        return self.zone is None and self.walk_minutes is None and self.sets_started == 0


def summarize_day(checkins: Sequence[DayCheckIn], walks: Sequence[DayWalk], sets: Sequence[DaySet],
                  sets_planned: int) -> DayValues:
    """The summary of one local day from its entries, each kind oldest first (see the module docstring)."""
    zones = [Zone(c.zone) for c in checkins]
    zones += [Zone(z) for s in sets for z in (s.before_zone, s.after_zone) if z]
    longest: DayWalk | None = None
    for walk in walks:
        if longest is None or walk.minutes > longest.minutes:  # the first of equally long walks
            longest = walk
    results: dict[str, int] = {}
    for response in Response:  # in declaration order, so equal days give equal rows
        count = sum(1 for s in sets if s.response == response.value)
        if count:
            results[response.value] = count
    return DayValues(
        zone=max(zones) if zones else None,
        leg_pain=max((c.leg_pain for c in checkins), default=None),
        back_pain=max((c.back_pain for c in checkins), default=None),
        walk_minutes=longest.minutes if longest else None,
        onset_minutes=longest.onset_minutes if longest else None,
        sets_started=len(sets),
        sets_done=sum(1 for s in sets if s.response is not None),
        sets_planned=sets_planned,
        results=results,
    )


def week_start(day: date) -> date:
    """The Monday of `day`'s week (a year of History goes week by week; weeks start on Monday, as ISO 8601's do)."""
    return day - timedelta(days=day.weekday())
