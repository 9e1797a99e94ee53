"""Settings for every signed-in user: personal access tokens for the JSON API, where else they are logged in."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from selfcare.access import role_required, signed_in
from selfcare.fields import Form
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
    return _page(TokenForm())


@bp.route("/tokens", methods=["POST"])
@signed_in
def create_token() -> Response:
    """Make a token and show it once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        made = tokens.create_token(current_user, form.name.data)
    except tokens.TooManyTokens:
        form.name.errors = [f"You have {tokens.MAX_ACTIVE} tokens already. Revoke one you no longer use first."]
        return _page(form, status=422)
    return _page(TokenForm(formdata=None), new_secret=made.secret, status=201)


@bp.route("/tokens/<int(min=1, max=2147483647):token_id>/revoke", methods=["POST"])
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
    url = url_for("calendar.feed", secret=made.secret, _external=True)
    return _page(TokenForm(formdata=None), new_calendar_url=url, status=201)


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
    """Log out on every other phone or browser (a lost phone, a shared computer); this one stays logged in."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    ended = login_sessions.end_all(current_user, keep=current_user.login_key)
    where = "phone or browser" if ended == 1 else "phones or browsers"
    flash(f"Logged out on {ended} other {where}." if ended else "You were not logged in anywhere else.", "success")
    return redirect(url_for("settings.index"), 303)
