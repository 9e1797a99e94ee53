"""The patient's history: the trend in words, charts by day, and the sets they did."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from selfcare.access import role_required
from selfcare.content import current_content
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.services.history import ALLOWED_DAYS, parse_days
from selfcare.services.history_cache import history_with_charts


@bp.route("/history")
@role_required(Role.PATIENT)
def history() -> str:
    """Charts and sessions for the last 7, 14, 30, 90 or 365 days (default 30)."""
    days = parse_days(request.args.get("days"), default=30)
    shown = history_with_charts(current_user, days)
    names = {info.zone: info.name for info in current_content().zones}
    return render_template(
        "patient/history.html", history=shown.history, charts=shown.charts, days=days, ranges=ALLOWED_DAYS, zone_names=names
    )
