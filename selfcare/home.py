"""The front door: a welcome for visitors, and each signed-in user's own start page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import public

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index() -> Response | str:
    """Visitors see what selfcare is; patients go to Today, therapists to their patients."""
    if current_user.is_authenticated:
        return redirect(url_for("therapist.caseload" if current_user.is_therapist else "patient.today"))
    return render_template("home/index.html")


@bp.route("/healthz")
@public
def health() -> dict[str, str]:
    """A tiny route for load balancers (and the benchmark's floor)."""
    return {"status": "ok"}
