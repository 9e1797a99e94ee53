"""Red-flag alerts: the screen for each level, confirming it was read, and the next day's "were you seen?"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import accounts
from selfcare.access import role_required
from selfcare.clinical import ABROAD, CAUDA_EQUINA, UNTIL_CLEARED, Level
from selfcare.content import current_content, region_of
from selfcare.models import Alert, Role
from selfcare.patient import bp
from selfcare.patient.forms import FollowUpForm
from selfcare.services import alerts, followups


@dataclass(frozen=True)
class AlertScreen:
    """What an alert's reasons add to its screen (templates/patient/_alert_screen.html)."""

    tell: list[str]  # short statements for the ambulance or emergency department (red_flags.toml `tell`)
    signs: list[str]  # the signs the patient said yes to (red_flags.toml `sign`)
    cauda: bool  # a sign of cauda equina syndrome: "I am worried about cauda equina syndrome"
    cancer: bool  # cancer history is a reason (MSCC, NICE NG234): "Tell them you have had cancer"
    until_cleared: bool  # fever or trauma: the plan stays paused until a doctor has seen them (CLINICAL.md §2)


def alert_screen(reasons: Sequence[str]) -> AlertScreen:
    """The statements, signs and extra lines for an alert with these reason ids."""
    flags = current_content().red_flags
    signs = {q.id: q.sign for q in (*flags.questions, *flags.history)} | {s.id: s.sign for s in flags.held}
    return AlertScreen(
        tell=flags.tell(list(reasons)), signs=[signs.get(r, r.replace("_", " ")) for r in reasons],
        cauda=any(r in CAUDA_EQUINA for r in reasons), cancer="cancer_history" in reasons,
        until_cleared=any(r in UNTIL_CLEARED for r in reasons),
    )


@bp.route("/alerts/<id:alert_id>")
@role_required(Role.PATIENT)
def show_alert(alert_id: int) -> str:
    """The alert with one clear action (an emergency takes over every page until confirmed)."""
    alert = alerts.get_own(current_user, alert_id) or abort(404)
    return render_template(
        "patient/alert.html", alert=alert, level=Level(alert.level), action=current_content().red_flags.action(alert.level),
        region=region_of(current_user), screen=alert_screen(alert.reasons), abroad=ABROAD,
        therapists=accounts.linked_therapists(current_user),
    )


@bp.route("/alerts/<id:alert_id>/confirm", methods=["POST"])
@role_required(Role.PATIENT)
def confirm_alert(alert_id: int) -> Response:
    """The patient has read the alert; an emergency or urgent block still lasts the day."""
    alerts.confirm_read(current_user, alerts.get_own(current_user, alert_id) or abort(404))
    return redirect(url_for("patient.today"), 303)


def _asked(alert_id: int) -> Alert:
    """The patient's own emergency alert whose next-day question is open, or 404."""
    alert = alerts.get_own(current_user, alert_id)
    if alert is None or not followups.askable(current_user, alert):
        abort(404)
    return alert


@bp.route("/alerts/<id:alert_id>/followup", methods=["POST"])
@role_required(Role.PATIENT)
def answer_followup(alert_id: int) -> Response | tuple[str, int]:
    """The day after an emergency: were you seen by a doctor? The answer is kept on the alert for the therapist."""
    alert = _asked(alert_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        answer = followups.FollowUp(form.answer.data)
        try:
            followups.record(current_user, alert.id, answer)
        except followups.NotAsked:
            abort(404)
        words = region_of(current_user).words()
        if answer == followups.FollowUp.SEEN:
            flash("Thank you. Your answer is saved.", "success")
        else:
            flash(f"Thank you. If you still have the warning signs, call {words['emergency']} or go to "
                  f"{words['emergency_department']} now.", "success")
        return redirect(url_for("patient.today"), 303)
    return render_template("patient/followup.html", alert=alert, form=form, asked=followups.asked_day(current_user, alert),
                           therapists=accounts.linked_therapists(current_user)), 422
