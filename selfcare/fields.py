"""The base of every form, and form fields with plain-language messages (shape and range only)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any, Iterable

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, HiddenField, IntegerField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

# Control characters no keyboard types (tab and line breaks are fine). PostgreSQL cannot store NUL at all,
# and the others would be kept as invisible junk in a name or a note.
UNUSUAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UNUSUAL_MESSAGE = "Remove the unusual characters from this text."


def _typed_text(field: Any) -> bool:
    """A text box a person types into and the app may store (a password is only hashed; hidden fields are parsed)."""
    return isinstance(field, StringField) and not isinstance(field, (HiddenField, PasswordField)) and isinstance(field.data, str)


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """A choice field's options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class Form(FlaskForm):
    """Every form's base: typed text with control characters is refused, with a message beside the field."""

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then no control characters in any typed text."""
        ok = bool(super().validate(extra_validators))
        for field in self:
            if _typed_text(field) and UNUSUAL.search(field.data):
                field.errors = [*field.errors, UNUSUAL_MESSAGE]
                ok = False
        return ok


def offered(field: Any) -> set[str]:
    """The values a choice field offers."""
    return {choice.value for choice in field.choices}


class ChoiceField(RadioField):
    """One of a fixed set of values, as large radio buttons; one clear message when missing or odd."""

    def __init__(self, label: str, choices: Iterable[tuple[str, str]], missing: str, **kwargs: Any) -> None:
        super().__init__(label, choices=options(choices), validate_choice=False, **kwargs)
        self.missing = missing

    def pre_validate(self, form: Any) -> None:
        """Missing or not one of the choices: say what to do."""
        if self.data in (None, "", "None") or self.data not in offered(self):
            raise StopValidation(self.missing)


class Answered:
    """Like InputRequired, but for a field that reads its value (a date, minutes): a blank or spaces-only answer
    is missing, while 0 is an answer."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        """Stop with the message when nothing usable was given (and no other message was raised)."""
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def whole_number(raw: str) -> int | None:
    """A whole number in plain digits ("²" or "1e3" are not), or None; absurdly long ones come out huge, never an error."""
    if not WHOLE_NUMBER.fullmatch(raw):
        return None
    digits = raw.lstrip("+-").lstrip("0") or "0"
    number = int(digits) if len(digits) <= 18 else 10**18  # int() refuses more than 4300 digits
    return -number if raw.startswith("-") else number


class WholeNumberField(IntegerField):
    """A whole number typed in a box; anything else is kept as None, so the range check gives the one message."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the number, or None when it is not a whole number."""
        self.data = whole_number(valuelist[0].strip()) if valuelist else None


class ScaleField(RadioField):
    """A whole number on a scale (0-10 pain), shown as a row of large buttons."""

    def __init__(self, label: str, missing: str, low: int = 0, high: int = 10, **kwargs: Any) -> None:
        # coerce=int: the data is a number, so the option the patient chose is ticked again when the form comes back
        # with an error elsewhere (a choice is selected when coerce(value) == data).
        numbers = [str(i) for i in range(low, high + 1)]
        super().__init__(label, choices=options(zip(numbers, numbers)), validate_choice=False, coerce=int, **kwargs)
        self.low, self.high, self.missing = low, high, missing

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the number, or None when it is not a whole number."""
        self.data = whole_number(valuelist[0].strip()) if valuelist else None

    def pre_validate(self, form: Any) -> None:
        """Missing, not a number, or off the scale."""
        if not (self.raw_data and self.raw_data[0].strip()):
            raise StopValidation(self.missing)
        if self.data is None or not self.low <= self.data <= self.high:
            raise StopValidation(f"Choose a number from {self.low} to {self.high}.")


class ManyField(SelectMultipleField):
    """Any number of a fixed set of values, as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, choices: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(label, choices=options(choices), validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Each ticked value once, in the order sent (a value sent twice is still one tick)."""
        self.data = list(dict.fromkeys(valuelist))

    def pre_validate(self, form: Any) -> None:
        """Only values from the list."""
        known = offered(self)
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
        number = whole_number(raw)
        if number is None or number < 0:
            raise ValueError("Enter a whole number of minutes, like 10.")
        self.data = number

    def pre_validate(self, form: Any) -> None:
        """Within a sensible range."""
        if self.data is not None and self.data > self.high:
            raise ValidationError(f"Enter {self.high} minutes or fewer.")


class NewIdInput(HiddenInput):
    """The entry id's hidden input: the form's id, or a new one when it has none (first shown, or sent stale)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        """The <input type="hidden"> with the id."""
        kwargs.setdefault("value", str(field.data or uuid.uuid4()))
        return super().__call__(field, **kwargs)


class EntryIdField(HiddenField):
    """The id of the entry this form makes: the same form sent twice stores one entry."""

    widget = NewIdInput()

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
