"""Red-flag triage: every id alone, combinations, history items, held signs, clearance, and the never-lower property."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfcare.clinical import (
    FLAG_LEVELS,
    HELD_LEVELS,
    HISTORY_LEVELS,
    QUESTION_IDS,
    UNTIL_CLEARED,
    Level,
    Triage,
    needs_clearance,
    triage,
    triage_today,
)
from selfcare.clinical.redflags import held_triage

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
    ("cancer_history", "contact_pt"),  # alone: contact_pt, raised once (at onboarding or when edited)
    ("immune_risk", "none"),
]
HISTORY = ("cancer_history", "immune_risk")


def test_table_covers_every_id() -> None:
    """The hand-written table and the code agree on the set of ids."""
    assert {k for k, _ in ALONE} == set(QUESTION_IDS)


@pytest.mark.parametrize(("flag", "level"), ALONE)
def test_each_id_alone(flag: str, level: str) -> None:
    """One yes gives its own level, with itself as the reason (cancer history alone contact_pt, immune risk none)."""
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


# CLINICAL.md §2 "Combinations", one row per pair the table names, written out by hand:
# (ids answered yes, level together, level of the sign alone, must end higher than the sign alone).
# Where the sign alone already reaches the level, the history item must still be named (the emergency screen
# says "tell them you have had cancer"), so every row names both ids as reasons.
COMBINATION_ROWS = [
    (("immune_risk", "fever"), "emergency", "urgent", True),  # suspected spinal infection
    (("fever", "weakness_new"), "emergency", "urgent", True),  # infection with a new neurological sign
    (("fever", "numbness_spreading"), "emergency", "urgent", True),
    (("cancer_history", "weakness_new"), "emergency", "urgent", True),  # MSCC (NICE NG234)
    (("cancer_history", "numbness_spreading"), "emergency", "contact_pt", True),
    (("cancer_history", "weakness_worsening"), "emergency", "emergency", False),
    (("cancer_history", "both_legs"), "emergency", "emergency", False),
    (("cancer_history", "night_pain"), "urgent", "urgent", False),  # possible malignancy (Finucane 2020)
    (("cancer_history", "weight_loss"), "urgent", "urgent", False),
]


def _sign(ids: tuple[str, ...]) -> str:
    """The non-history id of a combination row (fever in fever + weakness_new: the first one)."""
    return next(i for i in ids if i not in HISTORY)


@pytest.mark.parametrize(("ids", "level", "sign_alone", "higher"), COMBINATION_ROWS, ids=[" + ".join(r[0]) for r in COMBINATION_ROWS])
def test_combination_table(ids: tuple[str, ...], level: str, sign_alone: str, higher: bool) -> None:
    """Each CLINICAL.md combination reaches its level, names all its ids, and ends higher than its sign alone."""
    result = triage(dict.fromkeys(ids, True))
    assert result.level.value == level
    assert result.reasons == set(ids)
    assert triage({_sign(ids): True}).level.value == sign_alone
    alone = max(triage({i: True}).level for i in ids)
    assert (result.level > alone) == higher
    assert result.level >= alone


@pytest.mark.parametrize(("ids", "level", "sign_alone", "higher"), COMBINATION_ROWS, ids=[" + ".join(r[0]) for r in COMBINATION_ROWS])
def test_combination_from_history(ids: tuple[str, ...], level: str, sign_alone: str, higher: bool) -> None:
    """The same combinations fire when the history item comes from onboarding and the sign from today."""
    history = {i: True for i in ids if i in HISTORY}
    today = {i: True for i in ids if i not in HISTORY}
    result = triage_today(today, history)
    assert result.level.value == level and result.reasons == set(ids)
    assert triage_today(today, {}).level.value == (sign_alone if history else level)


@pytest.mark.parametrize(
    ("answers", "level", "reasons"),
    [
        # not combinations: the sign keeps its own level and the history item is not named
        ({"immune_risk": True, "night_pain": True}, "urgent", {"night_pain"}),
        ({"immune_risk": True, "weakness_new": True}, "urgent", {"weakness_new"}),
        ({"immune_risk": True, "numbness_spreading": True}, "contact_pt", {"numbness_spreading"}),
        ({"cancer_history": True, "fever": True}, "urgent", {"fever"}),
        ({"cancer_history": True, "trauma": True}, "urgent", {"trauma"}),
        ({"cancer_history": True, "immune_risk": True}, "contact_pt", {"cancer_history"}),
        ({"numbness_spreading": True, "weakness_new": True}, "urgent", {"weakness_new"}),
        # a combination below a higher sign does not decide
        ({"cancer_history": True, "night_pain": True, "bladder_change": True}, "emergency", {"bladder_change"}),
        ({"cancer_history": True, "weight_loss": True, "falls": True}, "emergency", {"falls"}),
        # two emergency routes together: every id at the top level is named
        (
            {"cancer_history": True, "both_legs": True, "saddle_numbness": True},
            "emergency",
            {"cancer_history", "both_legs", "saddle_numbness"},
        ),
        ({"immune_risk": True, "fever": True, "weakness_new": True}, "emergency", {"immune_risk", "fever", "weakness_new"}),
        ({"cancer_history": True, "fever": True, "night_pain": True}, "urgent", {"cancer_history", "fever", "night_pain"}),
        ({"weakness_new": True, "weakness_worsening": True}, "emergency", {"weakness_worsening"}),
        ({"saddle_numbness": True, "bowel_change": True}, "emergency", {"saddle_numbness", "bowel_change"}),
    ],
)
def test_mixed_answers(answers: dict[str, bool], level: str, reasons: set[str]) -> None:
    """Pairs that are not combinations keep their own levels; the highest level names every id that reached it."""
    result = triage(answers)
    assert result.level.value == level
    assert set(result.reasons) == reasons


@pytest.mark.parametrize(
    ("today", "history", "level", "reasons"),
    [
        ({}, {"cancer_history": True}, "none", set()),  # asked once at onboarding, not raised every day
        ({k: False for k in FLAG_LEVELS}, {"cancer_history": True, "immune_risk": True}, "none", set()),
        ({}, {"immune_risk": True}, "none", set()),
        ({"fever": True}, {"immune_risk": True}, "emergency", {"fever", "immune_risk"}),
        ({"fever": True}, {"immune_risk": False}, "urgent", {"fever"}),
        ({"fever": True}, {"cancer_history": True}, "urgent", {"fever"}),
        ({"numbness_spreading": True}, {"cancer_history": True}, "emergency", {"numbness_spreading", "cancer_history"}),
        ({"numbness_spreading": True}, {}, "contact_pt", {"numbness_spreading"}),
        ({"night_pain": True}, {"cancer_history": True, "immune_risk": True}, "urgent", {"night_pain", "cancer_history"}),
        ({"bladder_change": True}, {"cancer_history": True}, "emergency", {"bladder_change"}),
    ],
)
def test_triage_today(today: dict[str, bool], history: dict[str, bool], level: str, reasons: set[str]) -> None:
    """Onboarding history items count in combinations with today's answers, never alone."""
    result = triage_today(today, history)
    assert result.level.value == level
    assert set(result.reasons) == reasons


@pytest.mark.parametrize(
    ("today", "history", "named"),
    [
        ({"leg_cramp": True}, {}, "leg_cramp"),  # unknown id in today's answers
        ({}, {"cancer": True}, "cancer"),  # unknown id in the history
        ({}, {"fever": True}, "fever"),  # a daily question is not a history item
        ({}, {"both_legs": False}, "both_legs"),  # even answered no
    ],
)
def test_triage_today_refuses_bad_ids(today: dict[str, bool], history: dict[str, bool], named: str) -> None:
    """Unknown ids, and daily questions passed as history, are a ValueError naming the id."""
    with pytest.raises(ValueError, match=named):
        triage_today(today, history)


@pytest.mark.parametrize(
    ("answers", "clearance"),
    [
        ({"fever": True}, True),  # urgent with fever
        ({"trauma": True}, True),  # urgent with trauma
        ({"fever": True, "immune_risk": True}, True),  # emergency with fever
        ({"trauma": True, "falls": True}, True),
        ({"night_pain": True}, False),  # urgent without fever or trauma
        ({"weakness_new": True}, False),
        ({"bladder_change": True}, False),  # emergency without fever or trauma
        ({"fever": False, "trauma": False, "weight_loss": True}, False),
        ({}, False),
    ],
)
def test_needs_clearance(answers: dict[str, bool], clearance: bool) -> None:
    """Urgent or higher with fever or trauma answered yes keeps the plan blocked until cleared."""
    assert needs_clearance(answers, triage(answers)) is clearance


@pytest.mark.parametrize(
    ("level", "clearance"),
    [(Level.NONE, False), (Level.CONTACT_PT, False), (Level.URGENT, True), (Level.EMERGENCY, True)],
)
def test_needs_clearance_needs_urgent(level: Level, clearance: bool) -> None:
    """Fever answered yes needs clearance only when the result is urgent or higher."""
    result = Triage(level, triage({"fever": True}).reasons)
    assert needs_clearance({"fever": True}, result) is clearance


def test_until_cleared_ids() -> None:
    """Exactly fever and trauma keep the plan blocked past the day (CLINICAL.md §2 urgent)."""
    assert UNTIL_CLEARED == {"fever", "trauma"}


def test_held_levels() -> None:
    """The signs the app holds: a first self-check unable is urgent, weak is contact_pt."""
    assert dict(HELD_LEVELS) == {"strength_unable": Level.URGENT, "strength_weak": Level.CONTACT_PT}


@pytest.mark.parametrize(
    ("answers", "held", "level", "reasons"),
    [
        ({}, (), "none", set()),
        ({}, ("strength_weak",), "contact_pt", {"strength_weak"}),
        ({}, ("strength_unable",), "urgent", {"strength_unable"}),
        ({}, ("strength_unable", "strength_weak"), "urgent", {"strength_unable"}),
        ({"numbness_spreading": True}, ("strength_weak",), "contact_pt", {"numbness_spreading", "strength_weak"}),  # equal: merged
        ({"numbness_spreading": True}, ("strength_unable",), "urgent", {"strength_unable"}),  # held higher wins
        ({"night_pain": True}, ("strength_unable",), "urgent", {"night_pain", "strength_unable"}),  # equal: merged
        ({"night_pain": True}, ("strength_weak",), "urgent", {"night_pain"}),  # answers higher win
        ({"falls": True}, ("strength_unable",), "emergency", {"falls"}),
        ({"cancer_history": True}, ("strength_weak",), "contact_pt", {"cancer_history", "strength_weak"}),
    ],
)
def test_held_triage(answers: dict[str, bool], held: tuple[str, ...], level: str, reasons: set[str]) -> None:
    """Held signs raise a result: the higher level wins, an equal level merges the reasons."""
    result = held_triage(triage(answers), held)
    assert result.level.value == level
    assert set(result.reasons) == reasons


@pytest.mark.parametrize("bad", ["strength_missing", "fever", "cancer_history"])
def test_held_triage_refuses_unknown_ids(bad: str) -> None:
    """Only HELD_LEVELS ids are held signs; anything else is a ValueError."""
    with pytest.raises(ValueError, match=bad):
        held_triage(triage({}), [bad])


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
    """History items are valid ids for triage, with their levels alone."""
    assert dict(HISTORY_LEVELS) == {"cancer_history": Level.CONTACT_PT, "immune_risk": Level.NONE}


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
def test_combinations_only_raise(answers: dict[str, bool]) -> None:
    """Property: the result is never below the highest level any single yes reaches on its own."""
    alone = [triage({k: True}).level for k, v in answers.items() if v]
    assert triage(answers).level >= max(alone, default=Level.NONE)


history_maps = st.dictionaries(st.sampled_from(HISTORY), st.booleans())
today_maps = st.dictionaries(st.sampled_from(list(FLAG_LEVELS)), st.booleans())


@given(today_maps, history_maps)
def test_history_only_raises_today(today: dict[str, bool], history: dict[str, bool]) -> None:
    """Property: history never lowers today's level, and never raises more than answering it today would."""
    result = triage_today(today, history)
    assert triage(today).level <= result.level <= triage(today | history).level
    assert all(today.get(r) or history.get(r) for r in result.reasons)
    if not any(today.values()):
        assert result.level == Level.NONE


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
