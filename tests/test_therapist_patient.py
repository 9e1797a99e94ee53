"""The therapist's patient page (open alerts on top, the timeline in pages), notes, alert acknowledgement, the
open-alerts banner and "who looked"."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest

from selfcare import accounts
from selfcare.models import (
    Alert,
    AuditEvent,
    CareLink,
    CheckIn,
    PlanChange,
    PlayerState,
    SelfCheck,
    TherapistNote,
    User,
    utcnow,
)
from selfcare.services.care import SHOWN_COLUMNS, NotLinked, end_link, linked_patient, linked_patient_with_profile
from selfcare.services.profiles import get_profile
from selfcare.services.timeline import PAGE, Cursor, timeline_page
from tests.conftest import Auth, csrf_from
from tests.factories import (
    make_onboarded_patient,
    make_patient,
    make_profile,
    make_therapist,
)
from tests.history_rows import add_checkin, add_days, add_set, add_walk, count_queries

NAME = "Zebedee Quillfeather"
NOTE = "Distinctive note: phoned re night pain"
HTMX = {"HX-Request": "true"}


def fill(patient: User, therapist: User, now: Any) -> dict[str, Any]:
    """One entry of every kind the timeline shows, spread over the last days."""
    flagged = add_checkin(patient, now - timedelta(days=3), zone="calf", leg=7, back=3, worse_with=["sitting", "bending"], walk=12, onset=5)
    CheckIn.update(red_flags={"fever": True, "night_pain": False}, level="urgent", reasons=["fever"]).where(CheckIn.id == flagged.id).execute()
    add_checkin(patient, now - timedelta(days=1), zone="thigh", leg=4, back=2)
    add_walk(patient, now - timedelta(days=2), 25, onset=None)
    add_set(patient, now - timedelta(days=2, hours=2), before="calf", after="thigh", response="centralized")
    SelfCheck.create(uuid=uuid.uuid4(), patient=patient, recorded_at=now - timedelta(hours=30), heel_walk="normal",
                     toe_walk="weak", big_toe_lift="unable", numb_areas=["top_of_foot"])
    open_alert = Alert.create(patient=patient, level="urgent", reasons=["fever"], source="checkin", created_at=now - timedelta(days=3))
    done_alert = Alert.create(patient=patient, level="contact_pt", reasons=["numbness_spreading"], source="self_check",
                              created_at=now - timedelta(days=4), confirmed_at=now - timedelta(days=4),
                              acknowledged_at=now - timedelta(days=4), acknowledged_by=therapist, acknowledgement="Called, booked a visit")
    TherapistNote.create(patient=patient, therapist=therapist, text=NOTE, created_at=now - timedelta(hours=5))
    PlanChange.create(patient=patient, therapist=therapist, changes={"sets": 2}, paused=True, pause_message="Stop and call me",
                      created_at=now - timedelta(hours=4))
    return {"open": open_alert, "done": done_alert}


@pytest.fixture
def setup(app: Any) -> dict[str, Any]:
    """A therapist linked to a patient with a full record."""
    therapist = make_therapist(email="pt@example.com", name="Dana Physio")
    patient = make_patient(email="pat@example.com", name=NAME)
    make_profile(patient, cancer_history=True)
    accounts.link(therapist, patient)
    alerts = fill(patient, therapist, utcnow() - timedelta(minutes=5))
    return {"therapist": therapist, "patient": patient, **alerts}


def page_path(patient: User) -> str:
    return f"/therapist/patients/{patient.id}"


def login(app: Any, email: str) -> Any:
    client = app.test_client()
    assert Auth(client).login(email).status_code == 303
    return client


# ---- The page ------------------------------------------------------------------------------------


def test_a_linked_therapist_sees_the_whole_record(app, setup):
    client = login(app, "pt@example.com")
    response = client.get(page_path(setup["patient"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"<h1>{NAME}</h1>" in page and "Day 1 in selfcare" in page
    # onboarding answers, in the patient's wording
    for text in ("Left leg", "10 minutes in one go", "Have you ever had cancer?", "United Kingdom"):
        assert text in page, text
    # the same four charts as History, with the 30-day default
    for chart in ("chart-zone", "chart-pain", "chart-walking", "chart-sets"):
        assert f'id="{chart}"' in page
    assert re.search(r'days=30"[^>]*aria-current="page"', page)
    # the timeline: every kind of entry
    for text in ("Check-in", "Walk</span>", "Exercise set", "Nerve self-check", "Alert: Urgent (same day)", "Alert: Contact PT",
                 "Note by Dana Physio", NOTE, "Plan changed by Dana Physio", "sets of press-ups 2", "Stop and call me",
                 "Symptoms moved up the leg", "sitting, bending", "12 min, leg symptoms after 5 min", "could not do it"):
        assert text in page, text
    assert "Today, do you have a fever or chills, or feel very unwell, as well as the back pain?" in page  # a yes, as asked
    assert "has the pain been very bad at night" not in page  # a no is not listed
    assert "Acknowledged by Dana Physio" in page and "Called, booked a visit" in page
    assert page.count('class="ack-form"') == 1  # only the open alert can be acknowledged, at the top of the page
    top = page[page.index('id="patient-alerts"'):page.index('id="tools-heading"')]
    assert "1 open alert for" in top and f'id="alert-{setup["open"].id}"' in top and 'class="ack-form"' in top
    assert page.index('id="patient-alerts"') < page.index('id="charts-heading"') < page.index('id="timeline"')
    # in the timeline the open alert points up to its form; the acknowledged one keeps its id there
    timeline = page[page.index('id="timeline"'):]
    assert f'href="#alert-{setup["open"].id}"' in timeline and f'id="alert-{setup["done"].id}"' in timeline
    assert page.count(f'id="alert-{setup["open"].id}"') == 1
    # links to the plan and the exports, and the end-link confirm
    pid = setup["patient"].id
    for path in ("plan", "summary", "summary.pdf", "entries.zip", "record.fhir.json"):
        assert f'href="/therapist/patients/{pid}/{path}"' in page
    assert re.search(rf'<details class="end-link">.*action="/therapist/patients/{pid}/end-link"', page, re.DOTALL)
    # the look is kept
    events = list(AuditEvent.select())
    assert [(e.actor_id, e.patient_id, e.action, e.actor_name) for e in events] == [
        (setup["therapist"].id, pid, "viewed_record", "Dana Physio")]


@pytest.mark.parametrize(("query", "current"), [("?days=7", 7), ("?days=365", 365), ("?days=abc", 30), ("?days=31", 30), ("", 30)])
def test_the_range_of_the_charts(app, setup, query, current):
    client = login(app, "pt@example.com")
    page = client.get(page_path(setup["patient"]) + query).get_data(as_text=True)
    assert re.findall(r'days=(\d+)"[^>]*aria-current="page"', page) == [str(current)]


def test_the_numbers_behind_the_charts_load_on_demand(app, setup):
    """No table on the page; each chart's link gives its table (htmx) or a page with it (a plain link); each is a look."""
    client, pid = login(app, "pt@example.com"), setup["patient"].id
    page = client.get(page_path(setup["patient"]) + "?days=7").get_data(as_text=True)
    assert "<table" not in page
    links = re.findall(r'<a href="([^"]*)" hx-get="\1" hx-target="closest .chart-data" hx-swap="innerHTML">Show the numbers</a>', page)
    assert links == [f"/therapist/patients/{pid}/history/numbers/{chart}?days=7" for chart in ("zone", "pain", "walking", "sets")]
    fragment = client.get(links[2], headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'id="chart-walking-table"' in fragment
    assert "<td>12 min</td><td>5 min</td>" in fragment and "<td>25 min</td><td>none</td>" in fragment
    whole = client.get(links[0]).get_data(as_text=True)
    assert "<html" in whole and 'id="chart-zone-table"' in whole and "<td>Thigh</td>" in whole and NAME in whole
    assert f'href="/therapist/patients/{pid}?days=7#charts-heading"' in whole
    assert AuditEvent.select().where(AuditEvent.action == "viewed_record").count() == 3


@pytest.mark.parametrize("who", ["unlinked", "ended", "patient"])
def test_nobody_else_sees_the_numbers(app, setup, who):
    patient = setup["patient"]
    if who == "unlinked":
        make_therapist(email="other@example.com")
        client = login(app, "other@example.com")
    elif who == "ended":
        CareLink.update(ended_at=utcnow()).where(CareLink.patient == patient.id).execute()
        client = login(app, "pt@example.com")
    else:
        client = login(app, "pat@example.com")
    for headers in ({}, HTMX):
        response = client.get(f"{page_path(patient)}/history/numbers/pain", headers=headers)
        assert response.status_code == (403 if who == "patient" else 404) and "<table" not in response.get_data(as_text=True)
    assert AuditEvent.select().count() == 0


def test_a_record_with_nothing_in_it(app):
    therapist = make_therapist(email="pt@example.com")
    patient = make_patient(name="New Person")  # not even onboarded
    accounts.link(therapist, patient)
    page = login(app, "pt@example.com").get(page_path(patient)).get_data(as_text=True)
    assert "New Person" in page and "Not done yet" in page and "Nothing recorded yet." in page
    assert "No open alerts for New Person" in page and 'id="timeline-older"' not in page


@pytest.mark.parametrize("who", ["unlinked", "ended", "patient", "anonymous"])
def test_nobody_else_sees_any_of_it(app, setup, who):
    patient = setup["patient"]
    if who == "unlinked":
        make_therapist(email="other@example.com")
        client = login(app, "other@example.com")
    elif who == "ended":
        CareLink.update(ended_at=utcnow()).where(CareLink.patient == patient.id).execute()
        client = login(app, "pt@example.com")
    elif who == "patient":
        make_onboarded_patient(email="nosy@example.com")
        client = login(app, "nosy@example.com")
    else:
        client = app.test_client()
    response = client.get(page_path(patient))
    assert response.status_code == {"unlinked": 404, "ended": 404, "patient": 403, "anonymous": 302}[who]
    body = response.get_data(as_text=True)
    assert NAME not in body and NOTE not in body and "Zebedee" not in body
    assert AuditEvent.select().count() == 0


def test_the_patient_and_their_profile_in_one_query(app, setup):
    """linked_patient_with_profile: linked_patient's patient (the columns shown), get_profile's profile (None before
    onboarding) and the player's state (None before the first set), else NotLinked."""
    therapist, patient = setup["therapist"], setup["patient"]
    new = make_patient(email="new@example.com", name="Not Onboarded")
    accounts.link(therapist, new)
    stranger = make_patient(email="other@example.com")
    PlayerState.create(patient=patient, state={"held": "worse"}, updated_at=utcnow())
    with app.app_context():
        found, profile, player = linked_patient_with_profile(therapist, patient.id)
        full = linked_patient(therapist, patient.id).__data__
        shown = [column.name for column in SHOWN_COLUMNS]
        assert {name: found.__data__[name] for name in shown} == {name: full[name] for name in shown}
        assert profile is not None and profile.__data__ == get_profile(patient).__data__
        assert player is not None and player.state == {"held": "worse"}
        assert linked_patient_with_profile(therapist, new.id)[1:] == (None, None)
        end_link(therapist, new)
        for other in (new.id, stranger.id, 10**9):
            with pytest.raises(NotLinked):
                linked_patient_with_profile(therapist, other)


def test_a_patient_id_that_does_not_exist_is_a_404(app, setup):
    client = login(app, "pt@example.com")
    assert client.get("/therapist/patients/999999").status_code == 404


# ---- Notes ---------------------------------------------------------------------------------------


def _post_note(client: Any, patient: User, text: str) -> Any:
    token = csrf_from(client.get(page_path(patient)).get_data(as_text=True))
    return client.post(f"{page_path(patient)}/notes", data={"text": text, "csrf_token": token})


def test_adding_a_note(app, setup):
    client = login(app, "pt@example.com")
    response = _post_note(client, setup["patient"], "  Tolerating 2 sets well.  ")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{page_path(setup['patient'])}#timeline")
    assert TherapistNote.select().order_by(TherapistNote.id.desc()).first().text == "Tolerating 2 sets well."
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Note saved." in page and "Tolerating 2 sets well." in page


@pytest.mark.parametrize(("text", "message"), [
    ("", "Write the note first."), ("   \n ", "Write the note first."), ("x" * 2001, "Use at most 2000 characters."),
])
def test_a_bad_note_is_not_stored(app, setup, text, message):
    client = login(app, "pt@example.com")
    before = TherapistNote.select().count()
    response = _post_note(client, setup["patient"], text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*id="text"|<textarea[^>]*id="text"[^>]*aria-invalid="true"', page)
    assert f'<p class="error" id="text-error">{message}</p>' in page
    assert TherapistNote.select().count() == before


def test_the_longest_note_is_kept(app, setup):
    client = login(app, "pt@example.com")
    assert _post_note(client, setup["patient"], "y" * 2000).status_code == 303


def test_a_note_for_someone_elses_patient_is_a_404(app, setup):
    stranger = make_onboarded_patient()
    client = login(app, "pt@example.com")
    token = csrf_from(client.get(page_path(setup["patient"])).get_data(as_text=True))
    response = client.post(f"{page_path(stranger)}/notes", data={"text": "hello", "csrf_token": token})
    assert response.status_code == 404
    assert TherapistNote.select().where(TherapistNote.patient == stranger.id).count() == 0


# ---- Acknowledging alerts ------------------------------------------------------------------------


def _ack(client: Any, alert_id: int, note: str, htmx: bool = False, page: str = "/therapist/patients") -> Any:
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(f"/therapist/alerts/{alert_id}/acknowledge", data={"note": note, "csrf_token": token},
                       headers=HTMX if htmx else {})


def test_acknowledging_an_alert(app, setup):
    client = login(app, "pt@example.com")
    alert = setup["open"]
    response = _ack(client, alert.id, "Phoned: seeing GP today")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page_path(setup['patient'])}#alert-{alert.id}")
    stored = Alert.get_by_id(alert.id)
    assert stored.acknowledged_at is not None and stored.acknowledged_by_id == setup["therapist"].id
    assert stored.acknowledgement == "Phoned: seeing GP today"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Alert acknowledged." in page and "Phoned: seeing GP today" in page
    assert 'class="ack-form"' not in page  # acknowledged alerts stay in the timeline, without a form
    assert f'id="alert-{alert.id}"' in page


def test_acknowledging_with_htmx_returns_the_alert(app, setup):
    client = login(app, "pt@example.com")
    response = _ack(client, setup["open"].id, "Done", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "alerts-changed"
    assert "<html" not in html and html.lstrip().startswith(f'<li class="tl-item tl-alert tl-alert-urgent" id="alert-{setup["open"].id}"')
    assert "Acknowledged by Dana Physio" in html and "Alert acknowledged." in html


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(("note", "message"), [
    ("", "Write what you did about this alert."), ("  ", "Write what you did about this alert."), ("z" * 501, "Use at most 500 characters."),
])
def test_an_acknowledgement_needs_a_short_note(app, setup, note, message, htmx):
    client = login(app, "pt@example.com")
    alert = setup["open"]
    response = _ack(client, alert.id, note, htmx=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="alert-{alert.id}-note-error">{message}</p>' in html
    assert ("<html" in html) is not htmx
    assert Alert.get_by_id(alert.id).acknowledged_at is None


def test_a_second_acknowledgement_keeps_the_first(app, setup):
    colleague = make_therapist(email="colleague@example.com", name="Sam Colleague")
    accounts.link(colleague, setup["patient"])
    alert = setup["open"]
    assert _ack(login(app, "pt@example.com"), alert.id, "First").status_code == 303
    first = Alert.get_by_id(alert.id)
    client = login(app, "colleague@example.com")
    response = _ack(client, alert.id, "Second")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dana Physio already acknowledged this alert. Your note was not saved." in page
    htmx = _ack(client, alert.id, "Third", htmx=True)
    assert htmx.status_code == 409 and "Dana Physio already acknowledged" in htmx.get_data(as_text=True)
    again = Alert.get_by_id(alert.id)
    assert (again.acknowledged_at, again.acknowledged_by_id, again.acknowledgement) == (
        first.acknowledged_at, setup["therapist"].id, "First")


def test_another_therapists_alert_is_a_404_and_stays_open(app, setup):
    make_therapist(email="other@example.com")
    client = login(app, "other@example.com")
    for htmx in (False, True):
        response = _ack(client, setup["open"].id, "Not mine", htmx=htmx)
        assert response.status_code == 404 and NAME not in response.get_data(as_text=True)
    assert _ack(client, 999999, "No such alert").status_code == 404
    assert Alert.get_by_id(setup["open"].id).acknowledged_at is None


# ---- The open-alerts banner ----------------------------------------------------------------------


def test_open_alerts_lists_only_linked_unacknowledged_alerts(app, setup):
    therapist, now = setup["therapist"], utcnow()
    second = make_patient(name="Second Linked")
    accounts.link(therapist, second)
    Alert.create(patient=second, level="emergency", reasons=["saddle_numbness"], source="checkin", created_at=now - timedelta(hours=2))
    ended = make_patient(name="Ended Link")
    accounts.link(therapist, ended)
    Alert.create(patient=ended, level="emergency", reasons=["falls"], source="checkin", created_at=now)
    CareLink.update(ended_at=now).where(CareLink.patient == ended.id).execute()
    stranger = make_patient(name="Not Mine")
    Alert.create(patient=stranger, level="emergency", reasons=["falls"], source="checkin", created_at=now)

    client = login(app, "pt@example.com")
    response = client.get("/therapist/alerts/open", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<html" not in html and "<body" not in html and html.lstrip().startswith('<section id="open-alerts"')
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert 'hx-get="/therapist/alerts/open"' in html and "every 30s" in html and 'hx-swap="outerHTML"' in html
    assert "2 alerts waiting for you" in html
    assert html.index("Emergency</strong>: Second Linked") < html.index(f"Urgent (same day)</strong>: {NAME}")  # most serious first
    assert "2 hours ago" in html and "3 days ago" in html
    assert "Ended Link" not in html and "Not Mine" not in html and "Called, booked a visit" not in html

    assert _ack(client, setup["open"].id, "Handled").status_code == 303
    html = client.get("/therapist/alerts/open", headers=HTMX).get_data(as_text=True)
    assert "1 alert waiting for you" in html and NAME not in html


def test_open_alerts_count_them_all_but_list_the_five_most_serious(app, setup):
    """A banner of every alert pushed the page out of sight on a phone: the count of all, the five most serious (the
    urgent one first), and where to find the rest."""
    now = utcnow()
    for n in range(24):
        Alert.create(patient=setup["patient"], level="contact_pt", reasons=["falls"], source="checkin",
                     created_at=now - timedelta(minutes=n))
    html = login(app, "pt@example.com").get("/therapist/alerts/open", headers=HTMX).get_data(as_text=True)
    assert "25 alerts waiting for you" in html  # one query: the count is a window over all of them, before the limit
    assert html.count("Contact PT</strong>") == 4 and html.count("Urgent (same day)</strong>") == 1
    assert html.index("Urgent (same day)</strong>") < html.index("Contact PT</strong>")
    assert "Showing the 5 most serious." in html and 'href="/therapist/patients"' in html


def test_open_alerts_when_there_are_none(app):
    make_therapist(email="pt@example.com")
    html = login(app, "pt@example.com").get("/therapist/alerts/open").get_data(as_text=True)
    assert "No alerts waiting for you." in html


def test_the_banner_is_on_the_patient_page(app, setup):
    page = login(app, "pt@example.com").get(page_path(setup["patient"])).get_data(as_text=True)
    assert page.count('id="open-alerts"') == 1 and "1 alert waiting for you" in page


def test_only_therapists_get_the_banner(app, setup):
    assert app.test_client().get("/therapist/alerts/open").status_code == 302
    assert login(app, "pat@example.com").get("/therapist/alerts/open").status_code == 403


# ---- Size: constant queries and a capped timeline ------------------------------------------------


def _queries(client: Any, path: str, headers: dict[str, str] | None = None) -> int:
    client.get(path, headers=headers)  # warm up: anything done once per client is not what is measured
    with count_queries() as counted:
        assert client.get(path, headers=headers).status_code == 200
    return counted.n


def test_the_page_takes_the_same_queries_for_a_little_or_a_lot(app, setup):
    """Charts of a year, open alerts and the timeline's first page: the same statements for a new record as for a full one."""
    big = make_onboarded_patient(name="Busy Person")
    accounts.link(setup["therapist"], big)
    now = utcnow() - timedelta(minutes=1)
    add_days(big, now, 200)
    fill(big, setup["therapist"], now)
    for n in range(30):
        TherapistNote.create(patient=big, therapist=setup["therapist"], text=f"note {n}", created_at=now - timedelta(hours=n))
        Alert.create(patient=big, level="contact_pt", reasons=["numbness_spreading"], source="checkin", created_at=now - timedelta(days=n))
    add_days(setup["patient"], now, 3)  # a new record, with just enough for a trend (none at all takes fewer)
    client = login(app, "pt@example.com")
    small, large = _queries(client, page_path(setup["patient"])), _queries(client, page_path(big) + "?days=365")
    assert small == large
    assert small <= 19, small  # 18 for the page (History's trend is two aggregate queries), and its ETag's one


def test_the_page_shows_the_newest_twenty_and_links_to_older_ones(app, setup):
    add_days(setup["patient"], utcnow(), 60)  # 60 check-ins, 60 walks and 60 sets
    client = login(app, "pt@example.com")
    page = client.get(page_path(setup["patient"])).get_data(as_text=True)
    timeline = page[page.index('id="timeline"'):]
    assert timeline.count('class="tl-item') == PAGE
    older = re.search(r'<a class="button button-quiet" id="timeline-older-link" href="([^"]+)"\s+hx-get="([^"]+)"', timeline)
    assert older and older[1] == older[2] and older[1].startswith(f"{page_path(setup['patient'])}/timeline?before=")


def _older_link(html: str) -> str | None:
    """The "Older entries" link's address in a page or an htmx answer (None: there is no older page)."""
    found = re.search(r'id="timeline-older-link" href="([^"]+)"', html)
    return found[1].replace("&amp;", "&") if found else None


def _entries_in(html: str) -> list[str]:
    """The timeline entries of a page or answer, each as its kind and time (in order)."""
    start = html.index('id="timeline-entries"') if 'id="timeline-entries"' in html else 0
    return re.findall(r'<li class="tl-item (tl-[a-z_]+)[^>]*>\s*<p class="tl-head"><span class="tl-kind">[^<]*</span> <span class="tl-when">([^<]*)</span>',
                      html[start:])


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no javascript"])
def test_older_entries_page_by_page_until_everything_was_shown(app, setup, htmx):
    """Following "Older entries" shows every entry once, newest first: htmx gets the list items and the next control
    (out of band), a browser without JavaScript a whole page with its own "Older entries" link."""
    add_days(setup["patient"], utcnow() - timedelta(days=5), 15)  # 45 more entries: 54 in all
    with app.app_context():
        everything = timeline_page(setup["patient"], size=1000).entries
    client = login(app, "pt@example.com")
    first = client.get(page_path(setup["patient"])).get_data(as_text=True)
    seen, link, pages = _entries_in(first), _older_link(first), 1
    while link:
        response = client.get(link, headers=HTMX if htmx else {})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        if htmx:
            assert "<html" not in html and html.lstrip().startswith("<li")
            assert '<p class="timeline-older" id="timeline-older" hx-swap-oob="true">' in html
        else:
            assert "<html" in html and f"<h1>Older entries: {NAME}</h1>" in html
        seen += _entries_in(html)
        link, pages = _older_link(html), pages + 1
    assert "That is everything recorded." in html
    assert pages == 3 and len(seen) == len(everything) == 54
    assert seen == [(f"tl-{e.kind.value}", e.when) for e in everything]


def test_an_open_alert_on_an_older_page_links_to_its_form_on_the_patients_page(app, setup):
    add_days(setup["patient"], utcnow(), 10)
    alert = Alert.create(patient=setup["patient"], level="urgent", reasons=["fever"], source="checkin",
                         created_at=utcnow() - timedelta(days=40)).id  # older than the first twenty entries
    client = login(app, "pt@example.com")
    first = client.get(page_path(setup["patient"])).get_data(as_text=True)
    assert f'id="alert-{alert}"' in first[:first.index('id="timeline"')] and f"alert-{alert}" not in first[first.index('id="timeline"'):]
    link = _older_link(first)
    whole = client.get(link).get_data(as_text=True)
    assert f'href="{page_path(setup["patient"])}#alert-{alert}"' in whole and 'class="ack-form"' not in whole
    fragment = client.get(link, headers=HTMX).get_data(as_text=True)  # added to the patient's page: the form is above
    assert f'href="#alert-{alert}"' in fragment and 'class="ack-form"' not in fragment


@pytest.mark.parametrize("before", ["nonsense", "2026-01-01T00:00:00~walk", "2026-01-01T00:00:00~dance~3",
                                    "2026-01-01T00:00:00+00:00~walk~3", "2026-13-01T00:00:00~walk~3", "2026-01-01T00:00:00~walk~x"])
def test_an_older_page_that_no_link_names_is_a_404(app, setup, before):
    response = login(app, "pt@example.com").get(f"{page_path(setup['patient'])}/timeline", query_string={"before": before})
    assert response.status_code == 404 and NAME not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["unlinked", "ended"])
def test_nobody_else_pages_through_the_timeline(app, setup, who):
    patient = setup["patient"]
    if who == "unlinked":
        make_therapist(email="other@example.com")
        client = login(app, "other@example.com")
    else:
        CareLink.update(ended_at=utcnow()).where(CareLink.patient == patient.id).execute()
        client = login(app, "pt@example.com")
    for headers in ({}, HTMX):
        response = client.get(f"{page_path(patient)}/timeline", query_string={"before": f"{utcnow().isoformat()}~walk~1"},
                              headers=headers)
        assert response.status_code == 404 and NOTE not in response.get_data(as_text=True)
    assert AuditEvent.select().count() == 0


def test_entries_at_the_same_moment_are_each_shown_once(app, setup):
    """Pages are cut by time, kind and id: entries of several kinds at one moment, split across pages, are none lost
    and none twice, whatever the page size."""
    patient, therapist = setup["patient"], setup["therapist"]
    moment = utcnow().replace(microsecond=0) - timedelta(hours=1)
    for n in range(4):
        add_checkin(patient, moment, leg=n)
        add_walk(patient, moment, 10 + n)
        add_set(patient, moment)
        TherapistNote.create(patient=patient, therapist=therapist, text=f"same moment {n}", created_at=moment)
        Alert.create(patient=patient, level="contact_pt", reasons=["falls"], source="checkin", created_at=moment)
    with app.app_context():
        everything = [(e.kind, e.row_id) for e in timeline_page(patient, size=1000).entries]
        for size in (1, 3, 7, PAGE):
            shown, before = [], None
            while True:
                page = timeline_page(patient, before, size=size)
                assert len(page.entries) <= size
                shown += [(e.kind, e.row_id) for e in page.entries]
                if page.older is None:
                    break
                before = Cursor.parse(page.older.token)  # as the link carries it
            assert shown == everything, size
        stamps = [e.at for e in timeline_page(patient, size=1000).entries]
    assert stamps == sorted(stamps, reverse=True) and len(everything) == len(set(everything)) == 29


def test_a_page_of_the_timeline_takes_the_same_queries_however_long_the_record(app, setup):
    """The patient's page and a page of older entries, with and without htmx: the same statements for a record of two
    weeks as for one of a year and a half, with notes, alerts and plan changes all through it."""
    client = login(app, "pt@example.com")
    patient = setup["patient"]
    add_days(patient, utcnow() - timedelta(days=5), 10)

    def counts() -> list[int]:
        first = client.get(page_path(patient)).get_data(as_text=True)
        older = _older_link(first)
        assert older
        return [_queries(client, page_path(patient)), _queries(client, older), _queries(client, older, HTMX)]

    short = counts()
    earlier = utcnow() - timedelta(days=20)
    add_days(patient, earlier, 500)
    for n in range(0, 500, 5):
        TherapistNote.create(patient=patient, therapist=setup["therapist"], text=f"note {n}", created_at=earlier - timedelta(days=n))
        PlanChange.create(patient=patient, therapist=setup["therapist"], changes={"sets": 2}, paused=False,
                          created_at=earlier - timedelta(days=n, hours=1))
        Alert.create(patient=patient, level="contact_pt", reasons=["falls"], source="checkin", created_at=earlier - timedelta(days=n))
    long = counts()
    assert short == long, (short, long)


# ---- The patient's side: who looked ---------------------------------------------------------------


def test_the_patient_sees_who_looked(app, setup):
    login(app, "pt@example.com").get(page_path(setup["patient"]))
    AuditEvent.create(actor=setup["therapist"], actor_name="Dana Physio", patient=setup["patient"], action="exported_csv",
                      created_at=utcnow() + timedelta(minutes=1))
    page = login(app, "pat@example.com").get("/my-data").get_data(as_text=True)
    section = page[page.index("Who has looked at your record"):page.index("Download everything")]
    assert section.index("</strong> downloaded your entries as a spreadsheet") < section.index("</strong> looked at your record")  # newest first
    assert section.count("Dana Physio") == 2
    event = AuditEvent.get(AuditEvent.action == "viewed_record")
    from selfcare.services.periods import time_text
    from selfcare.timeutil import to_local
    assert time_text(to_local(setup["patient"], event.created_at)) in section  # on the patient's clock


def test_a_patient_nobody_looked_at(app):
    make_onboarded_patient(email="alone@example.com")
    page = login(app, "alone@example.com").get("/my-data").get_data(as_text=True)
    assert "No physiotherapist has looked at your record yet." in page  # a UK patient's word


def test_the_patient_sees_only_their_own_looks_and_at_most_50(app, setup):
    other = make_onboarded_patient(email="other@example.com")
    AuditEvent.insert_many([
        {"actor": setup["therapist"], "actor_name": "Dana Physio", "patient": setup["patient"], "action": "viewed_record",
         "created_at": utcnow() - timedelta(minutes=n)} for n in range(60)
    ]).execute()
    page = login(app, "pat@example.com").get("/my-data").get_data(as_text=True)
    assert page.count("looked at your record</span>") == 50
    other_page = login(app, "other@example.com").get("/my-data").get_data(as_text=True)
    assert "Dana Physio" not in other_page and other.name in other_page


def test_what_people_wrote_is_shown_as_text(app, setup):
    """A note, a pause message and a name with markup in them are written as text, never as markup."""
    patient, therapist = setup["patient"], setup["therapist"]
    TherapistNote.create(patient=patient, therapist=therapist, text='Say <b>hi</b> & "bye"', created_at=utcnow())
    PlanChange.create(patient=patient, therapist=therapist, changes={}, paused=True, pause_message="<script>x()</script>",
                      created_at=utcnow())
    User.update(name="Dana <i>Physio</i>").where(User.id == therapist.id).execute()
    page = login(app, "pt@example.com").get(page_path(patient)).get_data(as_text=True)
    assert "Say &lt;b&gt;hi&lt;/b&gt; &amp; &#34;bye&#34;" in page and "<b>hi</b>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "<script>x()" not in page
    assert "Note by Dana &lt;i&gt;Physio&lt;/i&gt;" in page and "<i>Physio</i>" not in page
