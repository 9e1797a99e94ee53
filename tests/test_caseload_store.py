"""The stored caseload rows (issue 9; services/caseload_store.py): the same page warm as cold, every write shows at once, alerts are never
kept, the 15-minute cap and the patient's midnight, the stamp triggers, paging, and the version 7 migration."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable

import pytest

from selfcare import accounts
from selfcare.db import db, is_postgresql
from selfcare.models import CareLink, CaseloadRow, CheckIn, PatientStamp, PlanSetting, Profile, SchemaVersion, SelfCheck, User, Walk
from selfcare.schema import LATEST, create_schema
from selfcare.services import caseload_store
from selfcare.services.caseload import PAGE_SIZE, Filter, Group, build_caseload
from selfcare.stamps import STAMPED, installed_triggers, trigger_names
from tests.conftest import Auth
from tests.factories import make_onboarded_patient, make_patient, make_therapist
from tests.history_rows import add_alert, add_checkin, add_set, add_walk, count_queries
from tests.patient_helpers import check_in
from tests.test_caseload import NOW, cohort, enrol

FRAGMENT = {"HX-Request": "true"}


def stamp_of(patient: User) -> int:
    """The patient's data stamp now (0 before any write)."""
    return PatientStamp.select(PatientStamp.version).where(PatientStamp.patient_id == patient.id).scalar() or 0


def rows_of(app: Any, therapist: User, now: datetime = NOW, **kw: Any) -> list[Any]:
    """The caseload rows at `now`."""
    with app.app_context():
        return build_caseload(therapist, now, **kw).rows


def cold_rows(app: Any, therapist: User, now: datetime = NOW) -> list[Any]:
    """The caseload rows built from scratch (no stored row), leaving the store as it was."""
    kept = list(CaseloadRow.select().dicts())
    CaseloadRow.delete().execute()
    rows = rows_of(app, therapist, now)
    CaseloadRow.delete().execute()
    if kept:
        CaseloadRow.insert_many(kept).execute()
    return rows


def test_a_kept_page_is_the_page_built_from_scratch(app, client, auth):
    therapist = make_therapist(email="pt@example.com")
    cohort(app, therapist, datetime.utcnow())
    auth.login("pt@example.com")
    cold = client.get("/therapist/patients", headers=FRAGMENT).get_data(as_text=True)
    assert CaseloadRow.select().count() == 9
    stored = sorted(CaseloadRow.select(CaseloadRow.patient, CaseloadRow.computed_at).tuples())
    warm = client.get("/therapist/patients", headers=FRAGMENT).get_data(as_text=True)
    assert warm == cold
    assert sorted(CaseloadRow.select(CaseloadRow.patient, CaseloadRow.computed_at).tuples()) == stored  # nothing recomputed
    CaseloadRow.delete().execute()
    assert client.get("/therapist/patients", headers=FRAGMENT).get_data(as_text=True) == cold


def _patient_with_a_week(therapist: User) -> User:
    patient = enrol(therapist, "Kai Kept", NOW, started_days=12)
    for days in (6, 4, 2):
        add_checkin(patient, NOW - timedelta(days=days), zone="thigh", walk=10)
    add_set(patient, NOW - timedelta(days=1))
    return patient


def _self_check(patient: User) -> None:
    SelfCheck.create(uuid=uuid.uuid4(), patient=patient, recorded_at=NOW - timedelta(hours=1), heel_walk="weak", toe_walk="normal",
                     big_toe_lift="weak", numb_areas=["top_of_foot"])


WRITES: dict[str, Callable[[User], Any]] = {
    "check-in": lambda p: add_checkin(p, NOW - timedelta(hours=1), zone="foot"),
    "walk": lambda p: add_walk(p, NOW - timedelta(hours=1), 25),
    "set": lambda p: add_set(p, NOW - timedelta(hours=1), response="peripheralized"),
    "self-check": _self_check,
    "profile": lambda p: Profile.update(baseline_walk_minutes=3).where(Profile.patient == p.id).execute(),
    "plan": lambda p: PlanSetting.create(patient=p, changes={}, paused=True),
    "link": lambda p: CareLink.update(created_at=NOW - timedelta(days=1)).where(CareLink.patient == p.id).execute(),
    "deleted check-in": lambda p: CheckIn.delete().where(CheckIn.patient == p.id).execute(),
    "deleted walk": lambda p: Walk.delete().where(Walk.patient == p.id).execute(),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_kind_of_write_shows_on_the_next_load(app, write):
    therapist = make_therapist()
    patient = _patient_with_a_week(therapist)
    before = rows_of(app, therapist)
    assert rows_of(app, therapist) == before  # kept
    stamp = stamp_of(patient)
    WRITES[write](patient)
    assert stamp_of(patient) > stamp  # the trigger bumped it
    after = rows_of(app, therapist)
    assert after == cold_rows(app, therapist)  # the next load is what a build from scratch shows
    if write not in ("self-check", "link"):  # (no visible change for these two in this data: the stamp still moved)
        assert after != before, write


def test_writes_through_the_forms_show_at_once(app):
    """A real check-in POST and a plan change by the therapist: both show on the next load of a warm page."""
    therapist = make_therapist(email="pt@example.com")
    patient = enrol(therapist, "Lee Form", datetime.utcnow(), email="lee@example.com")
    pt_client, patient_client = app.test_client(), app.test_client()
    Auth(pt_client).login("pt@example.com")
    Auth(patient_client).login("lee@example.com")
    page = pt_client.get("/therapist/patients", headers=FRAGMENT).get_data(as_text=True)
    assert "No check-ins yet" in page
    assert check_in(patient_client, zone="foot").status_code == 303
    page = pt_client.get("/therapist/patients", headers=FRAGMENT).get_data(as_text=True)
    assert "No check-ins yet" not in page and "12 min (start 10 min)" in page
    assert "recorded on 1 of 14 days" in page  # the sparkline, from the day's summary row written with the check-in
    PlanSetting.create(patient=patient, changes={}, paused=True)
    assert "(exercises paused)" in pt_client.get("/therapist/patients", headers=FRAGMENT).get_data(as_text=True)


def test_a_new_emergency_shows_first_at_once_with_every_row_kept(app):
    therapist = make_therapist()
    people = cohort(app, therapist, NOW)
    assert [r.name for r in rows_of(app, therapist)][0] == "Wren Emergency"
    stored = CaseloadRow.select().count()
    add_alert(people["better"], NOW - timedelta(minutes=1), "emergency", ["saddle_numbness"])
    with app.app_context(), count_queries() as counted:
        rows = build_caseload(therapist, NOW).rows
    assert counted.n == 3  # nothing recomputed: the alert comes from the fresh alert query
    assert CaseloadRow.select().count() == stored
    assert (rows[0].name, rows[0].group) == ("Abe Better", Group.EMERGENCY)
    assert rows[0].reason.startswith("Emergency alert not acknowledged: saddle numbness.")
    assert rows[0].also == ()  # improving is no concern; its facts are kept
    acknowledged = people["better"].alerts.where(True)
    for alert in acknowledged:
        alert.acknowledged_at = NOW
        alert.save()
    assert [r.name for r in rows_of(app, therapist)][-1] == "Abe Better"


def test_time_moves_rows_on_within_the_cap_and_at_midnight(app):
    therapist = make_therapist()
    patient = enrol(therapist, "Quinn Quiet", NOW, started_days=10)
    add_checkin(patient, NOW - timedelta(days=3) + timedelta(minutes=10), zone="thigh")  # 2 days 23:50 ago
    assert not rows_of(app, therapist)[0].silent
    assert not rows_of(app, therapist, NOW + timedelta(minutes=12))[0].silent  # kept: at most MAX_AGE late
    assert rows_of(app, therapist, NOW + caseload_store.MAX_AGE + timedelta(minutes=1))[0].silent
    row = CaseloadRow.get()
    assert row.valid_until - row.computed_at <= caseload_store.MAX_AGE
    with app.app_context():  # London in November is on UTC: 23:55 is kept only until midnight
        late = datetime(2026, 11, 20, 23, 55)
        assert caseload_store.valid_until(patient, late) == datetime(2026, 11, 21)
        rows_of(app, therapist, late)
        assert rows_of(app, therapist, datetime(2026, 11, 21, 0, 1))[0].trend_first == datetime(2026, 11, 8).date()
    assert rows_of(app, therapist, NOW - timedelta(hours=1))  # an earlier `now` never uses a row computed later


def test_a_name_or_time_zone_change_shows_at_once(app):
    therapist = make_therapist()
    patient = enrol(therapist, "Old Name", NOW)
    rows_of(app, therapist)
    User.update(name="New Name", timezone="America/New_York").where(User.id == patient.id).execute()
    assert [r.name for r in rows_of(app, therapist)] == ["New Name"]
    assert rows_of(app, therapist) == cold_rows(app, therapist)


def test_triggers_bump_the_stamp_on_insert_update_and_delete(app):
    assert installed_triggers() == set(trigger_names())
    assert len(trigger_names()) == 3 * len(STAMPED)
    patient = make_patient()
    start = stamp_of(patient)
    checkin = add_checkin(patient, NOW)
    assert stamp_of(patient) == start + 1
    CheckIn.update(zone="foot").where(CheckIn.id == checkin.id).execute()
    assert stamp_of(patient) > start + 1
    middle = stamp_of(patient)
    CheckIn.delete().where(CheckIn.id == checkin.id).execute()
    assert stamp_of(patient) == middle + 1
    User.delete().where(User.id == patient.id).execute()  # the cascade's triggers do not stop a user leaving


def test_paging_keeps_the_search_and_the_filter(client, auth):
    therapist = make_therapist(email="pt@example.com")
    now = datetime.utcnow()
    for n in range(PAGE_SIZE + 12):
        patient = make_patient(name=f"Pat {n:03d}")
        accounts.link(therapist, patient)  # no profile: counted from the link, 5 days ago, so silent
        CareLink.update(created_at=now - timedelta(days=5)).where(CareLink.patient == patient.id).execute()
        if n % 10 == 0:
            add_alert(patient, now - timedelta(hours=n), "urgent", ["fever"])
    enrol(therapist, "Zed Other", now)
    auth.login("pt@example.com")
    page = client.get("/therapist/patients").get_data(as_text=True)
    assert page.count('class="cl-row') == PAGE_SIZE
    assert "Showing 1–50 of 63 patients." in page
    assert "Alerts: 7." in page  # the counts cover every patient, not just this page
    assert '<a class="button" href="/therapist/patients?page=2">Show the next 13 patients</a>' in page
    second = client.get("/therapist/patients?page=2").get_data(as_text=True)
    assert second.count('class="cl-row') == 13 and '<ol class="cl-list" start="51">' in second
    assert "Showing 51–63 of 63 patients." in second and "Show the previous 50 patients" in second
    assert 'href="/therapist/patients"' in second  # back to page 1 is the plain address
    searched = client.get("/therapist/patients?q=pat&filter=silent").get_data(as_text=True)
    assert "Showing 1–50 of 62 patients (63 linked) (name contains “pat”)." in searched
    assert 'href="/therapist/patients?page=2&amp;q=pat&amp;filter=silent"' in searched
    last = client.get("/therapist/patients?q=pat&filter=silent&page=2", headers=FRAGMENT).get_data(as_text=True)
    assert "<html" not in last and last.count('class="cl-row') == 12 and "Zed Other" not in last
    assert client.get("/therapist/patients?page=99").get_data(as_text=True).count('class="cl-row') == 13  # the last page
    for bad in ("0", "-1", "x", "9" * 30, "²"):
        assert client.get(f"/therapist/patients?page={bad}").status_code == 200
    rows = re.findall(r'class="cl-name"[^>]*>([^<]+)<', page + second)
    assert len(rows) == len(set(rows)) == 63 and rows[0] == "Pat 000"


def test_stored_rows_add_no_statements_per_patient(app):
    """Cold and warm loads run the same statements with 2 and with 12 patients."""
    def counts(n: int) -> tuple[int, int]:
        therapist = make_therapist()
        for k in range(n):
            patient = enrol(therapist, f"P{n} {k}", NOW)
            add_checkin(patient, NOW - timedelta(days=1))
        with app.app_context(), count_queries() as cold:
            build_caseload(therapist, NOW)
        with app.app_context(), count_queries() as warm:
            build_caseload(therapist, NOW)
        return cold.n, warm.n

    assert counts(2) == counts(12) == (11, 3)


def _drop_version_7() -> None:
    """Make the database look like version 6: no cache tables, no triggers."""
    for name in trigger_names():
        table = name.removeprefix("stamp_").rsplit("_", 1)[0]
        db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"' + (f' ON "{table}"' if is_postgresql() else ""))
    db.drop_tables([CaseloadRow, PatientStamp])
    SchemaVersion.delete().where(SchemaVersion.version >= 7).execute()


def _shape() -> tuple[set[str], set[str], dict[str, list[str]]]:
    tables = set(db.get_tables())
    columns = {t: sorted(c.name for c in db.get_columns(t)) for t in ("caseload_row", "patient_stamp") if t in tables}
    return tables, installed_triggers(), columns


def test_a_version_6_database_migrates_to_the_shape_of_a_new_one(app):
    with app.app_context():
        fresh = _shape()
        assert {"caseload_row", "patient_stamp"} <= fresh[0] and fresh[1] == set(trigger_names())
        _drop_version_7()
        assert _shape() != fresh
        assert create_schema() == LATEST
        assert _shape() == fresh
        assert SchemaVersion.select().count() == LATEST
        patient = make_onboarded_patient()
        before = stamp_of(patient)
        add_checkin(patient, NOW)
        assert stamp_of(patient) == before + 1  # the migrated triggers work


def test_a_row_that_cannot_be_stored_still_shows(app, monkeypatch):
    """Storing is a saving, not a step the page needs: a busy or read-only database still gets the page."""
    from peewee import OperationalError

    therapist = make_therapist()
    cohort(app, therapist, NOW)
    expected = rows_of(app, therapist)
    CaseloadRow.delete().execute()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(CaseloadRow, "insert_many", refuse)
    assert rows_of(app, therapist) == expected
    assert CaseloadRow.select().count() == 0


def test_unlinking_and_linking_again_show_at_once(app):
    from selfcare.services.care import end_link

    therapist = make_therapist()
    patient = enrol(therapist, "Ray Relink", NOW)
    add_checkin(patient, NOW - timedelta(days=1))
    kept = rows_of(app, therapist)
    assert [r.name for r in kept] == ["Ray Relink"]
    assert end_link(therapist, patient)
    assert rows_of(app, therapist) == []
    accounts.link(therapist, patient)
    assert rows_of(app, therapist) == cold_rows(app, therapist) == kept


def test_each_page_decodes_only_its_rows_and_pages_make_the_whole_list(app, monkeypatch):
    """120 patients in every group: pages 1-3 are the whole list's order cut in 50s, with the same counts, the same
    statements whatever the page, and only the page's rows decoded (the others are placed from their stored columns)."""
    therapist = make_therapist()
    for n in range(120):
        patient = enrol(therapist, f"{('Ann', 'Bea', 'Cy', 'Dee')[n % 4]} {n:03d}", NOW, started_days=5 + n % 9)
        if n % 3:  # every third has no check-in: silent
            add_checkin(patient, NOW - timedelta(days=n % 5, hours=n), zone=("thigh", "calf", "foot")[n % 3])
        if n % 4 == 0:
            add_set(patient, NOW - timedelta(days=1, minutes=n), response="peripheralized")  # getting worse
        if n % 7 == 0:
            add_alert(patient, NOW - timedelta(hours=n), ("emergency", "urgent", "contact_pt")[n % 3], ["fever"])
    with app.app_context():
        check_pages(therapist, monkeypatch)


def check_pages(therapist: User, monkeypatch: Any) -> None:
    """The checks of the test above, in an app context."""
    from selfcare.clinical.caseload import Kept

    whole = build_caseload(therapist, NOW)  # computes and stores every row
    assert len({r.group for r in whole.rows}) >= 6 and whole.listed == len(whole.rows) == 120
    decoded: list[str] = []
    from_json = Kept.from_json
    monkeypatch.setattr(Kept, "from_json", classmethod(lambda cls, text: decoded.append(text) or from_json(text)))
    pages, statements = [], []
    for number in (1, 2, 3, 4):
        with count_queries() as counted:
            pages.append(build_caseload(therapist, NOW, page=number))
        statements.append(counted.n)
    assert statements == [3, 3, 3, 3]
    assert [len(p.rows) for p in pages] == [50, 50, 20, 20]  # past the last page: the last page
    assert len(decoded) == 140
    assert [r for p in pages[:3] for r in p.rows] == whole.rows
    assert all(p.counts == whole.counts and p.listed == 120 and p.total == 120 for p in pages)
    assert [(p.page.first, p.page.last, p.page.pages, p.page.next_page) for p in pages] == [
        (1, 50, 3, 2), (51, 100, 3, 3), (101, 120, 3, None), (101, 120, 3, None)]
    for wanted in ("attention", "alerts", "silent"):
        listed = build_caseload(therapist, NOW, filter=wanted).rows
        assert build_caseload(therapist, NOW, filter=wanted, page=1).rows == listed[:50]
        assert whole.counts[Filter(wanted)] == len(listed) > 0
    assert build_caseload(therapist, NOW, query="bea", page=1).rows == [r for r in whole.rows if "Bea" in r.name]
