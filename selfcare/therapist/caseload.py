"""What a physical therapist sees."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from selfcare import accounts
from selfcare.access import role_required
from selfcare.models import Role

bp = Blueprint("therapist", __name__, url_prefix="/therapist")


@bp.route("/patients")
@role_required(Role.THERAPIST)
def caseload() -> str:
    """The patients linked to this therapist, and no one else."""
    return render_template("therapist/caseload.html", patients=accounts.linked_patients(current_user))
