"""When the red-flag list is asked, and the signs the app already holds that count as answers (CLINICAL.md §2)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from selfcare.clinical import (
    RECENT_ONSET_DAYS,
    Side,
    full_screen_due,
    onboarding_screen_due,
    side_answers,
    triage,
)


@pytest.mark.parametrize(
    ("legs", "side", "answers"),
    [
        ("left", "both", {"both_legs": True}),  # onboarding said one leg, today both: both_legs = yes
        ("right", "both", {"both_legs": True}),
        (Side.LEFT, Side.BOTH, {"both_legs": True}),
        ("both", "both", {}),  # both legs from day 1: nothing new
        ("left", "left", {}),
        ("left", "right", {}),  # another leg is not both legs (the trend and response rules deal with it)
        ("right", None, {}),
        (None, "both", {}),  # onboarding did not say
        ("", "both", {}),
        ("left", "", {}),
    ],
)
def test_side_answers(legs: str | None, side: str | None, answers: dict[str, bool]) -> None:
    """A reading on both legs after onboarding said one leg counts as both_legs = yes."""
    assert side_answers(legs, side) == answers


def test_side_answer_is_an_emergency() -> None:
    """The implied answer goes straight into triage as an emergency."""
    result = triage(side_answers("left", "both"))
    assert result.level.value == "emergency" and result.reasons == ("both_legs",)


def test_side_answers_refuses_unknown_sides() -> None:
    """An unknown side is a ValueError, not a silent no."""
    with pytest.raises(ValueError):
        side_answers("left", "middle")


START = date(2025, 3, 1)


@pytest.mark.parametrize(
    ("legs", "days_since_onset", "due"),
    [
        ("both", 0, True),
        ("both", 10, True),
        ("both", 41, True),
        ("both", 42, True),  # 6 weeks: still recent
        ("both", 43, False),
        ("both", 400, False),
        ("left", 0, False),  # one leg: no screen at onboarding for this reason
        ("right", 42, False),
        (None, 0, False),
        (Side.BOTH, 5, True),
    ],
)
def test_onboarding_screen_due(legs: str | None, days_since_onset: int, due: bool) -> None:
    """Both legs at onboarding with onset in the last 6 weeks (42 days) runs the full screen there and then."""
    assert RECENT_ONSET_DAYS == 42
    assert onboarding_screen_due(legs, START, START + timedelta(days=days_since_onset)) is due


NOON = datetime(2025, 3, 3, 12, 0)
PLUS_TEN = timezone(timedelta(hours=10))


@pytest.mark.parametrize(
    ("last", "now", "due"),
    [
        (None, NOON, True),  # never answered
        (datetime(2025, 3, 3, 8, 0), NOON, False),  # earlier today
        (datetime(2025, 3, 3, 0, 0), datetime(2025, 3, 3, 23, 59), False),
        (datetime(2025, 3, 2, 23, 59), datetime(2025, 3, 3, 0, 1), True),  # yesterday, two minutes ago
        (datetime(2025, 3, 2, 12, 0), NOON, True),
        (datetime(2025, 2, 3, 12, 0), NOON, True),
        # on the patient's own clock: 23:00 and 07:00 the next day at +10 are different days
        (datetime(2025, 3, 2, 23, 0, tzinfo=PLUS_TEN), datetime(2025, 3, 3, 7, 0, tzinfo=PLUS_TEN), True),
        (datetime(2025, 3, 3, 1, 0, tzinfo=PLUS_TEN), datetime(2025, 3, 3, 23, 0, tzinfo=PLUS_TEN), False),
        (datetime(2025, 3, 3, 8, 0, tzinfo=UTC), datetime(2025, 3, 3, 20, 0, tzinfo=UTC), False),
    ],
)
def test_full_screen_due(last: datetime | None, now: datetime, due: bool) -> None:
    """The full list is due unless it was answered earlier on the same calendar day."""
    assert full_screen_due(last, now) is due
