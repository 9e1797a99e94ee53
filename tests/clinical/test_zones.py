"""Zones and Reading validation."""

from __future__ import annotations

import pytest

from selfcare.clinical import Content, Reading, Side, Zone


def test_zone_order() -> None:
    """none < back < buttock < thigh < calf < foot, and comparisons follow that order, not the alphabet."""
    assert [z.value for z in sorted(Zone)] == ["none", "back", "buttock", "thigh", "calf", "foot"]
    assert Zone.CALF < Zone.FOOT and Zone.BACK < Zone.BUTTOCK and Zone.THIGH > Zone.BUTTOCK
    assert max(Zone.CALF, Zone.FOOT, Zone.BACK) == Zone.FOOT


@pytest.mark.parametrize("zone", ["none", "back", "buttock", "thigh", "calf", "foot", "Calf", " foot "])
def test_reading_accepts_zone_strings(zone: str) -> None:
    """Zone strings (any case, trimmed) become Zone members equal to the string."""
    result = Reading(zone=zone, leg_pain=3, back_pain=2)
    assert isinstance(result.zone, Zone) and result.zone == zone.strip().lower()


@pytest.mark.parametrize("zone", ["knee", "", "toes", None, 3])
def test_unknown_zone_raises(zone: object) -> None:
    """Unknown zones raise ValueError."""
    with pytest.raises(ValueError):
        Reading(zone=zone, leg_pain=3, back_pain=2)  # type: ignore[arg-type]


@pytest.mark.parametrize("pain", [-1, 11, 100, 2.5, True, "3", None])
@pytest.mark.parametrize("field", ["leg_pain", "back_pain"])
def test_bad_pain_raises(field: str, pain: object) -> None:
    """Pain must be a whole number 0-10."""
    values: dict[str, object] = {"zone": "calf", "leg_pain": 3, "back_pain": 3, field: pain}
    with pytest.raises(ValueError):
        Reading(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("pain", [0, 10])
def test_pain_bounds_are_inclusive(pain: int) -> None:
    """0 and 10 are valid."""
    assert Reading(zone="foot", leg_pain=pain, back_pain=pain).leg_pain == pain


def test_optional_fields_and_round_trip() -> None:
    """Side and walking minutes are optional; to_dict/from_dict round-trips."""
    item = Reading(zone="calf", leg_pain=4, back_pain=1, side="left", walk_minutes=12.5)
    assert item.side == Side.LEFT
    assert Reading.from_dict(item.to_dict()) == item
    with pytest.raises(ValueError):
        Reading(zone="calf", leg_pain=4, back_pain=1, side="middle")
    with pytest.raises(ValueError):
        Reading(zone="calf", leg_pain=4, back_pain=1, walk_minutes=-1)
    with pytest.raises(ValueError):
        Reading.from_dict({"zone": "calf", "leg_pain": 1})


def test_readings_are_frozen_and_hashable() -> None:
    """Readings are values."""
    item = Reading(zone="calf", leg_pain=4, back_pain=1)
    with pytest.raises(AttributeError):
        item.leg_pain = 3  # type: ignore[misc]
    assert item == Reading(zone=Zone.CALF, leg_pain=4, back_pain=1) and hash(item)


def test_zone_content(content: Content) -> None:
    """Each zone has a display name; all but none have the SNOMED codes of CLINICAL.md §3."""
    codes = {z.zone.value: z.snomed for z in content.zones}
    assert codes == {
        "none": None, "back": "37822005", "buttock": "46862004",
        "thigh": "68367000", "calf": "53840002", "foot": "56459004",
    }
    assert content.zone("calf").name
    assert {s.value: c for s, c in content.side_snomed.items()} == {"left": "7771000", "right": "24028007", "both": "51440002"}
