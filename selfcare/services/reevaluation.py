"""Which re-evaluation prompts are due for a patient (CLINICAL.md §5), from their stored record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from peewee import Select, fn

from selfcare.clinical import CheckIn as ClinicalCheckIn
from selfcare.clinical import History, Prompt, Reading, due_reevaluations
from selfcare.clinical.reevaluation import rules_reach
from selfcare.clinical import SelfCheck as ClinicalSelfCheck
from selfcare.content import current_content
from selfcare.models import CheckIn, Profile, SelfCheck, User, Walk, utcnow
from selfcare.services.profiles import UNREAD, profile_of
from selfcare.statements import Statement

LOOK_BACK_DAYS = 60  # longer than any rule's window (reevaluation.toml): older rows cannot change a prompt


def _aware(stored: datetime) -> datetime:
    """A stored (naive UTC) time as an aware one: stored.replace(tzinfo=UTC), written as combine (a quarter of the time)."""
    return datetime.combine(stored.date(), stored.time(), timezone.utc)


def _reading(zone: str, leg_pain: int, back_pain: int, side: str | None, walk_minutes: int | None) -> Reading:
    """A stored reading as the clinical core's Reading (checked as it is made)."""
    return Reading(zone, leg_pain, back_pain, side, walk_minutes)


def checkins_since(patient: int, since: datetime) -> Select:
    """Each check-in from `since` with the longest walk logged with it, in one query (the database takes the MAX per
    check-in): only the columns the rules read."""
    longest_walk = Walk.select(fn.MAX(Walk.minutes)).where(Walk.checkin == CheckIn.id)
    return (
        CheckIn.select(CheckIn.recorded_at, CheckIn.zone, CheckIn.leg_pain, CheckIn.back_pain, CheckIn.side,
                       CheckIn.red_flags, longest_walk.alias("walk_minutes"))
        .where((CheckIn.patient == patient) & (CheckIn.recorded_at >= since))
        .order_by(CheckIn.recorded_at)
    )


def self_checks_since(patient: int, since: datetime) -> Select:
    """Each self-check from `since`: the columns the rules read."""
    return (SelfCheck.select(SelfCheck.recorded_at, SelfCheck.heel_walk, SelfCheck.toe_walk, SelfCheck.big_toe_lift,
                             SelfCheck.numb_areas)
            .where((SelfCheck.patient == patient) & (SelfCheck.recorded_at >= since)))


CHECKINS, SELF_CHECKS = Statement(checkins_since), Statement(self_checks_since)


def _checkins_from(moment: datetime, care_started: datetime) -> datetime:
    """The earliest check-in time the rules can read at `moment` (clinical rules_reach, a day's margin each side),
    never before the look-back: the last two weeks, and the first days of care while they are within the look-back."""
    start_days, recent_days = rules_reach(current_content().reevaluation)
    lookback = moment - timedelta(days=LOOK_BACK_DAYS)
    earliest = moment - timedelta(days=recent_days + 1)
    if care_started + timedelta(days=start_days + 1) >= lookback:
        earliest = min(earliest, care_started - timedelta(days=1))
    return max(lookback, earliest)


def patient_history(patient: User, now: datetime | None = None, profile: Profile | None = UNREAD) -> History | None:
    """The clinical History of a patient (None before onboarding), in a fixed number of queries (the profile read unless given).

    It holds the check-ins the re-evaluation rules can read at `now` (of the last 60 days: the last two weeks, and the
    first days of care), every self-check of the last 60 days, the start of care and the walking baseline.
    """
    profile = profile_of(patient, profile)
    if profile is None:
        return None
    moment = now or utcnow()
    since = moment - timedelta(days=LOOK_BACK_DAYS)
    care_started = profile.created_at if moment.tzinfo is None else _aware(profile.created_at)
    checkins = [
        ClinicalCheckIn(
            _aware(recorded_at),
            _reading(zone, leg_pain, back_pain, side, None if walk_minutes is None else int(walk_minutes)),
            numbness_spreading=bool(red_flags and red_flags.get("numbness_spreading")),
        )
        for recorded_at, zone, leg_pain, back_pain, side, red_flags, walk_minutes in CHECKINS.rows(
            patient=patient.id, since=_checkins_from(moment, care_started))
    ]
    checks = [ClinicalSelfCheck(_aware(recorded_at), heel_walk, toe_walk, big_toe_lift, numb_areas)
              for recorded_at, heel_walk, toe_walk, big_toe_lift, numb_areas in SELF_CHECKS.rows(patient=patient.id, since=since)]
    return History(_aware(profile.created_at), checkins, checks, baseline_walk_minutes=profile.baseline_walk_minutes)


def due_prompts(patient: User, now: datetime | None = None, profile: Profile | None = UNREAD) -> tuple[Prompt, ...]:
    """The re-evaluation prompts due now, each with its reason (the profile read unless given)."""
    history = patient_history(patient, now, profile)
    if history is None:
        return ()
    content = current_content()
    return due_reevaluations(history, content.reevaluation, _aware(now or utcnow()), content.trend_rule)


# ---- Many patients at once (the therapist's caseload) -------------------------------------------
# `due_prompts` reads four tables per patient. For a list of patients, read each table once for all
# of them and build every History in Python: the number of queries does not grow with the patients.


def history_from_rows(
    profile: Profile | None, checkins: Iterable[CheckIn], walks: Iterable[Walk], self_checks: Iterable[SelfCheck]
) -> History | None:
    """One patient's clinical History from rows already loaded (no queries); None before onboarding.

    Built the same way as `patient_history`: each check-in carries the longest walk logged with it.
    """
    if profile is None:
        return None
    walked: dict[int, int] = {}
    for w in walks:
        checkin_id = w.checkin_id
        if checkin_id is not None:
            walked[int(checkin_id)] = max(int(w.minutes), walked.get(int(checkin_id), 0))
    rows = sorted(checkins, key=lambda c: (c.recorded_at, c.id))
    clinical = [
        ClinicalCheckIn(
            _aware(row.recorded_at),
            Reading(row.zone, row.leg_pain, row.back_pain, row.side, walked.get(int(row.id))),
            numbness_spreading=bool(row.red_flags.get("numbness_spreading")),
        )
        for row in rows
    ]
    checks = [ClinicalSelfCheck(_aware(s.recorded_at), s.heel_walk, s.toe_walk, s.big_toe_lift, s.numb_areas) for s in self_checks]
    return History(_aware(profile.created_at), clinical, checks, baseline_walk_minutes=profile.baseline_walk_minutes)


def prompts_for(history: History | None, now: datetime | None = None) -> tuple[Prompt, ...]:
    """The re-evaluation prompts due now for an already built History (no queries)."""
    if history is None:
        return ()
    content = current_content()
    return due_reevaluations(history, content.reevaluation, _aware(now or utcnow()), content.trend_rule)


def patient_histories(patients: Iterable[User], now: datetime | None = None) -> dict[int, History | None]:
    """Each patient's clinical History by id, in four queries however many patients there are."""
    ids = [int(p.id) for p in patients]
    since = (now or utcnow()) - timedelta(days=LOOK_BACK_DAYS)
    in_window = (CheckIn.patient.in_(ids)) & (CheckIn.recorded_at >= since)
    profiles = {int(p.patient_id): p for p in Profile.select().where(Profile.patient.in_(ids))}
    checkins: dict[int, list[CheckIn]] = defaultdict(list)
    for c in CheckIn.select().where(in_window):
        checkins[int(c.patient_id)].append(c)
    walks: dict[int, list[Walk]] = defaultdict(list)
    for w in Walk.select().where(Walk.checkin.in_(CheckIn.select(CheckIn.id).where(in_window))):
        walks[int(w.patient_id)].append(w)
    checks: dict[int, list[SelfCheck]] = defaultdict(list)
    for s in SelfCheck.select().where(SelfCheck.patient.in_(ids) & (SelfCheck.recorded_at >= since)):
        checks[int(s.patient_id)].append(s)
    return {pid: history_from_rows(profiles.get(pid), checkins[pid], walks[pid], checks[pid]) for pid in ids}


def due_prompts_for(patients: Iterable[User], now: datetime | None = None) -> dict[int, tuple[Prompt, ...]]:
    """`due_prompts` for many patients at once, by patient id, in a fixed number of queries."""
    return {pid: prompts_for(history, now) for pid, history in patient_histories(patients, now).items()}
