"""Planned set times for reminders: waking_start, then every repeat_every_minutes, up to waking_end."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from selfcare.clinical import (
    NO_MORE_SETS_TODAY,
    Screen,
    ScreenKind,
    adjust_plan,
    held_indefinitely,
    held_until,
    set_times,
    upcoming_set_times,
)

LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("changes", "clock"),
    [
        ({}, ["08:00", "10:30", "13:00", "15:30", "18:00", "20:30"]),  # protocol.toml: every 150 minutes, 08:00-21:00
        ({"repeat_every_minutes": 120}, ["08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]),
        ({"repeat_every_minutes": 180}, ["08:00", "11:00", "14:00", "17:00", "20:00"]),
    ],
)
def test_set_times_fill_waking_hours_at_the_planned_interval(plan, changes, clock):
    """Set times start at waking_start and repeat at the plan's interval up to waking_end, on the wall clock."""
    adjusted = adjust_plan(plan, changes)
    times = set_times(adjusted, date(2026, 11, 1), LA)  # the day the clocks go back: wall-clock times still
    assert [t.strftime("%H:%M") for t in times] == clock
    assert len(times) == adjusted.sets_per_day()
    assert all(t.tzinfo is LA and t.date() == date(2026, 11, 1) for t in times)


def test_a_set_may_fall_exactly_on_waking_end(plan):
    """A set time exactly at waking_end is kept."""
    times = set_times(replace(plan, waking_end=time(20, 30)), date(2026, 11, 2), LA)
    assert times[-1].strftime("%H:%M") == "20:30"


NOW = datetime(2026, 11, 2, 11, 0, tzinfo=LA)
TOMORROW_8 = datetime(2026, 11, 3, 8, 0, tzinfo=LA)  # tomorrow_start(): when a stop or an emergency lifts


@pytest.mark.parametrize(
    ("screen", "until"),
    [
        (Screen(ScreenKind.STOP_CONTACT_PT, next_at=TOMORROW_8), TOMORROW_8),
        (Screen(ScreenKind.EMERGENCY, next_at=TOMORROW_8), TOMORROW_8),
        (Screen(ScreenKind.URGENT), datetime(2026, 11, 3, 0, 0, tzinfo=LA)),  # no time of its own: at least today
        (Screen(ScreenKind.EMERGENCY, next_at=NOW - timedelta(hours=1)), datetime(2026, 11, 3, 0, 0, tzinfo=LA)),  # not yet confirmed
        (Screen(ScreenKind.START), None),
        (Screen(ScreenKind.REPEAT_LATER, next_at=NOW + timedelta(hours=2)), None),
        (Screen(ScreenKind.STEP), None),
    ],
)
def test_held_until(screen, until):
    """A blocking screen holds sets back until its own time, or at least the end of today; others hold nothing."""
    assert held_until(screen, NOW) == until


def test_no_more_sets_today_screens():
    """The screens on which no set can start: a stop for the day, urgent, emergency and a plan held for the PT."""
    assert NO_MORE_SETS_TODAY == {ScreenKind.STOP_CONTACT_PT, ScreenKind.URGENT, ScreenKind.EMERGENCY, ScreenKind.PLAN_HELD}


@pytest.mark.parametrize(
    ("screen", "indefinitely"),
    [
        (Screen(ScreenKind.PLAN_HELD), True),  # held until the PT re-enables the plan
        (Screen(ScreenKind.URGENT, next_at=TOMORROW_8, until_cleared=True), True),  # fever or trauma: until cleared
        (Screen(ScreenKind.EMERGENCY, next_at=TOMORROW_8, until_cleared=True), True),
        (Screen(ScreenKind.URGENT, next_at=TOMORROW_8), False),  # the rest of today only
        (Screen(ScreenKind.EMERGENCY, next_at=TOMORROW_8), False),
        (Screen(ScreenKind.STOP_CONTACT_PT, next_at=TOMORROW_8), False),
        (Screen(ScreenKind.START), False),
        (Screen(ScreenKind.START, until_cleared=True), False),  # not a blocking screen
        (Screen(ScreenKind.DONE_FOR_TODAY, next_at=TOMORROW_8), False),
    ],
)
def test_held_indefinitely(plan, screen, indefinitely):
    """A held plan, or a block waiting for clearance, has no end time: no set times at all."""
    assert held_indefinitely(screen) is indefinitely
    times = upcoming_set_times(plan, screen, NOW, days=7)
    assert (times == ()) is indefinitely


@pytest.mark.parametrize("kind", sorted(NO_MORE_SETS_TODAY - {ScreenKind.PLAN_HELD}))
def test_a_hold_leaves_out_the_rest_of_today_only(plan, kind):
    """A stop or a red flag for the day leaves out today's later set times, and only those."""
    times = upcoming_set_times(plan, Screen(kind, next_at=TOMORROW_8), NOW, days=2)
    assert [t.strftime("%d %H:%M") for t in times] == [
        "02 08:00", "02 10:30", "03 08:00", "03 10:30", "03 13:00", "03 15:30", "03 18:00", "03 20:30",
    ]


@pytest.mark.parametrize("screen", [Screen(ScreenKind.PLAN_HELD), Screen(ScreenKind.URGENT, next_at=TOMORROW_8, until_cleared=True)])
def test_a_held_plan_has_no_set_times(plan, screen):
    """A plan held for the PT, or waiting for a doctor's clearance, gives no reminders on any day."""
    assert upcoming_set_times(plan, screen, NOW, days=14) == ()


def test_a_stop_from_yesterday_holds_back_nothing_before_waking_hours(plan):
    """A stop that lifts at the first set time holds back none of that day's sets."""
    early = datetime(2026, 11, 3, 5, 0, tzinfo=LA)  # the stop lifts at 08:00, the first set time
    times = upcoming_set_times(plan, Screen(ScreenKind.STOP_CONTACT_PT, next_at=TOMORROW_8), early, days=1)
    assert len(times) == plan.sets_per_day()


@pytest.mark.parametrize("kind", [ScreenKind.START, ScreenKind.REPEAT_LATER, ScreenKind.DONE_FOR_TODAY, ScreenKind.STEP])
def test_other_screens_keep_every_time(plan, kind):
    """Screens that do not block keep every planned set time."""
    assert len(upcoming_set_times(plan, Screen(kind), NOW, days=14)) == 14 * plan.sets_per_day()


def test_now_must_be_on_the_patients_clock(plan):
    """A naive now is refused: set times are on the patient's clock."""
    with pytest.raises(ValueError, match="aware"):
        upcoming_set_times(plan, Screen(ScreenKind.START), datetime(2026, 11, 2, 11, 0), days=1)
