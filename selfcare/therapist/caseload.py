"""The therapist's caseload: their linked patients, most in need of attention first, and their notices."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import http_cache
from selfcare.access import role_required
from selfcare.charts import sparkline
from selfcare.content import current_content
from selfcare.models import Role
from selfcare.services.caseload import (
    FILTER_LABELS,
    PAGE_SIZE,
    Filter,
    build_caseload,
    mark_notice_read,
    parse_filter,
    parse_page,
    parse_query,
)
from selfcare.therapist import bp


def wants_fragment() -> bool:
    """A non-boosted htmx request (the live search) gets only the rows; anything else the whole page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and "HX-Boosted" not in headers and "HX-History-Restore-Request" not in headers


@bp.route("/patients")
@role_required(Role.THERAPIST)
@http_cache.etag(http_cache.caseload)
def caseload() -> str:
    """The patients linked to this therapist, and no one else, in triage order (`?q=` name, `?filter=`, `?page=`)."""
    view = build_caseload(current_user, query=request.args.get("q", ""), filter=request.args.get("filter", ""),
                          page=parse_page(request.args.get("page")))
    template = "therapist/_caseload_rows.html" if wants_fragment() else "therapist/caseload.html"
    zone_names = {z.zone: z.name for z in current_content().zones}
    return render_template(template, caseload=view, shown=view.page, page_size=PAGE_SIZE, zone_names=zone_names,
                           sparkline=sparkline, filters=FILTER_LABELS, Filter=Filter)


@bp.route("/notices/<id:notice_id>/dismiss", methods=["POST"])
@role_required(Role.THERAPIST)
def dismiss_notice(notice_id: int) -> Response:
    """Mark one of this therapist's own notices read (404 for anyone else's), then back to the list."""
    if not mark_notice_read(current_user, notice_id):
        abort(404)
    query, wanted = parse_query(request.form.get("q")), parse_filter(request.form.get("filter"))
    kept: dict[str, Any] = {"q": query or None, "filter": None if wanted == Filter.ALL else wanted.value}
    return redirect(url_for("therapist.caseload", **kept), 303)
