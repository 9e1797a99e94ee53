"""Alerts for therapists: acknowledge one (once, with a note), and the live list of open ones."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from htmx_flask import request
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.models import Role, User
from selfcare.services import open_alerts as therapist_alerts
from selfcare.therapist import bp
from selfcare.therapist.forms import AcknowledgeForm, acknowledge_form
from selfcare.therapist.patient_page import render_patient_page
from selfcare.therapist.plan import patient_or_404


def _fragment_wanted() -> bool:
    """An htmx request of its own (not a boosted link or form) gets just the fragment."""
    return bool(request.htmx) and not request.htmx.boosted


def _alert_fragment(patient: User, alert_id: int, form: AcknowledgeForm | None, message: str | None, status: int) -> tuple[str, int]:
    """The alert as the timeline shows it, with the form or who acknowledged it."""
    html = render_template(
        "therapist/_alert.html", alert=therapist_alerts.alert_entry(patient, alert_id), form=form, ack_form=acknowledge_form, message=message,
    )
    return html, status


@bp.route("/alerts/<id:alert_id>/acknowledge", methods=["POST"])
@role_required(Role.THERAPIST)
def acknowledge_alert(alert_id: int) -> Response | tuple[str, int]:
    """Record once what the therapist did about an alert of a linked patient (else 404)."""
    alert = therapist_alerts.linked_alert(current_user, alert_id) or abort(404)
    patient = patient_or_404(int(alert.patient_id))
    form = acknowledge_form(alert_id, request.form)
    if not form.validate_on_submit():
        if _fragment_wanted():
            return _alert_fragment(patient, alert_id, form, None, 422)
        return render_patient_page(patient, failed_ack=(alert_id, form), status=422)
    if therapist_alerts.acknowledge(current_user, alert, form.note.data):
        message, status = "Alert acknowledged. Your note is saved with it.", 200
    else:
        done = therapist_alerts.alert_entry(patient, alert_id).acknowledged
        message, status = f"{done.by if done else 'Another therapist'} already acknowledged this alert. Your note was not saved.", 409
    if _fragment_wanted():
        html, status = _alert_fragment(patient, alert_id, None, message, status)
        response = make_response(html, status)
        response.headers["HX-Trigger"] = "alerts-changed"  # the open-alerts banner refreshes at once
        return response
    flash(message, "success" if status == 200 else "info")
    return redirect(url_for("therapist.patient_page", patient_id=patient.id, _anchor=f"alert-{alert_id}"), 303)


@bp.route("/alerts/open")
@role_required(Role.THERAPIST)
def open_alerts() -> Response:
    """The banner fragment: how many alerts of linked patients wait, and which (polled by htmx)."""
    response = make_response(render_template("therapist/_open_alerts.html", open_alerts=therapist_alerts.open_alerts(current_user)))
    response.headers["Cache-Control"] = "no-store"
    return response
