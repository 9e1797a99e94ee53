"""Sign up, log in and log out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from selfcare import accounts
from selfcare.access import is_safe_next, public, signed_in
from selfcare.forms import LoginForm, SignupForm
from selfcare.models import Role, User

bp = Blueprint("auth", __name__)


def _start_session(user: User, remember: bool = False) -> None:
    """Log `user` in on a fresh session, so an earlier session id cannot be reused."""
    session.clear()
    login_user(user, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
@public
def signup() -> Response | str | tuple[str, int]:
    """A patient creates an account and is logged in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                form.email.data, form.password.data, form.name.data, Role.PATIENT, form.region.data, form.timezone.data
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
            _start_session(user, remember=form.remember.data)
            return redirect(next_url or url_for("home.index"), 303)
        form.password.errors = ["That email and password do not match an account. Check them and try again."]
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form, next_url=next_url), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout() -> Response:
    """End the session on this device (CSRFProtect has checked the token by now)."""
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    response = redirect(url_for("home.index"), 303)
    # Nothing of this account stays on the device: the pages kept for offline use, the saved state.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
