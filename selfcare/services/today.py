"""What the Today page shows: one next action, the day's sets, the last result and due prompts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from selfcare.clinical import Level, Phase, Prompt, ScreenKind
from selfcare.models import Alert, ExerciseSet, Profile, User
from selfcare.prepared import prepared
from selfcare.services import alerts, player
from selfcare.services.profiles import UNREAD
from selfcare.services.reevaluation import patient_history, prompts_for
from selfcare.timeutil import day_bounds, local_now, to_local, to_utc
from selfcare.words import describe_response


@dataclass(frozen=True)
class NextAction:
    """The one thing to do now: a sentence, a button label and where it goes."""

    kind: str
    text: str
    label: str
    endpoint: str
    args: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Today:
    """Everything on the Today page."""

    action: NextAction
    sets_done: int
    sets_planned: int
    last_result: str | None
    checked_in_today: bool
    alerts: list[Alert]
    prompts: tuple[Prompt, ...]
    pause_message: str | None


def _next_action(patient: User, open_alerts: list[Alert], view: player.PlayerView, checked_in: bool, now: datetime) -> NextAction:
    """Safety first, then the check-in, then the plan."""
    urgent = [a for a in open_alerts if Level(a.level) >= Level.URGENT]
    if urgent:
        return NextAction("alert", "Please read your alert and do what it says.", "Read your alert", "patient.show_alert", (("alert_id", urgent[0].id),))
    if view.paused_by_therapist:
        return NextAction("paused", "Your physical therapist has paused your exercises. Please contact them.", "See the message", "patient.player_page")
    screen = view.screen
    if screen.kind == ScreenKind.EMERGENCY:
        return NextAction("blocked", "No exercises today. Follow the advice you were given.", "See why", "patient.player_page")
    if screen.kind == ScreenKind.STOP_CONTACT_PT:
        return NextAction("contact_pt", "Stop the exercises for today and contact your physical therapist.", "See why", "patient.player_page")
    if not checked_in:
        return NextAction("checkin", "Start with your daily check-in. It takes about a minute.", "Check in", "patient.checkin")
    if view.state.phase in (Phase.STEP, Phase.RECHECK):
        return NextAction("resume", "You are part-way through a set.", "Carry on with your set", "patient.player_page")
    if screen.kind in (ScreenKind.REPEAT_LATER, ScreenKind.DONE_FOR_TODAY) and screen.next_at is not None:
        if screen.kind == ScreenKind.DONE_FOR_TODAY:
            return NextAction("done", "You have done your sets for today. Well done. Take a short walk if you can.", "See your plan", "patient.player_page")
        return NextAction("wait", f"Your next set is at {screen.next_at.strftime('%H:%M')}.", "See your plan", "patient.player_page")
    return NextAction("set", "Time for a set of your exercises.", "Start a set", "patient.player_page")


# Today's own read, run on every view (see prepared.py): only the columns shown, as a plain row.
LAST_RESULT = prepared(
    lambda patient: ExerciseSet.select(
        ExerciseSet.response, ExerciseSet.before_zone, ExerciseSet.after_zone, ExerciseSet.finished_at,
    ).where((ExerciseSet.patient == patient) & ExerciseSet.response.is_null(False)).order_by(ExerciseSet.finished_at.desc()).limit(1)
)


def _last_result(patient: User) -> tuple[str, str, str | None, datetime] | None:
    """The newest set with a result: (response, zone before, zone after, finished at as stored), or None."""
    _, cursor = LAST_RESULT.cursor(patient=patient.id)
    row = cursor.fetchone()
    cursor.fetchall()  # finish the statement (see Prepared.scalar)
    if row is None:
        return None
    response, before, after, finished = row
    # SQLite gives the stored text (fromisoformat, as peewee would read it), PostgreSQL a datetime.
    return response, before, after, datetime.fromisoformat(finished) if isinstance(finished, str) else finished


def build_today(patient: User, now: datetime | None = None, open_alerts: list[Alert] | None = None,
                profile: Profile | None = UNREAD) -> Today:
    """Gather the Today page for a patient at `now` (the open alerts and profile are read unless given)."""
    local = local_now(patient, now)
    start, end = day_bounds(patient, local.date())
    view = player.load(patient, local)
    open_alerts = alerts.unconfirmed(patient) if open_alerts is None else open_alerts
    # The re-evaluation history holds every check-in of the last 60 days (today's too): no query of its own.
    # (None only before onboarding, when the patient gate shows onboarding instead of Today.)
    history = patient_history(patient, to_utc(local), profile)
    day = (start.replace(tzinfo=timezone.utc), end.replace(tzinfo=timezone.utc))
    checked_in = history is not None and any(day[0] <= c.at < day[1] for c in history.checkins)
    last = _last_result(patient)
    last_result = None
    if last is not None:
        response, before_zone, after_zone, finished_at = last
        last_result = describe_response(response, before_zone, after_zone)
        if not start <= finished_at < end:
            last_result += f" (on {to_local(patient, finished_at):%-d %B})"
    return Today(
        action=_next_action(patient, open_alerts, view, checked_in, local),
        sets_done=player.sets_done_between(patient, start, end),
        sets_planned=view.plan.sets_per_day(),
        last_result=last_result,
        checked_in_today=checked_in,
        alerts=open_alerts,
        prompts=prompts_for(history, to_utc(local)),
        pause_message=view.setting.pause_message if view.paused_by_therapist and view.setting else None,
    )
