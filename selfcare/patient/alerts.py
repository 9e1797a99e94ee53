"""Red-flag alerts: the screen for each level, and confirming it was read."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.clinical import Level
from selfcare.content import current_content, regions
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.services import alerts


@bp.route("/alerts/<int:alert_id>")
@role_required(Role.PATIENT)
def show_alert(alert_id: int) -> str:
    """The alert with one clear action (an emergency takes over every page until confirmed)."""
    alert = alerts.get_own(current_user, alert_id) or abort(404)
    content = current_content()
    wording = {q.id: q.question for q in (*content.red_flags.questions, *content.red_flags.history)}
    region = regions().get(current_user.region) or next(iter(regions().values()))
    return render_template(
        "patient/alert.html", alert=alert, level=Level(alert.level), action=content.red_flags.action(alert.level),
        region=region, reasons=[wording.get(r, r) for r in alert.reasons], known_region=current_user.region in regions(),
    )


@bp.route("/alerts/<int:alert_id>/confirm", methods=["POST"])
@role_required(Role.PATIENT)
def confirm_alert(alert_id: int) -> Response:
    """The patient has read the alert; an urgent pause lifts, an emergency still blocks today."""
    alerts.confirm_read(current_user, alerts.get_own(current_user, alert_id) or abort(404))
    return redirect(url_for("patient.today"), 303)
