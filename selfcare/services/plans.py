"""A therapist's changes to a patient's plan: validated by the clinical core, recorded with who and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from peewee import JOIN

from selfcare.clinical import Plan, adjust_plan
from selfcare.content import current_content
from selfcare.db import db
from selfcare.models import PlanChange, PlanSetting, User, utcnow
from selfcare.services import holds
from selfcare.services.daily_summary import plan_changed

Value = int | bool


def plan_values(plan: Plan) -> dict[str, Value]:
    """Every setting a therapist can change, as adjust_plan keys with the plan's current values."""
    values: dict[str, Value] = {"sets": plan.sets, "repeat_every_minutes": plan.repeat_every_minutes,
                                "progression": plan.progression.enabled, "exhale": plan.progression.exhale}
    for step in plan.steps:
        for field in ("seconds", "reps", "pause_seconds"):
            value = getattr(step, field)
            if value is not None:
                values[f"{step.id}.{field}"] = value
    return values


@dataclass(frozen=True)
class Changed:
    """What a save did."""

    setting: PlanSetting
    change: PlanChange


def change_plan(
    therapist: User, patient: User, values: Mapping[str, Value], paused: bool, message: str | None,
    now: datetime | None = None,
) -> Changed:
    """Store the plan as the therapist set it (only what differs from content/) and record the change. A plan held
    after a stop, or waiting for a doctor's all-clear, is released: the therapist has looked at it (CLINICAL.md §4).

    Raises ValueError (from clinical.adjust_plan) naming the setting when a value is out of range.
    """
    default = plan_values(current_content().plan)
    changes = {key: value for key, value in values.items() if key in default and default[key] != value}
    unknown = set(values) - set(default)
    if unknown:
        raise ValueError(f"unknown plan setting {sorted(unknown)[0]!r}")
    adjust_plan(current_content().plan, changes)  # the clinical core's ranges decide what is allowed
    moment = now or utcnow()
    message = (message or "").strip() or None
    with db.atomic():
        setting = PlanSetting.get_or_none(PlanSetting.patient == patient.id)
        fields = {"changes": changes, "paused": paused, "pause_message": message if paused else None,
                  "updated_at": moment, "updated_by": therapist}
        if setting is None:
            setting = PlanSetting.create(patient=patient, **fields)
        else:
            PlanSetting.update(**fields).where(PlanSetting.id == setting.id).execute()
            setting = PlanSetting.get_by_id(setting.id)
        change = PlanChange.create(patient=patient, therapist=therapist, changes=changes, paused=paused,
                                   pause_message=fields["pause_message"], created_at=moment)
        plan_changed(patient, change)  # the day's target of sets in the daily summary rows
        holds.release(therapist, patient, moment, changed_plan=True)
    return Changed(setting, change)


def setting_errors(values: Mapping[str, Value]) -> dict[str, str]:
    """What is wrong with each setting, by key (empty when all can be saved); the clinical core decides."""
    known = plan_values(current_content().plan)
    errors: dict[str, str] = {}
    for key, value in values.items():
        if key not in known:
            errors[key] = "This is not a setting of this plan."
            continue
        if isinstance(known[key], bool) != isinstance(value, bool):
            errors[key] = "Send true or false." if isinstance(known[key], bool) else "Send a whole number."
            continue
        try:
            adjust_plan(current_content().plan, {key: value})
        except ValueError as error:
            errors[key] = str(error)
    return errors


def plan_history(patient: User, limit: int = 20) -> list[PlanChange]:
    """The latest plan changes for a patient, newest first."""
    therapist = User.alias()
    return list(
        PlanChange.select(PlanChange, therapist)
        .join(therapist, JOIN.LEFT_OUTER, on=(PlanChange.therapist == therapist.id))  # who changed it, in the same query
        .where(PlanChange.patient == patient.id)
        .order_by(PlanChange.created_at.desc(), PlanChange.id.desc())
        .limit(limit)
    )
