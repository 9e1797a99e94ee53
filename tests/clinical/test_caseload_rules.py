"""clinical/caseload.py: which concern places a patient, what else is listed, the order, and the stored row's form."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from selfcare.clinical import Progress, Trend, Zone
from selfcare.clinical.caseload import (
    Concern,
    Group,
    Kept,
    OpenAlert,
    RecentSet,
    order_key,
    place,
    quiet,
    silence,
    worsening,
)

NOW = datetime(2026, 11, 20, 12, 0)


def said(moment: datetime) -> str:
    """Times in words, plainly (the service says them on the therapist's clock)."""
    return moment.strftime("%d %b %H:%M")


def kept(worse: bool = False, later: tuple[Group, ...] = (), improving: bool = False) -> Kept:
    """A stored row with the concerns asked for."""
    return Kept(
        worsening=Concern(Group.WORSENING, "Getting worse.", "getting worse", NOW - timedelta(days=1)) if worse else None,
        later=tuple(Concern(g, g.name, g.name.lower()) for g in later),
        quiet=quiet(Progress.IMPROVING if improving else Progress.SAME, "Improving", "zone calf→thigh, 14 days"),
        days_in_program=10, zone=Zone.THIGH, trend=Trend.STABLE, progress=Progress.SAME, trend_first=date(2026, 11, 7),
        trend_zones=(None,) * 13 + (Zone.THIGH,), walk_best=12, walk_baseline=10, sets_done=3, sets_planned=42, paused=False,
    )


def alert(level: str, hours: int = 1) -> OpenAlert:
    return OpenAlert(level, ("falls",), NOW - timedelta(hours=hours))


# (open alerts, the stored row) -> (the group that places the patient, the others listed), first match wins.
PLACES = [
    ([], kept(), Group.REST, ()),
    ([], kept(improving=True), Group.IMPROVING, ()),
    ([], kept(later=(Group.SILENT,)), Group.SILENT, ()),
    ([], kept(later=(Group.REEVALUATE, Group.SILENT)), Group.REEVALUATE, ("silent",)),
    ([alert("contact_pt")], kept(later=(Group.REEVALUATE,)), Group.CONTACT, ("reevaluate",)),
    ([alert("contact_pt")], kept(worse=True), Group.WORSENING, ("asked to contact you",)),
    ([alert("urgent")], kept(worse=True), Group.URGENT, ("getting worse",)),
    ([alert("urgent"), alert("emergency", 5)], kept(), Group.EMERGENCY, ("urgent alert",)),
    ([alert("emergency")], kept(improving=True), Group.EMERGENCY, ()),  # improving is no concern
]


@pytest.mark.parametrize(("alerts", "row", "group", "also"), PLACES)
def test_the_first_concern_places_the_patient_and_the_others_are_listed(alerts, row, group, also) -> None:
    first, others = place(row, alerts, said)
    assert first.group == group
    assert tuple(c.short for c in others) == also


def test_several_open_alerts_of_a_level_are_counted_and_the_newest_named() -> None:
    first, _ = place(kept(), [alert("urgent", 1), alert("urgent", 3)], said)
    assert first.words == "Urgent alert not acknowledged (2 open): repeated falls. Raised 20 Nov 11:00."


def test_the_order_is_group_then_newest_event_then_name() -> None:
    rows = [
        (Group.REST, None, "Bea", 1), (Group.EMERGENCY, NOW - timedelta(days=2), "Ann", 2),
        (Group.EMERGENCY, NOW - timedelta(hours=1), "Zed", 3), (Group.REST, None, "adam", 4),
        (Group.IMPROVING, None, "Aaron", 5), (Group.WORSENING, NOW, "Cy", 6),
    ]
    assert [name for *_, name, _ in sorted(rows, key=lambda r: order_key(*r))] == ["Zed", "Ann", "Cy", "adam", "Bea", "Aaron"]


@pytest.mark.parametrize(("last", "started", "words"), [
    (NOW - timedelta(days=2, hours=23), NOW - timedelta(days=30), None),
    (NOW - timedelta(days=4), NOW - timedelta(days=30), "No check-in for 4 days (last 16 Nov 12:00)."),
    (None, NOW - timedelta(days=2), None),
    (None, NOW - timedelta(days=5), "No check-in yet, 5 days after starting."),
    (None, NOW - timedelta(days=90), "No check-in in the last 60 days."),
])
def test_silence_counts_from_the_last_check_in_or_the_start(last, started, words) -> None:
    found = silence(last, started, 60, NOW, said)
    assert (found.words if found else None) == words


@pytest.mark.parametrize(("sets", "words"), [
    ([], None),
    ([RecentSet(NOW - timedelta(days=8), "peripheralized", None, None)], None),  # more than 7 days ago
    ([RecentSet(NOW - timedelta(days=2), "peripheralized", "stop_contact_pt", None)],
     "A set on 18 Nov 12:00 moved symptoms further down the leg."),
    ([RecentSet(NOW - timedelta(days=1), "unchanged", None, "no_benefit")],
     "A set on 19 Nov 12:00 was stopped after several sets with no benefit."),
])
def test_a_bad_set_in_the_last_week_is_getting_worse(sets, words) -> None:
    found = worsening(Progress.SAME, "", None, sets, None, NOW, said)
    assert (found.words if found else None) == words


def test_a_stored_row_reads_back_as_it_was_written() -> None:
    row = kept(worse=True, later=(Group.REEVALUATE, Group.SILENT))
    assert Kept.from_json(row.to_json()) == row
