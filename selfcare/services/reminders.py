"""Reminders as a calendar (iCalendar, RFC 5545): the patient's planned set times and daily movement breaks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

from selfcare.clinical import Advice, Plan, ScreenKind, fill, upcoming_set_times
from selfcare.content import current_content, region_of
from selfcare.models import User
from selfcare.services import player
from selfcare.services.profiles import get_profile
from selfcare.timeutil import local_now, zone_of

DAYS = 14  # today and the next 13 days; a subscribed calendar refreshes long before they run out
SET_BLOCK = timedelta(minutes=15)  # how long a set looks in the calendar: room for one set, not a clinical number
REFRESH = timedelta(hours=1)  # how often a subscribed calendar should fetch again (plan changes show up)
PRODID = "-//selfcare//Reminders//EN"
NAME = "selfcare"
SITTING_ADVICE = "sitting_breaks"  # content/advice.toml: break up sitting every 20 to 30 minutes

ABOUT = "Your exercise times from selfcare, and a daily reminder to break up sitting. Times are on your own clock."
NOT_READY = "No reminders yet: finish setting up selfcare first, and your exercise times will appear here."
PAUSED_SUMMARY, STOPPED_SUMMARY = "Exercises paused", "No more exercises today"
PAUSED = "Your therapist has paused your exercises, so no exercise times are shown. Open selfcare to read their message."
STOPPED_TODAY = "No more exercise sets today. Open selfcare to see why and what to do next."
# No end time: held after a stop until the therapist has looked at it, or paused after fever or trauma until cleared
# (CLINICAL.md §4 and §2): no exercise times at all, whatever the days ahead.
HELD_SUMMARY, WAITING_SUMMARY = "Exercises on hold", "Exercises paused"
HELD = "Your exercises are on hold, so no exercise times are shown. Open selfcare to see why and what to do."
WAITING = ("Your exercises are paused until a doctor has seen you and said exercise is fine, so no exercise times are shown. "
           "Open selfcare to see what to do.")
SET_SUMMARY = "Exercise set"
SET_ALARM = "Time for your exercises. Open selfcare to start."
BREAK_SUMMARY = "Movement breaks: get up from sitting every 20 to 30 minutes"  # as the player says (advice.toml sitting_breaks)


def _uid(kind: str, moment: date | datetime, patient: User) -> str:
    """A UID that stays the same for the same entry, so a calendar app updates it rather than adding it twice."""
    stamp = moment.strftime("%Y%m%dT%H%M") if isinstance(moment, datetime) else moment.strftime("%Y%m%d")
    return f"{kind}-{stamp}-{patient.id}@selfcare"


def _plain(text: str) -> str:
    """Content text as calendar text: the line breaks of the TOML source go, blank-line paragraphs stay."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.split("\n\n"))


def _sitting_advice() -> Advice:
    """The "break up sitting" advice from content/ (its source is named there)."""
    for advice in current_content().advice:
        if advice.id == SITTING_ADVICE:
            return advice
    raise KeyError(f"content/advice.toml has no advice with id {SITTING_ADVICE!r}")


def _set_event(patient: User, plan: Plan, start: datetime, stamp: datetime, link: str | None) -> Event:
    """One planned set, with a reminder when it is due."""
    event = Event.new(
        uid=_uid("set", start, patient), stamp=stamp, start=start, end=start + SET_BLOCK, summary=SET_SUMMARY,
        # protocol.toml [plan] stop_rule: the one thing to keep in mind during every set.
        description=f"{_plain(plan.stop_rule)}\n\nOpen selfcare to start: it asks how your leg feels before and after.",
        url=link,
    )
    event.add("TRANSP", "TRANSPARENT")  # a reminder, not a meeting: the time still shows as free
    event.add_component(Alarm.new_display(SET_ALARM, timedelta(0)))
    return event


def _break_event(patient: User, plan: Plan, day: date, zone: tzinfo, stamp: datetime) -> Event:
    """Movement breaks through the waking hours of one day."""
    advice = _sitting_advice()
    event = Event.new(
        uid=_uid("movement", day, patient), stamp=stamp, summary=BREAK_SUMMARY, description=_plain(fill(advice.text, region_of(patient))),
        start=datetime.combine(day, plan.waking_start, tzinfo=zone), end=datetime.combine(day, plan.waking_end, tzinfo=zone),
    )
    event.add("TRANSP", "TRANSPARENT")
    return event


def _note_event(patient: User, day: date, summary: str, text: str, stamp: datetime) -> Event:
    """A note on today, for the whole day, saying why there are no exercise times."""
    event = Event.new(uid=_uid("note", day, patient), stamp=stamp, summary=summary, description=text)
    event.add("DTSTART", day)
    event.add("DTEND", day + timedelta(days=1))
    event.add("TRANSP", "TRANSPARENT")
    return event


def build(patient: User, now: datetime, link: str | None = None) -> Calendar:
    """The patient's reminders from the day of `now` for DAYS days; `link` opens the app from an event."""
    local = local_now(patient, now)
    today, zone = local.date(), zone_of(patient)
    stamp = local.astimezone(timezone.utc)
    calendar = Calendar.new(
        prodid=PRODID, name=NAME, uid=f"reminders-{patient.id}@selfcare", refresh_interval=REFRESH, description=ABOUT,
    )
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))  # the older name for REFRESH-INTERVAL, which more apps read
    if get_profile(patient) is None:
        calendar.description = NOT_READY
    else:
        view = player.load(patient, now)
        times = () if view.paused_by_therapist else upcoming_set_times(view.plan, view.screen, local, DAYS)
        note = (
            (PAUSED_SUMMARY, PAUSED) if view.paused_by_therapist
            else (HELD_SUMMARY, HELD) if view.screen.kind == ScreenKind.PLAN_HELD
            else (WAITING_SUMMARY, WAITING) if view.screen.until_cleared
            else (STOPPED_SUMMARY, STOPPED_TODAY) if len(times) < DAYS * view.plan.sets_per_day() else None
        )
        if note is not None:
            calendar.description = f"{ABOUT} {note[1]}"  # one line: icalendar cannot escape a line break in X-WR-CALDESC
            calendar.add_component(_note_event(patient, today, *note, stamp))
        for start in times:
            calendar.add_component(_set_event(patient, view.plan, start, stamp, link))
        for day in (today + timedelta(days=n) for n in range(DAYS)):
            calendar.add_component(_break_event(patient, view.plan, day, zone, stamp))
    first, last = today - timedelta(days=1), today + timedelta(days=DAYS + 1)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    if not calendar.subcomponents:  # RFC 5545 asks for at least one component: the patient's time zone
        calendar.add_component(Timezone.from_tzid(zone.key, first_date=first, last_date=last))
    return calendar


def to_ics(patient: User, now: datetime, link: str | None = None) -> bytes:
    """The patient's reminders as iCalendar text (UTF-8, CRLF line ends)."""
    return build(patient, now, link).to_ical()
