"""The plan form: one number per dose the therapist may change, progression, and a pause with a message."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from selfcare.clinical import Plan, StepKind
from selfcare.fields import Form, WholeNumberField

STEP_FIELDS = {"seconds": ("seconds", 10, 600), "reps": ("times", 1, 30), "pause_seconds": ("seconds pause at the top", 0, 10)}


def field_name(key: str) -> str:
    """A form field name for an adjust_plan key ('press_ups.reps' -> 'press_ups__reps')."""
    return key.replace(".", "__")


class _PlanBase(Form):
    sets = WholeNumberField("Sets of press-ups each time", validators=[
        InputRequired("Enter how many sets."), NumberRange(1, 5, "Enter a number from 1 to 5.")])
    progression = BooleanField("Step up to more sets when the sets keep helping")
    exhale = BooleanField("When stepping up, breathe out at the top of each press-up")
    paused = BooleanField("Pause the exercises")
    pause_message = TextAreaField(
        "Message to your patient", description="For example: stop the exercises and call me.",
        validators=[Length(max=500, message="Use at most 500 characters.")],
    )

    def validate_pause_message(self, field: Any) -> None:
        """A pause always tells the patient what to do."""
        if self.paused.data and not (field.data or "").strip():
            raise ValidationError("Write a short message so your patient knows what to do.")


@cache
def plan_form_class(plan: Plan) -> type[FlaskForm]:
    """The form for this plan's steps, plus how often to repeat within the plan's allowed range."""
    low, high = plan.repeat_min_minutes, plan.repeat_max_minutes
    fields: dict[str, Any] = {
        "repeat_every_minutes": WholeNumberField(
            "Minutes between sets", description=f"From {low} to {high} minutes.",
            validators=[InputRequired("Enter the minutes between sets."), NumberRange(low, high, f"Enter a number from {low} to {high}.")],
        )
    }
    for step in plan.steps:
        for attr, (unit, lo, hi) in STEP_FIELDS.items():
            if getattr(step, attr) is None or (attr == "seconds" and step.kind == StepKind.REPS):
                continue
            fields[field_name(f"{step.id}.{attr}")] = WholeNumberField(
                f"{step.title}: {unit}",
                validators=[InputRequired("Enter a number."), NumberRange(lo, hi, f"Enter a number from {lo} to {hi}.")],
            )
    return type("PlanForm", (_PlanBase,), fields)
