"""No page runs more SQL statements as the data grows (issue 9): counts in a small world equal those in a big one.

Each page is requested once to warm up (first-request caches, the hourly login-session touch), then counted.
The small world: a therapist with 3 patients, the one we look at with 5 days of history. The big world
adds 27 patients to the caseload and 115 earlier days (with alerts, sets, walks, self-checks, notes, plan
changes and record views) to that patient. Rows are written in bulk (demo.generate_history), not by forms.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from flask.testing import FlaskClient

from selfcare import accounts
from selfcare.db import db
from selfcare.demo import generate_history
from selfcare.models import Alert, AuditEvent, CareLink, PlanChange, Profile, Role, SelfCheck, TherapistNote, User, utcnow
from selfcare.services.periods import ALLOWED_DAYS
from tests.conftest import Auth
from tests.factories import make_profile, make_therapist, make_user
from tests.patient_helpers import checkin_data, form_page
from tests.query_counter import QueryCounter, count_queries

SMALL_DAYS, BIG_DAYS = 5, 120
SMALL_CASELOAD, BIG_CASELOAD = 3, 30

Page = Callable[[], Any]


def _extras(patient: User, therapist: User, start: datetime, days: int) -> None:
    """Per day from `start` back: a self-check, a note, a plan change and a record view; every 10th day an open alert."""
    moments = [start - timedelta(days=n, hours=3) for n in range(days)]
    with db.atomic():
        SelfCheck.insert_many([{"uuid": uuid.uuid4(), "patient": patient.id, "recorded_at": t, "received_at": t, "heel_walk": "normal",
                                "toe_walk": "weak", "big_toe_lift": "normal", "numb_areas": ["top_of_foot"]} for t in moments]).execute()
        TherapistNote.insert_many([{"patient": patient.id, "therapist": therapist.id, "text": f"Note {n}", "created_at": t}
                                   for n, t in enumerate(moments)]).execute()
        PlanChange.insert_many([{"patient": patient.id, "therapist": therapist.id, "changes": {}, "paused": False, "created_at": t}
                                for t in moments]).execute()
        AuditEvent.insert_many([{"actor": therapist.id, "actor_name": therapist.name, "patient": patient.id, "action": "viewed_record",
                                 "created_at": t} for t in moments]).execute()
        Alert.insert_many([{"patient": patient.id, "level": "contact_pt", "reasons": ["numbness_spreading"], "source": "self_check",
                            "created_at": t, "confirmed_at": t} for t in moments[::10]]).execute()


def _add_patients(therapist: User, count: int, now: datetime, rng: random.Random) -> None:
    """`count` more onboarded patients linked to `therapist`, each with a week of history (no password hashing)."""
    template = User.get(User.role == Role.PATIENT.value)
    first = User.select().count()
    rows = [{"email": f"bulk{first + n}@example.com", "password_hash": template.password_hash, "role": Role.PATIENT.value,
             "name": f"Bulk Patient {first + n}", "region": "UK", "timezone": "Europe/London", "created_at": now}
            for n in range(count)]
    with db.atomic():
        User.insert_many(rows).execute()
    patients = list(User.select().where(User.email.in_([r["email"] for r in rows])))
    with db.atomic():
        Profile.insert_many([{"patient": p.id, "legs": "left", "symptoms_started": (now - timedelta(days=30)).date(),
                              "baseline_walk_minutes": 10, "created_at": now - timedelta(days=8), "updated_at": now}
                             for p in patients]).execute()
        CareLink.insert_many([{"therapist": therapist.id, "patient": p.id, "created_at": now - timedelta(days=8)}
                              for p in patients]).execute()
    for n, p in enumerate(patients):
        generate_history(p, ("centralizing", "peripheralizing", "stable")[n % 3], 7, now, rng, therapist if n % 2 else None)


def _confirm_emergencies() -> None:
    """An unconfirmed emergency takes over every patient page: confirm them, so pages render as usual."""
    Alert.update(confirmed_at=utcnow()).where((Alert.level == "emergency") & Alert.confirmed_at.is_null()).execute()


def _pages(patient_client: FlaskClient, therapist_client: FlaskClient, patient: User) -> dict[str, Page]:
    """Every page the issue names, by a label, as a call that makes the request and checks it worked."""

    def get(client: FlaskClient, path: str, status: int = 200) -> Page:
        def run() -> Any:
            response = client.get(path)
            assert response.status_code == status, f"{path}: {response.status_code}"
        return run

    pages: dict[str, Page] = {"patient /today": get(patient_client, "/today")}
    for days in ALLOWED_DAYS:
        pages[f"patient /history?days={days}"] = get(patient_client, f"/history?days={days}")
    pid = patient.id
    pages.update({
        "patient /exercises": get(patient_client, "/exercises"),
        "patient /checkin": get(patient_client, "/checkin"),
        "patient /summary": get(patient_client, "/summary"),
        "therapist /therapist/patients": get(therapist_client, "/therapist/patients"),
        "therapist patient page": get(therapist_client, f"/therapist/patients/{pid}"),
        "therapist patient page ?days=365": get(therapist_client, f"/therapist/patients/{pid}?days=365"),
        "therapist /therapist/alerts/open": get(therapist_client, "/therapist/alerts/open"),
        "therapist plan page": get(therapist_client, f"/therapist/patients/{pid}/plan"),
        "therapist summary": get(therapist_client, f"/therapist/patients/{pid}/summary"),
    })
    return pages


def _count(page: Page) -> QueryCounter:
    """The statements of one request of a page, after one warm-up request."""
    page()
    with count_queries() as queries:
        page()
    return queries


def _post_checkin(client: FlaskClient) -> QueryCounter:
    """The statements of one check-in POST (the form page is fetched outside the count)."""
    html, hidden = form_page(client, "/checkin")
    data = checkin_data(html, hidden)
    with count_queries() as queries:
        response = client.post("/checkin", data=data)
    assert response.status_code == 303, response.status_code
    return queries


def _measure(patient_client: FlaskClient, therapist_client: FlaskClient, patient: User) -> dict[str, QueryCounter]:
    """Counted statements of every page and of a check-in POST."""
    counts = {label: _count(page) for label, page in _pages(patient_client, therapist_client, patient).items()}
    counts["patient POST /checkin"] = _post_checkin(patient_client)
    return counts


def _difference(label: str, small: QueryCounter, big: QueryCounter) -> str:
    """Why a page failed, with both lists of statements."""
    return f"{label}: {small.count} statements in the small world, {big.count} in the big one.\nSMALL {small.report()}\nBIG {big.report()}"


def test_no_page_runs_more_queries_as_the_data_grows(app):
    """Same statement count for every page with 3 → 30 patients and 5 → 120 days of history."""
    now = datetime.now(timezone.utc)
    rng = random.Random(9)
    with app.app_context():
        therapist = make_therapist(email="pt@example.com", name="Dana Physio")
        patient = make_user(Role.PATIENT, email="pat@example.com", name="Robin Patient")
        make_profile(patient)
        Profile.update(created_at=utcnow() - timedelta(days=BIG_DAYS + 5)).where(Profile.patient == patient.id).execute()
        accounts.link(therapist, patient)
        generate_history(patient, "peripheralizing", SMALL_DAYS, now, rng, therapist)
        _extras(patient, therapist, utcnow(), SMALL_DAYS)
        _add_patients(therapist, SMALL_CASELOAD - 1, utcnow(), rng)
        _confirm_emergencies()
    patient_client, therapist_client = app.test_client(), app.test_client()
    assert Auth(patient_client).login("pat@example.com").status_code == 303
    assert Auth(therapist_client).login("pt@example.com").status_code == 303

    small = _measure(patient_client, therapist_client, patient)

    with app.app_context():
        earlier = now - timedelta(days=SMALL_DAYS)
        generate_history(patient, "centralizing", BIG_DAYS - SMALL_DAYS, earlier, rng, therapist)
        _extras(patient, therapist, earlier.replace(tzinfo=None), BIG_DAYS - SMALL_DAYS)
        _add_patients(therapist, BIG_CASELOAD - SMALL_CASELOAD, utcnow(), rng)
        _confirm_emergencies()
    big = _measure(patient_client, therapist_client, patient)

    print("\n" + "\n".join(f"{label:40} {small[label].count:3} -> {big[label].count:3}" for label in small))
    grew = [_difference(label, small[label], big[label]) for label in small if big[label].count != small[label].count]
    assert not grew, "\n\n".join(grew)
