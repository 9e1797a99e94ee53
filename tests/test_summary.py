"""The visit summary service, its printable page and its PDF."""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta

import pytest

from selfcare.clinical import Level, Trend
from selfcare.models import utcnow
from selfcare.pdf import latin1, summary_pdf
from selfcare.services.summary import build_summary, sections
from tests.factories import make_onboarded_patient
from tests.history_rows import (
    add_alert,
    add_checkin,
    add_days,
    add_set,
    add_walk,
    count_queries,
)

NOW = datetime(2026, 11, 20, 12, 0)
BLADDER = "Peeing is different in a new way"  # the start of the sign in content/red_flags.toml
NUMBNESS = "Numbness in your leg or foot getting bigger or spreading"
FEVER = "A fever or chills"


def _fill(patient, end):
    """A fortnight: 4 check-ins (one right side), 3 walks, 3 sets, 2 alerts, and rows outside the period."""
    add_checkin(patient, end - timedelta(days=12), zone="foot", leg=8, worse_with=["sitting", "bending"], walk=6, onset=2)
    add_checkin(patient, end - timedelta(days=8), zone="calf", leg=6, worse_with=["sitting"], walk=15, onset=None)
    add_checkin(patient, end - timedelta(days=4), zone="thigh", leg=4, side="right", worse_with=["sitting", "standing"])
    add_checkin(patient, end - timedelta(days=1), zone="thigh", leg=3, worse_with=[])
    add_walk(patient, end - timedelta(days=1), 22, onset=12)
    morning = (end - timedelta(days=8)).replace(hour=8, minute=0)  # two sets on one day, whatever the time of the run
    add_set(patient, morning)
    add_set(patient, morning + timedelta(hours=3))
    add_set(patient, end - timedelta(days=1), before="thigh", after=None, response=None, outcome="quit")  # no re-check: not done
    add_set(patient, end - timedelta(days=1, hours=2), before="thigh", after="buttock")
    add_alert(patient, end - timedelta(days=5), "contact_pt", ["numbness_spreading"])
    add_alert(patient, end - timedelta(days=2), "emergency", ["bladder_change", "falls"])
    # Outside the 14 days: must not count.
    add_checkin(patient, end - timedelta(days=20), zone="foot", worse_with=["walking"], walk=1)
    add_alert(patient, end - timedelta(days=25), "urgent", ["fever"])


def test_summary_brings_what_seed_003_asks_for(app):
    patient = make_onboarded_patient()
    _fill(patient, NOW)
    with app.app_context():
        summary = build_summary(patient, 14, NOW)
    assert summary.checkins == 4
    assert dict(summary.worse_with) == {"Sitting": 3, "Bending": 1, "Standing": 1, "Walking": 0}
    assert summary.furthest == "Ankle, foot or toes"
    assert summary.sides == (("Left leg", "Ankle, foot or toes"), ("Right leg", "Thigh"))
    assert [(z.name, z.days) for z in summary.zone_days] == [("Ankle, foot or toes", 1), ("Calf or shin", 1), ("Thigh", 2)]
    assert (summary.best_walk.minutes, summary.best_walk.onset_minutes) == (22, 12)
    assert (summary.worst_walk.minutes, summary.worst_walk.onset_minutes) == (6, 2)
    assert summary.walks == 3
    assert (summary.sets_done, summary.days_with_sets) == (3, 2)
    # The last days are on the right leg as well: never centralizing (CLINICAL.md §2), and the patient is told to say so.
    assert (summary.trend.direction, summary.trend.side_changed) == (Trend.STABLE, True)
    # Leg pain 8 -> 3.5 is clearly lower, but symptoms on the other leg are never called an improvement.
    assert summary.progress.headline == "About the same"
    assert summary.progress.sentences[1:] == (
        "Leg pain 8 → 3.5 out of 10 over the last 14 days (average of the first days and of the last days).",
        "Your symptoms are on a different side now than at the start of these 14 days.",
        "Let your physiotherapist know, so they can check your plan.",
    )
    assert [f.level for f in summary.red_flags] == [Level.EMERGENCY, Level.CONTACT_PT]  # newest first
    assert summary.red_flags[0].answers[0].startswith(BLADDER)
    assert summary.red_flags[0].title == "Get emergency help now"
    assert summary.red_flags[1].answers == (NUMBNESS,)


def test_summary_sections_in_words(app):
    patient = make_onboarded_patient()
    _fill(patient, NOW)
    with app.app_context():
        parts = {s.id: s for s in sections(build_summary(patient, 14, NOW))}
    assert list(parts) == ["where", "worse", "walking", "trend", "exercises", "flags"]
    assert ("Sitting", "3 of 4 check-ins") in parts["worse"].rows
    assert parts["where"].rows == (
        ("Furthest point", "Ankle, foot or toes"), ("Left leg", "Ankle, foot or toes"), ("Right leg", "Thigh"),
        ("Furthest point each day", "Ankle, foot or toes: 1 day, Calf or shin: 1 day, Thigh: 2 days"),
    )
    assert ("Best walk", "22 min on Thu 19 Nov 2026 (leg symptoms after 12 min)") in parts["walking"].rows
    assert ("Worst walk", "6 min on Sun 8 Nov 2026 (leg symptoms after 2 min)") in parts["walking"].rows
    assert ("Days with sets", "2 of 14 days") in parts["exercises"].rows
    assert parts["flags"].rows[0][0] == "Wed 18 Nov 2026, 12:00: Get emergency help now"


def test_an_empty_summary_says_so(app):
    patient = make_onboarded_patient()
    with app.app_context():
        summary = build_summary(patient, 14, NOW)
        parts = {s.id: s for s in sections(summary)}
    assert summary.empty and summary.best_walk is None and summary.worst_walk is None
    assert parts["flags"].notes == ("None in this period.",)
    assert parts["where"].notes == ("No symptoms recorded in this period.",)
    assert summary.trend.direction == Trend.INSUFFICIENT_DATA


def test_one_walk_is_best_but_not_also_worst(app):
    patient = make_onboarded_patient()
    add_checkin(patient, NOW - timedelta(hours=1), walk=12, onset=None)
    with app.app_context():
        summary = build_summary(patient, 7, NOW)
    assert summary.best_walk.minutes == 12 and summary.worst_walk is None


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its page streams are zlib-compressed)."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    strings = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", "\n".join(chunks))
    return " ".join(s.replace("\\(", "(").replace("\\)", ")").replace("\\\\", "\\") for s in strings)


def test_pdf_holds_the_same_summary(app):
    patient = make_onboarded_patient(name="Zoë Ωmega")  # Ω is outside the core font: it must not break the PDF
    _fill(patient, NOW)
    with app.app_context():
        data = summary_pdf(build_summary(patient, 14, NOW))
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("Visit summary", "Where symptoms travel", "3 of 4 check-ins", "Best walk", "22 min on Thu 19 Nov 2026",
                     "Get emergency help now", "Warning signs answered yes", "Zoë ?mega", "2 of 14 days"):
        assert expected in text, expected


def test_latin1_keeps_what_it_can():
    assert latin1("Zoë – ‘ok’ Ω") == "Zoë - 'ok' ?"


# ---- the pages ---------------------------------------------------------------------------------


def _login_patient(auth):
    patient = make_onboarded_patient(email="pat@example.com")
    assert auth.login("pat@example.com").status_code == 303
    return patient


def test_summary_page(client, auth):
    patient = _login_patient(auth)
    _fill(patient, utcnow())
    response = client.get("/summary")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'aria-current="page"><span class="range-n">14</span> days</a>', page)
    for expected in ("Where symptoms travel", "What makes symptoms worse", "3 of 4 check-ins", "Best walk", "Worst walk",
                     "22 min on", "6 min on", "How things are changing", "2 of 14 days", "Get emergency help now",
                     BLADDER, NUMBNESS, "Falling more than once because of your leg"):
        assert expected in page, expected
    assert FEVER not in page  # that alert is older than the period
    assert 'href="/summary.pdf?days=14"' in page and "@media print" not in page


def test_empty_summary_page(client, auth):
    _login_patient(auth)
    page = client.get("/summary?days=7").get_data(as_text=True)
    assert "Nothing was recorded in these days yet." in page
    assert "None in this period." in page


def test_summary_pdf_download(client, auth):
    patient = _login_patient(auth)
    _fill(patient, utcnow())
    response = client.get("/summary.pdf?days=30")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert re.fullmatch(r'attachment; filename="selfcare-summary-\d{4}-\d{2}-\d{2}\.pdf"', response.headers["Content-Disposition"])
    assert response.data.startswith(b"%PDF")
    assert FEVER in pdf_text(response.data)  # 30 days reach the older alert


@pytest.mark.parametrize("days", ["", "x", "13", "-14", "1" * 30])
def test_bad_days_fall_back_to_14(client, auth, days):
    _login_patient(auth)
    page = client.get(f"/summary?days={days}")
    assert page.status_code == 200 and re.search(r'aria-current="page"><span class="range-n">14</span> days</a>', page.get_data(as_text=True))
    assert client.get(f"/summary.pdf?days={days}").data.startswith(b"%PDF")


def test_summary_queries_do_not_grow_with_the_days(client, auth):
    patient = _login_patient(auth)
    # Midday UTC, the latest one past: a late-evening time would fall on the next local day in London's summer time,
    # and two of the 200 days would be one.
    now = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    now -= timedelta(days=1) if now > utcnow() else timedelta(0)
    add_days(patient, now, 2)
    client.get("/summary?days=365")
    with count_queries() as few:
        client.get("/summary?days=365")
    add_days(patient, now - timedelta(days=2), 198)
    with count_queries() as many:
        assert "200 of 365 days" in client.get("/summary?days=365").get_data(as_text=True)
    assert few.n == many.n <= 9
