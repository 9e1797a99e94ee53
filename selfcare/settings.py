"""Settings for every signed-in user: personal access tokens for the JSON API, where else they are logged in."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from selfcare import accounts, limits, mail
from selfcare.access import role_required, signed_in
from selfcare.db import db
from selfcare.fields import Form
from selfcare.links import external_url
from selfcare.models import Role
from selfcare.services import calendar_links, login_sessions, tokens, two_factor
from selfcare.timeutil import to_local

bp = Blueprint("settings", __name__, url_prefix="/settings")


class TokenForm(Form):
    """Name a new token after the app or tool that will use it."""

    name = StringField(
        "What will use this token?", filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[DataRequired("Give the token a name, like the app that will use it."),
                    Length(max=tokens.NAME_MAX, message=f"Keep the name to {tokens.NAME_MAX} characters.")],
        description="For example “Clinic dashboard”. Only you see this name.", render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        "Your password", validators=[InputRequired("Enter your password."), Length(max=accounts.PASSWORD_MAX)],
        description="A token can do what you can do, so we check it is you.", render_kw={"autocomplete": "current-password"},
    )
    code = StringField(  # with two-step sign-in on only (token_form removes it otherwise)
        "6-digit code from your app", filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[InputRequired("Enter the 6-digit code from your app."),
                    Regexp(r"^\d{3} ?\d{3}$", message="Enter the 6 digits your app shows, like 123456.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7, "spellcheck": "false"},
    )


def token_form(**kwargs: object) -> TokenForm:
    """The "Make a token" form for this user: the code field only when two-step sign-in is on."""
    form = TokenForm(**kwargs)
    if not two_factor.is_on(current_user):
        del form.code
    return form


class RevokeForm(Form):
    """A revoke button (the form carries only its CSRF token); the calendar link's buttons use it too."""


def _page(form: TokenForm, new_secret: str | None = None, status: int = 200, new_calendar_url: str | None = None) -> Response:
    """The settings page; a new token's secret or calendar link is in this one response only, never cached."""
    rows = tokens.active(current_user)
    html = render_template(
        "settings/index.html", form=form, revoke=RevokeForm(), tokens=rows, new_secret=new_secret,
        calendar_link=calendar_links.current(current_user) if current_user.is_patient else None,
        new_calendar_url=new_calendar_url,
        two_step=two_factor.status(current_user) if current_user.is_therapist else None,
        local=lambda stored: to_local(current_user, stored).strftime("%d %b %Y, %H:%M") if stored else "never",
        day=lambda stored: f"{to_local(current_user, stored).day} {to_local(current_user, stored):%B %Y}",
        lifetime_days=tokens.LIFETIME.days,
        at_limit=len(rows) >= tokens.MAX_ACTIVE,
        elsewhere=login_sessions.open_elsewhere(current_user, current_user.login_key),
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("")
@signed_in
def index() -> Response:
    """Your tokens for the API, and a form to make one."""
    return _page(token_form())


def _too_many_password_tries(message: str) -> Response:
    """The page again with the rate limit's message beside the password (nothing was checked or made)."""
    form = token_form()
    form.password.errors = [message]
    return _page(form, status=429)


@bp.route("/tokens", methods=["POST"])
@signed_in
@limits.password_limits(_too_many_password_tries)  # a wrong password here counts as one at the login
def create_token() -> Response:
    """Make a token and show it once: with the password, and a current code when two-step sign-in is on."""
    form = token_form()
    if not form.validate_on_submit():
        return _page(form, status=422)
    if accounts.authenticate(current_user.email, form.password.data) is None:
        form.password.errors = ["That is not your password."]
        limits.wrong_password()  # counted per account (limits.password_limits)
        return _page(form, status=422)
    if form.code is not None and (refused := _code_refused(form)) is not None:
        return refused
    try:
        made = tokens.create_token(current_user, form.name.data)
    except tokens.TooManyTokens:
        form.name.errors = [f"You have {tokens.MAX_ACTIVE} tokens already. Revoke one you no longer use first."]
        return _page(form, status=422)
    return _page(token_form(formdata=None), new_secret=made.secret, status=201)


def _code_refused(form: TokenForm) -> Response | None:
    """None for a current code from the app. Otherwise the answer every Settings code form gives (two_step.py): while
    codes are paused for the account, 429 with Retry-After, unchecked; a wrong code is counted on the account and
    shown beside the field, and after too many this browser is logged out (the password must be entered again)."""
    paused = two_factor.locked_until(current_user)
    if paused is not None:
        seconds = max(1, math.ceil((paused - two_factor.clock()).total_seconds()))
        form.code.errors = [limits.too_many_message(seconds)]
        response = _page(form, status=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    try:
        if two_factor.verify_code(current_user, form.code.data):
            return None
    except two_factor.SecretUnreadable:
        form.code.errors = [("Codes from your app cannot be checked just now: this server's key has changed since you "
                             "set up two-step sign-in.")]
        return _page(form, status=422)
    failure = two_factor.note_failure(current_user, mail.send)
    if failure.count >= two_factor.MAX_FAILURES or failure.locked_until is not None:
        login_sessions.end(current_user.login_key)
        logout_user()
        session.clear()
        flash("That was too many codes that did not work, so you are logged out. Please log in again.", "info")
        return redirect(url_for("auth.login"), 303)
    form.code.errors = ["That code did not work. Enter the newest code your app shows for selfcare."]
    return _page(form, status=422)


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id: int) -> Response:
    """Revoke one of your tokens: it stops working at once."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    if not tokens.revoke_token(current_user, token_id):
        abort(404)
    flash("Token revoked. Anything using it can no longer reach your data.", "success")
    return redirect(url_for("settings.index"), 303)


@bp.route("/calendar", methods=["POST"])
@role_required(Role.PATIENT)
def make_calendar_link() -> Response:
    """Make the patient's private calendar link, replacing any old one (which stops working), and show it once."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    made = calendar_links.make_link(current_user)
    url = external_url("calendar.feed", secret=made.secret)  # on BASE_URL, never the request's address
    return _page(token_form(formdata=None), new_calendar_url=url, status=201)


@bp.route("/calendar/off", methods=["POST"])
@role_required(Role.PATIENT)
def turn_off_calendar_link() -> Response:
    """Turn the patient's calendar link off: calendar apps get nothing more from it."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    if calendar_links.turn_off(current_user):
        flash("Calendar link turned off. Calendar apps that used it get no more updates.", "success")
    return redirect(url_for("settings.index"), 303)


@bp.route("/sessions/end-others", methods=["POST"])
@signed_in
def end_other_sessions() -> Response:
    """Log out on every other phone or browser (a lost phone, a shared computer) and turn off every API token;
    this browser stays logged in."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    with db.atomic():  # both or neither
        ended = login_sessions.end_all(current_user, keep=current_user.login_key)
        revoked = tokens.revoke_all(current_user)
    where = "phone or browser" if ended == 1 else "phones or browsers"
    said = f"Logged out on {ended} other {where}." if ended else "You were not logged in anywhere else."
    flash(said + (" Your API tokens are turned off." if revoked else ""), "success")
    return redirect(url_for("settings.index"), 303)
