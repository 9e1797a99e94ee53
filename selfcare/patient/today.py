"""What a patient sees."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from selfcare import accounts
from selfcare.content import regions
from selfcare.access import role_required
from selfcare.models import Role

bp = Blueprint("patient", __name__)


@bp.route("/today")
@role_required(Role.PATIENT)
def today() -> str:
    """The patient's start page: who looks after them and where to get help."""
    region = regions().get(current_user.region)
    therapists = accounts.linked_therapists(current_user)
    return render_template("patient/today.html", region=region, therapists=therapists)
