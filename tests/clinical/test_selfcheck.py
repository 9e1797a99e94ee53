"""Nerve self-check: new, worse and spreading weakness, and spreading numbness, between two checks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from selfcare.clinical import Ability, Area, Content, SelfCheck, StrengthTest, compare_checks, triage

DAY = datetime(2025, 3, 3, 9, 0)


def check(days: float = 0, heel: str = "normal", toe: str = "normal", big_toe: str = "normal", numb: tuple[str, ...] = ()) -> SelfCheck:
    """A self-check `days` after DAY."""
    return SelfCheck(DAY + timedelta(days=days), heel, toe, big_toe, numb)


@pytest.mark.parametrize(
    ("before", "after", "new", "worse", "level"),
    [
        (check(), check(3), (), (), "none"),
        (check(), check(3, big_toe="weak"), ("big_toe_lift",), (), "urgent"),  # new weakness
        (check(), check(3, toe="unable"), ("toe_walk",), ("toe_walk",), "emergency"),  # straight to unable, quickly
        (check(toe="weak"), check(3, toe="unable"), (), ("toe_walk",), "emergency"),  # worse quickly
        (check(toe="weak"), check(20, toe="unable"), (), ("toe_walk",), "urgent"),  # worse, slowly
        (check(toe="weak"), check(3, toe="weak"), (), (), "none"),  # same weakness
        (check(toe="unable"), check(3, toe="weak"), (), (), "none"),  # recovering
        (check(heel="weak"), check(3, heel="weak", big_toe="weak"), ("big_toe_lift",), (), "urgent"),  # spreading
    ],
)
def test_weakness_changes(before: SelfCheck, after: SelfCheck, new: tuple[str, ...], worse: tuple[str, ...], level: str) -> None:
    """Each change maps to the red-flag answers, and triage gives the level."""
    change = compare_checks(before, after)
    assert tuple(t.value for t in change.new_weakness) == new
    assert tuple(t.value for t in change.worse_weakness) == worse
    assert triage(change.answers()).level.value == level


def test_spreading_weakness_flag() -> None:
    """Weakness in a second movement while one is already weak is spreading."""
    assert compare_checks(check(heel="weak"), check(2, heel="weak", big_toe="weak")).weakness_spreading
    assert not compare_checks(check(), check(2, big_toe="weak")).weakness_spreading


@pytest.mark.parametrize(
    ("before", "after", "new_areas"),
    [
        ((), ("top_of_foot",), ("top_of_foot",)),
        (("top_of_foot",), ("top_of_foot", "shin"), ("shin",)),
        (("top_of_foot", "shin"), ("top_of_foot",), ()),  # shrinking is good news
        (("sole",), ("sole",), ()),
    ],
)
def test_numbness_spreading(before: tuple[str, ...], after: tuple[str, ...], new_areas: tuple[str, ...]) -> None:
    """New numb areas mean numbness is spreading: contact the PT."""
    change = compare_checks(check(numb=before), check(4, numb=after))
    assert tuple(a.value for a in change.new_numbness) == new_areas
    assert triage(change.answers()).level.value == ("contact_pt" if new_areas else "none")


def test_first_check_is_a_baseline() -> None:
    """With no earlier check nothing is flagged (the PT's own exam is the baseline)."""
    assert compare_checks(None, check(toe="unable", numb=("sole",))).answers() == {
        "weakness_worsening": False, "weakness_new": False, "numbness_spreading": False,
    }


def test_order_does_not_matter() -> None:
    """Passing the checks the wrong way round compares them in time order."""
    assert compare_checks(check(3, toe="weak"), check()).new_weakness == (StrengthTest.TOE_WALK,)


@pytest.mark.parametrize(("kwargs"), [{"heel_walk": "wobbly"}, {"numb_areas": ["knee"]}, {"at": "today"}])
def test_bad_values_raise(kwargs: dict[str, object]) -> None:
    """Unknown abilities, areas or a missing time are refused."""
    values: dict[str, object] = {"at": DAY} | kwargs
    with pytest.raises(ValueError):
        SelfCheck(**values)  # type: ignore[arg-type]


def test_content_covers_every_area_and_test(content: Content) -> None:
    """Every area and test has display text, and the L4/L5/S1 map matches seed 001."""
    assert {a.area for a in content.areas} == set(Area)
    assert {t.test for t in content.tests} == set(StrengthTest)
    roots = {r.id: r for r in content.roots}
    assert Area.INNER_FOOT_BIG_TOE in roots["L4"].feeling and StrengthTest.HEEL_WALK in roots["L4"].strength
    assert Area.TOP_OF_FOOT in roots["L5"].feeling and StrengthTest.BIG_TOE_LIFT in roots["L5"].strength
    assert Area.OUTER_FOOT_LITTLE_TOE in roots["S1"].feeling and StrengthTest.TOE_WALK in roots["S1"].strength
    assert Ability.NORMAL < Ability.WEAK < Ability.UNABLE
