"""A patient's re-evaluation record reads only the check-ins the rules can reach (the last two weeks, the first days of
care within the 60-day look-back): the prompts are those of every check-in of the 60 days, on both databases."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from selfcare.models import CheckIn, Profile
from selfcare.services.reevaluation import due_prompts, due_prompts_for, patient_history
from tests.factories import make_onboarded_patient
from tests.history_rows import add_checkin

NOW = datetime(2026, 11, 20, 12, 0)
ZONES = ["back", "buttock", "thigh", "calf", "foot"]


def patient_started(days: int, rng: random.Random) -> object:
    """A patient whose care started `days` before NOW, with a check-in most days (some on the windows' edges)."""
    patient = make_onboarded_patient(name=f"Started {days}")
    started = NOW - timedelta(days=days)
    Profile.update(created_at=started).where(Profile.patient == patient.id).execute()
    moments = {started + timedelta(days=d, hours=rng.choice([0, 2, 9])) for d in range(0, min(days, 75) + 1)}
    moments |= {NOW - timedelta(days=d) for d in range(0, min(days, 75) + 1) if rng.random() < 0.5}
    for edge in (started, started + timedelta(days=3), NOW - timedelta(days=14), NOW - timedelta(days=7), NOW - timedelta(days=60)):
        for nudge in (timedelta(seconds=-1), timedelta(0), timedelta(seconds=1)):
            moments.add(edge + nudge)
    for at in sorted(m for m in moments if started - timedelta(days=2) <= m <= NOW + timedelta(hours=6)):
        checkin = add_checkin(patient, at, zone=rng.choice(ZONES), leg=rng.randint(0, 10), walk=rng.choice([None, 5, 10, 20, 30]))
        if rng.random() < 0.03:  # spreading numbness reported (a contact-PT answer)
            CheckIn.update(red_flags={"numbness_spreading": True}).where(CheckIn.id == checkin.id).execute()
    return patient


STARTS = [1, 5, 13, 16, 30, 57, 58, 59, 60, 61, 62, 63, 64, 70, 200]


@pytest.mark.parametrize("seed", [1, 2])
def test_prompts_match_those_of_every_check_in_of_the_60_days(app, seed: int) -> None:
    """due_prompts (the check-ins the rules reach) against due_prompts_for (every check-in of the 60 days), at
    several moments around NOW, for care that started from a day to months ago."""
    rng = random.Random(seed)
    with app.app_context():
        people = [patient_started(days, rng) for days in STARTS]
        seen = set()
        for now in (NOW, NOW - timedelta(days=3, hours=5), NOW + timedelta(hours=6)):
            batched = due_prompts_for(people, now)
            for patient in people:
                prompts = due_prompts(patient, now)
                assert prompts == batched[patient.id], (patient.name, now)
                assert [p.detail for p in prompts] == [p.detail for p in batched[patient.id]]
                seen |= {p.rule.value for p in prompts}
        assert {"walking_2w", "peripheralizing_despite_care"} <= seen  # the rules that read windows did fire


def test_the_record_keeps_the_last_two_weeks_and_the_first_days_of_care(app) -> None:
    """Care that started 200 days ago: the check-ins of the last two weeks (and a day's margin) only.
    Care that started 30 days ago: every check-in from the day before care started."""
    rng = random.Random(3)
    with app.app_context():
        long_ago, recent = patient_started(200, rng), patient_started(30, rng)
        history = patient_history(long_ago, NOW)
        assert history is not None
        stored = [c.recorded_at for c in CheckIn.select().where(CheckIn.patient == long_ago.id).order_by(CheckIn.recorded_at)]
        assert [c.at.replace(tzinfo=None) for c in history.checkins] == [at for at in stored if at >= NOW - timedelta(days=15)]
        kept = patient_history(recent, NOW)
        assert kept is not None
        assert min(c.at for c in kept.checkins).replace(tzinfo=None) == NOW - timedelta(days=30, seconds=1)
