"""Red-flag screens: every one the patient answers is kept, and the newest full one says whether the full list is due.

CLINICAL.md §2 ("How the questions are asked"): the full list once a day (the check-in, or the first set of the day
with no check-in); before each later set one question, "has anything on this list started or got worse?". "Both
legs" at onboarding with a recent onset runs the full list there and then. Written in the caller's transaction, with
the entry it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import StrEnum

from peewee import fn

from selfcare.clinical import Triage, full_screen_due, onboarding_screen_due, triage
from selfcare.db import db
from selfcare.models import Alert, Profile, RedFlagScreen, User, utcnow
from selfcare.services.alerts import act_on, judge, raise_alert
from selfcare.statements import Statement
from selfcare.timeutil import local_now, to_local, to_utc

ONBOARDING = "onboarding"  # the source of screens and alerts from onboarding (as Alert.source)
ANYTHING_NEW = "anything_new"  # the since-last screen's one answer


class Asked(StrEnum):
    """Which screen was asked: the whole list, or the one question since the last answers."""

    FULL = "full"
    SINCE_LAST = "since_last"


def record(
    patient: User, source: str, kind: Asked, answers: Mapping[str, bool], result: Triage, answered_at: datetime | None = None,
    assessed: Iterable[str] = (),
) -> RedFlagScreen:
    """Keep one answered screen with what it meant (in the caller's transaction)."""
    return RedFlagScreen.create(
        patient=patient, answered_at=to_utc(answered_at) if answered_at is not None else utcnow(), source=source,
        kind=kind.value, answers=dict(answers), assessed=sorted(assessed), level=result.level.value,
        reasons=list(result.reasons),
    )


LAST_FULL = Statement(lambda patient: RedFlagScreen.select(fn.MAX(RedFlagScreen.answered_at))
                      .where((RedFlagScreen.patient == patient) & (RedFlagScreen.kind == Asked.FULL.value)))


def last_full(patient: User) -> datetime | None:
    """When the patient last answered the whole list (stored UTC), or None (one statement)."""
    row = LAST_FULL.first(patient=patient.id)
    return None if row is None else row[0]


def full_due(patient: User, now: datetime | None = None) -> bool:
    """The whole list is due: not answered yet today on the patient's clock (clinical.full_screen_due)."""
    last = last_full(patient)
    return full_screen_due(to_local(patient, last) if last is not None else None, local_now(patient, now))


def onboarding_due(patient: User, profile: Profile | None, now: datetime | None = None) -> bool:
    """Onboarding said both legs with a recent onset (clinical.onboarding_screen_due) and no full screen has been
    answered since the answers were saved: the patient answers the whole list before anything else."""
    if profile is None:
        return False
    if not onboarding_screen_due(profile.legs, profile.symptoms_started, local_now(patient, now).date()):
        return False
    last = last_full(patient)
    return last is None or last < profile.updated_at


def history_alert(patient: User, had_cancer_before: bool | None, has_cancer_now: bool, now: datetime | None = None) -> None:
    """Cancer history answered yes at onboarding, or changed from no to yes: a contact_pt alert, once (CLINICAL.md §2,
    red_flags.toml [[history]] cancer_history, level_alone). Check-ins count it only in combinations (triage_today)."""
    if has_cancer_now and not had_cancer_before:
        raise_alert(patient, triage({"cancer_history": True}), ONBOARDING, now=to_utc(now) if now is not None else None)


def said_yes(patient: User, source: str, now: datetime | None = None) -> RedFlagScreen:
    """The one question answered "yes" (something on the list started or got worse): kept as answered, before the
    whole list that follows says which sign it is (the level is what no named sign gives)."""
    with db.atomic():
        return record(patient, source, Asked.SINCE_LAST, {ANYTHING_NEW: True}, triage({}), now)


def answer_onboarding(patient: User, answers: Mapping[str, bool], profile: Profile | None, assessed: Iterable[str] = (),
                      now: datetime | None = None) -> Alert | None:
    """The whole list answered right after onboarding said both legs with a recent onset: triaged as a check-in's
    answers are (no reading, so no side), kept as a full screen, and any alert raised (the plan blocked if urgent)."""
    judged = judge(profile, answers)
    stamp = to_utc(now) if now is not None else utcnow()
    with db.atomic():
        record(patient, ONBOARDING, Asked.FULL, answers, judged.result, stamp, assessed)
        return act_on(patient, judged, ONBOARDING, now=stamp)
