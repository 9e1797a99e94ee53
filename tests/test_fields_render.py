"""The quicker html_params of selfcare.fields writes exactly what WTForms' own does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms.widgets.core import html_params as wtforms_html_params

from selfcare.fields import html_params

CASES: list[dict[str, Any]] = [
    {},
    {"name": "zone", "id": "zone-0", "type": "radio", "value": "calf", "checked": True},
    {"name": "rf_x", "required": True, "disabled": False, "aria_invalid": "true", "data_missing": "Answer yes or no."},
    {"class_": "a b", "for_": "x", "value": '"quoted" & <tags> \'single\''},
    {"value": Markup('<b title="raw">ok</b>'), "title": Markup("a &amp; b")},
    {"value": 7, "min": 0, "max": None, "aria-describedby": "f-hint f-error"},
    {"value": "", "placeholder": "\u202e\x00 🦶"},
]


@pytest.mark.parametrize("kwargs", CASES)
def test_same_text_as_wtforms(kwargs: dict[str, Any]) -> None:
    """Sorted keys, escaped values, bare boolean attributes: the same text and both Markup."""
    ours, theirs = html_params(**kwargs), wtforms_html_params(**kwargs)
    assert ours == theirs
    assert isinstance(ours, Markup)


@given(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True),
                       st.one_of(st.booleans(), st.text(), st.integers(), st.text().map(Markup))))
def test_same_text_for_any_attributes(kwargs: dict[str, Any]) -> None:
    """Whatever the attributes and values."""
    assert html_params(**kwargs) == wtforms_html_params(**kwargs)


@pytest.mark.parametrize("data", [None, "calf", "nowhere"])
@pytest.mark.parametrize("extra", [{}, {"aria_invalid": "true"}, {"required": True, "class_": "big"}])
def test_options_same_as_wtforms_widgets(data: str | None, extra: dict[str, Any]) -> None:
    """Radio buttons and checkboxes of our fields, checked or not, with extra attributes: WTForms' own widgets' text."""
    from wtforms import Form as PlainForm
    from wtforms import widgets

    from selfcare.fields import ChoiceField, ManyField, ScaleField

    class F(PlainForm):
        zone = ChoiceField("Where?", [("back", "Back"), ("calf", "Calf & <foot>")], missing="Choose.")
        pain = ScaleField("How bad?", missing="Choose.")
        many = ManyField("Which?", [("calf", "Calf"), ("back", "Back")])

    form = F(data={"zone": data, "pain": 3, "many": [data] if data else []})
    for field, stock in ((form.zone, widgets.RadioInput()), (form.pain, widgets.RadioInput()), (form.many, widgets.CheckboxInput())):
        for option in field:
            assert option(**extra) == stock(option, **dict(extra)), option.id


@pytest.mark.parametrize("data", [None, "calf", "nowhere"])
@pytest.mark.parametrize("extra", [{}, {"aria_invalid": "true"}, {"class_": "big", "data_x": 'a"b'}])
def test_options_same_as_option_fields(data: str | None, extra: dict[str, Any]) -> None:
    """`field.options()` gives what `for option in field` renders: id, the input (WTForms' own widgets) and label."""
    from wtforms import Form as PlainForm
    from wtforms import widgets
    from wtforms.validators import InputRequired

    from selfcare.fields import ChoiceField, ManyField, ScaleField

    class F(PlainForm):
        zone = ChoiceField("Where?", [("back", "Back"), ("calf", "Calf & <foot>")], missing="Choose.")
        required = ChoiceField("Yes?", [("yes", "Yes"), ("no", "")], missing="Choose.", validators=[InputRequired()],
                               render_kw={"data_kind": "yes-no"})
        pain = ScaleField("How bad?", missing="Choose.")
        many = ManyField("Which?", [("calf", "Calf"), ("back", "Back")])

    form = F(data={"zone": data, "required": "no", "pain": 3, "many": [data] if data else []})
    for field, stock in ((form.zone, widgets.RadioInput()), (form.required, widgets.RadioInput()),
                         (form.pain, widgets.RadioInput()), (form.many, widgets.CheckboxInput())):
        field.option_widget = stock  # the options as WTForms itself writes them
        expected = [(o.id, o(**extra), o.label.text) for o in field]
        assert field.options(**extra) == expected, field.name


@pytest.mark.parametrize("extra", [{}, {"aria_invalid": "true"}])
def test_option_labels_same_as_the_template_loop(extra: dict[str, Any]) -> None:
    """`field.option_labels()` is what the choices macro wrote for each option (ids and labels escaped by Jinja)."""
    from jinja2 import Environment
    from wtforms import Form as PlainForm

    from selfcare.fields import ChoiceField, ManyField

    class F(PlainForm):
        zone = ChoiceField("Where?", [("back", "Back"), ("calf", "Calf & <foot> \"'")], missing="Choose.")
        many = ManyField("Which?", [("calf", Markup("<b>Calf</b>")), ("back", "Back")])

    loop = Environment(autoescape=True).from_string(
        '<label class="option" for="{{ option.id }}">{{ option(**extra) }}<span>{{ option.label.text }}</span></label>')
    form = F(data={"zone": "calf", "many": ["back"]})
    for field in (form.zone, form.many):
        assert field.option_labels(**extra) == [loop.render(option=o, extra=extra) for o in field]


@pytest.mark.parametrize("extra", [{}, {"aria-invalid": "true"}])
@pytest.mark.parametrize("data", [None, "calf", "back"])
def test_options_html_same_as_the_macro_loop(data: str | None, extra: dict[str, Any]) -> None:
    """`field.options_html()` is what the choices macro's loop over `option_labels()` wrote, for each selection in turn."""
    from jinja2 import Environment
    from werkzeug.datastructures import MultiDict
    from wtforms import Form as PlainForm

    from selfcare.fields import ChoiceField, ManyField, ScaleField

    class F(PlainForm):
        zone = ChoiceField("Where?", [("back", "Back"), ("calf", "Calf & <foot> \"'")], missing="Choose.")
        many = ManyField("Which?", [("calf", Markup("<b>Calf</b>")), ("back", "Back")])
        pain = ScaleField("How bad?", missing="Choose.")

    loop = Environment(autoescape=True).from_string(
        '{% for option in labels %}\n        {{ option }}\n      {% endfor %}')
    form = F(data={"zone": data, "many": [data] if data else [], "pain": 3 if data else None})
    sent = F(formdata=MultiDict({"zone": data or "", "many": data or "", "pain": "3" if data else "x"}))
    for field in (form.zone, form.many, form.pain, sent.zone, sent.many, sent.pain):
        for _ in range(2):  # written, then remembered
            assert field.options_html(**extra) == loop.render(labels=field.option_labels(**extra)), field.name


ENTRY = "0b6d1b1e-4d5e-4f7a-9c1e-2a3b4c5d6e7f"


@pytest.mark.parametrize("data", [None, "", "7", 'a"<b>&\'c'])
@pytest.mark.parametrize("extra", [{}, {"aria_invalid": "true", "class_": "big"}, {"required": True, "value": "x"}])
def test_plain_inputs_same_as_wtforms(data: str | None, extra: dict[str, Any]) -> None:
    """Our forms write plain <input> widgets (text, hidden, number, e-mail, date, the CSRF token) as WTForms does."""
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect
    from werkzeug.datastructures import MultiDict
    from wtforms import DateField, DecimalField, EmailField, HiddenField, IntegerField, StringField
    from wtforms import widgets
    from wtforms.meta import DefaultMeta
    from wtforms.validators import InputRequired, Length, NumberRange, Optional

    from selfcare.fields import EntryIdField, Form, MinutesField

    class F(Form):
        text = StringField("Text", validators=[InputRequired(), Length(max=20)], render_kw={"autocomplete": "off"})
        hidden = HiddenField()
        number = IntegerField("N", validators=[Optional(), NumberRange(min=0, max=9)])
        minutes = MinutesField("Minutes", high=300)
        decimal = DecimalField("D", widget=widgets.NumberInput(step="any", min=0))
        email = EmailField("E")
        day = DateField("Day")
        entry = EntryIdField()

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    CSRFProtect(app)
    sent = {} if data is None else {"text": data, "number": data, "minutes": data, "day": data}
    with app.test_request_context(method="POST", data=sent):
        form = F(formdata=MultiDict({**sent, "entry": ENTRY}))
        assert form.csrf_token.current_token
        for field in form:
            assert field(**extra) == DefaultMeta().render_field(field, dict(extra)), field.name
            assert field() == DefaultMeta().render_field(field, {}), field.name
