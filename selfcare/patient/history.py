"""The patient's history: the trend in words, charts by day (by week for a year), the sets they did a page at a time,
and the numbers behind each chart."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from htmx_flask import request as htmx_request

from selfcare import http_cache
from selfcare.access import role_required
from selfcare.charts import CHARTS, chart_numbers, charted, history_charts
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.services.history import build_history, zone_names
from selfcare.services.history_series import numbers_series
from selfcare.services.history_sets import SetCursor, sets_page
from selfcare.services.periods import ALLOWED_DAYS, parse_days, period_for


@bp.route("/history")
@role_required(Role.PATIENT)
@http_cache.etag(http_cache.patient_page())
def history() -> str:
    """Charts and sessions for the last 7, 14, 30, 90 or 365 days (default 30)."""
    days = parse_days(request.args.get("days"), default=30)
    shown = build_history(current_user, days)
    names = zone_names()
    charts = None if shown.empty else history_charts(shown.series, names, shown.period.unit)
    return render_template("patient/history.html", history=shown, charts=charts, charted=charted(shown.series),
                           zone_names=names, days=days, ranges=ALLOWED_DAYS)


@bp.route("/history/sets")
@role_required(Role.PATIENT)
@http_cache.etag(http_cache.patient_page())
def history_sets() -> str:
    """A page of the sets of the last ?days= days, newest first, before ?before= if given: the sets alone for htmx's
    "Older sets", a whole page without it."""
    days = parse_days(request.args.get("days"), default=30)
    try:
        before = SetCursor.parse(request.args["before"]) if "before" in request.args else None
    except ValueError:
        abort(404)  # not a place any link of ours names
    period = period_for(current_user, days)
    sets = sets_page(current_user, period, before)
    if htmx_request.htmx and not htmx_request.htmx.boosted:
        return render_template("patient/_history_sets_page.html", sets=sets, days=days, zone_names=zone_names())
    return render_template("patient/history_sets.html", sets=sets, days=days, period=period, zone_names=zone_names(),
                           first=before is None)


CHART = f"<any({', '.join(CHARTS)}):chart>"  # any other name is not found


@bp.route(f"/history/numbers/{CHART}")
@role_required(Role.PATIENT)
@http_cache.etag(http_cache.patient_page())
def history_numbers(chart: str) -> str:
    """The numbers behind one chart (zone, pain, walking or sets) for ?days=: the table alone for htmx's "Show the
    numbers", a whole page without it."""
    days = parse_days(request.args.get("days"), default=30)
    period, points = numbers_series(current_user, days)
    numbers = chart_numbers(points, zone_names(), period.unit)[chart]
    if htmx_request.htmx and not htmx_request.htmx.boosted:
        return render_template("_chart_numbers.html", numbers=numbers, in_place=True)
    return render_template("patient/history_numbers.html", numbers=numbers, period=period, days=days)
