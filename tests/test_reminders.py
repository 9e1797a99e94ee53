"""Reminders as a calendar: the feed's contents, the private link on Settings, and who may reach what."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from selfcare.clinical import Event, EventKind, Level, Reading
from selfcare.content import current_content
from selfcare.db import db
from selfcare.models import MODELS, CalendarFeed, SchemaVersion
from selfcare.schema import LATEST
from selfcare.services import calendar_links, player, plans, reminders
from tests.conftest import client_for, csrf_from
from tests.factories import make_onboarded_patient, make_patient, make_therapist

# 12:00 UTC is 05:00 in Los Angeles on Saturday 31 October 2026; the clocks go back at 02:00 on Sunday.
NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
LA = "America/Los_Angeles"
URL_RE = re.compile(r'value="(http://localhost/calendar/[A-Za-z0-9_\-]+\.ics)"')


def press(client: FlaskClient, path: str, csrf: bool = True):
    """Press a button on the settings page (with the page's own CSRF token unless told otherwise)."""
    data = {"csrf_token": csrf_from(client.get("/settings").get_data(as_text=True))} if csrf else {}
    return client.post(path, data=data)


def link_in(response) -> str:
    """The path of the calendar link shown on the page after making it."""
    match = URL_RE.search(response.get_data(as_text=True))
    assert match, "no calendar link on the page"
    return urlsplit(match.group(1)).path


def fetch(app: Flask, path: str):
    """GET the feed like a calendar app: no cookies, no login."""
    return app.test_client().get(path)


def calendar_of(app: Flask, patient, now: datetime = NOW) -> Calendar:
    """The patient's reminders built by the service at `now`, parsed back."""
    with app.app_context():
        return Calendar.from_ical(reminders.to_ics(patient, now))


def sets(calendar: Calendar) -> list:
    """The exercise-set events, in order."""
    return [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == reminders.SET_SUMMARY]


def breaks(calendar: Calendar) -> list:
    """The daily movement-break events."""
    return [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == reminders.BREAK_SUMMARY]


def planned_clock(app: Flask, **changes) -> list[str]:
    """HH:MM of each planned set in a day, worked out from the plan's own numbers."""
    with app.app_context():
        plan = current_content().plan
    every = changes.get("repeat_every_minutes", plan.repeat_every_minutes)
    first = datetime.combine(date(2026, 1, 1), plan.waking_start)
    times = [first + timedelta(minutes=every * n) for n in range(100)]
    return [t.strftime("%H:%M") for t in times if t.time() <= plan.waking_end and t.date() == first.date()]


def everything_stored() -> str:
    """Every value in every row of every table, as one string."""
    return "\n".join(str(value) for model in MODELS for row in model.select().dicts() for value in row.values())


# --- What the feed holds ---

def test_set_times_are_the_plans_on_the_patients_own_clock_across_a_clock_change(app):
    patient = make_onboarded_patient(timezone=LA)
    calendar = calendar_of(app, patient)
    clock = planned_clock(app)
    events = sets(calendar)
    assert len(events) == 14 * len(clock)  # today and the next 13 days
    assert all(e["DTSTART"].params["TZID"] == LA and str(e.start.tzinfo) == LA for e in events)
    by_day: dict[date, list[str]] = {}
    for event in events:
        by_day.setdefault(event.start.date(), []).append(event.start.strftime("%H:%M"))
    assert sorted(by_day) == [date(2026, 10, 31) + timedelta(days=n) for n in range(14)]
    assert all(times == clock for times in by_day.values())
    # The same wall-clock time is a different UTC instant once the clocks go back (PDT -7, then PST -8).
    assert events[0].start.astimezone(UTC) == datetime(2026, 10, 31, 15, 0, tzinfo=UTC)
    assert events[len(clock)].start.astimezone(UTC) == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    assert [tz.tz_name for tz in calendar.timezones] == [LA]
    for event in events:  # each with a short reminder on the screen when it is due
        (alarm,) = event.walk("VALARM")
        assert (str(alarm["ACTION"]), alarm["TRIGGER"].dt, str(alarm["DESCRIPTION"])) == ("DISPLAY", timedelta(0), reminders.SET_ALARM)
        assert event.end - event.start == reminders.SET_BLOCK
        assert event.stamp == NOW


def test_the_calendar_names_itself_and_carries_the_content_texts(app):
    patient = make_onboarded_patient(timezone="Europe/London")
    calendar = calendar_of(app, patient)
    assert str(calendar["PRODID"]) == reminders.PRODID and str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "selfcare"
    assert str(calendar["X-WR-CALDESC"]) == reminders.ABOUT
    with app.app_context():
        advice = next(a for a in current_content().advice if a.id == "sitting_breaks")
        stop_rule = current_content().plan.stop_rule
    moves = breaks(calendar)
    assert [e.start.date() for e in moves] == [date(2026, 10, 31) + timedelta(days=n) for n in range(14)]
    assert (moves[0].start.strftime("%H:%M"), moves[0].end.strftime("%H:%M")) == ("08:00", "21:00")  # waking hours
    assert str(moves[0]["DESCRIPTION"]) == " ".join(advice.text.split())  # content/advice.toml, its source named there
    assert not moves[0].walk("VALARM")
    assert " ".join(stop_rule.split()) in str(sets(calendar)[0]["DESCRIPTION"])
    text = calendar.to_ical().decode().lower()
    assert not any(word in text for word in ("medicine", "medication", "tablet", "painkiller", "ibuprofen", "dose"))


def test_a_therapists_new_interval_moves_the_times(app):
    patient, therapist = make_onboarded_patient(timezone=LA), make_therapist()
    with app.app_context():
        plans.change_plan(therapist, patient, {"repeat_every_minutes": 120}, paused=False, message=None)
    first_day = [e.start.strftime("%H:%M") for e in sets(calendar_of(app, patient)) if e.start.date() == date(2026, 10, 31)]
    assert first_day == planned_clock(app, repeat_every_minutes=120)
    assert first_day[:2] == ["08:00", "10:00"]


def test_a_paused_plan_has_no_set_times_and_says_why(app):
    patient, therapist = make_onboarded_patient(timezone=LA), make_therapist()
    with app.app_context():
        plans.change_plan(therapist, patient, {}, paused=True, message="Please stop and call me.")
    calendar = calendar_of(app, patient)
    assert sets(calendar) == []
    assert reminders.PAUSED in str(calendar["X-WR-CALDESC"])
    assert "Please stop and call me." not in calendar.to_ical().decode()  # the therapist's words stay in the app
    (note,) = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == reminders.PAUSED_SUMMARY]
    assert note.start == date(2026, 10, 31) and str(note["DESCRIPTION"]) == reminders.PAUSED
    assert len(breaks(calendar)) == 14  # moving about is still advised


@pytest.mark.parametrize(
    "events",
    [
        [Event(EventKind.START, reading=Reading("calf", 6, 2)), Event(EventKind.LEG_PAIN_WORSE)],  # stop for today
        [Event(EventKind.RED_FLAG, level=Level.EMERGENCY)],  # no exercise today
        [Event(EventKind.RED_FLAG, level=Level.URGENT)],  # no exercise for the rest of the day
    ],
    ids=["stopped", "emergency", "urgent"],
)
def test_when_sets_are_over_for_today_the_rest_of_today_is_left_out(app, events):
    patient = make_onboarded_patient(timezone=LA)
    at = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)  # 11:00 in Los Angeles
    with app.app_context():
        for event in events:
            player.apply(patient, event, at)
    calendar = calendar_of(app, patient, at)
    clock = planned_clock(app)
    today = [e.start.strftime("%H:%M") for e in sets(calendar) if e.start.date() == date(2026, 10, 31)]
    assert today == [t for t in clock if t < "11:00"]
    assert len(sets(calendar)) == len(today) + 13 * len(clock)
    assert reminders.STOPPED_TODAY in str(calendar["X-WR-CALDESC"])


@pytest.mark.parametrize(
    ("events", "note"),
    [
        ([Event(EventKind.START, reading=Reading("calf", 6, 2)), Event(EventKind.SYMPTOMS_PERIPHERALIZED)], reminders.HELD),
        ([Event(EventKind.RED_FLAG, level=Level.URGENT, until_cleared=True)], reminders.WAITING),
    ],
    ids=["held", "until_cleared"],
)
def test_a_held_plan_or_a_wait_for_clearance_has_no_set_times_on_any_day(app, events, note):
    """Symptoms further down the leg hold the plan, fever waits for clearance: no set times for 14 days, and why."""
    patient = make_onboarded_patient(timezone=LA)
    at = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    with app.app_context():
        for event in events:
            player.apply(patient, event, at)
    for later in (at, at + timedelta(days=3)):
        calendar = calendar_of(app, patient, later)
        assert sets(calendar) == [] and note in str(calendar["X-WR-CALDESC"])
        assert len(breaks(calendar)) == 14  # moving about is still advised


def test_the_day_after_a_stop_has_every_time_again(app):
    patient = make_onboarded_patient(timezone=LA)
    with app.app_context():
        player.apply(patient, Event(EventKind.START, reading=Reading("calf", 6, 2)), NOW)
        player.apply(patient, Event(EventKind.LEG_PAIN_WORSE), NOW)
    calendar = calendar_of(app, patient, NOW + timedelta(days=1))
    assert len(sets(calendar)) == 14 * len(planned_clock(app))
    assert str(calendar["X-WR-CALDESC"]) == reminders.ABOUT


@pytest.mark.parametrize("factory", [make_patient, make_therapist])
def test_no_plan_yet_gives_an_empty_but_valid_calendar(app, factory):
    user = factory(timezone=LA)  # not onboarded (a therapist has no plan at all)
    calendar = calendar_of(app, user)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALDESC"]) == reminders.NOT_READY
    assert [tz.tz_name for tz in calendar.timezones] == [LA]  # RFC 5545: at least one component


def test_uids_are_stable_within_a_day_and_unique(app):
    patient = make_onboarded_patient(timezone=LA)
    early, later = calendar_of(app, patient), calendar_of(app, patient, NOW + timedelta(hours=1))
    uids = [str(e["UID"]) for e in early.walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in later.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert str(sets(early)[0]["UID"]) == f"set-20261031T0800-{patient.id}@selfcare"


# --- The private link ---

def test_settings_offers_patients_a_calendar_link_shown_once(app):
    patient = make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    page = client.get("/settings").get_data(as_text=True)
    assert '<h2 id="calendar-heading">Calendar reminders</h2>' in page
    assert "Make my calendar link" in page and 'href="/settings/calendar.ics"' in page
    assert not URL_RE.search(page)

    response = press(client, "/settings/calendar")
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert '<label for="calendar-url">Calendar link</label>' in html and "shown only this once" in html
    secret = link_in(response).removeprefix("/calendar/").removesuffix(".ics")
    row = CalendarFeed.get()
    assert row.patient_id == patient.id and row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in everything_stored()

    again = client.get("/settings").get_data(as_text=True)
    assert secret not in again and not URL_RE.search(again)
    assert "Your calendar link is on." in again and "no calendar app has read it yet" in again
    assert "Make a new link" in again and "Turn off the calendar link" in again


def test_the_feed_is_a_calendar_file_for_anyone_with_the_link(app):
    make_onboarded_patient(email="me@example.com", timezone=LA)
    path = link_in(press(client_for(app, "me@example.com"), "/settings/calendar"))
    response = fetch(app, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=900"
    assert response.headers["Content-Disposition"] == 'attachment; filename="selfcare-reminders.ics"'
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.data)
    assert len(sets(calendar)) >= 13 * len(planned_clock(app)) and len(breaks(calendar)) == 14
    assert str(sets(calendar)[0]["URL"]) == "http://localhost/exercises"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [str(e["UID"]) for e in Calendar.from_ical(fetch(app, path).data).walk("VEVENT")]
    assert CalendarFeed.get().last_used_at is not None


def test_a_new_link_cuts_off_the_old_one_and_turning_off_cuts_off_both(app):
    make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    old = link_in(press(client, "/settings/calendar"))
    new = link_in(press(client, "/settings/calendar"))
    assert old != new and CalendarFeed.select().count() == 1
    assert fetch(app, old).status_code == 404
    assert fetch(app, new).status_code == 200

    response = press(client, "/settings/calendar/off")
    assert response.status_code == 303 and response.headers["Location"] == "/settings"
    page = client.get("/settings").get_data(as_text=True)
    assert "Calendar link turned off." in page and "Make my calendar link" in page
    assert fetch(app, new).status_code == 404 and CalendarFeed.select().count() == 0


@pytest.mark.parametrize("secret", ["nope", "A" * 43, "x" * 500, "%00", "sc_" + "a" * 40])
def test_unknown_links_are_404(app, secret):
    make_onboarded_patient(email="me@example.com")
    link_in(press(client_for(app, "me@example.com"), "/settings/calendar"))
    assert fetch(app, f"/calendar/{secret}.ics").status_code == 404
    assert fetch(app, f"/calendar/{CalendarFeed.get().token_hash}.ics").status_code == 404  # the stored hash is not a key


def test_each_patient_gets_only_their_own_calendar(app):
    me = make_onboarded_patient(email="me@example.com")
    them = make_onboarded_patient(email="them@example.com")
    mine = link_in(press(client_for(app, "me@example.com"), "/settings/calendar"))
    theirs = link_in(press(client_for(app, "them@example.com"), "/settings/calendar"))
    assert f"-{me.id}@selfcare" in fetch(app, mine).get_data(as_text=True)
    assert f"-{me.id}@selfcare" not in fetch(app, theirs).get_data(as_text=True)
    assert f"-{them.id}@selfcare" in fetch(app, theirs).get_data(as_text=True)


def test_a_patients_download_is_the_same_calendar_never_cached(app):
    patient = make_onboarded_patient(email="me@example.com")
    response = client_for(app, "me@example.com").get("/settings/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="selfcare-reminders.ics"'
    assert str(Calendar.from_ical(response.data)["UID"]) == f"reminders-{patient.id}@selfcare"
    assert CalendarFeed.select().count() == 0  # a download needs no link


# --- Who may do what ---

def test_anonymous_visitors_log_in_for_the_download_and_cannot_make_links(client):
    response = client.get("/settings/calendar.ics")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert client.post("/settings/calendar").status_code == 400  # no session, so no CSRF token
    assert CalendarFeed.select().count() == 0


def test_therapists_have_no_calendar_link(app):
    make_therapist(email="pt@example.com")
    client = client_for(app, "pt@example.com")
    page = client.get("/settings").get_data(as_text=True)
    assert "Calendar reminders" not in page and "/settings/calendar" not in page
    assert press(client, "/settings/calendar").status_code == 403
    assert press(client, "/settings/calendar/off").status_code == 403
    assert client.get("/settings/calendar.ics").status_code == 403
    assert CalendarFeed.select().count() == 0


def test_buttons_without_a_csrf_token_are_refused_and_change_nothing(app):
    make_onboarded_patient(email="me@example.com")
    client = client_for(app, "me@example.com")
    assert press(client, "/settings/calendar", csrf=False).status_code == 400
    assert client.post("/settings/calendar", data={"csrf_token": "forged"}).status_code == 400
    assert CalendarFeed.select().count() == 0

    path = link_in(press(client, "/settings/calendar"))
    assert press(client, "/settings/calendar/off", csrf=False).status_code == 400
    assert press(client, "/settings/calendar", csrf=False).status_code == 400
    assert fetch(app, path).status_code == 200


def test_patient_for_refuses_anything_but_a_working_link(app):
    patient = make_patient()
    made = calendar_links.make_link(patient)
    assert calendar_links.patient_for(made.secret) == patient
    assert calendar_links.patient_for(made.secret[:-1] + ("A" if made.secret[-1] != "A" else "B")) is None
    assert calendar_links.patient_for("") is None
    assert calendar_links.turn_off(patient) and not calendar_links.turn_off(patient)
    assert calendar_links.patient_for(made.secret) is None


# --- Schema ---

def test_a_version_2_database_gains_the_calendar_table(app, monkeypatch):
    from selfcare import schema

    later = [row.version for row in SchemaVersion.select().where(SchemaVersion.version >= 3)]
    db.drop_tables([CalendarFeed])
    SchemaVersion.delete().where(SchemaVersion.version >= 3).execute()
    try:
        monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])  # up to version 3, whatever comes later
        monkeypatch.setattr(schema, "LATEST", 3)
        assert schema.create_schema() == 3
        assert CalendarFeed.table_exists() and SchemaVersion.select().where(SchemaVersion.version == 3).count() == 1
    finally:  # the PostgreSQL server's schema_version outlives this test: leave it as it was
        present = {row.version for row in SchemaVersion.select()}
        SchemaVersion.insert_many([{"version": v} for v in later if v not in present]).execute()
    assert {row.version for row in SchemaVersion.select()} == set(range(1, LATEST + 1))
    calendar_links.make_link(make_patient())
    assert CalendarFeed.select().count() == 1
