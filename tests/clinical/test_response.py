"""Within-session response: every zone pair, and leg-pain changes either side of the noise threshold."""

from __future__ import annotations

import itertools

import pytest
from clinical_cases import reading

from selfcare.clinical import NOISE_POINTS, Content, Reading, Response, Zone, classify_response

ZONES = ["none", "back", "buttock", "thigh", "calf", "foot"]


def _expected(before: str, after: str) -> str:
    if before == after:
        return "unchanged"
    if after == "none":
        return "abolished"
    return "centralized" if ZONES.index(after) < ZONES.index(before) else "peripheralized"


@pytest.mark.parametrize(("before", "after"), list(itertools.product(ZONES, ZONES)))
def test_every_zone_pair(before: str, after: str) -> None:
    """Zone decides first: up is centralized, gone is abolished, down is peripheralized."""
    result = classify_response(reading(before, 5, 3), reading(after, 5, 3))
    assert result.value == _expected(before, after)


# response.toml rules in order: peripheralized; leg pain up by 2+ (worse, whatever the zone did); a change of side
# (unchanged, never better); abolished; centralized; same zone leg pain down by 2+ (better); else unchanged.
# (zone, leg pain, side) before -> after, expected.
PRECEDENCE = [
    # 1. further down the leg is peripheralized, whatever leg pain or side did
    (("thigh", 9, None), ("calf", 0, None), "peripheralized"),
    (("thigh", 2, None), ("foot", 9, None), "peripheralized"),
    (("none", 0, None), ("back", 0, None), "peripheralized"),
    (("thigh", 5, "left"), ("calf", 2, "right"), "peripheralized"),
    (("calf", 6, "left"), ("foot", 6, "both"), "peripheralized"),
    # 2. leg pain up by the noise threshold or more is worse, even when the zone moved up or went away
    (("calf", 2, None), ("thigh", 8, None), "worse"),  # CLINICAL.md §3: not centralized
    (("thigh", 3, None), ("none", 6, None), "worse"),  # not abolished
    (("foot", 4, None), ("back", 6, None), "worse"),  # exactly 2 points
    (("calf", 4, None), ("thigh", 5, None), "centralized"),  # 1 point: noise, the zone decides
    (("thigh", 3, "left"), ("thigh", 7, "right"), "worse"),  # worse beats the change of side
    (("calf", 2, "left"), ("buttock", 8, "both"), "worse"),
    # 3. a change of side is never better, centralized or abolished
    (("calf", 6, "left"), ("thigh", 6, "right"), "unchanged"),
    (("calf", 6, "left"), ("thigh", 2, "both"), "unchanged"),
    (("thigh", 7, "right"), ("thigh", 1, "left"), "unchanged"),
    (("thigh", 7, "both"), ("buttock", 3, "left"), "unchanged"),
    (("thigh", 6, "left"), ("none", 0, "right"), "unchanged"),
    # same side, or a side not recorded on one of the two readings: no change of side
    (("calf", 6, "left"), ("thigh", 6, "left"), "centralized"),
    (("calf", 6, "both"), ("thigh", 6, "both"), "centralized"),
    (("calf", 6, None), ("thigh", 6, "right"), "centralized"),
    (("calf", 6, "left"), ("calf", 3, None), "better"),
    # 4. abolished, then 5. centralized, whatever leg pain did (it did not clearly rise)
    (("foot", 6, None), ("none", 0, None), "abolished"),
    (("back", 2, None), ("none", 3, None), "abolished"),
    (("foot", 8, "right"), ("none", 0, "right"), "abolished"),
    (("foot", 9, None), ("calf", 0, None), "centralized"),
    (("thigh", 5, None), ("back", 6, None), "centralized"),
    # 6. same zone: leg pain down by 2 or more is better, else unchanged
    (("calf", 6, "left"), ("calf", 4, "left"), "better"),
    (("calf", 6, "left"), ("calf", 5, "left"), "unchanged"),
    (("none", 2, None), ("none", 0, None), "better"),
    (("none", 0, None), ("none", 0, None), "unchanged"),
]


@pytest.mark.parametrize(("before", "after", "expected"), PRECEDENCE, ids=[f"{b}->{a}" for b, a, _ in PRECEDENCE])
def test_rule_precedence(before: tuple[str, int, str | None], after: tuple[str, int, str | None], expected: str) -> None:
    """Peripheralized first, then leg pain clearly worse, then a change of side, then abolished, centralized, better."""
    zone_b, leg_b, side_b = before
    zone_a, leg_a, side_a = after
    result = classify_response(reading(zone_b, leg_b, 3, side=side_b), reading(zone_a, leg_a, 3, side=side_a))
    assert result.value == expected


@pytest.mark.parametrize(("before", "after"), [(b, a) for b, a in itertools.product(ZONES, ZONES) if ZONES.index(a) < ZONES.index(b)])
@pytest.mark.parametrize(("leg_before", "leg_after"), [(0, 2), (3, 10), (8, 10)])
def test_leg_pain_rise_is_worse_whatever_the_zone(before: str, after: str, leg_before: int, leg_after: int) -> None:
    """Any move up the leg (or symptoms gone) with leg pain up by 2 or more is worse and a stop signal."""
    result = classify_response(reading(before, leg_before), reading(after, leg_after))
    assert result == Response.WORSE and result.is_stop_signal and not result.is_improvement


@pytest.mark.parametrize(("before", "after"), list(itertools.product(ZONES, ZONES)))
@pytest.mark.parametrize(("side_before", "side_after"), [("left", "right"), ("right", "left"), ("left", "both"), ("both", "right")])
def test_change_of_side_is_never_improvement(before: str, after: str, side_before: str, side_after: str) -> None:
    """Symptoms on another leg (or both) are never better, centralized or abolished, whatever the zones and pain."""
    for leg_before, leg_after in ((9, 0), (5, 5), (2, 3)):
        result = classify_response(reading(before, leg_before, side=side_before), reading(after, leg_after, side=side_after))
        assert not result.is_improvement
        expected = "peripheralized" if ZONES.index(after) > ZONES.index(before) else "unchanged"
        assert result.value == expected


@pytest.mark.parametrize(
    ("leg_before", "leg_after", "expected"),
    [
        (6, 6, "unchanged"),
        (6, 5, "unchanged"),  # 1 point: noise
        (6, 4, "better"),  # 2 points: the MCID
        (6, 0, "better"),
        (6, 7, "unchanged"),
        (6, 8, "worse"),
        (0, 2, "worse"),
        (10, 8, "better"),
        (10, 9, "unchanged"),
        (1, 0, "unchanged"),
        (2, 0, "better"),
    ],
)
@pytest.mark.parametrize("zone", ZONES)
def test_same_zone_leg_pain_threshold(zone: str, leg_before: int, leg_after: int, expected: str) -> None:
    """Same zone: only a leg-pain change of at least 2 points counts."""
    result = classify_response(reading(zone, leg_before, 3), reading(zone, leg_after, 3))
    assert result.value == expected


@pytest.mark.parametrize(
    ("back_before", "back_after", "leg_before", "leg_after", "expected"),
    [
        (2, 8, 6, 3, "better"),  # more back pain with less leg pain: acceptable, still better
        (2, 8, 6, 6, "unchanged"),  # back pain alone does not make it worse
        (8, 2, 6, 6, "unchanged"),  # nor better
        (2, 8, 6, 5, "unchanged"),
    ],
)
def test_back_pain_does_not_decide(back_before: int, back_after: int, leg_before: int, leg_after: int, expected: str) -> None:
    """Back pain rising while leg pain falls is not worse (seed 003)."""
    result = classify_response(reading("thigh", leg_before, back_before), reading("thigh", leg_after, back_after))
    assert result.value == expected


def test_result_values_are_the_interface_strings() -> None:
    """The Enum values are exactly the six CLINICAL.md strings."""
    assert {r.value for r in Response} == {"centralized", "abolished", "peripheralized", "better", "worse", "unchanged"}


def test_stop_signal_and_improvement() -> None:
    """Peripheralized and worse stop the plan; centralized, abolished and better are improvements."""
    assert {r for r in Response if r.is_stop_signal} == {Response.PERIPHERALIZED, Response.WORSE}
    assert {r for r in Response if r.is_improvement} == {Response.CENTRALIZED, Response.ABOLISHED, Response.BETTER}


def test_noise_matches_content(content: Content) -> None:
    """The code's threshold is the one written in content/response.toml."""
    assert content.noise_points == NOISE_POINTS == 2


def test_custom_noise() -> None:
    """A stricter threshold can be passed."""
    assert classify_response(reading("calf", 6), reading("calf", 4), noise_points=3) == Response.UNCHANGED


def test_needs_readings() -> None:
    """Plain dicts are not readings."""
    with pytest.raises(TypeError):
        classify_response({"zone": "calf"}, reading())  # type: ignore[arg-type]


def test_accepts_zone_enum() -> None:
    """Zone members work as well as strings."""
    before = Reading(zone=Zone.FOOT, leg_pain=7, back_pain=2)
    assert classify_response(before, Reading(zone="calf", leg_pain=7, back_pain=2)) == Response.CENTRALIZED
