"""The patient's history: the trend in words, charts by day, and the sets they did."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user
from selfcare import http_cache
from selfcare.access import role_required
from selfcare.content import current_content
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.pieces import Pieces
from selfcare.services.history import ALLOWED_DAYS, parse_days
from selfcare.services.history_cache import Shown, history_with_charts

SHOWN = "patient/_history_shown.html"


@bp.route("/history")
@role_required(Role.PATIENT)
@http_cache.etag(http_cache.patient_page())
def history() -> str | bytes:
    """Charts and sessions for the last 7, 14, 30, 90 or 365 days (default 30)."""
    days = parse_days(request.args.get("days"), default=30)
    shown = history_with_charts(current_user, days)
    if shown.history.empty:
        return render_template("patient/history.html", history=shown.history, shown=None, days=days, ranges=ALLOWED_DAYS)
    # Sent as UTF-8 around the kept piece (selfcare/pieces.py): a year of it is ~140 KB with a few characters
    # beyond Latin-1 (–, →), so encoding the whole page took longer than rendering it.
    pieces = Pieces()
    page = render_template("patient/history.html", history=shown.history, shown=pieces.place(shown_utf8(shown)), days=days,
                           ranges=ALLOWED_DAYS)
    return pieces.page(page)


def shown_utf8(shown: Shown) -> bytes:
    """The trend, charts and sets of a history that has something (_history_shown.html), as UTF-8: rendered once
    per kept history.

    A year of it is ~140 KB from over a thousand loop steps, and none of it depends on the request; the
    content (zone names) is part of the kept history's key.
    """
    template = current_app.jinja_env.get_template(SHOWN)

    def render() -> bytes:
        names = {info.zone: info.name for info in current_content().zones}
        return template.render(history=shown.history, charts=shown.charts, zone_names=names).encode()

    return shown.piece(SHOWN, template, render)
