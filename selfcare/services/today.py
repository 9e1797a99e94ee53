"""What the Today page shows: one next action, the day's sets, the last result, how things are changing and due prompts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from peewee import JOIN, fn

from selfcare.clinical import NO_MORE_SETS_TODAY, History, Level, Phase, Prompt, Reading, ScreenKind, fill, summarize_trend
from selfcare.clinical.reevaluation import rules_reach
from selfcare.content import current_content, region_of
from selfcare.models import Alert, ExerciseSet, Profile, User
from selfcare.progress_words import ProgressWords  # the progress line: getting better, about the same, getting worse
from selfcare.services import alerts, holds, player
from selfcare.services import history as history_service
from selfcare.services.care import has_therapist
from selfcare.services.profiles import UNREAD
from selfcare.services.reevaluation import patient_history, prompts_for
from selfcare.statements import Statement
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
    sets_planned: int  # 0 while the plan is held, blocked or stopped for the day
    last_result: str | None
    checked_in_today: bool
    alerts: list[Alert]
    prompts: tuple[Prompt, ...]
    pause_message: str | None
    resumed: str | None = None  # the therapist turned the plan back on (after a hold), until the next set
    progress: ProgressWords | None = None  # how things are changing over the last PROGRESS_DAYS days (None before onboarding)


def _next_action(patient: User, open_alerts: list[Alert], view: player.PlayerView, checked_in: bool, now: datetime) -> NextAction:
    """Safety first, then a plan that cannot start (why, and what lifts it), then the check-in, then the plan."""
    urgent = [a for a in open_alerts if Level(a.level) >= Level.URGENT]
    if urgent:
        return NextAction("alert", "Please read your alert and do what it says.", "Read your alert", "patient.show_alert", (("alert_id", urgent[0].id),))
    words = region_of(patient).words()
    therapist = words["therapist"]
    if view.paused_by_therapist:
        return NextAction("paused", f"Your {therapist} has paused your exercises. Please contact them.", "See the message", "patient.player_page")
    screen = view.screen
    if screen.kind == ScreenKind.EMERGENCY:
        return NextAction("blocked", "No exercises today. Follow the advice you were given.", "See why", "patient.player_page")
    if screen.kind == ScreenKind.PLAN_HELD:  # CLINICAL.md §4: a stop holds the plan until the PT has looked at it
        text = (f"Your exercises are on hold until your {therapist} has looked at them. Please contact them."
                if has_therapist(patient) else
                f"Your exercises are on hold. This plan may not suit you. Please see a {therapist} or {words['doctor']} before you carry on.")
        return NextAction("held", text, "See why", "patient.player_page")
    if screen.kind == ScreenKind.URGENT:  # CLINICAL.md §2: urgent blocks the day; fever or trauma until cleared
        if screen.until_cleared:
            lift = " or your " + therapist + " turns them back on" if has_therapist(patient) else ""
            return NextAction("cleared", f"Your exercises are paused until a doctor has seen you and said exercise is fine{lift}.",
                              "See what to do", "patient.player_page")
        return NextAction("urgent", "No exercise set today. One of your answers means you should speak to a doctor today.",
                          "See why", "patient.player_page")
    if screen.kind == ScreenKind.STOP_CONTACT_PT:
        text = f"Stop the exercises for today and tell your {therapist}." if has_therapist(patient) else "Stop the exercises for today."
        return NextAction("contact_pt", text, "See why", "patient.player_page")
    if not checked_in:
        return NextAction("checkin", "Start with your daily check-in. It takes about a minute.", "Check in", "patient.checkin")
    if view.state.phase in (Phase.STEP, Phase.RECHECK):
        return NextAction("resume", "You are part-way through a set.", "Carry on with your set", "patient.player_page")
    if screen.kind in (ScreenKind.REPEAT_LATER, ScreenKind.DONE_FOR_TODAY) and screen.next_at is not None:
        if screen.kind == ScreenKind.DONE_FOR_TODAY:
            return NextAction("done", "You have done your sets for today. Well done. Take a short walk if you can.", "See your plan", "patient.player_page")
        return NextAction("wait", f"Your next set is at {screen.next_at.strftime('%H:%M')}.", "See your plan", "patient.player_page")
    return NextAction("set", "Time for a set of your exercises.", "Start a set", "patient.player_page")


def _sets_query(patient: int, start: datetime, end: datetime) -> Any:
    """Today's sets in one row: the newest set with a result (response, zone before, zone after, finished at; all
    None when there is none), how many sets started from `start` to before `end` have a result, and whether the
    therapist has re-enabled the plan since the last set started (holds.newest_release)."""
    last, newest, done_today = ExerciseSet.alias(), ExerciseSet.alias(), ExerciseSet.alias()
    newest_result = (newest.select(newest.id).where((newest.patient == User.id) & newest.response.is_null(False))
                     .order_by(newest.finished_at.desc()).limit(1))
    sets_done = (done_today.select(fn.COUNT(done_today.id))
                 .where((done_today.patient == User.id) & (done_today.started_at >= start) & (done_today.started_at < end)
                        & done_today.response.is_null(False)))
    return (
        User.select(last.response, last.before_zone, last.after_zone, last.finished_at,
                    sets_done.alias("sets_done"), fn.EXISTS(holds.newest_release(User.id)).alias("released"))
        .join(last, JOIN.LEFT_OUTER, on=(last.id == newest_result))
        .where(User.id == patient)
    )


SETS = Statement(_sets_query)


@dataclass(frozen=True)
class Sets:
    """What Today says about sets, read in one statement."""

    last: tuple[str, str, str | None, datetime] | None  # the newest result: response, zones before and after, finished at
    done: int  # sets started today with a result
    released: bool  # the therapist has re-enabled the plan, and no set has started since


def _sets(patient: User, start: datetime, end: datetime) -> Sets:
    """Today's sets for the day from `start` to before `end` (stored UTC): one statement."""
    row = SETS.first(patient=patient.id, start=start, end=end)
    if row is None:  # no such patient (the account was just deleted)
        return Sets(None, 0, False)
    response, before_zone, after_zone, finished_at, done, released = row
    last = None if response is None else (response, before_zone, after_zone, finished_at)
    return Sets(last, int(done), bool(released))


def _in_words(patient: User, prompts: tuple[Prompt, ...]) -> tuple[Prompt, ...]:
    """The prompts with the patient's region's words in their text ("your physiotherapist" in the UK)."""
    region = region_of(patient)
    return tuple(dataclasses.replace(p, patient_text=fill(p.patient_text, region)) for p in prompts)


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
    progress = _progress(patient, history, local)
    sets = _sets(patient, start, end)
    last_result = None
    if sets.last is not None:
        response, before_zone, after_zone, finished_at = sets.last
        # No praise for one set while the days say worse (progress_words: never praise while worse).
        last_result = describe_response(response, before_zone, after_zone, praise=not (progress and progress.worse))
        if not start <= finished_at < end:
            last_result += f" (on {to_local(patient, finished_at):%-d %B})"
    return Today(
        action=_next_action(patient, open_alerts, view, checked_in, local),
        sets_done=sets.done,
        # No set can start on a held or blocked day (clinical.NO_MORE_SETS_TODAY): none are planned.
        sets_planned=0 if view.screen.kind in NO_MORE_SETS_TODAY or view.paused_by_therapist else view.plan.sets_per_day(),
        last_result=last_result,
        checked_in_today=checked_in,
        alerts=open_alerts,
        prompts=_in_words(patient, prompts_for(history, to_utc(local))),
        pause_message=view.setting.pause_message if view.paused_by_therapist and view.setting else None,
        resumed=_resumed(patient, view, sets.released),
        progress=progress,
    )


def _resumed(patient: User, view: player.PlayerView, released: bool) -> str | None:
    """"Your therapist turned your exercises back on", from their re-enabling until the next set starts."""
    if view.paused_by_therapist or view.screen.kind != ScreenKind.START or not released:
        return None
    return f"Your {region_of(patient).therapist} has looked at your plan and turned your exercises back on."


PROGRESS_DAYS = 14  # Today's progress line: the same window as History's 14 days and the caseload's trend


def _progress(patient: User, history: History | None, local: datetime) -> ProgressWords | None:
    """Getting better, about the same or getting worse over the last 14 days on the patient's clock, from the same
    check-ins History's 14 days read. The re-evaluation history already holds them when its rules read back 14 days
    or more (content/reevaluation.toml); else they are read here (three queries)."""
    if history is None:
        return None
    content = current_content()
    period = history_service.period_for(patient, PROGRESS_DAYS, local)
    if rules_reach(content.reevaluation)[1] + 1 < PROGRESS_DAYS:
        summary = history_service.trend_of(patient, history_service.fetch(patient, period), content.trend_rule)
    else:
        start, end = (moment.replace(tzinfo=timezone.utc) for moment in (period.start, period.end))
        tz = local.tzinfo
        readings: list[tuple[datetime, Reading]] = [(c.at.astimezone(tz), c.reading) for c in history.checkins
                                                    if c.reading is not None and start <= c.at < end]
        summary = summarize_trend(readings, content.trend_rule)
    return history_service.progress_of(patient, summary, PROGRESS_DAYS, content.trend_rule)
