"""The patient's forms: onboarding, check-in, and the readings around a set. Shape and range only."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from selfcare.clinical import Question, Side, Zone
from selfcare.content import current_content, regions
from selfcare.fields import Answered, ChoiceField, DayField, EntryIdField, Form, ManyField, MinutesField, ScaleField, options
from selfcare.forms import emergency_number_field
from selfcare.services.followups import FollowUp

YES_NO = [("yes", "Yes"), ("no", "No")]
SIDES = [(Side.LEFT.value, "Left leg"), (Side.RIGHT.value, "Right leg"), (Side.BOTH.value, "Both legs")]
SENSATIONS = [("pain", "Pain"), ("numbness", "Numbness"), ("tingling", "Tingling or pins and needles"), ("weakness", "Weakness")]
WORSE_WITH = [("sitting", "Sitting"), ("bending", "Bending"), ("standing", "Standing"), ("walking", "Walking")]
MAX_WALK = 300


def red_flag_field_name(question: Question) -> str:
    """The form field that asks one red-flag question."""
    return f"rf_{question.id}"


def _zone_choices() -> list[SelectChoice]:
    """Zones from content/zones.toml, spine outwards."""
    return options((info.zone.value, info.name) for info in current_content().zones)


class ReadingForm(Form):
    """Where symptoms reach now, which side, and how bad leg and back pain are."""

    zone = ChoiceField("Where do you feel it furthest down?", [], missing="Choose where you feel it furthest down.")
    side = ChoiceField("Which side?", SIDES, missing="Choose which side.")
    leg_pain = ScaleField("How bad is the pain in your leg right now?", missing="Choose how bad your leg pain is, from 0 to 10.")
    back_pain = ScaleField("How bad is the pain in your back right now?", missing="Choose how bad your back pain is, from 0 to 10.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone.choices = _zone_choices()

    def validate(self, extra_validators: Any = None) -> bool:
        """With no symptoms there is no side to choose."""
        ok = bool(super().validate(extra_validators))
        if self.zone.data != Zone.NONE.value:
            return ok
        self.side.errors = []
        self.side.data = None
        return not any(field.errors for field in self)


def _with_red_flags(base: type[FlaskForm], questions: tuple[Question, ...]) -> type[FlaskForm]:
    """A subclass of `base` with one yes/no field per red-flag question (none pre-selected)."""
    fields = {red_flag_field_name(q): ChoiceField(q.question, YES_NO, missing="Answer yes or no.") for q in questions}
    return type(f"{base.__name__}WithRedFlags", (base,), fields)


class _CheckInBase(ReadingForm):
    entry_id = EntryIdField()
    sensations = ManyField("What do you feel in your leg or back?", SENSATIONS)
    worse_with = ManyField("What made it worse today?", WORSE_WITH)
    walk_minutes = MinutesField(
        "How many minutes could you walk in one go?", high=MAX_WALK,
        description="Your longest walk today or yesterday. Leave it empty if you have not walked.",
    )
    walk_onset_minutes = MinutesField(
        "After how many minutes did your leg symptoms start?", high=MAX_WALK,
        description="Leave it empty if your leg felt fine the whole walk.",
    )

    def validate_walk_onset_minutes(self, field: Any) -> None:
        """Symptoms cannot start after the walk ended, or without a walk."""
        if field.data is None:
            return
        if self.walk_minutes.data is None:
            raise ValidationError("Enter how long you walked first.")
        if field.data > self.walk_minutes.data:
            raise ValidationError("This cannot be longer than the walk itself.")


class _StartSetBase(ReadingForm):
    entry_id = EntryIdField()


@cache
def checkin_form_class(questions: tuple[Question, ...]) -> type[FlaskForm]:
    """The daily check-in form for these red-flag questions."""
    return _with_red_flags(_CheckInBase, questions)


@cache
def start_set_form_class(questions: tuple[Question, ...]) -> type[FlaskForm]:
    """Before a set: the red-flag questions again, and the before-reading."""
    return _with_red_flags(_StartSetBase, questions)


@cache
def safety_form_class(questions: tuple[Question, ...]) -> type[FlaskForm]:
    """The red-flag questions alone (after onboarding said both legs with a recent onset)."""
    return _with_red_flags(Form, questions)


def checkin_form(**kwargs: Any) -> Any:
    """A check-in form bound to the request."""
    return checkin_form_class(current_content().red_flags.questions)(**kwargs)


def start_set_form(**kwargs: Any) -> Any:
    """A start-of-set form bound to the request (every red-flag question in its own words: the offline player's too)."""
    return start_set_form_class(current_content().red_flags.questions)(**kwargs)


def safety_form(**kwargs: Any) -> Any:
    """The onboarding safety form bound to the request."""
    return safety_form_class(current_content().red_flags.questions)(**kwargs)


# Before a later set of the day: one question, with the list of signs shown under it (CLINICAL.md §2).
SINCE_LAST_QUESTION = "Since you last answered, has anything on this list started or got worse?"


class SinceLastForm(ReadingForm):
    """Before a later set of the day: has anything on the red-flag list started or got worse, and the before-reading."""

    entry_id = EntryIdField()
    anything_new = ChoiceField(SINCE_LAST_QUESTION, YES_NO, missing="Answer yes or no.")


# A sign a linked therapist assessed is asked as whether it got worse; "yes" raises it as before (CLINICAL.md §2).
ASSESSED_QUESTION = "{sign}. Your {therapist} checked this on {day}. Has it got worse since then?"


def assessed_wording(questions: tuple[Question, ...], checked_on: dict[str, date], therapist: str) -> dict[str, str]:
    """The question text of each assessed sign (id -> text), from the day it was checked on the patient's clock."""
    signs = {q.id: q.sign for q in questions}
    return {
        flag: ASSESSED_QUESTION.format(sign=signs[flag], therapist=therapist, day=f"{day.day} {day:%B}")
        for flag, day in checked_on.items() if flag in signs
    }


def ask_assessed(form: Any, wording: dict[str, str]) -> Any:
    """The form with each assessed sign's question worded as "has it got worse since" (each form has its own labels)."""
    for flag, text in wording.items():
        form[f"rf_{flag}"].label.text = text
    return form


class RecheckForm(ReadingForm):
    """After the walk: the after-reading."""


class OnboardingForm(Form):
    """First login: legs, start date, region, walking baseline, history questions, invite code."""

    legs = ChoiceField("Which leg has symptoms?", SIDES, missing="Choose which leg.")
    symptoms_started = DayField(
        "When did it start?", validators=[Answered("Enter the date it started, or your best guess.")],
        description="Your best guess is fine.",
    )
    region = SelectField("Where you live", description="So the app shows the right emergency number.", validate_choice=False)
    emergency_number = emergency_number_field()
    baseline_walk_minutes = MinutesField(
        "How many minutes can you walk in one go today?", high=MAX_WALK,
        validators=[Answered("Enter how many minutes you can walk, even if it is 0.")],
        description="At your own pace, on flat ground, until your leg stops you. This is where you start from.",
    )
    cancer_history = ChoiceField("", YES_NO, missing="Answer yes or no.")
    immune_risk = ChoiceField("", YES_NO, missing="Answer yes or no.")
    invite_code = StringField(
        "Invite code from your physical therapist (if you have one)", validators=[Optional(), Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    share = BooleanField("I agree to share my selfcare record with this physical therapist")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region.choices = options([("", "Choose…"), *((r.code, r.name) for r in regions().values())])
        history = {q.id: q.question for q in current_content().red_flags.history}
        self.cancer_history.label.text = history["cancer_history"]
        self.immune_risk.label.text = history["immune_risk"]

    def validate_symptoms_started(self, field: Any) -> None:
        """Not in the future, not before anyone could remember."""
        if field.data is None:
            return
        if field.data > date.today() + timedelta(days=1):
            raise ValidationError("This date is in the future. Enter the day it started.")
        if field.data < date.today() - timedelta(days=365 * 30):
            raise ValidationError("Enter a date in the last 30 years.")

    def validate_region(self, field: Any) -> None:
        """Only places whose emergency number we know."""
        if field.data not in regions():
            raise ValidationError("Choose where you live from the list.")

    def validate_share(self, field: Any) -> None:
        """Sharing needs a yes when a code is given."""
        if (self.invite_code.data or "").strip() and not field.data:
            raise ValidationError("Tick this box to share your record, or leave the code empty.")


FOLLOWUP_MISSING = "Choose one of the answers."


class FollowUpForm(Form):
    """The day after an emergency alert: were you seen by a doctor? (one button per answer)."""

    answer = SelectField("Were you seen?", choices=[f.value for f in FollowUp], validate_choice=False,
                         validators=[InputRequired(FOLLOWUP_MISSING), AnyOf([f.value for f in FollowUp], FOLLOWUP_MISSING)])


CLEARED_MISSING = "Tick this box only if a doctor has seen you since this alert and said exercise is fine."


class ClearedForm(Form):
    """After fever or trauma: the patient says a doctor has seen them and said exercise is fine (CLINICAL.md §2)."""

    seen = BooleanField("A doctor has seen me since this alert and said exercise is fine",
                        validators=[DataRequired(CLEARED_MISSING)])
