"""When the red-flag list is asked, and the signs the app already holds that count as answers (CLINICAL.md §2).

- The full list is asked once a day: the check-in, or the first set of the day with no check-in. Before a later
  set, one question asks whether anything on it started or got worse; "yes" opens the full list again.
- A reading on both legs when onboarding said one leg is `both_legs` = yes, whether or not the box was ticked.
- "Both legs" at onboarding with symptoms that started in the last 6 weeks runs the full list there and then.
"""

from __future__ import annotations

from datetime import date, datetime

from selfcare.clinical.timeutil import local_date
from selfcare.clinical.zones import Side

# "Both legs" at onboarding within this many days of onset runs the full list (CLINICAL.md §2; GIRFT 2023:
# new bilateral radicular symptoms are a suspected cauda equina presentation).
RECENT_ONSET_DAYS = 42


def _side(value: Side | str | None) -> Side | None:
    return None if value is None or value == "" else Side(value)


def side_answers(legs: Side | str | None, side: Side | str | None) -> dict[str, bool]:
    """The red-flag answers a reading's side implies: both legs now, after onboarding said one leg."""
    legs, side = _side(legs), _side(side)
    if side == Side.BOTH and legs is not None and legs != Side.BOTH:
        return {"both_legs": True}
    return {}


def onboarding_screen_due(legs: Side | str | None, symptoms_started: date, today: date) -> bool:
    """Onboarding said both legs, with symptoms that started in the last 6 weeks: ask the full list now."""
    return _side(legs) == Side.BOTH and (today - symptoms_started).days <= RECENT_ONSET_DAYS


def full_screen_due(last_full_screen: datetime | None, now: datetime) -> bool:
    """The full list is due unless it was answered earlier on the same calendar day (both on the patient's clock)."""
    return last_full_screen is None or local_date(last_full_screen) != local_date(now)
