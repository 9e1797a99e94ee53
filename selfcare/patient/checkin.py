"""The daily check-in: red flags first, then symptoms and walking."""

from __future__ import annotations

import dataclasses
import uuid

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import http_cache
from selfcare.access import role_required
from selfcare.clinical import Level, Reading
from selfcare.content import current_content, region_of
from selfcare.models import Role, User
from selfcare.patient import bp, own_profile
from selfcare.patient.forms import ask_assessed, assessed_wording, checkin_form, red_flag_field_name
from selfcare.patient.offline import alert_context
from selfcare.services import assessed_signs
from selfcare.services.checkins import CheckInData, record_checkin, report_red_flags
from selfcare.services.entries import EntryConflict
from selfcare.timeutil import to_local


def assessed_questions(patient: User) -> dict[str, str]:
    """The wording of each sign the patient's therapist has assessed and is still in force (id -> question)."""
    checked_on = {flag_id: to_local(patient, at).date() for flag_id, at in assessed_signs.assessed_on(patient).items()}
    return assessed_wording(current_content().red_flags.questions, checked_on, region_of(patient).therapist)


def red_flag_answers(form: object) -> dict[str, bool]:
    """The yes/no answers of a validated form, by question id."""
    questions = current_content().red_flags.questions
    return {q.id: getattr(form, red_flag_field_name(q)).data == "yes" for q in questions}


def answered_red_flags(form: object) -> dict[str, bool]:
    """The red-flag questions answered "yes" on a form that may be invalid elsewhere (its CSRF token checked)."""
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:  # type: ignore[attr-defined]
        return {}
    return {question: True for question, yes in red_flag_answers(form).items() if yes}


def reading_from(form: object) -> Reading:
    """The reading of a validated form."""
    return Reading(form.zone.data, form.leg_pain.data, form.back_pain.data, form.side.data or None)  # type: ignore[attr-defined]


@bp.route("/checkin", methods=["GET", "POST"])
@role_required(Role.PATIENT)
@http_cache.etag(http_cache.patient_page())  # GET only
def checkin() -> Response | tuple[str, int]:
    """Ask the check-in (the day's full red-flag screen); a red flag goes straight to its alert."""
    assessed = assessed_questions(current_user)
    form = ask_assessed(checkin_form(), assessed)
    if form.validate_on_submit():
        data = CheckInData(
            uuid=form.entry_id.data, recorded_at=None, red_flags=red_flag_answers(form),
            reading=reading_from(form), sensations=tuple(form.sensations.data), worse_with=tuple(form.worse_with.data),
            walk_minutes=form.walk_minutes.data, walk_onset_minutes=form.walk_onset_minutes.data, assessed=tuple(assessed),
        )
        try:
            recorded = record_checkin(current_user, data, profile=own_profile())  # read by the gate
        except EntryConflict:
            # The form was sent before with other answers (the back button): these answers count too.
            recorded = record_checkin(current_user, dataclasses.replace(data, uuid=uuid.uuid4()), profile=own_profile())
        if recorded.alert_id is not None:
            return redirect(url_for("patient.show_alert", alert_id=recorded.alert_id), 303)
        flash("Thank you. Your check-in is saved.", "success")
        return redirect(url_for("patient.today"), 303)
    early = report_red_flags(current_user, answered_red_flags(form), "checkin") if form.is_submitted() else None
    if early is not None and Level(early.level) >= Level.URGENT:
        return redirect(url_for("patient.show_alert", alert_id=early.id), 303)  # the rest can wait; a red flag cannot
    questions = current_content().red_flags.questions
    return render_template(
        "patient/checkin.html", form=form, questions=questions, red_flag_name=red_flag_field_name,
        **alert_context()
    ), (422 if form.errors else 200)
