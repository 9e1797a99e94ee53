"""The base of every form, and form fields with plain-language messages (shape and range only)."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any, Iterable

from datetime import date

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, HiddenField, IntegerField, PasswordField, RadioField, SelectMultipleField, StringField
from wtforms import widgets
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import ListWidget
from wtforms.widgets.core import clean_key

from selfcare.memo import Memo

# Control characters no keyboard types (tab and line breaks are fine). PostgreSQL cannot store NUL at all,
# and the others would be kept as invisible junk in a name or a note.
UNUSUAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
UNUSUAL_MESSAGE = "Remove the unusual characters from this text."


def _typed_text(field: Any) -> bool:
    """A text box a person types into and the app may store (a password is only hashed; hidden fields are parsed)."""
    return isinstance(field, StringField) and not isinstance(field, (HiddenField, PasswordField)) and isinstance(field.data, str)


def html_params(**kwargs: Any) -> Markup:
    """WTForms' html_params, the same text byte for byte, without Markup.format.

    WTForms formats each attribute through string.Formatter: on the check-in form and the player's start
    screen (a hundred radio buttons) that was a third of the page's time.
    """
    params = []
    for key, value in sorted(kwargs.items()):
        name = _escaped(clean_key(key))
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(f'{name}="{_escaped(value).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


HTML_SPECIAL = re.compile("[&<>\"']")


def _escaped(value: Any) -> str:
    """markupsafe's escape as text; plain text with nothing to escape (most ids, names and values) as it is."""
    if type(value) is str and HTML_SPECIAL.search(value) is None:
        return value
    return str(escape(value))


def _input_tag(widget: widgets.Input, field: Any, kwargs: dict[str, Any]) -> Markup:
    """WTForms' Input.__call__ (a text box, number, hidden field, radio button or checkbox), the same text, without
    dir() of the field's flags or Markup.format."""
    kwargs.setdefault("id", field.id)
    kwargs.setdefault("type", widget.input_type)
    if "value" not in kwargs:
        kwargs["value"] = field._value()
    datalist = getattr(field, "_datalist", None)
    if datalist is not None and "list" not in kwargs:
        kwargs["list"] = datalist if isinstance(datalist, str) else datalist.id
    flags = vars(field.flags)  # the flags set on the field (dir() lists these and the class's own names)
    for name in widget.validation_attrs:
        if name in flags and name not in kwargs:
            value = flags[name]
            kwargs[name] = value() if callable(value) else value
    return Markup(f"<input {html_params(name=field.name, **kwargs)}>")


class RadioInput(widgets.RadioInput):
    """A radio button, as WTForms writes it, more quickly (a check-in form has about sixty)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        """The <input type="radio">."""
        if field.checked:
            kwargs.setdefault("checked", True)
        return _input_tag(self, field, kwargs)


class CheckboxInput(widgets.CheckboxInput):
    """A checkbox, as WTForms writes it, more quickly."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        """The <input type="checkbox">."""
        if getattr(field, "checked", field.data):
            kwargs.setdefault("checked", True)
        return _input_tag(self, field, kwargs)


class Form(FlaskForm):
    """Every form's base: typed text with control characters is refused, with a message beside the field."""

    class Meta:
        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Markup:
            """WTForms' render_field; a widget that is WTForms' plain <input> (hidden, number, text...) is written by
            _input_tag, the same text: WTForms' html_params was a tenth of the check-in page."""
            widget, call = field.widget, type(field.widget).__call__
            if call is not widgets.Input.__call__ and call is not widgets.NumberInput.__call__:
                return super().render_field(field, render_kw)  # type: ignore[misc]
            kwargs = {clean_key(k): v for k, v in render_kw.items()}
            if field.render_kw is not None:
                kwargs = {**{clean_key(k): v for k, v in field.render_kw.items()}, **kwargs}
            if call is widgets.NumberInput.__call__:  # NumberInput's own defaults, as it sets them
                for name in ("step", "min", "max"):
                    if getattr(widget, name) is not None:
                        kwargs.setdefault(name, getattr(widget, name))
            return _input_tag(widget, field, kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then no control characters in any typed text."""
        ok = bool(super().validate(extra_validators))
        for field in self:
            if _typed_text(field) and UNUSUAL.search(field.data):
                field.errors = [*field.errors, UNUSUAL_MESSAGE]
                ok = False
        self._errors = None  # form.errors is recomputed from the fields
        return ok


class Options:
    """A choice field's `options()`: what `for option in field` renders, without a field object per choice."""

    def options(self, **kwargs: Any) -> list[tuple[str, Markup, str]]:
        """(id, <input>, label text) for each choice: WTForms' `option.id`, `option(**kwargs)` and `option.label.text`.

        WTForms builds, binds and processes a field for every option to render it: on the check-in form (about
        sixty options) that was a third of the page. The attributes and their order are WTForms' own (tested).
        """
        field: Any = self
        widget = field.option_widget
        flags: dict[str, Any] = {}
        for source in (*field.validators, widget):  # an option's flags come from the field's validators, as in WTForms
            flags.update(getattr(source, "field_flags", {}))
        given = {clean_key(k): v for k, v in (field.render_kw or {}).items()}
        given.update({clean_key(k): v for k, v in kwargs.items()})
        out = []
        for i, choice in enumerate(field._iter_choices_normalized()):
            option_id = f"{field.id}-{i}"
            attrs = dict(given)
            if choice.selected:
                attrs.setdefault("checked", True)
            attrs.setdefault("id", option_id)
            attrs.setdefault("type", widget.input_type)
            attrs.setdefault("value", str(choice.value))
            for name in widget.validation_attrs:
                if name in flags and name not in attrs:
                    attrs[name] = flags[name]() if callable(flags[name]) else flags[name]
            attrs["name"] = field.name
            out.append((option_id, _input(attrs), choice.label or choice.value))
        return out

    def option_labels(self, **kwargs: Any) -> list[Markup]:
        """Each option as the choices macro shows it: `<label class="option" for=id><input ...><span>label</span></label>`."""
        return [_option_label(option_id, markup, label) for option_id, markup, label in self.options(**kwargs)]

    def options_html(self, **kwargs: Any) -> Markup:
        """The choices macro's loop over `option_labels()` as one piece, each label on its own indented line.

        What the options are made of (id, name, the (value, label) choices with their types, the data and coerce
        that decide which are selected, attributes and the validators' flags) is the key of a remembered piece: the
        same few hundred options on every form page. Choices given any other way are written each time.
        """
        field: Any = self
        try:
            if type(field.choices) is not list:
                raise TypeError("choices other than a list of (value, label)")
            choices = tuple((type(value), value, type(label), label) for value, label in field.choices)
            attrs = (*(field.render_kw or {}).items(), None, *kwargs.items())
            flags = tuple(tuple(getattr(source, "field_flags", {}).items()) for source in (*field.validators, field.option_widget))
            key = (type(field), type(field.option_widget), field.id, field.name, choices, field.coerce, _data_key(field.data),
                   attrs, flags)
            return _remembered_options(key, field, kwargs)
        except (TypeError, ValueError):  # unhashable values, or choices not (value, label) pairs
            return _joined_labels(field.option_labels(**kwargs))


def _data_key(data: Any) -> tuple[Any, ...]:
    """A field's data with its type (and its items' types, for a list): True and 1, Markup and str, are not alike."""
    if isinstance(data, (list, tuple)):
        return (type(data), tuple((type(item), item) for item in data))
    return (type(data), data)


def _joined_labels(labels: list[Markup]) -> Markup:
    """Labels as the macro's `{% for %}` loop wrote them: each on its own line, indented as in _macros.html."""
    return Markup("".join(f"\n        {label}\n      " for label in labels))


_OPTIONS: Memo[Markup] = Memo(4096)


def _remembered_options(key: tuple[Any, ...], field: Any, kwargs: dict[str, Any]) -> Markup:
    """The joined labels for `key`, written by `field` the first time and read back after."""
    return _OPTIONS.get(key, lambda: _joined_labels(field.option_labels(**kwargs)))


@lru_cache(maxsize=4096, typed=True)  # typed: a Markup label is not escaped, the same text as str is
def _option_label(option_id: str, markup: Markup, label: str) -> Markup:
    """One option's label around its input, escaped as Jinja escapes `{{ }}` (remembered: the same on every page)."""
    return Markup(f'<label class="option" for="{escape(option_id)}">{markup}<span>{escape(label)}</span></label>')


def _input(attrs: dict[str, Any]) -> Markup:
    """An <input> with these attributes; the same few hundred options are written on every form page, so remembered."""
    key = tuple((name, type(value), value) for name, value in attrs.items())  # the type too: True is not 1, Markup not str
    try:
        return _remembered_input(key)
    except TypeError:  # an unhashable attribute value (never ours)
        return Markup(f"<input {html_params(**attrs)}>")


@lru_cache(maxsize=4096)
def _remembered_input(key: tuple[tuple[str, type, Any], ...]) -> Markup:
    """The <input> for attributes given as (name, type, value)."""
    return Markup(f"<input {html_params(**{name: value for name, _, value in key})}>")


class ChoiceField(Options, RadioField):
    """One of a fixed set of values, as large radio buttons; one clear message when missing or odd."""

    option_widget = RadioInput()

    def __init__(self, label: str, choices: Iterable[tuple[str, str]], missing: str, **kwargs: Any) -> None:
        super().__init__(label, choices=list(choices), validate_choice=False, **kwargs)
        self.missing = missing

    def pre_validate(self, form: Any) -> None:
        """Missing or not one of the choices: say what to do."""
        if self.data in (None, "", "None"):
            raise StopValidation(self.missing)
        if self.data not in {value for value, _ in self.choices}:
            raise StopValidation(self.missing)


class Answered:
    """Like InputRequired, but for a field that reads its value (a date, minutes): a blank or spaces-only answer
    is missing, while 0 is an answer."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        """Stop with the message when nothing usable was given (and no other message was raised)."""
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def whole_number(raw: str) -> int | None:
    """A whole number in plain digits ("²" or "1e3" are not), or None; absurdly long ones come out huge, never an error."""
    if not WHOLE_NUMBER.fullmatch(raw):
        return None
    digits = raw.lstrip("+-").lstrip("0") or "0"
    number = int(digits) if len(digits) <= 18 else 10**18  # int() refuses more than 4300 digits
    return -number if raw.startswith("-") else number


class WholeNumberField(IntegerField):
    """A whole number typed in a box; anything else is kept as None, so the range check gives the one message."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the number, or None when it is not a whole number."""
        self.data = whole_number(valuelist[0].strip()) if valuelist else None


class ScaleField(Options, RadioField):
    """A whole number on a scale (0-10 pain), shown as a row of large buttons."""

    option_widget = RadioInput()

    def __init__(self, label: str, missing: str, low: int = 0, high: int = 10, **kwargs: Any) -> None:
        # coerce=int: the data is a number, so the option the patient chose is ticked again when the form comes back
        # with an error elsewhere (a choice is selected when coerce(value) == data).
        super().__init__(label, choices=[(str(i), str(i)) for i in range(low, high + 1)], validate_choice=False,
                         coerce=int, **kwargs)
        self.low, self.high, self.missing = low, high, missing

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the number, or None when it is not a whole number."""
        raw = valuelist[0].strip() if valuelist else ""
        self.raw = raw
        self.data = whole_number(raw)

    def pre_validate(self, form: Any) -> None:
        """Missing, not a number, or off the scale."""
        if not getattr(self, "raw", ""):
            raise StopValidation(self.missing)
        if self.data is None or not self.low <= self.data <= self.high:
            raise StopValidation(f"Choose a number from {self.low} to {self.high}.")

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class ManyField(Options, SelectMultipleField):
    """Any number of a fixed set of values, as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, choices: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(label, choices=list(choices), validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        """Each ticked value once, in the order sent (a value sent twice is still one tick)."""
        self.data = list(dict.fromkeys(valuelist))

    def pre_validate(self, form: Any) -> None:
        """Only values from the list."""
        known = {value for value, _ in self.choices}
        if any(value not in known for value in self.data or []):
            raise StopValidation("Choose from the list.")


class MinutesField(IntegerField):
    """Whole minutes from 0 to `high`; empty allowed unless a validator says otherwise."""

    def __init__(self, label: str, high: int = 600, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.high = high

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse, keeping a friendly message for anything that is not whole minutes."""
        raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if raw == "":
            return
        number = whole_number(raw)
        if number is None or number < 0:
            raise ValueError("Enter a whole number of minutes, like 10.")
        self.data = number

    def pre_validate(self, form: Any) -> None:
        """Within a sensible range."""
        if self.data is not None and self.data > self.high:
            raise ValidationError(f"Enter {self.high} minutes or fewer.")


class EntryIdField(HiddenField):
    """The id of the entry this form makes: the same form sent twice stores one entry."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep a valid UUID, or None."""
        try:
            self.data = uuid.UUID(valuelist[0]) if valuelist else None
        except (ValueError, AttributeError):
            self.data = None

    def pre_validate(self, form: Any) -> None:
        """A missing or broken id means the page is stale."""
        if self.data is None:
            raise StopValidation("This form is out of date. Please reload the page and try again.")

    def _value(self) -> str:
        return str(self.data or uuid.uuid4())


class DayField(DateField):
    """A calendar day (the phone shows its date picker); a plain message when it is not a date."""

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse YYYY-MM-DD, keeping a friendly message for anything else."""
        raw = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not raw:
            return
        try:
            self.data = date.fromisoformat(raw)
        except ValueError:
            raise ValueError("Enter a real date, like 2026-10-20.") from None
