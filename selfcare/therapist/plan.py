"""Plan changes: doses, frequency, progression, and pausing the exercises with a message."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.content import current_content
from selfcare.models import PlayerState, Role, User
from selfcare.clinical import ScreenKind
from selfcare.services import holds, player
from selfcare.services.care import NotLinked, linked_patient
from selfcare.services.plans import change_plan, plan_history, plan_values
from selfcare.services.profiles import UNREAD
from selfcare.therapist import bp
from selfcare.therapist.forms_plan import field_name, plan_form_class


def patient_or_404(patient_id: int) -> User:
    """A patient linked to the current therapist, else 404 (never a hint whether they exist)."""
    try:
        return linked_patient(current_user, patient_id)
    except NotLinked:
        abort(404)


@bp.route("/patients/<id:patient_id>/plan", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def edit_plan(patient_id: int) -> Response | tuple[str, int]:
    """Change the patient's plan; the player follows it from the next screen on."""
    patient = patient_or_404(patient_id)
    form_class = plan_form_class(current_content().plan)
    setting = player.plan_setting(patient)
    current = plan_values(player.plan_for(patient, setting))
    form = form_class(data={field_name(k): v for k, v in current.items()} | {
        "paused": bool(setting and setting.paused), "pause_message": setting.pause_message if setting else ""})
    if form.validate_on_submit():
        values = {key: form[field_name(key)].data for key in current}
        try:
            change_plan(current_user, patient, values, form.paused.data, form.pause_message.data)
        except ValueError as problem:
            form.form_errors.append(str(problem))
        else:
            flash(f"{patient.name}'s plan is saved. Their app shows it from now on.", "success")
            return redirect(url_for("therapist.patient_page", patient_id=patient.id), 303)
    return render_template(
        "therapist/plan.html", patient=patient, form=form, keys=[field_name(k) for k in current if "." in k or k == "repeat_every_minutes"],
        history=plan_history(patient), hold=hold_card(patient),
    ), (422 if form.errors or form.form_errors else 200)


def hold_card(patient: User, player: PlayerState | None = UNREAD) -> holds.HoldLines | None:
    """What the therapist's pages say about a plan held after a stop or waiting for clearance (None: not held);
    `player`: the patient's player state if already read."""
    hold = holds.hold_of(patient, player)
    return holds.hold_lines(patient, hold) if hold is not None else None


@bp.route("/patients/<id:patient_id>/plan/release", methods=["POST"])
@role_required(Role.THERAPIST)
def release_plan(patient_id: int) -> Response:
    """Re-enable a plan held after a stop or waiting for a doctor's all-clear (CLINICAL.md §4); recorded with who and when."""
    patient = patient_or_404(patient_id)
    if not holds.release(current_user, patient):
        flash(f"{patient.name}'s plan was not on hold.", "info")
    elif player.load(patient).screen.kind in (ScreenKind.URGENT, ScreenKind.EMERGENCY):
        flash(f"{patient.name}'s plan is back on. Today's warning sign still pauses it until tomorrow.", "success")
    else:
        flash(f"{patient.name}'s plan is back on. Their app offers the next set again.", "success")
    return redirect(url_for("therapist.patient_page", patient_id=patient.id), 303)
