"""What a patient sees: one blueprint, one module per screen."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import login_manager
from selfcare.clinical import Level
from selfcare.models import Profile
from selfcare.services import screens
from selfcare.services.alerts import unconfirmed
from selfcare.services.profiles import get_profile

bp = Blueprint("patient", __name__)

# Reachable before onboarding is done, and while an emergency alert waits to be confirmed.
BEFORE_ONBOARDING = {"patient.onboarding", "patient.link_therapist"}
DURING_EMERGENCY = {"patient.show_alert", "patient.confirm_alert"}
# Reachable while the safety questions after a both-legs onboarding wait to be answered (screens.onboarding_due).
BEFORE_SAFETY = {"patient.onboarding_safety", *DURING_EMERGENCY}


# The patient's main navigation; every entry is a screen of this blueprint.
NAV = [
    ("patient.today", "Today"), ("patient.checkin", "Check in"), ("patient.player_page", "Exercises"),
    ("patient.history", "History"), ("patient.learn", "Learn"),
]


@bp.app_context_processor
def navigation() -> dict[str, object]:
    """Give base.html the patient's navigation."""
    return {"patient_nav": NAV}


def own_profile() -> Profile | None:
    """The signed-in patient's onboarding answers, read once a request (the gate reads them before most pages):
    with the login session when it was read that way (login_sessions.user_for), else on their own."""
    if "profile" not in g:
        user = current_user._get_current_object()
        g.profile = user.joined_profile if hasattr(user, "joined_profile") else get_profile(user)
    return g.profile


@bp.before_request
def gate() -> Response | None:
    """Patients only; onboarding first (and its safety questions, when it said both legs with a recent onset); an
    unconfirmed emergency takes over every patient page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_patient:
        abort(403)
    # Kept on g for the page itself (Today lists the open alerts and reads the profile): read once per request, and
    # only when the login session's read counted some (login_sessions.user_for): most patients have none.
    user = current_user._get_current_object()
    g.open_alerts = unconfirmed(user) if getattr(user, "unconfirmed_alerts", 1) else []  # most serious first
    emergency = next((a for a in g.open_alerts if a.level == Level.EMERGENCY.value), None)
    if emergency is not None and request.endpoint not in DURING_EMERGENCY:
        return redirect(url_for("patient.show_alert", alert_id=emergency.id))
    if emergency is None and request.endpoint not in BEFORE_ONBOARDING:
        if own_profile() is None:
            return redirect(url_for("patient.onboarding"))
        if request.endpoint not in BEFORE_SAFETY and screens.onboarding_due(current_user, own_profile()):
            return redirect(url_for("patient.onboarding_safety"))  # both legs, recent onset: before anything else
    return None


# Each module adds its routes to bp.
from selfcare.patient import alerts, care_team, checkin, learn, my_data, onboarding, player, self_check, today  # noqa: E402,F401
from selfcare.patient import history, offline, onboarding_safety, summary  # noqa: E402,F401
