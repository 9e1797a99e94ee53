"""What the emergency screen adds to its statements: the cauda equina signs (CES card; GIRFT 2023), pure."""

from __future__ import annotations

import pytest

from selfcare.clinical import CAUDA_EQUINA, FLAG_LEVELS, Level, default_content_dir, load_content


@pytest.mark.parametrize("sign", sorted(FLAG_LEVELS))
def test_the_cauda_equina_signs_are_the_five_the_card_lists(sign: str) -> None:
    """Saddle numbness, bladder, bowel, sexual change and both legs, each an emergency alone; no other sign."""
    expected = {"saddle_numbness", "bladder_change", "bowel_change", "sexual_change", "both_legs"}
    assert (sign in CAUDA_EQUINA) == (sign in expected)
    if sign in CAUDA_EQUINA:
        assert FLAG_LEVELS[sign] == Level.EMERGENCY


def test_every_sign_has_a_short_statement_not_the_question() -> None:
    """Each `tell` is a first-person statement, never the question, and none says "you have sciatica"."""
    flags = load_content(default_content_dir()).red_flags
    for item in (*flags.questions, *flags.history, *flags.held):
        assert item.tell.startswith(("I ", "My ", "The ", "One ")) and item.tell.endswith(".")
        assert "?" not in item.tell and "you have sciatica" not in item.tell.lower()
