"""Regions: emergency numbers, same-day care and clinicians' words; never another country's number (CLINICAL.md §2, §4c)."""

from __future__ import annotations

import pytest

from selfcare.clinical import (
    UNKNOWN_REGION,
    Content,
    Region,
    fill,
    region_for,
    valid_emergency_number,
)

# CLINICAL.md §2 "Numbers by region", written out by hand: code -> emergency number (None: the patient types it).
NUMBERS = [
    ("US", "911"),
    ("CA", "911"),
    ("UK", "999"),
    ("EU", "112"),
    ("AU", "000"),
    ("NZ", "111"),
    ("IN", "112"),
    ("OTHER", None),
]


def test_region_list(content: Content) -> None:
    """Exactly the CLINICAL.md regions, with Other last."""
    assert set(content.regions) == {c for c, _ in NUMBERS}
    assert list(content.regions)[-1] == "OTHER"


@pytest.mark.parametrize(("code", "number"), NUMBERS)
def test_emergency_numbers(content: Content, code: str, number: str | None) -> None:
    """Each region has its own emergency number; Other has none until the patient types one."""
    region = content.regions[code]
    assert region.emergency == number
    assert region.typed_number is (number is None)
    for words in (region.same_day, region.therapist, region.doctor, region.emergency_department, region.source, region.name):
        assert words.strip()


@pytest.mark.parametrize(
    ("code", "therapist", "doctor", "emergency_department", "urgent_advice"),
    [
        ("UK", "physiotherapist", "GP", "A&E", "111"),  # NHS 111 for urgent advice
        ("US", "physical therapist", "doctor", "the ER", None),
    ],
)
def test_regional_words(content: Content, code: str, therapist: str, doctor: str, emergency_department: str, urgent_advice: str | None) -> None:
    """Wording follows the region: physiotherapist and A&E (UK), physical therapist and ER (US)."""
    region = content.regions[code]
    assert (region.therapist, region.doctor, region.emergency_department, region.urgent_advice) == (
        therapist, doctor, emergency_department, urgent_advice,
    )


@pytest.mark.parametrize(
    ("code", "typed", "emergency"),
    [
        ("UK", None, "999"),
        ("US", "112", "911"),  # only the Other region takes a typed number
        ("NZ", None, "111"),
        ("OTHER", "112", "112"),
        ("OTHER", "10111", "10111"),
        ("OTHER", "17", "17"),
        ("OTHER", None, None),  # not typed yet: no number at all
        ("OTHER", "1", None),  # too short
        ("OTHER", "1234567", None),  # too long
        ("OTHER", "9a9", None),
        ("OTHER", "", None),
        ("OTHER", " 112", None),
        ("XX", "112", None),  # unknown code: never another country's number
        ("uk", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_region_for(content: Content, code: str | None, typed: str | None, emergency: str | None) -> None:
    """The patient's region with their typed number; an unknown code has no number, never a fallback."""
    region = region_for(content.regions, code, typed)
    assert region.emergency == emergency
    if code not in content.regions:
        assert region == UNKNOWN_REGION


def test_unknown_region_has_no_number() -> None:
    """The unknown region gives plain words and no emergency number."""
    assert UNKNOWN_REGION.emergency is None and UNKNOWN_REGION.urgent_advice is None
    assert UNKNOWN_REGION.words()["emergency"] == "your local emergency number"


@pytest.mark.parametrize(
    ("number", "valid"),
    [("000", True), ("111", True), ("112", True), ("911", True), ("999", True), ("10111", True), ("12", True),
     ("123456", True), ("1", False), ("1234567", False), ("", False), ("91 1", False), ("+44", False), ("abc", False),
     ("112\n", False), ("٩١١", False)],
)
def test_valid_emergency_number(number: str, valid: bool) -> None:
    """A typed emergency number is 2 to 6 plain digits."""
    assert valid_emergency_number(number) is valid


@pytest.mark.parametrize(("code", "number"), NUMBERS)
def test_emergency_action_names_the_number(content: Content, code: str, number: str | None) -> None:
    """The emergency action names the region's number and emergency department, or the local number if unknown."""
    region = content.regions[code]
    text = content.red_flags.action("emergency").render(region)
    assert (number or "your local emergency number") in text
    assert region.emergency_department in text
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize(("code", "typed"), [(c, None) for c, _ in NUMBERS] + [("OTHER", "112"), ("OTHER", "17"), ("XX", None)])
def test_urgent_action_has_no_emergency_number(content: Content, code: str, typed: str | None) -> None:
    """The urgent screen says how to get same-day care and never offers the emergency number."""
    region = region_for(content.regions, code, typed)
    action = content.red_flags.action("urgent")
    text = action.render(region) + " " + action.render_title(region)
    assert region.same_day in text
    if region.emergency is not None:
        assert region.emergency not in text
    assert "emergency number" not in text
    if region.urgent_advice:
        assert region.urgent_advice in text
    assert "{" not in text


@pytest.mark.parametrize(("code", "therapist"), [("UK", "physiotherapist"), ("US", "physical therapist")])
def test_contact_pt_names_the_regional_therapist(content: Content, code: str, therapist: str) -> None:
    """The contact_pt title and action use the region's word for the therapist."""
    action = content.red_flags.action("contact_pt")
    region = content.regions[code]
    assert therapist in action.render_title(region) and therapist in action.render(region)
    assert "{" not in action.render_title(region) + action.render(region)


UK = Region(code="UK", name="United Kingdom", source="s", same_day="Call 111.", therapist="physiotherapist",
            doctor="GP", emergency_department="A&E", emergency="999", urgent_advice="111")
OTHER = Region(code="OTHER", name="Other", source="s", same_day="See a doctor today.", therapist="physical therapist",
               doctor="doctor", emergency_department="the emergency department", typed_number=True)


@pytest.mark.parametrize(
    ("text", "region", "filled"),
    [
        ("Call {emergency}.", UK, "Call 999."),
        ("Call {emergency}.", OTHER, "Call your local emergency number."),
        ("Call {emergency}.", OTHER.with_number("112"), "Call 112."),
        ("{same_day}", UK, "Call 111."),
        ("Tell your {therapist}.", UK, "Tell your physiotherapist."),
        ("Tell your {therapist}.", OTHER, "Tell your physical therapist."),
        ("See your {doctor}.", UK, "See your GP."),
        ("Go to {emergency_department}.", UK, "Go to A&E."),
        ("No placeholders.", UK, "No placeholders."),
        ("{emergency} {emergency}", UK, "999 999"),
    ],
)
def test_fill(text: str, region: Region, filled: str) -> None:
    """fill() puts the region's words in each placeholder."""
    assert fill(text, region) == filled
