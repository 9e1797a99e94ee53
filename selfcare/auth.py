"""Sign up, log in and log out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from selfcare import accounts, limits
from selfcare.access import is_safe_next, public, signed_in
from selfcare.forms import AppCodeForm, LoginForm, RecoveryCodeForm, SignupForm, typed_number
from selfcare.models import Role, User
from selfcare.services import login_sessions, two_factor

bp = Blueprint("auth", __name__)


PENDING = "pending_login"  # the session key of a login whose password was right, waiting for the second step
PENDING_SECONDS = 5 * 60


def _log_in(user: User, remember: bool = False) -> None:
    """Log `user` in on a fresh session with a new server-side key, so an earlier session cannot be reused."""
    session.clear()
    user.login_key = login_sessions.begin(user, remember)
    login_user(user, remember=remember)


def _start_session(user: User, remember: bool = False, next_url: str | None = None) -> Response:
    """Finish the password step, the one place that does: log in and go on, or ask for a code first.

    With two-step sign-in on, the user is not logged in yet: the session remembers who (for PENDING_SECONDS)
    and the answer goes to the second step.
    """
    if not two_factor.is_on(user):
        _log_in(user, remember)
        return redirect(next_url or url_for("home.index"), 303)
    session.clear()
    two_factor.password_step_passed(user)
    session[PENDING] = {"user_id": user.id, "at": two_factor.clock().isoformat(), "remember": bool(remember), "next": next_url}
    return redirect(url_for("auth.enter_code"), 303)


def _pending_login() -> tuple[User, dict[str, Any]] | None:
    """The user waiting for the second step on this session, unless it expired or had too many wrong codes."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        user_id, started = int(pending["user_id"]), datetime.fromisoformat(pending["at"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= (two_factor.clock() - started).total_seconds() <= PENDING_SECONDS:
        return None
    user = User.get_or_none(User.id == user_id)
    if user is None or not two_factor.is_on(user) or user.totp_failures >= two_factor.MAX_FAILURES:
        return None
    return user, pending


def _too_many_signups(message: str) -> str:
    """The sign-up form again with the rate limit's message (nothing was checked or stored)."""
    form = SignupForm()
    form.email.errors = [message]
    return render_template("auth/signup.html", form=form)


def _too_many_logins(message: str) -> str:
    """The login form again with the rate limit's message (no password was checked)."""
    form, next_url = LoginForm(), request.args.get("next")
    form.password.errors = [message]
    return render_template("auth/login.html", form=form, next_url=next_url if next_url and is_safe_next(next_url) else None)


@bp.route("/signup", methods=["GET", "POST"])
@public
@limits.signup_limits(_too_many_signups)
def signup() -> Response | str | tuple[str, int]:
    """A patient creates an account and is logged in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data, form.password.data, form.name.data, Role.PATIENT, form.region.data, form.timezone.data,
                typed_number(form),
            )
        except accounts.AccountError as error:
            form[error.field].errors = [*form[error.field].errors, error.message]
        else:
            _start_session(user)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return redirect(url_for("home.index"), 303)
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
@limits.login_limits(_too_many_logins)  # failed logins only: a 422 answer
def login() -> Response | str | tuple[str, int]:
    """Anyone with an account logs in and goes where they were heading."""
    next_url = request.args.get("next")
    next_url = next_url if next_url and is_safe_next(next_url) else None
    if current_user.is_authenticated:
        return redirect(next_url or url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            return _start_session(user, remember=form.remember.data, next_url=next_url)
        form.password.errors = ["That email and password do not match an account. Check them and try again."]
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


def _too_many_codes(message: str) -> str:
    """The second step again with the rate limit's message (no code was checked)."""
    recovery = request.args.get("method") == "recovery"
    form = RecoveryCodeForm() if recovery else AppCodeForm()
    form.code.errors = [message]
    return render_template("auth/enter_code.html", form=form, recovery=recovery)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
@limits.two_step_limits(_too_many_codes)  # wrong codes only
def enter_code() -> Response | tuple[str, int]:
    """The second step of logging in: the code from the authenticator app, or a recovery code."""
    pending = _pending_login()
    if pending is None:
        if session.pop(PENDING, None) is not None:
            flash("Please log in again: the code was not entered in time, or too many codes did not work.", "info")
        return redirect(url_for("auth.login"), 303 if request.method == "POST" else 302)
    user, details = pending
    recovery = request.args.get("method") == "recovery"
    form = RecoveryCodeForm() if recovery else AppCodeForm()
    if form.validate_on_submit():
        if (two_factor.use_recovery_code if recovery else two_factor.verify_code)(user, form.code.data):
            _log_in(user, remember=bool(details.get("remember")))
            next_url = details.get("next")
            return redirect(next_url if isinstance(next_url, str) and is_safe_next(next_url) else url_for("home.index"), 303)
        if two_factor.note_failure(user) >= two_factor.MAX_FAILURES:
            session.pop(PENDING, None)
            flash("That was too many codes that did not work. Please log in again with your password.", "info")
            return redirect(url_for("auth.login"), 303)
        form.code.errors = [_WRONG_RECOVERY_CODE if recovery else _WRONG_APP_CODE]
    return render_template("auth/enter_code.html", form=form, recovery=recovery), 422 if form.errors else 200


_WRONG_APP_CODE = "That code did not work. Enter the newest code your app shows for selfcare."
_WRONG_RECOVERY_CODE = "That recovery code did not work. Check it, or try another one you have not used."


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    """End the session on this device (CSRFProtect has checked the token by now): on the server too, so a copy
    of the cookie no longer works."""
    login_sessions.end(current_user.login_key)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    response = redirect(url_for("home.index"), 303)
    # Nothing of this account stays on the device: the pages kept for offline use, the saved state.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


from selfcare import password_reset  # noqa: E402,F401  (its routes join bp)
