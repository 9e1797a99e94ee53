"""Reminders as a calendar: the private feed a calendar app subscribes to, and a one-off download."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort
from flask_login import current_user

from selfcare import limits
from selfcare.access import public, role_required
from selfcare.links import external_url
from selfcare.models import Role, User
from selfcare.services import calendar_links, reminders

bp = Blueprint("calendar", __name__)

FILENAME = "selfcare-reminders.ics"


def _ics(patient: User, cache: str) -> Response:
    """The patient's reminders as an .ics file, built at the real now; its link to the player is on BASE_URL."""
    body = reminders.to_ics(patient, datetime.now(timezone.utc), link=external_url("patient.player_page"))
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{FILENAME}"'
    response.headers["Cache-Control"] = cache
    return response


@bp.route("/calendar/<secret>.ics")
@public  # calendar apps cannot log in: the secret in the link is the key, and only its owner has it
@limits.calendar_limits  # unknown links, per address
def feed(secret: str) -> Response:
    """A patient's reminders for their calendar app; 404 for a link that is unknown, replaced or turned off."""
    patient = calendar_links.patient_for(secret)
    if patient is None:
        abort(404)
    response = _ics(patient, "private, max-age=900")
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/settings/calendar.ics")
@role_required(Role.PATIENT)
def download() -> Response:
    """The signed-in patient's reminders as a file to open once in a calendar app."""
    return _ics(current_user, "no-store")
