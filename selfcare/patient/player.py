"""The protocol player: one step per screen, timers as deadlines, stop rules one tap away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import http_cache
from selfcare.access import role_required
from selfcare.clinical import Event, EventKind, Level, ScreenKind
from selfcare.content import current_content, region_of
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.patient import set_start
from selfcare.patient.checkin import answered_red_flags, assessed_questions, reading_from, red_flag_answers
from selfcare.patient.forms import ClearedForm, RecheckForm, red_flag_field_name
from selfcare.services import holds, player, screens, sessions
from selfcare.services.care import has_therapist
from selfcare.services.checkins import report_red_flags
from selfcare.timeutil import local_now
from selfcare.words import describe_response

# Events the step buttons may send; START and RECHECK_DONE come with their own forms.
BUTTON_EVENTS = {
    EventKind.STEP_DONE, EventKind.TIMER_ENDED, EventKind.SYMPTOMS_PERIPHERALIZED, EventKind.LEG_PAIN_WORSE, EventKind.QUIT,
}


def state_token(view: player.PlayerView) -> str:
    """Names the screen a button was pressed on, so a double tap or an old page cannot skip a step."""
    return f"{view.state.phase.value}:{view.state.index}"


RESULT_SCREENS = {ScreenKind.REPEAT_LATER, ScreenKind.PROGRESS, ScreenKind.DONE_FOR_TODAY, ScreenKind.STOP_CONTACT_PT, ScreenKind.PLAN_HELD}
STOP_SCREENS = {ScreenKind.STOP_CONTACT_PT, ScreenKind.PLAN_HELD}
# Screens whose advice depends on whether a therapist looks after the patient (CLINICAL.md §4: no PT, see one).
ADVICE_SCREENS = {ScreenKind.STOP_CONTACT_PT, ScreenKind.PLAN_HELD, ScreenKind.URGENT}


def _render(view: player.PlayerView, form: object = None, status: int = 200, cleared_form: object = None,
            note: str | None = None) -> tuple[str, int]:
    """The player page for the current screen."""
    kind = view.screen.kind
    if form is None and kind == ScreenKind.START:
        form = set_start.start_form()  # the whole red-flag list once a day, else one question
    if form is None and kind == ScreenKind.RECHECK:
        form = RecheckForm()
    if cleared_form is None and kind == ScreenKind.URGENT and view.screen.until_cleared:
        cleared_form = ClearedForm()
    last = player.last_finished_set(current_user) if kind in RESULT_SCREENS else None
    if last is not None and kind in STOP_SCREENS and last.outcome != kind.value:
        last = None  # the stop came outside a set: the set before it is not what stopped the plan
    result = describe_response(last.response, last.before_zone, last.after_zone) if last and last.response else None
    urgent = next((a for a in g.open_alerts if Level(a.level) >= Level.URGENT), None)  # read by the gate
    return render_template(
        "patient/player.html", view=view, screen=view.screen, form=form, token=state_token(view), result=result,
        questions=current_content().red_flags.questions, red_flag_name=red_flag_field_name,
        since_last=isinstance(form, set_start.SinceLastForm), start_note=note,
        open_alert=urgent, region=region_of(current_user), plan=view.plan, now_iso=datetime.now(timezone.utc).isoformat(),
        now_local=local_now(current_user), cleared_form=cleared_form,
        has_therapist=has_therapist(current_user) if kind in ADVICE_SCREENS else None,
        # Any stop resets progression (CLINICAL.md §4): say so when the stopped set was above the base dose.
        back_to_base=bool(last and kind in STOP_SCREENS and last.sets > view.plan.sets_for(False)),
        released=holds.released_since_last_set(current_user) if kind == ScreenKind.START else None,
    ), status


@bp.route("/exercises")
@role_required(Role.PATIENT)
@http_cache.etag(http_cache.patient_page(timer_on_page=True))
def player_page() -> tuple[str, int]:
    """Where the patient is in the plan; a reload shows the same step and the same timer."""
    return _render(player.load(current_user))


@bp.route("/exercises/start", methods=["POST"])
@role_required(Role.PATIENT)
def start_set() -> Response | tuple[str, int]:
    """The red-flag screen and the before-reading, then the first step (or the alert, if a red flag is yes)."""
    view = player.load(current_user)
    if view.screen.kind != ScreenKind.START:
        return redirect(url_for("patient.player_page"), 303)  # already started, e.g. a second tap
    if set_start.since_last_posted(request.form):
        return _start_since_last(view)
    assessed = assessed_questions(current_user)
    form = set_start.full_form(assessed)
    if not form.validate_on_submit():
        early = report_red_flags(current_user, answered_red_flags(form), sessions.SOURCE)
        if early is not None and Level(early.level) >= Level.URGENT:
            return redirect(url_for("patient.show_alert", alert_id=early.id), 303)  # a red flag never waits for the rest
        return _render(view, form, 422)
    return _started(view, lambda: sessions.start_set(
        current_user, red_flag_answers(form), reading_from(form), assessed=tuple(assessed)))


def _start_since_last(view: player.PlayerView) -> Response | tuple[str, int]:
    """The one question before a later set: "no" starts it; "yes", or a new day since the page was shown, brings
    back the whole list (the reading kept, no answer chosen for the patient)."""
    form = set_start.SinceLastForm()
    if form.anything_new.data == "yes":
        screens.said_yes(current_user, sessions.SOURCE)
        return _render(view, set_start.full_form(), note=set_start.SAID_YES)
    if screens.full_due(current_user):
        return _render(view, set_start.full_form(), note=set_start.FIRST_TODAY)
    if not form.validate_on_submit():
        return _render(view, form, 422)
    return _started(view, lambda: sessions.start_set(current_user, None, reading_from(form), anything_new=False))


def _started(view: player.PlayerView, start: Callable[[], sessions.Started]) -> Response | tuple[str, int]:
    """Start the set: to its first step, or to the alert a red flag raised."""
    try:
        alert = start().alert
    except player.PausedByTherapist:
        flash(f"Your {region_of(current_user).therapist} has paused your exercises.", "info")
        return redirect(url_for("patient.player_page"), 303)
    except sessions.FullScreenNeeded:  # midnight passed between the page and the start
        return _render(view, set_start.full_form(), note=set_start.FIRST_TODAY)
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


@bp.route("/exercises/cleared", methods=["POST"])
@role_required(Role.PATIENT)
def confirm_cleared() -> Response | tuple[str, int]:
    """After fever or trauma: "a doctor has seen me since this alert and said exercise is fine" lifts the wait for
    clearance (today's pause still lasts the day); it counts only while the plan waits for it, and only ticked."""
    view = player.load(current_user)
    if not (view.screen.kind == ScreenKind.URGENT and view.screen.until_cleared):
        return redirect(url_for("patient.player_page"), 303)
    form = ClearedForm()
    if not form.validate_on_submit():
        return _render(view, status=422, cleared_form=form)
    holds.clear(current_user)
    flash("Thank you. We have noted that a doctor has said exercise is fine.", "success")
    return redirect(url_for("patient.player_page"), 303)
