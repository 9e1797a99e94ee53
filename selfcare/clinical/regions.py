"""Regions: the emergency number, same-day care and the words for clinicians, from content/regions.toml.

A patient whose region is unknown is never given another country's number (CLINICAL.md §2): `region_for`
answers None and the screens say "call your local emergency number". The "Other" region's number is the one the
patient typed (2 to 6 digits, `valid_emergency_number`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from selfcare.clinical.validate import Table, read_toml, unique_ids

LOCAL_NUMBER = "your local emergency number"
ABROAD = "If you are somewhere else, call the local emergency number."
EMERGENCY_NUMBER = re.compile(r"[0-9]{2,6}")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
WORDS = ("emergency", "same_day", "therapist", "doctor", "emergency_department")  # Region.words() keys


@dataclass(frozen=True)
class Region:
    """A place the patient lives: its emergency number, same-day care and the words its clinicians go by."""

    code: str
    name: str
    source: str
    same_day: str  # the urgent screen's action: where to get care today
    therapist: str  # "physiotherapist" (UK) or "physical therapist" (US)
    doctor: str  # "GP" (UK) or "doctor"
    emergency_department: str  # "A&E" (UK), "the ER" (US)
    emergency: str | None = None  # None: not known (the "Other" region before the patient typed it)
    urgent_advice: str | None = None  # a number for urgent advice that is not an emergency (UK: NHS 111)
    typed_number: bool = False  # the patient types their own emergency number

    def with_number(self, number: str | None) -> Region:
        """The region with the patient's own emergency number (only the "Other" region takes one)."""
        if not self.typed_number or number is None or not valid_emergency_number(number):
            return self
        return replace(self, emergency=number)

    def words(self) -> dict[str, str]:
        """The placeholders content texts may use, filled for this region."""
        return {
            "emergency": self.emergency or LOCAL_NUMBER,
            "same_day": self.same_day,
            "therapist": self.therapist,
            "doctor": self.doctor,
            "emergency_department": self.emergency_department,
        }


# Words when the region is not known: no number, plain words (CLINICAL.md §2: never another country's number).
UNKNOWN_REGION = Region(
    code="", name="Not given", source="CLINICAL.md §2 (never fall back to another country's number)",
    same_day="See a doctor today.", therapist="physical therapist", doctor="doctor",
    emergency_department="the emergency department",
)


def unknown_words(text: str) -> list[str]:
    """What in `text` is not a region word a content text may use ({therapist}, {doctor}, ...): unknown names in
    braces, and a lone brace. Empty when the text can be filled for every region."""
    rest = PLACEHOLDER.sub("", text)
    unknown = sorted(set(PLACEHOLDER.findall(text)) - set(WORDS))
    return unknown + (["a lone brace"] if "{" in rest or "}" in rest else [])


def worded_text(table: Table, name: str) -> str:
    """A required patient text that may name the region's words ({therapist}, {doctor}, {emergency_department},
    {emergency}, {same_day}); anything else in braces is an error naming the file and key."""
    text = table.text(name)
    if unknown_words(text):
        raise table.error(name, f"only {', '.join('{' + w + '}' for w in WORDS)} may appear in braces")
    return text


def valid_emergency_number(number: str) -> bool:
    """Digits only, 2 to 6 of them (every national emergency number fits: 000, 111, 112, 911, 999, 10111)."""
    return bool(EMERGENCY_NUMBER.fullmatch(number))


def region_for(regions: dict[str, Region], code: str | None, number: str | None = None) -> Region:
    """The patient's region with their typed number, or UNKNOWN_REGION (no number at all) for an unknown code.

    Its `emergency` is None when no number is known: screens then offer no call button and say to call the local
    emergency number.
    """
    region = regions.get(code or "")
    return UNKNOWN_REGION if region is None else region.with_number(number)


def load_regions(path: Path) -> dict[str, Region]:
    """Read and validate the regions file; return regions by code, in file order."""
    root = Table(path, "", read_toml(Path(path)))
    tables = root.tables("region")
    unique_ids(tables, "code")
    regions: dict[str, Region] = {}
    for table in tables:
        typed = table.opt_flag("typed_number", False)
        emergency = table.opt_text("emergency")
        if typed == (emergency is not None):
            raise table.error("emergency", "give an emergency number, or typed_number = true (not both)")
        if emergency is not None and not valid_emergency_number(emergency):
            raise table.error("emergency", "must be 2 to 6 digits")
        region = Region(
            code=table.text("code"), name=table.text("name"), source=table.text("source"),
            same_day=table.text("same_day"), therapist=table.text("therapist"), doctor=table.text("doctor"),
            emergency_department=table.text("emergency_department"), emergency=emergency,
            urgent_advice=table.opt_text("urgent_advice"), typed_number=typed,
        )
        table.finish()
        regions[region.code] = region
    root.finish()
    return regions
