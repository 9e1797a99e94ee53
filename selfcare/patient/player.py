"""The protocol player: one step per screen, timers as deadlines, stop rules one tap away."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.clinical import Event, EventKind, Level, ScreenKind
from selfcare.content import current_content, regions
from selfcare.models import Role
from selfcare.patient import bp, form_html
from selfcare.patient.checkin import answered_red_flags, reading_from, red_flag_answers
from selfcare.patient.forms import RecheckForm, red_flag_field_name, start_set_form
from selfcare.services import player, sessions
from selfcare.services.checkins import report_red_flags
from selfcare.words import describe_response

# Events the step buttons may send; START and RECHECK_DONE come with their own forms.
BUTTON_EVENTS = {
    EventKind.STEP_DONE, EventKind.TIMER_ENDED, EventKind.SYMPTOMS_PERIPHERALIZED, EventKind.LEG_PAIN_WORSE, EventKind.QUIT,
}


def state_token(view: player.PlayerView) -> str:
    """Names the screen a button was pressed on, so a double tap or an old page cannot skip a step."""
    return f"{view.state.phase.value}:{view.state.index}"


RESULT_SCREENS = {ScreenKind.REPEAT_LATER, ScreenKind.PROGRESS, ScreenKind.DONE_FOR_TODAY, ScreenKind.STOP_CONTACT_PT}


def _render(view: player.PlayerView, form: object = None, status: int = 200) -> tuple[str, int]:
    """The player page for the current screen."""
    kind = view.screen.kind
    if form is None and kind == ScreenKind.START:
        form = start_set_form()
    if form is None and kind == ScreenKind.RECHECK:
        form = RecheckForm()
    last = player.last_finished_set(current_user) if kind in RESULT_SCREENS else None
    result = describe_response(last.response, last.before_zone, last.after_zone) if last and last.response else None
    urgent = next((a for a in g.open_alerts if Level(a.level) >= Level.URGENT), None)  # read by the gate
    return render_template(
        "patient/player.html", view=view, screen=view.screen, form=form, token=state_token(view), result=result,
        questions=current_content().red_flags.questions, red_flag_name=red_flag_field_name, form_html=form_html,
        open_alert=urgent, region=regions().get(current_user.region), plan=view.plan, now_iso=datetime.now(timezone.utc).isoformat(),
    ), status


@bp.route("/exercises")
@role_required(Role.PATIENT)
def player_page() -> tuple[str, int]:
    """Where the patient is in the plan; a reload shows the same step and the same timer."""
    return _render(player.load(current_user))


@bp.route("/exercises/start", methods=["POST"])
@role_required(Role.PATIENT)
def start_set() -> Response | tuple[str, int]:
    """Red flags and the before-reading, then the first step (or the alert, if a red flag is yes)."""
    view = player.load(current_user)
    form = start_set_form()
    if view.screen.kind != ScreenKind.START:
        return redirect(url_for("patient.player_page"), 303)  # already started, e.g. a second tap
    if not form.validate_on_submit():
        early = report_red_flags(current_user, answered_red_flags(form), sessions.SOURCE)
        if early is not None and Level(early.level) >= Level.URGENT:
            return redirect(url_for("patient.show_alert", alert_id=early.id), 303)  # a red flag never waits for the rest
        return _render(view, form, 422)
    try:
        alert = sessions.start_set(current_user, red_flag_answers(form), reading_from(form)).alert
    except player.PausedByTherapist:
        flash("Your physical therapist has paused your exercises.", "info")
        return redirect(url_for("patient.player_page"), 303)
    if alert is not None:
        return redirect(url_for("patient.show_alert", alert_id=alert.id), 303)
    return redirect(url_for("patient.player_page"), 303)


@bp.route("/exercises/event", methods=["POST"])
@role_required(Role.PATIENT)
def player_event() -> Response:
    """A button on a step: done, timer ended, symptoms moved down, leg pain worse, or stop this set."""
    try:
        kind = EventKind(request.form.get("event", ""))
    except ValueError:
        abort(400)
    if kind not in BUTTON_EVENTS:
        abort(400)
    view = player.load(current_user)
    stop_rule = kind in (EventKind.SYMPTOMS_PERIPHERALIZED, EventKind.LEG_PAIN_WORSE)
    if stop_rule or request.form.get("token") == state_token(view):  # a stop always counts; others only once
        player.apply(current_user, Event(kind))
    return redirect(url_for("patient.player_page"), 303)


@bp.route("/exercises/recheck", methods=["POST"])
@role_required(Role.PATIENT)
def recheck() -> Response | tuple[str, int]:
    """After the walk: where symptoms reach now; the clinical core decides what comes next."""
    view = player.load(current_user)
    if view.screen.kind != ScreenKind.RECHECK:
        return redirect(url_for("patient.player_page"), 303)
    form = RecheckForm()
    if not form.validate_on_submit():  # the re-check asks no red-flag questions: nothing to report early
        return _render(view, form, 422)
    checked = sessions.recheck(current_user, reading_from(form))
    if checked.alert is not None and Level(checked.alert.level) >= Level.URGENT:
        return redirect(url_for("patient.show_alert", alert_id=checked.alert.id), 303)
    return redirect(url_for("patient.player_page"), 303)
