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


@pytest.mark.parametrize(("before", "after"), list(itertools.product(ZONES, ZONES)))
def test_zone_beats_pain(before: str, after: str) -> None:
    """When the zone moves, big pain changes in either direction do not change the answer."""
    if before == after:
        return
    for leg_before, leg_after in ((9, 0), (0, 9)):
        result = classify_response(reading(before, leg_before, 3), reading(after, leg_after, 3))
        assert result.value == _expected(before, after)


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
