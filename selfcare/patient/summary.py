"""The visit summary: a printable page and the same as a PDF to download."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.pdf import summary_pdf as render_pdf
from selfcare.services.periods import ALLOWED_DAYS, parse_days
from selfcare.services.summary import build_summary, overview, sections

DEFAULT_DAYS = 14  # seed 003 and CLINICAL.md §5: re-evaluate at 2 weeks


@bp.route("/summary")
@role_required(Role.PATIENT)
def summary() -> str:
    """What to bring to a visit, for the last 7 to 365 days (default 14), ready to print."""
    days = parse_days(request.args.get("days"), default=DEFAULT_DAYS)
    data = build_summary(current_user, days)
    return render_template(
        "patient/summary.html", summary=data, overview=overview(data), sections=sections(data), days=days, ranges=ALLOWED_DAYS
    )


@bp.route("/summary.pdf")
@role_required(Role.PATIENT)
def summary_pdf() -> Response:
    """The visit summary as a PDF download."""
    data = build_summary(current_user, parse_days(request.args.get("days"), default=DEFAULT_DAYS))
    filename = f"selfcare-summary-{data.made_at:%Y-%m-%d}.pdf"
    return Response(
        render_pdf(data), mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
