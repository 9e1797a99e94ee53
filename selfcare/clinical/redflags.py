"""Red-flag triage: answers to the urgent-care questions -> one level and its reasons (CLINICAL.md §2).

The level table lives here as constants, not only in content/red_flags.toml, because triage is the
safety net: it must work with no file access, from any working directory, before anything else
loads. content/red_flags.toml holds the patient wording and sources and repeats each level; the
content loader refuses to start if the two ever disagree, so neither can drift silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

# History items, asked at onboarding (red_flags.toml [[history]] `level_alone`). Cancer history alone is
# contact_pt, raised once when it is answered or edited, never at every check-in (alarm fatigue, CLINICAL.md §2):
# see `triage_today`. Weakened immunity alone raises nothing; both count in the combinations below.
HISTORY_LEVELS: Mapping[str, Level] = MappingProxyType(
    {
        "cancer_history": Level.CONTACT_PT,
        "immune_risk": Level.NONE,
    }
)

# Signs the app raises from what it already holds, with no question of their own (red_flags.toml [[held]]):
# a first nerve self-check with a test the patient could not do, or found weak (CLINICAL.md §2). They are not
# triage() answers; the self-check builds its result with `held_triage`.
HELD_LEVELS: Mapping[str, Level] = MappingProxyType(
    {
        "strength_unable": Level.URGENT,
        "strength_weak": Level.CONTACT_PT,
    }
)

# Urgent signs that keep the plan blocked past the day, until the PT re-enables it or a doctor has seen the
# patient and said exercise is fine (red_flags.toml [[flag]] `until_cleared`; CLINICAL.md §2 "What each level does").
UNTIL_CLEARED: frozenset[str] = frozenset({"fever", "trauma"})

# Signs of cauda equina syndrome: the emergency screen adds "I am worried about cauda equina syndrome" to what to
# tell the ambulance or emergency department when any of these is a reason (CES symptom card, backes.org.uk; GIRFT
# National Suspected Cauda Equina Syndrome Pathway 2023: bilateral radicular symptoms are on its list).
CAUDA_EQUINA: frozenset[str] = frozenset({"saddle_numbness", "bladder_change", "bowel_change", "sexual_change", "both_legs"})


@dataclass(frozen=True)
class Combination:
    """Answers that together set at least `level` (each one yes); they only ever raise a level."""

    ids: frozenset[str]
    level: Level

    @classmethod
    def of(cls, level: Level, *ids: str) -> Combination:
        """A combination of these ids at this level."""
        return cls(frozenset(ids), level)


# red_flags.toml [[combination]] (sources there; CLINICAL.md §2 "Combinations"). Each names all its ids as reasons.
COMBINATIONS: tuple[Combination, ...] = (
    # Suspected spinal infection: an emergency route (NHS Community Red Flags 2023).
    Combination.of(Level.EMERGENCY, "immune_risk", "fever"),
    # Infection with a new neurological sign (epidural abscess).
    Combination.of(Level.EMERGENCY, "fever", "weakness_new"),
    Combination.of(Level.EMERGENCY, "fever", "numbness_spreading"),
    # Metastatic spinal cord compression: contact the MSCC service at once (NICE NG234).
    Combination.of(Level.EMERGENCY, "cancer_history", "weakness_new"),
    Combination.of(Level.EMERGENCY, "cancer_history", "numbness_spreading"),
    Combination.of(Level.EMERGENCY, "cancer_history", "weakness_worsening"),
    Combination.of(Level.EMERGENCY, "cancer_history", "both_legs"),
    # Possible spinal malignancy (Finucane, JOSPT 2020).
    Combination.of(Level.URGENT, "cancer_history", "night_pain"),
    Combination.of(Level.URGENT, "cancer_history", "weight_loss"),
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


def _reach(yes: set[str], history_alone: bool) -> Triage:
    """The level the yes-answers reach, with the ids that set it (history items alone only if `history_alone`)."""
    reached: dict[str, Level] = {}
    for key in yes:
        alone = FLAG_LEVELS.get(key)
        reached[key] = alone if alone is not None else (HISTORY_LEVELS[key] if history_alone else Level.NONE)
    for combo in COMBINATIONS:
        if combo.ids <= yes:
            for key in combo.ids:
                reached[key] = max(reached[key], combo.level)
    level = max(reached.values(), default=Level.NONE)
    if level == Level.NONE:
        return Triage(Level.NONE, Reasons())
    return Triage(level, Reasons(key for key in QUESTION_IDS if reached.get(key) == level))


def triage(answers: Mapping[str, bool]) -> Triage:
    """Return the highest level any yes-answer (or combination) reaches, with the ids that set it."""
    return _reach(_checked(answers), history_alone=True)


def triage_today(answers: Mapping[str, bool], history: Mapping[str, bool]) -> Triage:
    """Triage today's answers with the onboarding history items: they count in combinations, never alone.

    A history item alone was raised once, when it was answered or edited (CLINICAL.md §2: asked once, not every
    day); with a sign of today it raises the level the combination table gives.
    """
    held = _checked(history)
    stray = set(history) - set(HISTORY_LEVELS)  # every key, not only the yes ones: a daily id here is a mistake
    if stray:
        raise ValueError(f"not a history item: {', '.join(sorted(stray))}")
    return _reach(_checked(answers) | held, history_alone=False)


def needs_clearance(answers: Mapping[str, bool], result: Triage) -> bool:
    """An urgent or emergency result with fever or trauma among the yes-answers keeps the plan blocked past the
    day, until the PT re-enables it or a doctor has seen the patient and said exercise is fine (CLINICAL.md §2)."""
    return result.level >= Level.URGENT and any(answers.get(key) for key in UNTIL_CLEARED)


def held_triage(result: Triage, held: Iterable[str]) -> Triage:
    """`result` raised by signs the app holds (HELD_LEVELS ids): the higher level wins, reasons from both at it."""
    held = tuple(held)
    for key in held:
        if key not in HELD_LEVELS:
            raise ValueError(f"unknown held sign {key!r}")
    level = max((HELD_LEVELS[k] for k in held), default=Level.NONE)
    if level < result.level or level == Level.NONE:
        return result
    own = [k for k in HELD_LEVELS if k in held and HELD_LEVELS[k] == level]
    return Triage(level, Reasons((*result.reasons, *own) if result.level == level else own))
