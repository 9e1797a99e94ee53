"""clinical.summarize_day: one local day's entries to the values of its summary row."""

from __future__ import annotations

import pytest

from selfcare.clinical import DayCheckIn, DaySet, DayWalk, Zone, summarize_day


@pytest.mark.parametrize(
    ("checkins", "walks", "sets", "expected"),
    [
        # nothing recorded: an empty day (no row is kept)
        ([], [], [], (None, None, None, None, None, 0, 0, {}, True)),
        # the worst of the day: the most distal zone, the highest pains, even from different check-ins
        ([DayCheckIn("calf", 7, 2), DayCheckIn("thigh", 3, 6)], [], [], (Zone.CALF, 7, 6, None, None, 0, 0, {}, False)),
        # a set's zones count too, before and after; pains come from check-ins only
        ([DayCheckIn("buttock", 2, 2)], [], [DaySet("thigh", "foot", "peripheralized")],
         (Zone.FOOT, 2, 2, None, None, 1, 1, {"peripheralized": 1}, False)),
        # the longest walk with its onset; the first of equally long ones
        ([], [DayWalk(10, 4), DayWalk(20, None), DayWalk(20, 15)], [], (None, None, None, 20, None, 0, 0, {}, False)),
        # sets started, done (re-checked) and their results, in Response order
        ([], [], [DaySet("calf", "thigh", "centralized"), DaySet("thigh", None, None), DaySet("thigh", "thigh", "unchanged"),
                  DaySet("thigh", "buttock", "centralized")],
         (Zone.CALF, None, None, None, None, 4, 3, {"centralized": 2, "unchanged": 1}, False)),
        # "none" is a zone recorded: the day has a check-in
        ([DayCheckIn("none", 0, 0)], [], [], (Zone.NONE, 0, 0, None, None, 0, 0, {}, False)),
    ],
)
def test_summarize_day(checkins, walks, sets, expected):
    v = summarize_day(checkins, walks, sets, sets_planned=5)
    assert (v.zone, v.leg_pain, v.back_pain, v.walk_minutes, v.onset_minutes, v.sets_started, v.sets_done, v.results,
            v.empty) == expected
    assert v.sets_planned == 5
