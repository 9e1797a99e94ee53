"""Today: the patient's start page."""

from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from selfcare import accounts, http_cache
from selfcare.access import role_required
from selfcare.clinical import ABROAD
from selfcare.content import region_of
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.services import followups
from selfcare.services.today import build_today


@bp.route("/today")
@role_required(Role.PATIENT)
@http_cache.etag(http_cache.patient_page())
def today() -> str:
    """One clear next action, today's sets, the last result, prompts due, and where to get help."""
    patient = current_user._get_current_object()  # the user itself: each read through the proxy costs a lookup
    followup = followups.due(patient)  # the day after an emergency: "were you seen?"
    return render_template(
        "patient/today.html",
        today=build_today(patient, open_alerts=g.open_alerts, profile=g.profile),  # both read by the gate
        region=region_of(patient), abroad=ABROAD,  # never another country's number
        therapists=accounts.linked_therapists(patient),
        followup=followup, followup_day=followups.asked_day(patient, followup) if followup else None,
    )
