"""The therapist's caseload: their linked patients, most in need of attention first, and their notices."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from selfcare import http_cache
from selfcare.access import role_required
from selfcare.charts import sparkline
from selfcare.clinical import Content
from selfcare.content import current_content
from selfcare.models import Role
from selfcare.services.caseload import (
    FILTER_LABELS,
    PAGE_SIZE,
    Filter,
    PatientRow,
    build_caseload,
    mark_notice_read,
    page_of,
    parse_filter,
    parse_page,
    parse_query,
)
from selfcare.therapist import bp


ROW_HTML_MAX = 5000
_row_html: dict[int, tuple[PatientRow, Content, Markup]] = {}  # by id(row); the row is kept, so its id is not reused


def row_html(row: PatientRow) -> Markup:
    """One row's HTML: drawn once per row object and content (services/caseload.py reuses a row while its inputs hold)."""
    content = current_content()
    kept = _row_html.get(id(row))
    if kept is None or kept[0] is not row or kept[1] is not content:
        if len(_row_html) >= ROW_HTML_MAX:
            _row_html.clear()
        names = {z.zone: z.name for z in content.zones}
        html = render_template("therapist/_caseload_row.html", row=row, zone_names=names, sparkline=sparkline)
        kept = _row_html[id(row)] = (row, content, Markup(html))
    return kept[2]


def wants_fragment() -> bool:
    """A non-boosted htmx request (the live search) gets only the rows; anything else the whole page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and "HX-Boosted" not in headers and "HX-History-Restore-Request" not in headers


@bp.route("/patients")
@role_required(Role.THERAPIST)
@http_cache.etag(http_cache.caseload)
def caseload() -> str:
    """The patients linked to this therapist, and no one else, in triage order (`?q=` name, `?filter=`, `?page=`)."""
    therapist = current_user._get_current_object()  # not the proxy: each row's words read the therapist's time zone
    view = build_caseload(therapist, query=request.args.get("q", ""), filter=request.args.get("filter", ""))
    shown = page_of(view, parse_page(request.args.get("page")))
    template = "therapist/_caseload_rows.html" if wants_fragment() else "therapist/caseload.html"
    return render_template(template, caseload=view, shown=shown, page_size=PAGE_SIZE, row_html=row_html, filters=FILTER_LABELS,
                           Filter=Filter)


@bp.route("/notices/<id:notice_id>/dismiss", methods=["POST"])
@role_required(Role.THERAPIST)
def dismiss_notice(notice_id: int) -> Response:
    """Mark one of this therapist's own notices read (404 for anyone else's), then back to the list."""
    if not mark_notice_read(current_user, notice_id):
        abort(404)
    query, wanted = parse_query(request.form.get("q")), parse_filter(request.form.get("filter"))
    kept: dict[str, Any] = {"q": query or None, "filter": None if wanted == Filter.ALL else wanted.value}
    return redirect(url_for("therapist.caseload", **kept), 303)
