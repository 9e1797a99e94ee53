"""The therapist's patient page written from kept pieces: the same page as the template wrote it whole."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g, url_for

from selfcare.therapist.forms import NoteForm
from selfcare.therapist.patient_page import LINKS, patient_links, render_patient_page
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


@pytest.mark.parametrize("script_root", ["", "/clinic"])
def test_the_links_are_url_for_s(app: Any, script_root: str) -> None:
    """Each link against url_for for several ids, under two script roots, kept or not."""
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        for patient_id in (1, 7, 13, 2**40):
            links = patient_links(patient_id)
            assert set(links) == set(LINKS)
            for name in LINKS:
                assert links[name] == url_for(f"therapist.{name}", patient_id=patient_id), (name, patient_id)
                assert links[name].startswith(script_root + "/therapist/patients/")
