"""Step 2 of the caseload: each patient's row computed from the rows step 1 read (no queries).

The rules are the pure core's (clinical/caseload.py, judge_progress, the re-evaluation rules); this module turns
the read rows into their inputs and says times on the therapist's clock.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from selfcare.clinical import Content, Plan, SessionState, Zone, adjust_plan
from selfcare.clinical import caseload as rules
from selfcare.clinical.caseload import TREND_DAYS, Kept, RecentSet, Said
from selfcare.models import PlanSetting, User
from selfcare.services.caseload_read import Inputs
from selfcare.services.history import Rows, progress_of, trend_of
from selfcare.services.periods import period_for, time_text
from selfcare.services.reevaluation import LOOK_BACK_DAYS, history_from_rows, prompts_for
from selfcare.timeutil import in_zone, zone_of


def said_by(therapist: User) -> Said:
    """Stored times in words on the therapist's clock."""
    tz = zone_of(therapist)
    return lambda moment: time_text(in_zone(tz, moment))


def compute(patient: User, data: Inputs, content: Content, now: datetime, said: Said) -> Kept:
    """Everything one row shows but its name and alerts, from the patient's rows in `data`.

    `patient` needs `id`, `timezone` and `linked_at` (when the care link began).
    """
    pid = int(patient.id)
    profile, setting = data.profiles.get(pid), data.settings.get(pid)
    checkins, walks = data.checkins[pid], data.walks[pid]
    sets = [RecentSet(s.started_at, s.response, s.outcome, s.stop_reason) for s in data.sets[pid]]
    period = period_for(patient, TREND_DAYS, now)
    # The check-ins of the sparkline's 14 days on the patient's clock: the same ones Today and History's 14 days judge.
    recent = [c for c in checkins if c.recorded_at >= period.start]
    summary = trend_of(patient, Rows(recent, walks, []), content.trend_rule)
    progress = progress_of(patient, summary, TREND_DAYS, content.trend_rule, therapist="physical therapist")  # PT words only
    state, state_at = data.states.get(pid, (None, None))
    on_hold = rules.held(_state(state), state_at, sets, said)
    started = profile.created_at if profile is not None else patient.linked_at
    prompts = prompts_for(history_from_rows(profile, checkins, walks, data.checks[pid]), now)
    last = checkins[-1].recorded_at if checkins else None
    later = [rules.reevaluation([p.pt_text for p in prompts]), rules.silence(last, started, LOOK_BACK_DAYS, now, said)]
    days = data.zones[pid]
    return Kept(
        worsening=rules.worsening(progress.progress, f"{progress.label}: {progress.clinical}",
                                  recent[-1].recorded_at if recent else None, sets, on_hold, now, said),
        later=tuple(c for c in later if c is not None),
        quiet=rules.quiet(progress.progress, progress.label, progress.clinical),
        days_in_program=max((now - started).days, 0),
        zone=Zone(checkins[-1].zone) if checkins else None,
        trend=summary.direction,
        progress=progress.progress,
        trend_first=period.first,
        trend_zones=tuple(Zone(z) if (z := days.get(day)) else None for day in period.dates()),
        walk_best=rules.walk_best([(w.recorded_at, int(w.minutes)) for w in walks], now),
        walk_baseline=int(profile.baseline_walk_minutes) if profile is not None else None,
        sets_done=rules.sets_done(sets, now),
        sets_planned=_planned(setting, content.plan),
        paused=bool(setting and setting.paused),
    )


def _state(raw: Any) -> SessionState | None:
    """The player's stored state; a malformed one counts as none (it must not hide the whole list)."""
    if raw is None:
        return None
    try:
        return SessionState.from_dict(json.loads(raw) if isinstance(raw, str) else raw)
    except (ValueError, AttributeError):
        return None


def _planned(setting: PlanSetting | None, plan: Plan) -> int:
    """Sets planned over the last 7 days: the plan's sets a day (with the therapist's changes) times 7."""
    if setting is None or not setting.changes:
        return plan.sets_per_day() * rules.SETS_DAYS
    try:
        return adjust_plan(plan, setting.changes).sets_per_day() * rules.SETS_DAYS
    except ValueError:  # changes stored under older plan limits: one bad row must not hide the whole list
        return plan.sets_per_day() * rules.SETS_DAYS

