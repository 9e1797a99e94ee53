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


def test_first_check_reports_no_change() -> None:
    """With no earlier check nothing has changed: no new, worse or spreading answers."""
    assert compare_checks(None, check(toe="unable", numb=("sole",))).answers() == {
        "weakness_worsening": False, "weakness_new": False, "numbness_spreading": False,
    }


@pytest.mark.parametrize(
    ("first", "unable", "weak", "level", "reasons"),
    [
        (check(), (), (), "none", ()),
        (check(numb=("sole", "calf")), (), (), "none", ()),  # numbness alone on a first check raises nothing
        (check(heel="weak"), (), ("heel_walk",), "contact_pt", ("strength_weak",)),
        (check(toe="weak", big_toe="weak"), (), ("toe_walk", "big_toe_lift"), "contact_pt", ("strength_weak",)),
        (check(big_toe="unable"), ("big_toe_lift",), (), "urgent", ("strength_unable",)),  # foot drop: same day
        (check(heel="unable"), ("heel_walk",), (), "urgent", ("strength_unable",)),
        (check(heel="unable", toe="weak"), ("heel_walk",), ("toe_walk",), "urgent", ("strength_unable",)),
        (check(heel="unable", toe="unable", big_toe="unable"), ("heel_walk", "toe_walk", "big_toe_lift"), (), "urgent", ("strength_unable",)),
    ],
)
def test_first_check_raises_held_signs(
    first: SelfCheck, unable: tuple[str, ...], weak: tuple[str, ...], level: str, reasons: tuple[str, ...]
) -> None:
    """A first check with any test unable is urgent, any weak only is contact_pt, all normal is none."""
    change = compare_checks(None, first)
    assert tuple(t.value for t in change.first_unable) == unable
    assert tuple(t.value for t in change.first_weak) == weak
    result = change.triage()
    assert result.level.value == level
    assert result.reasons == reasons


@pytest.mark.parametrize(
    ("before", "after", "level", "reasons"),
    [
        (check(toe="unable"), check(3, toe="unable"), "none", ()),  # already known at the first check: no new sign
        (check(heel="weak"), check(3, heel="weak"), "none", ()),
        (check(), check(3, big_toe="weak"), "urgent", ("weakness_new",)),
        (check(toe="weak"), check(3, toe="unable"), "emergency", ("weakness_worsening",)),
        (check(numb=("sole",)), check(3, numb=("sole", "calf")), "contact_pt", ("numbness_spreading",)),
    ],
)
def test_later_checks_triage_as_before(before: SelfCheck, after: SelfCheck, level: str, reasons: tuple[str, ...]) -> None:
    """Later checks raise only what changed (weakness_new, weakness_worsening, numbness_spreading), not held signs."""
    change = compare_checks(before, after)
    assert (change.first_unable, change.first_weak) == ((), ())
    result = change.triage()
    assert result.level.value == level and result.reasons == reasons


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
    """Every area and test has text; the map follows ISNCSCI: L4 inner shin, L5 big toe and top of foot, S1 outer foot."""
    assert {a.area for a in content.areas} == set(Area)
    assert {t.test for t in content.tests} == set(StrengthTest)
    roots = {r.id: r for r in content.roots}
    names = {a.area: a.name.lower() for a in content.areas}
    assert roots["L4"].feeling == (Area.INNER_SHIN,) and "inner side of the lower leg" in names[Area.INNER_SHIN]
    assert StrengthTest.HEEL_WALK in roots["L4"].strength
    assert {Area.TOP_OF_FOOT, Area.INNER_FOOT_BIG_TOE} <= set(roots["L5"].feeling)
    assert names[Area.INNER_FOOT_BIG_TOE] == "big toe" and StrengthTest.BIG_TOE_LIFT in roots["L5"].strength
    assert {Area.OUTER_FOOT_LITTLE_TOE, Area.SOLE} <= set(roots["S1"].feeling) and StrengthTest.TOE_WALK in roots["S1"].strength
    big_toe = [root for root, info in roots.items() for area in info.feeling if "big toe" in names[area]]
    assert big_toe == ["L5"]
    assert "big toe" not in roots["L4"].summary and "big toe" in roots["L5"].summary
    assert Ability.NORMAL < Ability.WEAK < Ability.UNABLE
