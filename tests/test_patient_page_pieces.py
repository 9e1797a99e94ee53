"""The therapist's patient page written from kept pieces: the same page as the template wrote it whole."""

from __future__ import annotations

from typing import Any

from flask import g

from selfcare.therapist.forms import NoteForm
from selfcare.therapist.patient_page import render_patient_page
from tests.test_therapist_patient import page_path, setup  # noqa: F401  (the fixture)


def test_a_fresh_note_form_is_written_as_the_macro_wrote_it(app: Any, setup: dict[str, Any]) -> None:  # noqa: F811
    """The kept note field (and the token written beside it) against field(NoteForm().text) and the form's own token."""
    patient = setup["patient"]
    with app.test_request_context(page_path(patient)):
        g._login_user = setup["therapist"]  # current_user, without a login session
        kept, _ = render_patient_page(patient)
        again, _ = render_patient_page(patient)
        fresh, _ = render_patient_page(patient, note_form=NoteForm(formdata=None))
    assert 'id="text"' in kept and 'id="csrf_token"' in kept
    assert kept == again == fresh
