"""The front door: a welcome for visitors, and each signed-in user's own start page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import public
from selfcare.clinical import ABROAD, Level
from selfcare.content import current_content, current_region

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index() -> Response | str:
    """Visitors see what selfcare is; patients go to Today, therapists to their patients."""
    if current_user.is_authenticated:
        return redirect(url_for("therapist.caseload" if current_user.is_therapist else "patient.today"))
    return render_template("home/index.html")


# The warning-signs page's groups, most urgent first: each level's signs under its one action (CLINICAL.md §2).
SIGN_LEVELS = (Level.EMERGENCY, Level.URGENT, Level.CONTACT_PT)


@bp.route("/warning-signs")
@public
def warning_signs() -> str:
    """Every warning sign grouped by what to do, in the reader's region words, with its public sources. Open to
    anyone (it holds no personal data); kept on a patient's phone to read with no signal (pwa.patient_pages)."""
    flags = current_content().red_flags
    return render_template(
        "home/warning_signs.html", region=current_region(), abroad=ABROAD, sources=flags.public_sources,
        signs={level.value: flags.signs(level) for level in SIGN_LEVELS},
    )


@bp.route("/healthz")
@public
def health() -> dict[str, str]:
    """A tiny route for load balancers (and the benchmark's floor)."""
    return {"status": "ok"}
