"""Red-flag triage: answers to the urgent-care questions -> one level and its reasons (CLINICAL.md §2).

The level table lives here as constants, not only in content/red_flags.toml, because triage is the
safety net: it must work with no file access, from any working directory, before anything else
loads. content/red_flags.toml holds the patient wording and sources and repeats each level; the
content loader refuses to start if the two ever disagree, so neither can drift silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from selfcare.clinical.ordered import OrderedStrEnum


class Level(OrderedStrEnum):
    """How fast to get care, lowest first."""

    NONE = "none"
    CONTACT_PT = "contact_pt"
    URGENT = "urgent"
    EMERGENCY = "emergency"


# Level reached by a "yes" on its own: red_flags.toml [[flag]] `level` (sources there).
FLAG_LEVELS: Mapping[str, Level] = MappingProxyType(
    {
        "saddle_numbness": Level.EMERGENCY,
        "bladder_change": Level.EMERGENCY,
        "bowel_change": Level.EMERGENCY,
        "sexual_change": Level.EMERGENCY,
        "both_legs": Level.EMERGENCY,
        "weakness_worsening": Level.EMERGENCY,
        "falls": Level.EMERGENCY,
        "fever": Level.URGENT,
        "weight_loss": Level.URGENT,
        "night_pain": Level.URGENT,
        "trauma": Level.URGENT,
        "weakness_new": Level.URGENT,
        "numbness_spreading": Level.CONTACT_PT,
    }
)

# History items, asked at onboarding. Alone they raise nothing (red_flags.toml [[history]]
# `level_alone` = "none"): they are stored on the profile the PT already sees, and raising an alert
# from them at every check-in would be alarm fatigue (CLINICAL.md §2).
HISTORY_LEVELS: Mapping[str, Level] = MappingProxyType(
    {
        "cancer_history": Level.NONE,
        "immune_risk": Level.NONE,
    }
)


@dataclass(frozen=True)
class Combination:
    """A history item that, together with a current sign, sets at least `level`."""

    history: str
    sign: str
    level: Level


# red_flags.toml [[combination]]: cancer history with night pain or weight loss, weakened immunity
# with fever (Finucane, JOSPT 2020). They name the history item as a reason too.
COMBINATIONS: tuple[Combination, ...] = (
    Combination("cancer_history", "night_pain", Level.URGENT),
    Combination("cancer_history", "weight_loss", Level.URGENT),
    Combination("immune_risk", "fever", Level.URGENT),
)

QUESTION_IDS: tuple[str, ...] = (*FLAG_LEVELS, *HISTORY_LEVELS)


class Reasons(tuple[str, ...]):
    """The ids that set a level, in table order; equal to any list, tuple or set of the same ids."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, list, set, frozenset)):
            return len(self) == len(other) and set(self) == set(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(frozenset(self))


@dataclass(frozen=True)
class Triage:
    """The result of one red-flag check: the highest level reached and the ids that set it."""

    level: Level
    reasons: Reasons

    @property
    def needs_action(self) -> bool:
        """True when the patient must be told to get care (any level above none)."""
        return self.level > Level.NONE


def _checked(answers: Mapping[str, bool]) -> set[str]:
    if not isinstance(answers, Mapping):
        raise TypeError("answers must be a mapping of question id to bool")
    yes: set[str] = set()
    for key, value in answers.items():
        if key not in FLAG_LEVELS and key not in HISTORY_LEVELS:
            raise ValueError(f"unknown red-flag id {key!r}")
        # 1 and 0 are accepted as yes and no: refusing a "1" could hide a real emergency sign.
        if not isinstance(value, bool) and value not in (0, 1):
            raise ValueError(f"answer to {key!r} must be True or False, got {value!r}")
        if value:
            yes.add(key)
    return yes


def triage(answers: Mapping[str, bool]) -> Triage:
    """Return the highest level any yes-answer (or combination) reaches, with the ids that set it."""
    yes = _checked(answers)
    reached: dict[str, Level] = {key: FLAG_LEVELS.get(key, HISTORY_LEVELS.get(key, Level.NONE)) for key in yes}
    for combo in COMBINATIONS:
        if combo.history in yes and combo.sign in yes:
            for key in (combo.history, combo.sign):
                reached[key] = max(reached[key], combo.level)
    level = max(reached.values(), default=Level.NONE)
    if level == Level.NONE:
        return Triage(Level.NONE, Reasons())
    return Triage(level, Reasons(key for key in QUESTION_IDS if reached.get(key) == level))
