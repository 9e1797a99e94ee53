"""The therapist's forms: shape and length only."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from selfcare.content import current_content
from selfcare.fields import Form, WholeNumberField, options
from selfcare.services.assessed_signs import MAX_DAYS, MIN_DAYS, NOTE_MAX as ASSESSED_NOTE_MAX
from selfcare.services.timeline import ACK_MAX, NOTE_MAX


def _strip(value: Any) -> Any:
    """Leading and trailing spaces do not count towards a note."""
    return value.strip() if isinstance(value, str) else value


class NoteForm(Form):
    """A note on the patient's record."""

    text = TextAreaField(
        "Add a note", description=f"Notes are part of the patient's record: they see them when they download their data. Up to {NOTE_MAX} characters.",
        filters=[_strip],
        validators=[DataRequired("Write the note first."), Length(max=NOTE_MAX, message=f"Use at most {NOTE_MAX} characters.")],
    )


class AcknowledgeForm(Form):
    """What the therapist did about an alert."""

    note = TextAreaField(
        "What did you do?", description=f"For example: phoned the patient, advised the emergency department. Up to {ACK_MAX} characters.",
        filters=[_strip],
        validators=[DataRequired("Write what you did about this alert."), Length(max=ACK_MAX, message=f"Use at most {ACK_MAX} characters.")],
    )


def acknowledge_form(alert_id: int, formdata: Any = None) -> AcknowledgeForm:
    """The acknowledge form of one alert; ids are unique so many can share a page (fresh unless `formdata`)."""
    form = AcknowledgeForm(formdata=formdata)
    form.note.id = form.note.label.field_id = f"alert-{alert_id}-note"
    return form


class AssessSignForm(Form):
    """A persisting red-flag sign the therapist has assessed, and for how many days the patient is asked whether it
    got worse instead (CLINICAL.md §2)."""

    sign = SelectField("Sign you have assessed", validate_choice=False)
    days = WholeNumberField(
        "For how many days", description=f"From {MIN_DAYS} to {MAX_DAYS} days.",
        validators=[InputRequired("Enter the number of days."),
                    NumberRange(MIN_DAYS, MAX_DAYS, f"Enter a number from {MIN_DAYS} to {MAX_DAYS}.")],
    )
    assess_note = TextAreaField(
        "Note (optional)", description=f"For example: weight loss looked into, blood tests normal. Up to {ASSESSED_NOTE_MAX} characters.",
        filters=[_strip],
        validators=[Length(max=ASSESSED_NOTE_MAX, message=f"Use at most {ASSESSED_NOTE_MAX} characters.")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sign.choices = options([("", "Choose a sign…"), *((q.id, q.sign) for q in current_content().red_flags.questions)])

    def validate_sign(self, field: Any) -> None:
        """Only a sign from the daily red-flag list."""
        if field.data not in {q.id for q in current_content().red_flags.questions}:
            raise ValidationError("Choose a sign from the list.")
