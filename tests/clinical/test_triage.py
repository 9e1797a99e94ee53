"""Red-flag triage: every id alone, combinations, history items, and the never-lower property."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfcare.clinical import FLAG_LEVELS, HISTORY_LEVELS, QUESTION_IDS, Level, triage

EMERGENCY = [k for k, v in FLAG_LEVELS.items() if v == Level.EMERGENCY]
URGENT = [k for k, v in FLAG_LEVELS.items() if v == Level.URGENT]

# CLINICAL.md §2 table, written out again by hand so a slip in the code table is caught.
ALONE = [
    ("saddle_numbness", "emergency"),
    ("bladder_change", "emergency"),
    ("bowel_change", "emergency"),
    ("sexual_change", "emergency"),
    ("both_legs", "emergency"),
    ("weakness_worsening", "emergency"),
    ("falls", "emergency"),
    ("fever", "urgent"),
    ("weight_loss", "urgent"),
    ("night_pain", "urgent"),
    ("trauma", "urgent"),
    ("weakness_new", "urgent"),
    ("numbness_spreading", "contact_pt"),
    ("cancer_history", "none"),
    ("immune_risk", "none"),
]


def test_table_covers_every_id() -> None:
    """The hand-written table and the code agree on the set of ids."""
    assert {k for k, _ in ALONE} == set(QUESTION_IDS)


@pytest.mark.parametrize(("flag", "level"), ALONE)
def test_each_id_alone(flag: str, level: str) -> None:
    """One yes gives its own level, with itself as the reason (history items alone give none)."""
    result = triage({flag: True})
    assert result.level.value == level
    assert result.reasons == (() if level == "none" else (flag,))


@pytest.mark.parametrize("flag", QUESTION_IDS)
def test_each_id_answered_no(flag: str) -> None:
    """A no is the same as not answering."""
    assert triage({flag: False}).level == Level.NONE


def test_no_answers_is_none() -> None:
    """Nothing answered: level none, no reasons."""
    result = triage({})
    assert result.level == Level.NONE and result.level.value == "none" and result.reasons == ()


def test_all_no_is_none() -> None:
    """Every question answered no: none."""
    assert triage({k: False for k in QUESTION_IDS}).level == Level.NONE


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(QUESTION_IDS, 2)))
def test_every_pair(first: str, second: str) -> None:
    """Two yeses reach the higher of the two, never lower; an emergency sign always gives emergency."""
    result = triage({first: True, second: True})
    alone = max(triage({first: True}).level, triage({second: True}).level)
    assert result.level >= alone
    if first in EMERGENCY or second in EMERGENCY:
        assert result.level == Level.EMERGENCY
    assert set(result.reasons) <= {first, second}
    if result.level != Level.NONE:
        assert result.reasons


@pytest.mark.parametrize("flag", EMERGENCY)
def test_emergency_with_everything_else(flag: str) -> None:
    """An emergency sign with every other answer yes is still emergency and named as a reason."""
    result = triage({k: True for k in QUESTION_IDS})
    assert result.level == Level.EMERGENCY and flag in result.reasons
    others_no = {k: False for k in QUESTION_IDS} | {flag: True}
    assert triage(others_no).reasons == (flag,)


@pytest.mark.parametrize(
    ("answers", "level", "reasons"),
    [
        ({"cancer_history": True, "night_pain": True}, "urgent", {"cancer_history", "night_pain"}),
        ({"cancer_history": True, "weight_loss": True}, "urgent", {"cancer_history", "weight_loss"}),
        ({"immune_risk": True, "fever": True}, "urgent", {"immune_risk", "fever"}),
        ({"immune_risk": True, "night_pain": True}, "urgent", {"night_pain"}),
        ({"cancer_history": True, "fever": True}, "urgent", {"fever"}),
        ({"cancer_history": True, "numbness_spreading": True}, "contact_pt", {"numbness_spreading"}),
        ({"cancer_history": True, "immune_risk": True}, "none", set()),
        ({"cancer_history": True, "night_pain": True, "bladder_change": True}, "emergency", {"bladder_change"}),
        ({"fever": True, "numbness_spreading": True}, "urgent", {"fever"}),
        ({"weakness_new": True, "weakness_worsening": True}, "emergency", {"weakness_worsening"}),
        ({"saddle_numbness": True, "bowel_change": True}, "emergency", {"saddle_numbness", "bowel_change"}),
    ],
)
def test_combinations(answers: dict[str, bool], level: str, reasons: set[str]) -> None:
    """History items raise their partner sign to urgent and are named; higher signs win."""
    result = triage(answers)
    assert result.level.value == level
    assert set(result.reasons) == reasons


def test_unknown_id_raises() -> None:
    """An id not in the table is a ValueError, even when answered no."""
    with pytest.raises(ValueError, match="leg_cramp"):
        triage({"leg_cramp": False})


@pytest.mark.parametrize("value", ["yes", None, 2, 0.5])
def test_non_bool_answer_raises(value: object) -> None:
    """Answers must be True or False (or 1 and 0)."""
    with pytest.raises(ValueError):
        triage({"fever": value})  # type: ignore[dict-item]


def test_one_and_zero_count_as_yes_and_no() -> None:
    """A 1 from a form or JSON is a yes: it must never hide an emergency sign."""
    assert triage({"bladder_change": 1}).level == Level.EMERGENCY  # type: ignore[dict-item]
    assert triage({"bladder_change": 0}).level == Level.NONE  # type: ignore[dict-item]


def test_levels_are_ordered() -> None:
    """none < contact_pt < urgent < emergency."""
    assert Level.NONE < Level.CONTACT_PT < Level.URGENT < Level.EMERGENCY
    assert [lv.value for lv in sorted(Level, reverse=True)] == ["emergency", "urgent", "contact_pt", "none"]


def test_history_ids_are_accepted() -> None:
    """History items are valid ids for triage."""
    assert set(HISTORY_LEVELS) == {"cancer_history", "immune_risk"}


def test_works_from_any_directory(tmp_path: Path) -> None:
    """`from selfcare.clinical import triage` works with another working directory."""
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, types;"
        "pkg = types.ModuleType('selfcare'); pkg.__path__ = [sys.argv[1] + '/selfcare'];"
        "sys.modules['selfcare'] = pkg;"
        "from selfcare.clinical import triage;"
        "r = triage({'bladder_change': True}); print(r.level.value, r.reasons)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code, str(root)], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "emergency ('bladder_change',)"


answer_maps = st.dictionaries(st.sampled_from(QUESTION_IDS), st.booleans())


@given(answer_maps, st.sampled_from(QUESTION_IDS))
def test_adding_a_yes_never_lowers(answers: dict[str, bool], extra: str) -> None:
    """Property: turning any answer to yes never lowers the level."""
    assert triage(answers | {extra: True}).level >= triage(answers).level


@given(answer_maps)
def test_emergency_sign_always_emergency(answers: dict[str, bool]) -> None:
    """Property: any emergency sign answered yes gives emergency, whatever else is answered."""
    result = triage(answers)
    if any(answers.get(k) for k in EMERGENCY):
        assert result.level == Level.EMERGENCY
    assert all(answers.get(r) for r in result.reasons)
    assert (result.level == Level.NONE) == (result.reasons == ())


def test_reasons_compare_with_any_collection() -> None:
    """Reasons keep table order but equal any list, tuple or set of the same ids."""
    reasons = triage({"bowel_change": True, "saddle_numbness": True}).reasons
    assert tuple(reasons) == ("saddle_numbness", "bowel_change")
    assert reasons == ["bowel_change", "saddle_numbness"] == reasons
    assert reasons == {"saddle_numbness", "bowel_change"}
    assert reasons != ["saddle_numbness"]
    assert triage({}).reasons == [] and not triage({}).reasons
