"""Sign up, log in and log out."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from selfcare import accounts, devices, limits, mail
from selfcare.access import is_safe_next, public, signed_in
from selfcare.forms import AppCodeForm, LoginForm, RecoveryCodeForm, SignupForm, typed_number
from selfcare.links import external_url
from selfcare.models import Role, User
from selfcare.services import login_sessions, two_factor

bp = Blueprint("auth", __name__)


PENDING = "pending_login"  # the session key of a login whose password was right, waiting for the second step
PENDING_SECONDS = 5 * 60


def _log_in(user: User, remember: bool = False) -> None:
    """Log `user` in on a fresh session with a new server-side key, so an earlier session cannot be reused; the
    browser gets a fresh device cookie for the account (selfcare/devices.py)."""
    session.clear()
    user.login_key = login_sessions.begin(user, remember)
    login_user(user, remember=remember)
    devices.remember(user.email)


def _start_session(user: User, remember: bool = False, next_url: str | None = None) -> Response:
    """Finish the password step, the one place that does: log in and go on, or ask for a code first.

    With two-step sign-in on, the user is not logged in yet: the session remembers who (for PENDING_SECONDS),
    the account's count of wrong codes so far (MAX_FAILURES more send the password again, even to a replayed
    cookie) and the device cookie this browser showed for the account, if any; the answer goes to the second step.
    """
    if not two_factor.is_on(user):
        _log_in(user, remember)
        return redirect(next_url or url_for("home.index"), 303)
    session.clear()
    session[PENDING] = {"user_id": user.id, "at": two_factor.clock().isoformat(), "remember": bool(remember), "next": next_url,
                        "failures": two_factor.failures(user), "device": devices.presented(user.email), "wrong": 0}
    return redirect(url_for("auth.enter_code"), 303)


def _wrong_codes(user: User, pending: dict[str, Any]) -> int:
    """Wrong codes since this login's password: on the account, or on the session for a browser that showed a
    device cookie (its own limit, limits.TWO_STEP_FAILURES_PER_DEVICE, bounds a replayed cookie)."""
    if pending.get("device"):
        return int(pending.get("wrong", 0))
    return int(user.totp_failures) - int(pending.get("failures", 0))


def _pending_login() -> tuple[User, dict[str, Any]] | None:
    """The user waiting for the second step on this session, unless it expired or had too many wrong codes."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        user_id, started = int(pending["user_id"]), datetime.fromisoformat(pending["at"])
        int(pending["failures"]), int(pending["wrong"])
    except (KeyError, TypeError, ValueError):
        return None
    if not 0 <= (two_factor.clock() - started).total_seconds() <= PENDING_SECONDS:
        return None
    user = User.get_or_none(User.id == user_id)
    if user is None or not two_factor.is_on(user) or _wrong_codes(user, pending) >= two_factor.MAX_FAILURES:
        return None
    return user, pending


def _pending_device() -> str | None:
    """The device cookie shown at this login's password step, if any: its wrong codes are limited per device."""
    pending = session.get(PENDING)
    device = pending.get("device") if isinstance(pending, dict) else None
    return device if isinstance(device, str) else None


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


TAKEN_SUBJECT = "Someone tried to create a selfcare account with your email"
TAKEN_BODY = """Hello {name},

Someone tried to create a selfcare account with your email address. You have an account already, so nothing
was created or changed.

If it was you, log in or reset your password here:

{link}

If it was not you, you can ignore this email: your account stays as it is.
"""


def _tell_owner(email: str) -> None:
    """Email the owner of an existing account that someone tried to sign up with its address."""
    owner = User.get_or_none(User.email == accounts.normalize_email(email))
    if owner is not None:
        mail.send(owner.email, TAKEN_SUBJECT, TAKEN_BODY.format(name=owner.name, link=external_url("auth.login")))


@bp.route("/signup", methods=["GET", "POST"])
@public
@limits.signup_limits(_too_many_signups)
def signup() -> Response | str | tuple[str, int]:
    """A patient creates an account and is logged in. For an email with an account already the answer is the same
    redirect (the password is hashed either way): the owner is told by email instead, and nothing is created."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data, form.password.data, form.name.data, Role.PATIENT, form.region.data, form.timezone.data,
                typed_number(form),
            )
        except accounts.EmailTaken:
            _tell_owner(form.email.data)
            flash(f"Thank you, {form.name.data.strip()}. Please check your email to go on.", "success")
            return redirect(url_for("home.index"), 303)
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


def _code_page(form: Any, recovery: bool, paused_until: datetime | None = None) -> Response:
    """The second step again: 422 with the message beside the field, or, while codes from the app are paused for
    the account, 429 with Retry-After and the rate-limit page's words (and the way out, beside them)."""
    headers = {}
    if paused_until is not None:
        seconds = max(1, math.ceil((paused_until - two_factor.clock()).total_seconds()))
        form.code.errors = [f"{limits.too_many_message(seconds)} {_PAUSED}"]
        headers["Retry-After"] = str(seconds)
    status = 429 if paused_until is not None else 422 if form.errors else 200
    page = render_template("auth/enter_code.html", form=form, recovery=recovery)
    return make_response(page, status, headers)


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
@limits.two_step_limits(_too_many_codes, device=_pending_device)  # wrong codes only
def enter_code() -> Response:
    """The second step of logging in: the code from the authenticator app, or a recovery code."""
    pending = _pending_login()
    if pending is None:
        if session.pop(PENDING, None) is not None:
            flash("Please log in again: the code was not entered in time, or too many codes did not work.", "info")
        return redirect(url_for("auth.login"), 303 if request.method == "POST" else 302)
    user, details = pending
    recovery = request.args.get("method") == "recovery"
    form = RecoveryCodeForm() if recovery else AppCodeForm()
    if not form.validate_on_submit():
        return _code_page(form, recovery)
    # Paused codes do not stop a recovery code (the way out), nor a browser that showed a device cookie.
    paused = None if details.get("device") or recovery else two_factor.locked_until(user)
    if paused is not None:
        return _code_page(form, recovery, paused)
    try:
        right = (two_factor.use_recovery_code if recovery else two_factor.verify_code)(user, form.code.data)
    except two_factor.SecretUnreadable:
        form.code.errors = [_UNREADABLE]
        return _code_page(form, recovery)
    if not right:
        return _wrong_code(user, details, form, recovery)
    _log_in(user, remember=bool(details.get("remember")))
    next_url = details.get("next")
    return redirect(next_url if isinstance(next_url, str) and is_safe_next(next_url) else url_for("home.index"), 303)


def _wrong_code(user: User, details: dict[str, Any], form: Any, recovery: bool) -> Response:
    """Count a wrong code, on this login's session for a browser that showed a device cookie (limited per device
    by limits.two_step_limits) or else on the account (which may pause codes from the app), and answer: the page
    with the message, the pause, or the password again after MAX_FAILURES in this login."""
    if details.get("device"):
        details["wrong"] = int(details["wrong"]) + 1
        session.modified = True
    else:
        paused = two_factor.note_failure(user, mail.send).locked_until
        if paused is not None and not recovery:
            return _code_page(form, recovery, paused)
    if _wrong_codes(User.get_by_id(user.id), details) >= two_factor.MAX_FAILURES:
        session.pop(PENDING, None)
        flash("That was too many codes that did not work. Please log in again with your password.", "info")
        return redirect(url_for("auth.login"), 303)
    form.code.errors = [_WRONG_RECOVERY_CODE if recovery else _WRONG_APP_CODE]
    return _code_page(form, recovery)


_WRONG_APP_CODE = "That code did not work. Enter the newest code your app shows for selfcare."
_WRONG_RECOVERY_CODE = "That recovery code did not work. Check it, or try another one you have not used."
_PAUSED = "Until then, a recovery code still works."
_UNREADABLE = ("Codes from your app cannot be checked just now: this server's key has changed since you set up two-step "
               "sign-in. Log in with a recovery code instead.")


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
