"""The therapist's forms: shape and length only."""

from __future__ import annotations

from typing import Any

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from selfcare.fields import Form
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
