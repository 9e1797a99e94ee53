"""Forgotten passwords: ask for a link by email, then choose a new password with it (routes on auth.bp)."""

from __future__ import annotations

from flask import current_app, flash, render_template
from werkzeug.wrappers import Response

from selfcare import accounts, limits, mail
from selfcare.access import public
from selfcare.auth import _start_session, bp
from selfcare.forms import ForgotPasswordForm, ResetPasswordForm
from selfcare.links import external_url
from selfcare.services import reset_links
from selfcare.services.reset_links import BadLink

BAD_LINK = {  # why the link cannot be used: heading, and its status code
    BadLink.INVALID: ("This link does not work", 404),
    BadLink.EXPIRED: ("This link has expired", 410),
    BadLink.USED: ("This link has already been used", 410),
}
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # the token is in the address


def _too_many_requests(message: str) -> str:
    """The form again with the rate limit's message (nothing was looked up or sent)."""
    form = ForgotPasswordForm()
    form.email.errors = [message]
    return render_template("auth/forgot_password.html", form=form)


def _link(token: str) -> str:
    """The absolute address of the reset page for `token`, on BASE_URL (never on the address the request named)."""
    return external_url("auth.reset_password", token=token)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limits.reset_request_limits(_too_many_requests)
def forgot_password() -> str | tuple[str, int]:
    """Ask for a reset link: the same answer whether or not an account uses the address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset_links.request_reset(form.email.data, current_app.config["SECRET_KEY"], _link, mail.send)
        return render_template("auth/forgot_password_sent.html")
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Response | tuple[str, int, dict[str, str]]:
    """Choose a new password with the emailed link; every other session ends and this one starts afresh."""
    user = reset_links.user_for(token, current_app.config["SECRET_KEY"])
    if isinstance(user, BadLink):
        title, status = BAD_LINK[user]
        return render_template("auth/reset_link_bad.html", title=title, reason=user.value), status, PRIVATE
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_links.reset(user, form.password.data)
        except accounts.AccountError as error:  # the form checked the rules already; kept for safety
            form.password.errors = [error.message]
        else:
            response = _start_session(user)  # the same finish as a login: two-step sign-in still asks for its code
            flash("Your password is changed.", "success")
            return response
    return render_template("auth/reset_password.html", form=form, token=token), 422 if form.errors else 200, PRIVATE
