"""The therapist's triaged caseload: service order and reasons, scope through the care link, the page."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from selfcare import accounts
from selfcare.charts import sparkline
from selfcare.clinical import Trend, Zone
from selfcare.db import db
from selfcare.models import Alert, CareLink, CaseloadRow, CheckIn, ExerciseSet, Notice, PlanSetting, Profile, SelfCheck, User, Walk, utcnow
from selfcare.services import daily_summary
from selfcare.services.caseload import Filter, Group, build_caseload, parse_filter, parse_query
from selfcare.services.reevaluation import due_prompts, due_prompts_for
from tests.conftest import csrf_from
from tests.factories import make_onboarded_patient, make_patient, make_therapist
from tests.history_rows import add_alert, add_checkin, add_set, add_walk, count_queries

NOW = datetime(2026, 11, 20, 12, 0)  # service tests: a fixed noon (London is on UTC in November)


def enrol(therapist: User, name: str, now: datetime, started_days: int = 10, **overrides: object) -> User:
    """An onboarded patient linked to `therapist`, who started `started_days` ago."""
    patient = make_onboarded_patient(name=name, **overrides)
    Profile.update(created_at=now - timedelta(days=started_days)).where(Profile.patient == patient.id).execute()
    accounts.link(therapist, patient)
    CareLink.update(created_at=now - timedelta(days=started_days)).where(CareLink.patient == patient.id).execute()
    return patient


def zones(patient: User, now: datetime, *days_and_zones: tuple[float, str], walk: int | None = None) -> None:
    """Check-ins `days` ago reaching `zone` (with a walk of `walk` minutes, if given)."""
    for days, zone in days_and_zones:
        add_checkin(patient, now - timedelta(days=days), zone=zone, walk=walk)


def summarize(app: Any, *patients: User) -> None:
    """The daily summary rows of patients whose entries were written directly (the services write them with each entry)."""
    with app.app_context():
        for patient in patients:
            daily_summary.rebuild(patient)


def cohort(app: Any, therapist: User, now: datetime) -> dict[str, User]:
    """One patient built to land in each group, named so their order is not alphabetical, with their daily summary rows."""
    steady = (5, "thigh"), (3, "thigh"), (1, "thigh")
    people = {}
    people["emergency"] = p = enrol(therapist, "Wren Emergency", now)
    zones(p, now, *steady)
    add_alert(p, now - timedelta(hours=5), "emergency", ["bladder_change", "saddle_numbness"])
    people["urgent"] = p = enrol(therapist, "Vic Urgent", now)
    zones(p, now, *steady)
    add_alert(p, now - timedelta(hours=2), "urgent", ["fever"])
    people["worse"] = p = enrol(therapist, "Uma Worse", now)
    zones(p, now, (6, "thigh"), (5, "thigh"), (2, "calf"), (1, "foot"))
    people["contact"] = p = enrol(therapist, "Tess Contact", now)
    zones(p, now, *steady)
    add_alert(p, now - timedelta(days=1), "contact_pt", ["numbness_spreading"])
    people["reeval"] = p = enrol(therapist, "Sam Reeval", now, started_days=20)  # 2 weeks on, no walking gain
    zones(p, now, (19, "thigh"), (12, "thigh"), (5, "thigh"), (1, "thigh"), walk=10)
    people["silent"] = p = enrol(therapist, "Rae Silent", now)
    zones(p, now, (8, "thigh"), (6, "thigh"), (4, "thigh"))
    people["stable"] = p = enrol(therapist, "Ola Stable", now)
    zones(p, now, *steady)
    people["new"] = p = enrol(therapist, "Pat New", now, started_days=1)
    zones(p, now, (0.5, "calf"))
    people["better"] = p = enrol(therapist, "Abe Better", now)
    zones(p, now, (6, "calf"), (3, "thigh"), (1, "buttock"))
    summarize(app, *people.values())
    return people


EXPECTED = [
    ("Wren Emergency", Group.EMERGENCY, "Emergency alert not acknowledged: bladder change, saddle numbness."),
    ("Vic Urgent", Group.URGENT, "Urgent alert not acknowledged: fever or feeling very unwell."),
    ("Uma Worse", Group.WORSENING, "Getting worse: zone thigh→foot (peripheralizing), leg pain 5→5, 14 days."),
    ("Tess Contact", Group.CONTACT, "Asked to contact you (alert not acknowledged): numbness spreading."),
    ("Sam Reeval", Group.REEVALUATE, "Re-evaluation due: Walking tolerance has not risen by 5 minutes or more after 2 weeks"),
    ("Rae Silent", Group.SILENT, "No check-in for 4 days (last "),
    ("Ola Stable", Group.REST, "Nothing flagged: about the same (zone thigh, leg pain 5→5, 14 days)."),
    ("Pat New", Group.REST, "Nothing flagged: not enough check-ins yet to see a trend (1 check-in on 1 day in 14 days)."),
    ("Abe Better", Group.IMPROVING, "Improving: zone calf→buttock (centralizing), leg pain 5→5, 14 days."),
]


def test_patients_are_ordered_by_what_needs_attention_first(app):
    therapist = make_therapist()
    now = NOW
    cohort(app, therapist, now)
    with app.app_context():
        caseload = build_caseload(therapist, now)
    assert [(r.name, r.group) for r in caseload.rows] == [(name, group) for name, group, _ in EXPECTED]
    for row, (name, _, words) in zip(caseload.rows, EXPECTED):
        assert row.reason.startswith(words), (name, row.reason)
    by_name = {r.name: r for r in caseload.rows}
    assert by_name["Tess Contact"].also == ()
    assert by_name["Uma Worse"].trend == Trend.PERIPHERALIZING and by_name["Uma Worse"].zone == Zone.FOOT
    assert by_name["Abe Better"].trend == Trend.CENTRALIZING and by_name["Abe Better"].zone == Zone.BUTTOCK
    assert by_name["Pat New"].trend == Trend.INSUFFICIENT_DATA
    assert [by_name[n].trend_label for n in ("Uma Worse", "Ola Stable", "Pat New", "Abe Better")] == [
        "Getting worse", "About the same", "Not enough data", "Improving"]
    assert by_name["Rae Silent"].silent and not by_name["Ola Stable"].silent
    assert caseload.total == caseload.matched == 9
    assert caseload.counts == {Filter.ALL: 9, Filter.ATTENTION: 6, Filter.ALERTS: 3, Filter.SILENT: 1}


def test_the_batched_prompts_match_the_per_patient_ones(app):
    therapist = make_therapist()
    now = NOW
    people = cohort(app, therapist, now)
    with app.app_context():
        batched = due_prompts_for(people.values(), now)
        assert batched == {p.id: due_prompts(p, now) for p in people.values()}
    assert [p.rule.value for p in batched[people["reeval"].id]] == ["walking_2w"]
    assert [p.rule.value for p in batched[people["worse"].id]] == ["peripheralizing_despite_care"]


def test_a_row_shows_walking_sets_zone_and_sparkline(app):
    therapist = make_therapist()
    now = NOW
    patient = enrol(therapist, "Ada Row", now, started_days=9)
    zones(patient, now, (5, "calf"), (3, "thigh"), (1, "thigh"))
    add_walk(patient, now - timedelta(days=5), 30)  # too long ago to count as "now"
    add_walk(patient, now - timedelta(days=2), 14)
    add_walk(patient, now - timedelta(days=1), 12)
    for hours in (2, 5, 30):
        add_set(patient, now - timedelta(hours=hours))
    add_set(patient, now - timedelta(hours=3), response=None, outcome="quit")  # not re-checked: not counted
    add_set(patient, now - timedelta(days=8))  # outside the 7 days
    PlanSetting.create(patient=patient, changes={"repeat_every_minutes": 180})
    summarize(app, patient)
    with app.app_context():
        row = build_caseload(therapist, now).rows[0]
    assert (row.walk_best, row.walk_baseline, row.walking_text) == (14, 10, "14 min (start 10 min)")
    assert row.sets_done == 3
    # protocol.toml: waking 08:00-21:00; every 180 minutes (the therapist's change) fits 5 sets a day, not 6.
    assert (row.sets_planned, row.sets_text) == (35, "3 of 35")
    assert row.days_in_program == 9 and row.days_text == "Day 10 in the program"
    # The most distal zone of each day, from check-ins and sets (the sets started in the calf), as History draws it.
    assert row.trend_zones == (None,) * 5 + (Zone.CALF, None, None, Zone.CALF, None, Zone.THIGH, None, Zone.CALF, Zone.CALF)
    assert (row.trend, row.group, row.zone) == (Trend.CENTRALIZING, Group.IMPROVING, Zone.THIGH)


def test_the_sparkline_draws_each_day_with_a_check_in_as_a_dot_and_says_it_in_words():
    names = {z: z.value.title() for z in Zone}
    svg = sparkline(date(2026, 11, 7), (None, Zone.THIGH, None, Zone.CALF, Zone.BACK), names)
    assert svg.count("<path") == 1 and svg.count("h0") == 3 and "<circle" not in svg  # one path for every dot
    assert re.findall(r'<path d="([^"]*)"', svg) == ["M12,17.4h0M28,22.2h0M36,7.8h0"]
    words = "7 Nov to 11 Nov: recorded on 3 of 5 days, first Thigh, latest Back, furthest Calf."
    assert svg.count(words) == 2  # aria-label and title
    assert "<path" not in sparkline(date(2026, 11, 7), (None, None), names)


def test_a_peripheralized_or_stopped_set_counts_as_getting_worse(app):
    therapist = make_therapist()
    now = NOW
    moved = enrol(therapist, "Moved Down", now)
    zones(moved, now, (5, "thigh"), (3, "thigh"), (1, "thigh"))
    add_set(moved, now - timedelta(days=2), before="thigh", after="calf", response="peripheralized", outcome="stop_contact_pt")
    stopped = enrol(therapist, "Stopped Set", now)
    zones(stopped, now, (5, "thigh"), (3, "thigh"), (1, "thigh"))
    ExerciseSet.update(stop_reason="no_benefit").where(
        ExerciseSet.id == add_set(stopped, now - timedelta(days=1), response="unchanged").id
    ).execute()
    old = enrol(therapist, "Old Set", now)
    zones(old, now, (5, "thigh"), (3, "thigh"), (1, "thigh"))
    add_set(old, now - timedelta(days=9), response="peripheralized")  # more than 7 days ago
    with app.app_context():
        rows = build_caseload(therapist, now).rows
    assert [(r.name, r.group) for r in rows] == [
        ("Stopped Set", Group.WORSENING), ("Moved Down", Group.WORSENING), ("Old Set", Group.REST),
    ]  # newest event first within the group
    assert "moved symptoms further down the leg" in rows[1].reason
    assert "stopped after several sets with no benefit" in rows[0].reason


def test_newest_alert_first_and_acknowledged_alerts_no_longer_lift(app):
    therapist = make_therapist()
    now = NOW
    older = enrol(therapist, "Ann Older", now)
    newer = enrol(therapist, "Zed Newer", now)
    for p in (older, newer):
        zones(p, now, (5, "thigh"), (3, "thigh"), (1, "thigh"))
    first = add_alert(older, now - timedelta(days=2), "emergency", ["both_legs"])
    add_alert(newer, now - timedelta(hours=1), "emergency", ["falls"])
    with app.app_context():
        assert [r.name for r in build_caseload(therapist, now).rows] == ["Zed Newer", "Ann Older"]
        Alert.update(acknowledged_at=now, acknowledged_by=therapist).where(Alert.id == first.id).execute()
        rows = build_caseload(therapist, now).rows
    assert [(r.name, r.group) for r in rows] == [("Zed Newer", Group.EMERGENCY), ("Ann Older", Group.REST)]
    assert not rows[1].open_alert


def test_other_concerns_are_listed_too(app):
    therapist = make_therapist()
    now = NOW
    patient = enrol(therapist, "Many Things", now, started_days=30)
    zones(patient, now, (20, "thigh"), (12, "thigh"), (5, "thigh"), walk=10)
    add_alert(patient, now - timedelta(hours=1), "urgent", ["night_pain"])
    add_alert(patient, now - timedelta(hours=3), "urgent", ["trauma"])
    with app.app_context():
        row = build_caseload(therapist, now).rows[0]
    assert row.group == Group.URGENT
    assert row.reason.startswith("Urgent alert not acknowledged (2 open): severe night or rest pain.")
    assert row.also == ("re-evaluation due", "no check-in for 5 days")


def test_only_current_patients_of_this_therapist(app):
    mine, other = make_therapist(), make_therapist()
    now = NOW
    kept = enrol(mine, "Kept Person", now)
    left = enrol(mine, "Left Person", now)
    theirs = enrol(other, "Their Person", now)
    loner = make_onboarded_patient(name="Loner Person")
    for p in (kept, left, theirs, loner):
        add_alert(p, now - timedelta(hours=1), "emergency", ["falls"])
    with app.app_context():
        assert [r.name for r in build_caseload(mine, now).rows] == ["Kept Person", "Left Person"]
        CareLink.update(ended_at=now).where((CareLink.therapist == mine.id) & (CareLink.patient == left.id)).execute()
        caseload = build_caseload(mine, now)
    assert [r.name for r in caseload.rows] == ["Kept Person"] and caseload.total == 1


def test_a_patient_before_onboarding_still_appears(app):
    therapist = make_therapist()
    now = NOW
    patient = make_patient(name="Not Started")
    accounts.link(therapist, patient)
    CareLink.update(created_at=now - timedelta(days=5)).execute()
    with app.app_context():
        row = build_caseload(therapist, now).rows[0]
    assert (row.name, row.group, row.reason) == ("Not Started", Group.SILENT, "No check-in yet, 5 days after starting.")
    assert row.walk_baseline is None and row.zone is None and row.days_in_program == 5


def test_search_and_filters(app):
    therapist = make_therapist()
    now = NOW
    cohort(app, therapist, now)
    with app.app_context():
        def names(query: str = "", wanted: str = "all") -> list[str]:
            return [r.name for r in build_caseload(therapist, now, query=query, filter=wanted).rows]

        assert names("  sTaBlE ") == ["Ola Stable"]
        assert names("e", "alerts") == ["Wren Emergency", "Vic Urgent", "Tess Contact"]
        assert names(wanted="attention") == [name for name, group, _ in EXPECTED if group <= Group.SILENT]
        assert names(wanted="silent") == ["Rae Silent"]
        assert names("%") == [] and names("_") == [] and names("zzz") == []
        assert names(wanted="nonsense") == [name for name, _, _ in EXPECTED]
        searched = build_caseload(therapist, now, query="a", filter="silent")
    assert searched.matched == 7 and searched.total == 9  # all but Wren and Vic and searched.counts[Filter.SILENT] == 1


@pytest.mark.parametrize(
    ("value", "expected"), [(None, Filter.ALL), ("", Filter.ALL), ("ALERTS", Filter.ALERTS), ("attention", Filter.ATTENTION),
                            ("silent ", Filter.SILENT), ("all; drop", Filter.ALL), ("x" * 500, Filter.ALL)],
)
def test_parse_filter(value, expected):
    assert parse_filter(value) == expected


def test_parse_query():
    assert parse_query("  Ann \x00\n  Lee ") == "Ann Lee"
    assert len(parse_query("a" * 500)) == 80 and parse_query(None) == ""


def bulk_patients(therapist: User, count: int, now: datetime, days: int) -> None:
    """`count` linked patients with `days` days of check-ins, walks, sets, self-checks and alerts, in bulk."""
    for n in range(count):
        patient = enrol(therapist, f"Bulk {n:03d}", now, started_days=days)
        moments = [now - timedelta(days=d, hours=n % 5) for d in range(days)]
        with db.atomic():
            ids = []
            for t in moments:
                ids.append(CheckIn.insert(
                    uuid=uuid.uuid4(), patient=patient, recorded_at=t, received_at=t, red_flags={}, level="none", reasons=[],
                    zone=("calf", "thigh", "buttock")[(n + t.day) % 3], side="left", leg_pain=4, back_pain=2, sensations=[],
                    worse_with=[],
                ).execute())
            Walk.insert_many([{"uuid": uuid.uuid4(), "patient": patient, "checkin": cid, "recorded_at": t, "received_at": t,
                               "minutes": 10 + d % 7} for d, (cid, t) in enumerate(zip(ids, moments))]).execute()
            ExerciseSet.insert_many([{"uuid": uuid.uuid4(), "patient": patient, "started_at": t, "before_zone": "calf",
                                      "before_leg_pain": 5, "before_back_pain": 2, "response": "centralized"} for t in moments]).execute()
            SelfCheck.insert(uuid=uuid.uuid4(), patient=patient, recorded_at=moments[3], heel_walk="normal", toe_walk="normal",
                             big_toe_lift="normal", numb_areas=[]).execute()
        if n % 3 == 0:
            add_alert(patient, now - timedelta(hours=n), ("emergency", "urgent", "contact_pt")[n % 9 // 3], ["falls"])
        if n % 4 == 0:
            PlanSetting.create(patient=patient, changes={"repeat_every_minutes": 150})
        Notice.create(therapist=therapist, text=f"Note {n}")


def page_queries(app, auth, count: int) -> int:
    """How many statements one caseload page runs for a therapist with `count` patients."""
    therapist = make_therapist(email=f"pt{count}@example.com")
    bulk_patients(therapist, count, utcnow(), days=21)
    client = app.test_client()
    type(auth)(client).login(f"pt{count}@example.com")
    with count_queries() as counted:
        page = client.get("/therapist/patients").get_data(as_text=True)
    assert page.count('class="cl-row') == count
    return counted.n


def test_the_number_of_queries_does_not_grow_with_patients(app, auth):
    few = page_queries(app, auth, 3)
    many = page_queries(app, auth, 40)
    assert few == many, (few, many)
    therapist = User.get(User.email == "pt40@example.com")
    with app.app_context(), count_queries() as counted:
        caseload = build_caseload(therapist)
    assert counted.n == 3 and len(caseload.rows) == 40  # rows kept: patients with stamps and rows, open alerts, notices
    CaseloadRow.delete().execute()
    with app.app_context(), count_queries() as counted:
        build_caseload(therapist, query="bulk 01")
    assert counted.n == 11  # and for the rows computed again: seven reads (the sparkline from the daily summary), one write


# ---- The page -------------------------------------------------------------------------------------


def login_therapist(auth, **overrides):
    therapist = make_therapist(email="pt@example.com", **overrides)
    auth.login("pt@example.com")
    return therapist


def test_the_page_lists_rows_in_order_with_reasons_and_links(app, client, auth):
    therapist = login_therapist(auth)
    now = utcnow()
    people = cohort(app, therapist, now)
    stranger = enrol(make_therapist(), "Stranger Danger", now)
    add_alert(stranger, now, "emergency", ["falls"])
    make_onboarded_patient(name="Unlinked Loner")
    response = client.get("/therapist/patients")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    found = re.findall(r'class="cl-name" href="/therapist/patients/(\d+)">([^<]+)</a>', page)
    assert [name for _, name in found] == [name for name, _, _ in EXPECTED]
    assert found[0][0] == str(people["emergency"].id)
    assert "Stranger" not in page and "Unlinked" not in page
    assert "Emergency alert not acknowledged: bladder change, saddle numbness." in page
    assert page.count('role="img"') == 9  # every row's sparkline has a text alternative
    assert 'aria-label="Furthest point each day' in page
    assert '<label for="q">Search by name</label>' in page and '<label for="filter">Show</label>' in page


def test_an_ended_link_removes_the_patient_from_the_page(client, auth):
    therapist = login_therapist(auth)
    patient = enrol(therapist, "Gone Soon", utcnow())
    assert "Gone Soon" in client.get("/therapist/patients").get_data(as_text=True)
    CareLink.update(ended_at=utcnow()).where(CareLink.patient == patient.id).execute()
    page = client.get("/therapist/patients").get_data(as_text=True)
    assert "Gone Soon" not in page and "No patients are linked to you yet." in page


def test_search_filter_and_the_htmx_fragment(app, client, auth):
    therapist = login_therapist(auth)
    cohort(app, therapist, utcnow())
    page = client.get("/therapist/patients?q=stable").get_data(as_text=True)
    assert "Ola Stable" in page and "Abe Better" not in page and 'value="stable"' in page
    page = client.get("/therapist/patients?filter=alerts").get_data(as_text=True)
    assert re.findall(r'class="cl-name"[^>]*>([^<]+)<', page) == ["Wren Emergency", "Vic Urgent", "Tess Contact"]
    assert '<option value="alerts" selected>' in page
    fragment = client.get("/therapist/patients?q=rae", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Rae Silent" in fragment and "Ola Stable" not in fragment
    boosted = client.get("/therapist/patients?q=rae", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    restore = client.get("/therapist/patients", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["filter=bogus", "filter=", "filter=alerts&filter=silent", "q=" + "x" * 5000, "q=%00%ff", "q=%25", "q=<script>",
     "filter[]=1", "q=&filter=ALL"],
)
def test_bad_query_parameters_fall_back_to_defaults(client, auth, query):
    therapist = login_therapist(auth)
    enrol(therapist, "Only One", utcnow())
    response = client.get("/therapist/patients?" + query)
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_patients_and_anonymous_users_cannot_see_it(client, auth):
    make_onboarded_patient(email="pat@example.com")
    assert client.get("/therapist/patients").status_code == 302
    auth.login("pat@example.com")
    assert client.get("/therapist/patients").status_code == 403


def test_notices_show_and_can_be_dismissed_only_by_their_therapist(app, client, auth):
    therapist = login_therapist(auth)
    other = make_therapist()
    mine = Notice.create(therapist=therapist, text="Kim stopped sharing their selfcare record with you.")
    theirs = Notice.create(therapist=other, text="Lou left selfcare.")
    page = client.get("/therapist/patients").get_data(as_text=True)
    assert "Kim stopped sharing" in page and "Lou left" not in page
    token = csrf_from(page)
    assert client.post(f"/therapist/notices/{theirs.id}/dismiss", data={"csrf_token": token}).status_code == 404
    assert Notice.get_by_id(theirs.id).read_at is None
    response = client.post(f"/therapist/notices/{mine.id}/dismiss", data={"csrf_token": token, "filter": "alerts", "q": "k"})
    assert response.status_code == 303 and response.headers["Location"] == "/therapist/patients?q=k&filter=alerts"
    assert Notice.get_by_id(mine.id).read_at is not None
    assert "Kim stopped sharing" not in client.get("/therapist/patients").get_data(as_text=True)
    assert client.post(f"/therapist/notices/{mine.id}/dismiss", data={"csrf_token": token}).status_code == 303  # a second tap
    assert client.post(f"/therapist/notices/{mine.id}/dismiss").status_code == 400  # no CSRF token


def test_a_paused_plan_and_a_stored_change_the_plan_no_longer_allows(app):
    therapist = make_therapist()
    patient = enrol(therapist, "Paused Plan", NOW)
    PlanSetting.create(patient=patient, changes={"repeat_every_minutes": 5}, paused=True)  # below today's minimum
    with app.app_context():
        row = build_caseload(therapist, NOW).rows[0]
    assert (row.sets_planned, row.sets_text) == (42, "0 (exercises paused)")  # the content plan, not a 500
