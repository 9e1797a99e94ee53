"""Invites: a short code and a link a therapist gives a patient, so the patient can share their record."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import accounts
from selfcare.access import role_required
from selfcare.models import Role, utcnow
from selfcare.therapist import bp
from selfcare.timeutil import to_local


def _page(new_code: str | None = None, status: int = 200) -> Response:
    """The invites page; a new code and its link are in this one response only (only a hash is kept), never cached."""

    def day(stored: datetime) -> str:
        local = to_local(current_user, stored)
        return f"{local.day} {local:%B %Y}"

    html = render_template("therapist/invites.html", invites=accounts.recent_invites(current_user), new_code=new_code,
                           days=accounts.INVITE_DAYS, invites_shown_days=accounts.INVITES_SHOWN_DAYS,
                           now=utcnow(), day=day)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/invites")
@role_required(Role.THERAPIST)
def invites() -> Response:
    """This therapist's recent invites, newest first: when each was made, whether it was used, until when it works."""
    return _page()


@bp.route("/invites", methods=["POST"])
@role_required(Role.THERAPIST)
def create_invite() -> Response:
    """Make a new single-use code and show it, with its link, this once (CSRF checked by Flask-WTF)."""
    made = accounts.create_invite(current_user)
    return _page(made.code, status=201)


@bp.route("/invites/<id:invite_id>/cancel", methods=["POST"])
@role_required(Role.THERAPIST)
def cancel_invite(invite_id: int) -> Response:
    """Cancel one of this therapist's unused invites: its code stops working (CSRF checked by Flask-WTF)."""
    if not accounts.cancel_invite(current_user, invite_id):
        abort(404)
    flash("Invite cancelled. Its code no longer works.", "info")
    return redirect(url_for("therapist.invites"), 303)
