"""Progress in words (selfcare/progress_words.py): "getting better / about the same / getting worse" with the window and
the numbers, and every place that says it (Today, History, the visit summary, the therapist's pages, the caseload and
the API) saying the same for a patient whose zone moved up while their leg pain rose (CLINICAL.md §3)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from selfcare import accounts
from selfcare.clinical import (
    Change,
    Phase,
    Progress,
    Reading,
    SessionState,
    StopReason,
    Trend,
    TrendSummary,
    Zone,
    classify_response,
    judge_progress,
)
from selfcare.models import ExerciseSet, PlayerState, User, utcnow
from selfcare.progress_words import describe_progress
from selfcare.services.caseload import Group, build_caseload
from selfcare.services.history import build_history
from selfcare.services.history_sets import RESPONSE_WORDS
from selfcare.services.today import build_today
from tests.api_helpers import call, token_for
from tests.factories import make_onboarded_patient, make_therapist
from selfcare.words import describe_response
from tests.history_rows import add_checkin, add_set


def summary(direction: Trend, before: Zone, now: Zone, pain: tuple[float, float], walks: tuple[float, float] | None = None,
            side_changed: bool = False) -> TrendSummary:
    """A trend summary with its numbers; the changes follow the trend rule's noise thresholds (2 points, 5 minutes)."""
    def change(delta: float, noise: float, higher_is_better: bool) -> Change:
        if abs(delta) < noise:
            return Change.UNCHANGED
        return Change.BETTER if (delta > 0) == higher_is_better else Change.WORSE

    walking = Change.UNKNOWN if walks is None else change(walks[1] - walks[0], 5, True)
    return TrendSummary(
        direction, 6, 6, change(pain[1] - pain[0], 2, False), pain[1] - pain[0], walking,
        None if walks is None else walks[1] - walks[0], earlier_zone=before, recent_zone=now, leg_pain_before=pain[0],
        leg_pain_now=pain[1], walk_before=None if walks is None else walks[0], walk_now=None if walks is None else walks[1],
        side_changed=side_changed,
    )


UNKNOWN = TrendSummary(Trend.INSUFFICIENT_DATA, 2, 2, Change.UNKNOWN, None, Change.UNKNOWN, None)

# (case, summary, progress, headline, sentences, line, therapist's clinical line) over 14 days, in UK words.
TABLE = [
    ("improving", summary(Trend.CENTRALIZING, Zone.CALF, Zone.THIGH, (6, 3), (4, 12)), Progress.IMPROVING, "Getting better",
     ("Symptoms reach your thigh now; at the start of these 14 days they reached your calf or shin. Moving up towards "
      "your back is usually a good sign.",
      "Leg pain 6 → 3 out of 10 over the last 14 days (average of the first days and of the last days).",
      "You walk about 12 minutes in one go now; at the start of these 14 days it was about 4."),
     "Getting better over the last 14 days: symptoms moved up, to your thigh, leg pain 6 → 3 out of 10 and walks 4 → 12 minutes.",
     "zone calf→thigh (centralizing), leg pain 6→3, walking 4→12 min, 14 days"),
    ("same", summary(Trend.STABLE, Zone.THIGH, Zone.THIGH, (5, 5.5)), Progress.SAME, "About the same",
     ("Symptoms reach your thigh, as they did at the start of these 14 days.",
      "Leg pain 5 → 5.5 out of 10 over the last 14 days (average of the first days and of the last days)."),
     "About the same over the last 14 days.",
     "zone thigh, leg pain 5→5.5, 14 days"),
    ("worse: leg pain up while the zone moved up", summary(Trend.WORSENING, Zone.CALF, Zone.THIGH, (3, 7)), Progress.WORSE,
     "Getting worse",
     ("Leg pain 3 → 7 out of 10 over the last 14 days (average of the first days and of the last days).",
      "Symptoms reach your thigh now; at the start of these 14 days they reached your calf or shin.",
      "Let your physiotherapist know, so they can check your plan."),
     "Getting worse over the last 14 days: leg pain 3 → 7 out of 10. Let your physiotherapist know.",
     "leg pain 3→7, zone calf→thigh, 14 days"),
    ("worse: walking down while the zone moved up", summary(Trend.CENTRALIZING, Zone.CALF, Zone.THIGH, (5, 4), (20, 12)),
     Progress.WORSE, "Getting worse",
     ("You walk about 12 minutes in one go now; at the start of these 14 days it was about 20.",
      "Symptoms reach your thigh now; at the start of these 14 days they reached your calf or shin.",
      "Leg pain 5 → 4 out of 10 over the last 14 days (average of the first days and of the last days).",
      "Let your physiotherapist know, so they can check your plan."),
     "Getting worse over the last 14 days: walks 20 → 12 minutes. Let your physiotherapist know.",
     "walking 20→12 min, zone calf→thigh, leg pain 5→4, 14 days"),
    ("worse: further down the leg", summary(Trend.PERIPHERALIZING, Zone.THIGH, Zone.FOOT, (4, 4.3333)), Progress.WORSE,
     "Getting worse",
     ("Symptoms reach your ankle, foot or toes now; at the start of these 14 days they reached your thigh.",
      "Leg pain 4 → 4.3 out of 10 over the last 14 days (average of the first days and of the last days).",
      "Let your physiotherapist know, so they can check your plan."),
     "Getting worse over the last 14 days: symptoms reach further down, to your ankle, foot or toes. Let your physiotherapist know.",
     "zone thigh→foot (peripheralizing), leg pain 4→4.3, 14 days"),
    ("same zone on the other side", summary(Trend.STABLE, Zone.CALF, Zone.THIGH, (5, 5), side_changed=True), Progress.SAME,
     "About the same",
     ("Symptoms reach your thigh now; at the start of these 14 days they reached your calf or shin.",
      "Leg pain 5 → 5 out of 10 over the last 14 days (average of the first days and of the last days).",
      "Your symptoms are on a different side now than at the start of these 14 days.",
      "Let your physiotherapist know, so they can check your plan."),
     "About the same over the last 14 days.",
     "zone calf→thigh, leg pain 5→5, changed side, 14 days"),
    ("unknown", UNKNOWN, Progress.UNKNOWN, "Not enough check-ins yet",
     ("It takes at least 3 check-ins on 3 different days to see how things are changing. You have 2 check-ins on 2 days "
      "in the last 14 days.",),
     "Not enough check-ins yet to see how things are changing over the last 14 days.",
     "2 check-ins on 2 days in 14 days"),
]


@pytest.mark.parametrize(("case", "trend", "progress", "headline", "sentences", "line", "clinical"), TABLE, ids=[t[0] for t in TABLE])
def test_the_verdict_in_words(app, case, trend, progress, headline, sentences, line, clinical):
    """Each sentence names the window and its numbers; worse comes first, says what to do and is never praised."""
    with app.app_context():
        words = describe_progress(judge_progress(trend), 14, "physiotherapist")
    assert (words.progress, words.headline, words.sentences, words.line, words.clinical) == (
        progress, headline, sentences, line, clinical)
    if progress == Progress.WORSE:
        assert words.label == "Getting worse"
        assert not any("good sign" in s or "better" in s.lower() for s in (*words.sentences, words.line))


def test_the_therapist_word_follows_the_region(app):
    """'Let your physical therapist know' in the US, 'physiotherapist' in the UK."""
    worse = judge_progress(summary(Trend.WORSENING, Zone.CALF, Zone.THIGH, (3, 7)))
    with app.app_context():
        assert describe_progress(worse, 30, "physical therapist").sentences[-1] == (
            "Let your physical therapist know, so they can check your plan.")
        assert "over the last 30 days" in describe_progress(worse, 30).sentences[0]


def test_a_set_that_moved_symptoms_up_but_raised_leg_pain_reads_worse(app):
    """Calf 2/10 to thigh 8/10 in one set: 'Your leg pain got worse after the last set', never 'moved up ... good sign'."""
    response = classify_response(Reading("calf", 2, 3), Reading("thigh", 8, 3))
    with app.app_context():
        said = describe_response(response, "calf", "thigh")
    assert said == "Your leg pain got worse after the last set."
    assert RESPONSE_WORDS[response] == "Leg pain got worse"


# ---- One patient, every page ----------------------------------------------------------------------------------
# The zone moved up (calf to thigh) but leg pain rose from 3 to 7 over the last 12 days: getting worse, not improving.
PRAISE = ("Getting better", "Improving", "improving", "centralizing", "good sign", "Moving up")


def rising_pain(patient: User, now: datetime) -> None:
    """Calf at 3/10 twelve and eleven days ago; thigh at 7/10 yesterday and two hours ago (naive UTC)."""
    add_checkin(patient, now - timedelta(days=12), zone="calf", leg=3)
    add_checkin(patient, now - timedelta(days=11), zone="calf", leg=3)
    add_checkin(patient, now - timedelta(days=1), zone="thigh", leg=7)
    add_checkin(patient, now - timedelta(hours=2), zone="thigh", leg=7)


def assert_worse(text: str) -> None:
    """'Getting worse' with the leg pain numbers, and no praise anywhere."""
    assert "Getting worse" in text
    for word in PRAISE:
        assert word not in text, word


@pytest.fixture
def worse_patient(app):
    """A UK patient (physiotherapist) whose leg pain rose while the zone moved up, linked to a therapist."""
    with app.app_context():
        patient = make_onboarded_patient(email="pat@example.com", name="Rae Rising")
        therapist = make_therapist(email="pt@example.com", name="Dana Physio")
        accounts.link(therapist, patient)
        rising_pain(patient, utcnow())
    return patient, therapist


def test_history_says_getting_worse_over_the_chosen_range(client, auth, worse_patient):
    """History: 'Getting worse', leg pain 3 → 7 over the last 30 days (or 14), and what to do."""
    auth.login("pat@example.com")
    page = client.get("/history").get_data(as_text=True)
    assert_worse(page.split('id="zone-heading"')[0])
    assert "Leg pain 3 → 7 out of 10 over the last 30 days" in page
    assert "Let your physiotherapist know, so they can check your plan." in page
    assert 'class="card trend trend-worse"' in page
    fourteen = client.get("/history?days=14").get_data(as_text=True)
    assert "Leg pain 3 → 7 out of 10 over the last 14 days" in fourteen


def test_today_has_the_same_verdict_in_one_line(client, auth, worse_patient):
    """Today: one line over the last 14 days, the same verdict as History's 14 days."""
    auth.login("pat@example.com")
    page = client.get("/today").get_data(as_text=True)
    section = page.split('id="progress-heading"')[1].split("</section>")[0]
    assert "Getting worse over the last 14 days: leg pain 3 → 7 out of 10. Let your physiotherapist know." in section
    assert_worse(section)
    assert 'href="/history?days=14"' in section
    patient, _ = worse_patient
    with client.application.app_context():
        today, history = build_today(patient), build_history(patient, 14)
    assert today.progress == history.progress


def test_today_praises_no_single_set_while_the_days_are_worse(client, auth, worse_patient):
    """A set that moved symptoms up is told as it was, without "a good sign", while the 14 days are getting worse."""
    patient, _ = worse_patient
    with client.application.app_context():
        add_set(patient, utcnow() - timedelta(hours=1), before="thigh", after="buttock", response="centralized")
    auth.login("pat@example.com")
    page = client.get("/today").get_data(as_text=True)
    assert "Your leg symptoms moved up from thigh to buttock after the last set." in page
    assert "good sign" not in page


def test_today_before_enough_check_ins(app):
    """Not enough check-ins: Today says so, with the window."""
    with app.app_context():
        patient = make_onboarded_patient()
        add_checkin(patient, utcnow() - timedelta(hours=1))
        progress = build_today(patient).progress
    assert progress is not None and progress.progress == Progress.UNKNOWN
    assert progress.line == "Not enough check-ins yet to see how things are changing over the last 14 days."


def test_the_visit_summary_and_its_pdf_say_getting_worse(client, auth, worse_patient):
    """The visit summary page (and the PDF's text) say 'Getting worse' with the numbers."""
    auth.login("pat@example.com")
    page = client.get("/summary").get_data(as_text=True)
    part = page.split('id="summary-trend"')[1].split("</section>")[0]
    assert "<dt>Overall</dt><dd>Getting worse</dd>" in part and "Leg pain 3 → 7 out of 10 over the last 14 days" in part
    assert_worse(part)
    pdf = client.get("/summary.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_the_therapist_patient_page_says_getting_worse(client, auth, worse_patient):
    """The therapist's patient page: 'Getting worse: leg pain 3→7, zone calf→thigh, 30 days', never centralizing."""
    patient, _ = worse_patient
    auth.login("pt@example.com")
    page = client.get(f"/therapist/patients/{patient.id}").get_data(as_text=True)
    section = page.split('id="charts-heading"')[1].split('id="zone-heading"')[0]
    assert "<strong>Getting worse:</strong> leg pain 3→7, zone calf→thigh, 30 days" in section
    assert_worse(section)


def test_the_caseload_puts_them_with_getting_worse(app, client, auth, worse_patient):
    """Caseload: in the getting-worse group, above improving and the rest, with the numbers; never 'Improving'."""
    patient, therapist = worse_patient
    with app.app_context():
        better = make_onboarded_patient(name="Abe Better")
        accounts.link(therapist, better)
        now = utcnow()
        for days, zone, leg in ((12, "calf", 6), (11, "calf", 6), (1, "thigh", 3), (0.1, "thigh", 3)):
            add_checkin(better, now - timedelta(days=days), zone=zone, leg=leg)
        rows = build_caseload(therapist).rows
    by_name = {r.name: r for r in rows}
    worse = by_name["Rae Rising"]
    assert (worse.group, worse.trend, worse.progress) == (Group.WORSENING, Trend.WORSENING, Progress.WORSE)
    assert worse.reason == "Getting worse: leg pain 3→7, zone calf→thigh, 14 days."
    assert worse.trend_label == "Getting worse"
    assert (by_name["Abe Better"].group, by_name["Abe Better"].trend_label) == (Group.IMPROVING, "Improving")
    assert [r.name for r in rows] == ["Rae Rising", "Abe Better"]
    auth.login("pt@example.com")
    page = client.get("/therapist/patients").get_data(as_text=True)
    row = page.split("Rae Rising")[1].split("</li>")[0]
    assert "Getting worse" in row and "Improving" not in row and "entralizing" not in row


def test_the_api_summary_says_worse(client, worse_patient):
    """API summary: progress `worse`, trend `worsening`, sentences with the numbers; the caseload row is `worse` too."""
    patient, therapist = worse_patient
    out = call(client, "GET", f"/patients/{patient.id}/summary?days=14", token_for(patient)).get_json()
    assert (out["progress"], out["trend"], out["progress_headline"]) == ("worse", "worsening", "Getting worse")
    assert out["progress_text"][0] == "Leg pain 3 → 7 out of 10 over the last 14 days (average of the first days and of the last days)."
    assert out["trend_text"] == out["progress_text"]
    assert_worse(" ".join(out["progress_text"]) + out["progress_headline"])
    caseload = call(client, "GET", "/caseload", token_for(therapist)).get_json()
    assert (caseload["items"][0]["progress"], caseload["items"][0]["group"]) == ("worse", "worsening")


# ---- A plan held after a stop --------------------------------------------------------------------------------


def hold(patient: User, at: datetime, reason: StopReason = StopReason.PERIPHERALIZED) -> None:
    """The set at `at` held the plan (CLINICAL.md §4): its row, and the player's state as the session machine keeps it."""
    add_set(patient, at, before="thigh", after="calf", response="peripheralized", outcome="plan_held")
    ExerciseSet.update(stop_reason=reason.value).where(ExerciseSet.started_at == at).execute()
    state = SessionState(phase=Phase.HELD, held=reason, reason=reason)
    PlayerState.insert(patient=patient.id, state=state.to_dict(), updated_at=at).on_conflict(
        conflict_target=[PlayerState.patient], preserve=[PlayerState.state, PlayerState.updated_at]).execute()


def test_a_held_plan_shows_in_the_caseload_at_once_and_goes_when_released(client, auth, app):
    """'Plan on hold: symptoms moved further down the leg on <date>' in the getting-worse group, from the next load."""
    with app.app_context():
        therapist = make_therapist(email="pt@example.com", timezone="UTC")
        patient = make_onboarded_patient(name="Hal Held", timezone="UTC")
        accounts.link(therapist, patient)
        add_checkin(patient, utcnow() - timedelta(hours=5))
        assert build_caseload(therapist).rows[0].group != Group.WORSENING  # kept now: the hold must still show below
        at = datetime(*utcnow().timetuple()[:4]) - timedelta(days=2)
        hold(patient, at)
        row = build_caseload(therapist).rows[0]
        assert row.group == Group.WORSENING
        assert row.reason == (f"Plan on hold: symptoms moved further down the leg on {at:%a} {at.day} {at:%b %Y}, "
                              f"{at:%H:%M}. Re-enable or change the plan.")
        PlayerState.update(state=SessionState().to_dict()).where(PlayerState.patient == patient.id).execute()  # released
        assert build_caseload(therapist).rows[0].reason.startswith("A set on ")  # the set that held it, this week
        hold(patient, at, StopReason.NO_BENEFIT)
        assert build_caseload(therapist).rows[0].reason.startswith(
            "Plan on hold: sets did not help twice, the second time on ")
    auth.login("pt@example.com")
    page = client.get("/therapist/patients").get_data(as_text=True)
    assert "Plan on hold: sets did not help twice" in page and "Getting worse" in page
