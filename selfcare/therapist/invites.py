"""Invites: a short code and a link a therapist gives a patient, so the patient can share their record."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import accounts
from selfcare.access import role_required
from selfcare.models import Invite, Role, utcnow
from selfcare.therapist import bp


@bp.route("/invites")
@role_required(Role.THERAPIST)
def invites() -> str:
    """This therapist's codes that can still be used, newest first."""
    active = (
        Invite.select()
        .where((Invite.therapist == current_user.id) & Invite.used_at.is_null() & (Invite.expires_at > utcnow()))
        .order_by(Invite.created_at.desc())
    )
    return render_template("therapist/invites.html", invites=list(active), days=accounts.INVITE_DAYS)


@bp.route("/invites", methods=["POST"])
@role_required(Role.THERAPIST)
def create_invite() -> Response:
    """Make a new single-use code (CSRF checked by Flask-WTF)."""
    invite = accounts.create_invite(current_user)
    flash(f"New code {invite.code} made. Give it to your patient.", "success")
    return redirect(url_for("therapist.invites"), 303)
