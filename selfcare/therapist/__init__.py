"""What a physical therapist sees: one blueprint, one module per screen."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import login_manager

bp = Blueprint("therapist", __name__, url_prefix="/therapist")

NAV = [("therapist.caseload", "Patients"), ("therapist.invites", "Invite")]


@bp.before_request
def gate() -> Response | None:
    """Therapists only."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_therapist:
        abort(403)
    return None


@bp.app_context_processor
def navigation() -> dict[str, object]:
    """Give base.html the therapist's navigation."""
    return {"therapist_nav": NAV}


# Each module adds its routes to bp.
from selfcare.therapist import alerts, assessed, caseload, exports, invites, patient_page, plan  # noqa: E402,F401
