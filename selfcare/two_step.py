"""Two-step sign-in in Settings, for therapists: set it up, make new recovery codes, turn it off."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from selfcare import accounts
from selfcare.access import role_required
from selfcare.forms import AppCodeForm, TurnOffTwoStepForm
from selfcare.models import Role
from selfcare.services import login_sessions, two_factor

bp = Blueprint("two_step", __name__, url_prefix="/settings/two-step")


def _page(template: str, status: int = 200, **context: object) -> Response:
    """A page that shows a secret or recovery codes: never kept by the browser or by htmx."""
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _wrong(field: object, message: str) -> Response | None:
    """Count a wrong code or password; after too many, log out (the password must be entered again)."""
    if two_factor.note_failure(current_user) < two_factor.MAX_FAILURES:
        field.errors = [message]  # type: ignore[attr-defined]
        return None
    logout_user()
    session.clear()
    flash("That was too many codes that did not work, so you are logged out. Please log in again.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/start", methods=["POST"])
@role_required(Role.THERAPIST)
def start_setup() -> Response:
    """Make a new secret for the authenticator app (any earlier unfinished one stops working), then show it."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        two_factor.start_setup(current_user)
    except two_factor.AlreadyOn:
        flash("Two-step sign-in is already on.", "info")
        return redirect(url_for("settings.index"), 303)
    return redirect(url_for("two_step.set_up"), 303)


@bp.route("/set-up", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def set_up() -> Response:
    """The QR code and secret for the app, and a code from it to show it works; then the recovery codes, once."""
    secret = two_factor.pending_secret(current_user)
    if secret is None:
        return redirect(url_for("settings.index"), 303)
    form = AppCodeForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_setup(current_user, form.code.data)
        if codes is not None:
            login_sessions.end_all(current_user, keep=current_user.login_key)  # from now on, every login needs a code
            return _page("two_step/recovery_codes.html", codes=codes, first_time=True)
        form.code.errors = ["That code did not work. Check that the app shows selfcare, then enter its newest code."]
    qr = Markup(two_factor.qr_svg(two_factor.setup_uri(current_user, secret)))  # made by segno from our own URI
    return _page("two_step/set_up.html", 422 if form.errors else 200, form=form, qr=qr, secret=two_factor.grouped(secret))


@bp.route("/recovery-codes", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def new_recovery_codes() -> Response:
    """New recovery codes for a current code from the app; the old ones stop working."""
    if not two_factor.is_on(current_user):
        return redirect(url_for("settings.index"), 303)
    form = AppCodeForm()
    if form.validate_on_submit():
        codes = two_factor.new_recovery_codes(current_user, form.code.data)
        if codes is not None:
            return _page("two_step/recovery_codes.html", codes=codes, first_time=False)
        if (out := _wrong(form.code, "That code did not work. Enter the newest code your app shows for selfcare.")) is not None:
            return out
    return _page("two_step/new_recovery_codes.html", 422 if form.errors else 200, form=form)


@bp.route("/off", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def turn_off() -> Response:
    """Turn two-step sign-in off, with the password and a code from the app or a recovery code."""
    if not two_factor.is_on(current_user):
        return redirect(url_for("settings.index"), 303)
    form = TurnOffTwoStepForm()
    if form.validate_on_submit():
        if accounts.authenticate(current_user.email, form.password.data) is None:
            out = _wrong(form.password, "That is not your password.")
        elif not two_factor.verify_code_or_recovery_code(current_user, form.code.data):
            out = _wrong(form.code, "That code did not work. Enter the newest code from your app, or an unused recovery code.")
        else:
            two_factor.turn_off(current_user)
            flash("Two-step sign-in is off. Logging in now needs only your password.", "success")
            return redirect(url_for("settings.index"), 303)
        if out is not None:
            return out
    return _page("two_step/turn_off.html", 422 if form.errors else 200, form=form)
