"""Flask-WTF forms for the nerve self-check and My data: shape only; meaning lives in clinical/ and services/."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectMultipleField
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from selfcare import accounts
from selfcare.clinical import Ability, Area, StrengthTest
from selfcare.content import current_content
from selfcare.fields import Form, options
from selfcare.services.selfchecks import DOING, SelfCheckData

# The three answers to every strength test, in the patient's words.
ABILITY_LABELS = {
    Ability.NORMAL: "As easy as with my other leg",
    Ability.WEAK: "Harder than usual, or my leg felt weak",
    Ability.UNABLE: "I could not do it",
}


def _one_of(kind: type[StrEnum], message: str) -> Any:
    """A validator: every submitted value must be a member of the clinical enum `kind`."""

    def validator(form: FlaskForm, field: Any) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        for value in values:
            try:
                kind(value)
            except ValueError:
                raise ValidationError(message) from None

    return validator


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _ability_field(test: StrengthTest) -> RadioField:
    """One strength test: the three answers, none chosen until the patient picks one."""
    return RadioField(
        test.value,
        choices=options((a.value, ABILITY_LABELS[a]) for a in Ability),
        validators=[
            InputRequired(f"Choose how {DOING[test].lower()} went."),
            _one_of(Ability, f"Choose one of the answers shown for {DOING[test].lower()}."),
        ],
        validate_choice=False,  # _one_of gives a plainer message than WTForms' own
    )


class SelfCheckForm(Form):
    """Heel walk, toe walk, big-toe lift, and where the leg or foot is numb."""

    uuid = HiddenField()  # a replayed form carries the same id, and stores nothing new
    heel_walk = _ability_field(StrengthTest.HEEL_WALK)
    toe_walk = _ability_field(StrengthTest.TOE_WALK)
    big_toe_lift = _ability_field(StrengthTest.BIG_TOE_LIFT)
    numb_areas = CheckboxesField(
        "Where is your leg or foot numb now?",
        description="Tick every place that feels numb, or has less feeling than the other leg. Leave them all empty if none.",
        validators=[_one_of(Area, "Choose places from the list only.")],
        validate_choice=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        content = current_content()
        for info in content.tests:
            field = self[info.test.value]
            field.label.text = info.name
            field.description = info.instructions
        self.numb_areas.choices = options((a.area.value, a.name) for a in content.areas)
        if not self.uuid.data:
            self.uuid.data = str(uuid.uuid4())

    def tests(self) -> list[Any]:
        """The three strength-test fields, in content order."""
        return [self[info.test.value] for info in current_content().tests]

    def to_data(self) -> SelfCheckData:
        """The validated answers for the service (an unreadable id counts as a new form)."""
        try:
            form_id = uuid.UUID(self.uuid.data)
        except (TypeError, ValueError, AttributeError):
            form_id = uuid.uuid4()
        return SelfCheckData(
            uuid=form_id,
            heel_walk=Ability(self.heel_walk.data),
            toe_walk=Ability(self.toe_walk.data),
            big_toe_lift=Ability(self.big_toe_lift.data),
            numb_areas=frozenset(Area(a) for a in self.numb_areas.data or ()),
        )


class DeleteAccountForm(Form):
    """The patient types their password to delete their account and all their data."""

    password = PasswordField(
        "Your password",
        description="Type the password you log in with, to show it is really you.",
        validators=[InputRequired("Type your password to delete your account."), Length(max=accounts.PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
