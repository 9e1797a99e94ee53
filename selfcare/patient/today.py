"""Today: the patient's start page."""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from selfcare import accounts
from selfcare.access import role_required
from selfcare.content import regions
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.services.today import build_today


@bp.route("/today")
@role_required(Role.PATIENT)
def today() -> str:
    """One clear next action, today's sets, the last result, prompts due, and where to get help."""
    patient = current_user._get_current_object()  # the user itself: each read through the proxy costs a lookup
    return render_template(
        "patient/today.html",
        today=build_today(patient, open_alerts=g.open_alerts, profile=g.profile),  # both read by the gate
        region=regions().get(patient.region),
        therapists=accounts.linked_therapists(patient),
    )
