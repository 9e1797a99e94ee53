"""Nerve self-check (heel walk, toe walk, big-toe lift, numb areas): what changed between two checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from selfcare.clinical.ordered import OrderedStrEnum
from selfcare.clinical.redflags import Triage, held_triage, triage
from selfcare.clinical.timeutil import as_utc

# Weakness that gets worse within this many days counts as "getting worse quickly"
# (red_flags.toml `weakness_worsening`, emergency; seed 003 "rapidly worsening weakness").
RAPID_DAYS = 7


class StrengthTest(StrEnum):
    """The three simple strength tests (seed 001 motor tests; nerve_roots.toml [[test]])."""

    HEEL_WALK = "heel_walk"
    TOE_WALK = "toe_walk"
    BIG_TOE_LIFT = "big_toe_lift"


class Ability(OrderedStrEnum):
    """How a strength test went, best first."""

    NORMAL = "normal"
    WEAK = "weak"
    UNABLE = "unable"


class Area(StrEnum):
    """Skin areas the patient can mark as numb (nerve_roots.toml [[area]])."""

    INNER_FOOT_BIG_TOE = "inner_foot_big_toe"
    TOP_OF_FOOT = "top_of_foot"
    OUTER_FOOT_LITTLE_TOE = "outer_foot_little_toe"
    SOLE = "sole"
    INNER_SHIN = "inner_shin"  # L4 (ISNCSCI), added when the map was corrected; "shin" is the outer lower leg (L5)
    SHIN = "shin"
    CALF = "calf"
    THIGH = "thigh"
    BUTTOCK = "buttock"


@dataclass(frozen=True, init=False)
class SelfCheck:
    """One nerve self-check on the affected leg."""

    at: datetime
    heel_walk: Ability
    toe_walk: Ability
    big_toe_lift: Ability
    numb_areas: frozenset[Area]

    def __init__(
        self,
        at: datetime,
        heel_walk: Ability | str = Ability.NORMAL,
        toe_walk: Ability | str = Ability.NORMAL,
        big_toe_lift: Ability | str = Ability.NORMAL,
        numb_areas: Iterable[Area | str] = (),
    ) -> None:
        if not isinstance(at, datetime):
            raise ValueError("at must be a datetime")
        object.__setattr__(self, "at", at)
        for name, value in (("heel_walk", heel_walk), ("toe_walk", toe_walk), ("big_toe_lift", big_toe_lift)):
            try:
                object.__setattr__(self, name, Ability(value))
            except ValueError:
                raise ValueError(f"{name} must be normal, weak or unable, got {value!r}") from None
        try:
            areas = frozenset(Area(a) for a in numb_areas)
        except ValueError as exc:
            raise ValueError(f"unknown numb area: {exc}") from None
        object.__setattr__(self, "numb_areas", areas)

    def ability(self, test: StrengthTest) -> Ability:
        """Result of one test."""
        value: Ability = getattr(self, test.value)
        return value


@dataclass(frozen=True)
class NerveChange:
    """Differences from the previous check, and which red-flag answers they imply."""

    new_weakness: tuple[StrengthTest, ...] = ()
    worse_weakness: tuple[StrengthTest, ...] = ()
    new_numbness: tuple[Area, ...] = ()
    rapid: bool = False
    already_weak: bool = False
    first_unable: tuple[StrengthTest, ...] = ()  # the first check: tests the patient could not do
    first_weak: tuple[StrengthTest, ...] = ()  # the first check: tests that were weak

    @property
    def weakness_spreading(self) -> bool:
        """Weakness appeared in a movement that was fine, while another was already weak."""
        return bool(self.new_weakness) and self.already_weak

    @property
    def weakness_worsening(self) -> bool:
        """Weakness got worse quickly: a weak test became impossible, or a fine one went straight to impossible."""
        return self.rapid and bool(self.worse_weakness)

    @property
    def any_weakness_change(self) -> bool:
        """Any new or worse weakness at all."""
        return bool(self.new_weakness or self.worse_weakness)

    def answers(self) -> dict[str, bool]:
        """The red-flag answers this change implies, ready for triage()."""
        return {
            "weakness_worsening": self.weakness_worsening,
            "weakness_new": self.any_weakness_change,
            "numbness_spreading": bool(self.new_numbness),
        }

    def held(self) -> tuple[str, ...]:
        """The signs a first check raises by itself (red_flags.toml [[held]]): any test unable is urgent (possible
        foot drop: same-day review, NHS Lothian), any weak is contact_pt (CLINICAL.md §2)."""
        return (("strength_unable",) if self.first_unable else ()) + (("strength_weak",) if self.first_weak else ())

    def triage(self) -> Triage:
        """The level this change reaches: the red-flag answers it implies, raised by a first check's findings."""
        return held_triage(triage(self.answers()), self.held())


def compare_checks(previous: SelfCheck | None, current: SelfCheck, *, rapid_days: int = RAPID_DAYS) -> NerveChange:
    """Compare two self-checks; the first (no previous) reports no change, only the tests weak or not possible."""
    if previous is None:
        return NerveChange(
            first_unable=tuple(t for t in StrengthTest if current.ability(t) == Ability.UNABLE),
            first_weak=tuple(t for t in StrengthTest if current.ability(t) == Ability.WEAK),
        )
    if as_utc(current.at) < as_utc(previous.at):
        previous, current = current, previous
    new: list[StrengthTest] = []
    worse: list[StrengthTest] = []
    for test in StrengthTest:
        before, after = previous.ability(test), current.ability(test)
        if before == Ability.NORMAL and after > Ability.NORMAL:
            new.append(test)
        if after > before and (before > Ability.NORMAL or after == Ability.UNABLE):
            # red_flags.toml `weakness_worsening`: weak -> unable, or normal -> unable, is a worsening grade.
            worse.append(test)
    rapid = as_utc(current.at) - as_utc(previous.at) <= timedelta(days=rapid_days)
    already = any(previous.ability(t) > Ability.NORMAL for t in StrengthTest)
    numb = tuple(sorted(current.numb_areas - previous.numb_areas, key=lambda a: list(Area).index(a)))
    return NerveChange(tuple(new), tuple(worse), numb, rapid, already)
