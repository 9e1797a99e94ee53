"""Two-step sign-in in Settings, for therapists: set it up, make new recovery codes, turn it off."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import Field

from selfcare import accounts, limits, mail
from selfcare.access import role_required
from selfcare.db import db
from selfcare.forms import AppCodeForm, TurnOffTwoStepForm
from selfcare.models import Role
from selfcare.services import login_sessions, tokens, two_factor

bp = Blueprint("two_step", __name__, url_prefix="/settings/two-step")


def _page(template: str, status: int = 200, **context: object) -> Response:
    """A page that shows a secret or recovery codes: never kept by the browser or by htmx."""
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _wrong(field: Field, message: str, log_out: bool = True) -> Response | None:
    """Count a wrong code or password on the account (the same count as the login's second step); after
    MAX_FAILURES since the last right code, or once codes are paused, log out here and on the server (the password
    must be entered again)."""
    failure = two_factor.note_failure(current_user, mail.send)
    if not log_out or (failure.count < two_factor.MAX_FAILURES and failure.locked_until is None):
        field.errors = [message]
        return None
    login_sessions.end(current_user.login_key)
    logout_user()
    session.clear()
    flash("That was too many codes that did not work, so you are logged out. Please log in again.", "info")
    return redirect(url_for("auth.login"), 303)


_UNREADABLE = ("Codes from your app cannot be checked just now: this server's key has changed since you set up two-step "
               "sign-in. Use a recovery code to turn it off, then set it up again.")


def _paused(template: str, field: Field, advice: str = "", **context: object) -> Response | None:
    """While codes from the app are paused for the account (too many wrong ones): the page again with the
    rate-limit page's words (and `advice`), 429 and Retry-After; the code is not checked. Else None."""
    until: datetime | None = two_factor.locked_until(current_user)
    if until is None:
        return None
    seconds = max(1, math.ceil((until - two_factor.clock()).total_seconds()))
    field.errors = [f"{limits.too_many_message(seconds)} {advice}".strip()]
    response = _page(template, 429, **context)
    response.headers["Retry-After"] = str(seconds)
    return response


_RECOVERY_STILL_WORKS = "A recovery code still works to turn two-step sign-in off."


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
    qr = Markup(two_factor.qr_svg(two_factor.setup_uri(current_user, secret)))  # made by segno from our own URI
    page: dict[str, Any] = {"form": form, "qr": qr, "secret": two_factor.grouped(secret)}
    if form.validate_on_submit():
        if (paused := _paused("two_step/set_up.html", form.code, **page)) is not None:
            return paused
        with db.atomic():  # on, with every other session and every API token ended: all of it or none
            codes = two_factor.confirm_setup(current_user, form.code.data)
            if codes is not None:
                login_sessions.end_all(current_user, keep=current_user.login_key)  # from now on, every login needs a code
                tokens.revoke_all(current_user)  # made with the password alone
        if codes is not None:
            return _page("two_step/recovery_codes.html", codes=codes, first_time=True)
        _wrong(form.code, "That code did not work. Check that the app shows selfcare, then enter its newest code.", log_out=False)
    return _page("two_step/set_up.html", 422 if form.errors else 200, **page)


@bp.route("/recovery-codes", methods=["GET", "POST"])
@role_required(Role.THERAPIST)
def new_recovery_codes() -> Response:
    """New recovery codes for a current code from the app; the old ones stop working."""
    if not two_factor.is_on(current_user):
        return redirect(url_for("settings.index"), 303)
    form = AppCodeForm()
    if form.validate_on_submit():
        if (paused := _paused("two_step/new_recovery_codes.html", form.code, _RECOVERY_STILL_WORKS, form=form)) is not None:
            return paused
        try:
            codes = two_factor.new_recovery_codes(current_user, form.code.data)
        except two_factor.SecretUnreadable:
            form.code.errors = [_UNREADABLE]
            return _page("two_step/new_recovery_codes.html", 422, form=form)
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
        app_code = two_factor.is_app_code(form.code.data)
        if app_code and (paused := _paused("two_step/turn_off.html", form.code, _RECOVERY_STILL_WORKS, form=form)) is not None:
            return paused  # a recovery code is still checked: it is the way out
        try:
            right_code = None
            if accounts.authenticate(current_user.email, form.password.data) is not None:
                right_code = two_factor.verify_code_or_recovery_code(current_user, form.code.data)
        except two_factor.SecretUnreadable:
            form.code.errors = [_UNREADABLE]
            return _page("two_step/turn_off.html", 422, form=form)
        if right_code is None:
            out = _wrong(form.password, "That is not your password.")
        elif not right_code:
            out = _wrong(form.code, "That code did not work. Enter the newest code from your app, or an unused recovery code.")
        else:
            two_factor.turn_off(current_user)
            flash("Two-step sign-in is off. Logging in now needs only your password.", "success")
            return redirect(url_for("settings.index"), 303)
        if out is not None:
            return out
    return _page("two_step/turn_off.html", 422 if form.errors else 200, form=form)
