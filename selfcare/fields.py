"""Form fields with plain-language messages for the patient forms (shape and range only)."""

from __future__ import annotations

import uuid
from typing import Any, Iterable

from datetime import date

from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectMultipleField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class ChoiceField(RadioField):
    """One of a fixed set of values, as large radio buttons; one clear message when missing or odd."""

    def __init__(self, label: str, choices: Iterable[tuple[str, str]], missing: str, **kwargs: Any) -> None:
        super().__init__(label, choices=list(choices), validate_choice=False, **kwargs)
        self.missing = missing

    def pre_validate(self, form: Any) -> None:
        """Missing or not one of the choices: say what to do."""
        if self.data in (None, "", "None"):
            raise StopValidation(self.missing)
        if self.data not in {value for value, _ in self.choices}:
            raise StopValidation(self.missing)


class ScaleField(RadioField):
    """A whole number on a scale (0-10 pain), shown as a row of large buttons."""

    def __init__(self, label: str, missing: str, low: int = 0, high: int = 10, **kwargs: Any) -> None:
        super().__init__(label, choices=[(str(i), str(i)) for i in range(low, high + 1)], validate_choice=False, **kwargs)
        self.low, self.high, self.missing = low, high, missing

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the number, or None when it is not a whole number."""
        raw = valuelist[0].strip() if valuelist else ""
        self.raw = raw
        self.data = int(raw) if raw.lstrip("-").isdigit() else None

    def pre_validate(self, form: Any) -> None:
        """Missing, not a number, or off the scale."""
        if not getattr(self, "raw", ""):
            raise StopValidation(self.missing)
        if self.data is None or not self.low <= self.data <= self.high:
            raise StopValidation(f"Choose a number from {self.low} to {self.high}.")

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class ManyField(SelectMultipleField):
    """Any number of a fixed set of values, as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, choices: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(label, choices=list(choices), validate_choice=False, **kwargs)

    def pre_validate(self, form: Any) -> None:
        """Only values from the list."""
        known = {value for value, _ in self.choices}
        if any(value not in known for value in self.data or []):
            raise StopValidation("Choose from the list.")


class MinutesField(IntegerField):
    """Whole minutes from 0 to `high`; empty allowed unless a validator says otherwise."""

    def __init__(self, label: str, high: int = 600, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.high = high

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse, keeping a friendly message for anything that is not whole minutes."""
        raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if raw == "":
            return
        if not raw.isdigit():
            raise ValueError("Enter a whole number of minutes, like 10.")
        self.data = int(raw)

    def pre_validate(self, form: Any) -> None:
        """Within a sensible range."""
        if self.data is not None and self.data > self.high:
            raise ValidationError(f"Enter {self.high} minutes or fewer.")


class EntryIdField(HiddenField):
    """The id of the entry this form makes: the same form sent twice stores one entry."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep a valid UUID, or None."""
        try:
            self.data = uuid.UUID(valuelist[0]) if valuelist else None
        except (ValueError, AttributeError):
            self.data = None

    def pre_validate(self, form: Any) -> None:
        """A missing or broken id means the page is stale."""
        if self.data is None:
            raise StopValidation("This form is out of date. Please reload the page and try again.")

    def _value(self) -> str:
        return str(self.data or uuid.uuid4())


class DayField(DateField):
    """A calendar day (the phone shows its date picker); a plain message when it is not a date."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse YYYY-MM-DD, keeping a friendly message for anything else."""
        raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not raw:
            return
        try:
            self.data = date.fromisoformat(raw)
        except ValueError:
            raise ValueError("Enter a real date, like 2026-10-20.") from None
