"""The warning-signs page's lists (RedFlagContent.signs) and the region words content texts may use."""

from __future__ import annotations

import pytest

from selfcare.clinical import FLAG_LEVELS, HELD_LEVELS, Content, Level
from selfcare.clinical.regions import unknown_words


@pytest.mark.parametrize("level", [Level.EMERGENCY, Level.URGENT, Level.CONTACT_PT])
def test_each_level_lists_its_daily_and_held_signs_in_table_order(content: Content, level: Level) -> None:
    """A level's list: its daily signs in table order, then the signs a first self-check raises; no history items."""
    flags = content.red_flags
    expected = [q.sign for q in flags.questions if FLAG_LEVELS[q.id] == level]
    expected += [s.sign for s in flags.held if HELD_LEVELS[s.id] == level]
    assert flags.signs(level) == flags.signs(level.value) == expected
    assert not {q.sign for q in flags.history} & set(flags.signs(level))


def test_every_sign_is_on_exactly_one_list(content: Content) -> None:
    """All 13 daily signs and both held signs appear once across the three lists; "none" lists nothing."""
    flags = content.red_flags
    listed = [sign for level in (Level.EMERGENCY, Level.URGENT, Level.CONTACT_PT) for sign in flags.signs(level)]
    assert sorted(listed) == sorted([q.sign for q in flags.questions] + [s.sign for s in flags.held])
    assert len(listed) == len(FLAG_LEVELS) + len(HELD_LEVELS)
    assert flags.signs(Level.NONE) == []


@pytest.mark.parametrize(("text", "unknown"), [
    ("Tell your {therapist} or {doctor}.", []),
    ("Call {emergency} or go to {emergency_department}. {same_day}", []),
    ("Tell your {physio}.", ["physio"]),
    ("Tell your {Therapist}.", ["a lone brace"]),
    ("A stray } brace", ["a lone brace"]),
    ("No words at all.", []),
])
def test_only_the_region_words_may_sit_in_braces(text: str, unknown: list[str]) -> None:
    """Content texts may name {therapist}, {doctor}, {emergency_department}, {emergency}, {same_day}; nothing else."""
    assert unknown_words(text) == unknown
