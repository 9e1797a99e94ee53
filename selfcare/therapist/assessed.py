"""Signs a therapist has assessed: while one is in force the patient is asked whether it got worse, so a persisting
sign does not raise the same alert every day; a "yes" still raises it (CLINICAL.md §2)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.content import current_content
from selfcare.models import Role, User
from selfcare.services import assessed_signs
from selfcare.therapist import bp
from selfcare.therapist.forms import AssessSignForm
from selfcare.therapist.plan import patient_or_404
from selfcare.timeutil import to_local


@dataclass(frozen=True)
class Assessed:
    """One assessment in force, as the therapist's patient page lists it."""

    id: int
    sign: str
    assessed_on: str
    until: str
    by: str
    note: str | None


def in_force(patient: User) -> list[Assessed]:
    """The patient's assessments in force, with days on the therapist's own clock and who assessed each (one query)."""
    signs = {q.id: q.sign for q in current_content().red_flags.questions}
    day = "%-d %B %Y"
    return [
        Assessed(row.id, signs.get(row.flag_id, row.flag_id), to_local(current_user, row.assessed_at).strftime(day),
                 to_local(current_user, row.until).strftime(day), row.by, row.note)
        for row in assessed_signs.listed(patient)
    ]


@bp.route("/patients/<id:patient_id>/assessed-signs/new")
@role_required(Role.THERAPIST)
def assess_sign_form(patient_id: int) -> str:
    """The form to mark a sign assessed (the patient's page shows a link to it): a page of its own, which htmx takes
    the form from, in place."""
    patient = patient_or_404(patient_id)
    return render_template("therapist/assess_sign.html", patient=patient, assess_form=AssessSignForm(formdata=None))


@bp.route("/patients/<id:patient_id>/assessed-signs", methods=["POST"])
@role_required(Role.THERAPIST)
def assess_sign(patient_id: int) -> Response | tuple[str, int]:
    """Mark a persisting sign assessed for 1 to 90 days; with an error, nothing is stored (422)."""
    # Imported here: the patient page imports this module for the list it shows.
    from selfcare.therapist.patient_page import render_patient_page

    patient = patient_or_404(patient_id)
    form = AssessSignForm()
    if form.validate_on_submit():
        assert form.days.data is not None  # required, checked by the form
        assessed_signs.assess(current_user, patient, form.sign.data, form.days.data, form.assess_note.data)
        flash(f"Saved. Until it ends, {patient.name} is asked whether this sign has got worse.", "success")
        return redirect(url_for("therapist.patient_page", patient_id=patient.id, _anchor="assessed-signs"), 303)
    return render_patient_page(patient, assess_form=form, status=422)


@bp.route("/patients/<id:patient_id>/assessed-signs/<id:assessed_id>/end", methods=["POST"])
@role_required(Role.THERAPIST)
def end_assessed_sign(patient_id: int, assessed_id: int) -> Response:
    """End an assessment early: from now on the patient is asked the sign's own question again."""
    patient = patient_or_404(patient_id)
    if assessed_signs.end(patient, assessed_id):
        flash(f"Ended. {patient.name} is asked the sign's own question again.", "success")
    else:
        flash("That assessment had already ended.", "info")
    return redirect(url_for("therapist.patient_page", patient_id=patient.id, _anchor="assessed-signs"), 303)
