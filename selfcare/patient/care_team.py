"""The patient's side of care links: follow a therapist's invite, or stop sharing with a therapist."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import accounts, limits
from selfcare.access import role_required
from selfcare.models import Notice, Role, User, utcnow
from selfcare.patient import bp
from selfcare.services.care import end_link


def _too_many_codes(message: str) -> str:
    """The link page with the rate limit's message and no invite shown (the code was not looked up)."""
    matched = request.view_args or {}  # the values in the URL: this runs for /link/<code> only
    return render_template("patient/link_therapist.html", invite=None, code=matched["code"], error=message)


@bp.route("/link/<code>", methods=["GET", "POST"])
@role_required(Role.PATIENT)
@limits.invite_limits(_too_many_codes)
def link_therapist(code: str) -> Response | tuple[str, int]:
    """Show whose invite this is and ask the patient to agree to share; link on a yes. A used code is as unknown."""
    invite = accounts.unused_invite(code)
    error = None
    if invite is None:
        error = accounts.UNKNOWN_CODE
    elif request.method == "POST":
        if request.form.get("share") != "y":
            error = "Tick the box to share your record, or go back if you do not want to."
        else:
            try:
                link = accounts.redeem_invite(current_user, code)
            except accounts.AccountError as problem:
                error = problem.message
            else:
                flash(f"You are now sharing your selfcare record with {link.therapist.name}.", "success")
                return redirect(url_for("patient.today"), 303)
    status = 422 if error and request.method == "POST" else 404 if invite is None else 200
    return render_template("patient/link_therapist.html", invite=invite, code=code, error=error), status


@bp.route("/care-team/<id:therapist_id>/end", methods=["POST"])
@role_required(Role.PATIENT)
def stop_sharing(therapist_id: int) -> Response:
    """Stop sharing the record with one therapist; they are told."""
    therapist = User.get_or_none((User.id == therapist_id) & (User.role == Role.THERAPIST.value)) or abort(404)
    if not end_link(therapist, current_user):
        abort(404)
    Notice.create(therapist=therapist, text=f"{current_user.name} stopped sharing their selfcare record with you on {utcnow():%-d %B %Y}.")
    flash(f"You have stopped sharing your record with {therapist.name}.", "info")
    return redirect(url_for("patient.today"), 303)
