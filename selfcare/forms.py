"""Flask-WTF forms: the shape and range of input. Meaning lives in accounts.py and clinical/."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

from selfcare import accounts
from selfcare.clinical import valid_emergency_number
from selfcare.content import regions
from selfcare.fields import Form, options


def _rule(check: Any) -> Any:
    """Turn an accounts check that raises AccountError into a WTForms validator."""

    def validator(form: FlaskForm, field: Any) -> None:
        try:
            check(field.data)
        except accounts.AccountError as error:
            raise ValidationError(error.message) from None

    return validator


def _typed_region(code: Any) -> bool:
    """Whether this region code is the one where the patient types their own emergency number ("Somewhere else")."""
    region = regions().get(code) if isinstance(code, str) else None
    return region is not None and region.typed_number


def check_typed_number(form: FlaskForm, field: Any) -> None:
    """With "Somewhere else" chosen the patient's emergency number is needed: digits only, 2 to 6 of them."""
    if not _typed_region(form.region.data):
        return  # another region: its own number counts, whatever is typed here
    if not field.data:
        raise ValidationError("Type the emergency number where you live, like 112.")
    if not valid_emergency_number(field.data):
        raise ValidationError("Use digits only: 2 to 6 of them, like 112.")


def emergency_number_field() -> Any:
    """The box beside "Where you live" for a patient who chose "Somewhere else" (checked by check_typed_number)."""
    return StringField(
        "Your emergency number",
        description='Only if you chose "Somewhere else": the number you call for an ambulance, like 112. Digits only.',
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[check_typed_number],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


def typed_number(form: Any) -> str | None:
    """The emergency number to store with the chosen region: the typed one for "Somewhere else", else None."""
    return form.emergency_number.data if _typed_region(form.region.data) else None


class SignupForm(Form):
    """A patient creates their own account."""

    name = StringField(
        "Your first name",
        validators=[InputRequired("Enter your name."), Length(max=accounts.NAME_MAX, message="Use at most 80 characters.")],
        render_kw={"autocomplete": "given-name"},
    )
    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), _rule(accounts.normalize_email)],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    password = PasswordField(
        "Password",
        description=f"At least {accounts.PASSWORD_MIN} characters. A short sentence is easy to remember.",
        validators=[InputRequired("Choose a password."), _rule(accounts.check_password_rules)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Type the password again",
        validators=[InputRequired("Type your password again."), EqualTo("password", "The two passwords are not the same.")],
        render_kw={"autocomplete": "new-password"},
    )
    region = SelectField(
        "Where you live",
        description="So the app shows the right emergency number.",
        validators=[InputRequired("Choose where you live.")],
        validate_choice=False,  # validate_region gives a plainer message than WTForms' own
    )
    emergency_number = emergency_number_field()
    timezone = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region.choices = options([("", "Choose…"), *((r.code, r.name) for r in regions().values())])

    def validate_region(self, field: Any) -> None:
        """Only the places in the list have an emergency number we know."""
        if field.data not in regions():
            raise ValidationError("Choose where you live from the list.")


class LoginForm(Form):
    """Anyone with an account signs in."""

    email = EmailField(
        "Email address",
        validators=[InputRequired("Enter your email address."), Length(max=accounts.EMAIL_MAX)],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=accounts.PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this device")


def _strip(value: Any) -> Any:
    """Leading and trailing spaces off a typed value."""
    return value.strip() if isinstance(value, str) else value


APP_CODE_PATTERN = r"^[0-9]{3}[ -]?[0-9]{3}$"  # six digits; apps often show them as two groups of three


class AppCodeForm(Form):
    """A 6-digit code from the authenticator app: the second step of logging in, and two-step sign-in settings."""

    code = StringField(
        "6-digit code from your app",
        filters=[_strip],
        validators=[InputRequired("Enter the 6-digit code from your app."),
                    Regexp(APP_CODE_PATTERN, message="Enter the 6 digits your app shows, like 123456.")],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 7, "spellcheck": "false"},
    )


class RecoveryCodeForm(Form):
    """One of the recovery codes saved when two-step sign-in was turned on."""

    code = StringField(
        "Recovery code",
        description="10 letters and numbers, like ABCDE-23456. Each code works once.",
        filters=[_strip],
        validators=[InputRequired("Enter one of your recovery codes."), Length(max=32, message="A recovery code has 10 letters and numbers.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class TurnOffTwoStepForm(Form):
    """Turning two-step sign-in off asks for the password and a code."""

    password = PasswordField(
        "Your password",
        validators=[InputRequired("Enter your password."), Length(max=accounts.PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        "6-digit code from your app, or a recovery code",
        filters=[_strip],
        validators=[InputRequired("Enter the code from your app, or a recovery code."), Length(max=32, message="That is longer than any code.")],
        render_kw={"autocomplete": "one-time-code", "spellcheck": "false"},
    )


class ForgotPasswordForm(Form):
    """Ask for a link to set a new password."""

    email = EmailField(
        "Email address",
        description="The address you log in with.",
        validators=[InputRequired("Enter your email address."), _rule(accounts.normalize_email)],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )


class ResetPasswordForm(Form):
    """Choose a new password (the same rules as at sign-up)."""

    password = PasswordField(
        "New password",
        description=f"At least {accounts.PASSWORD_MIN} characters. A short sentence is easy to remember.",
        validators=[InputRequired("Choose a new password."), _rule(accounts.check_password_rules)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[InputRequired("Type your new password again."), EqualTo("password", "The two passwords are not the same.")],
        render_kw={"autocomplete": "new-password"},
    )
