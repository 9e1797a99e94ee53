"""form_html writes the reading forms' groups of choices as _macros.html's `choices`, `red_flags` and
`reading_fields` macros do, byte for byte: for every posted body (errors on each field, answers chosen or not),
for hints, descriptions, legends and classes, and for labels and messages that need escaping."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import Markup

from selfcare.content import current_content
from selfcare.patient import form_html, forms
from tests.reading_form_cases import CHANGES, posted

FORMS = {
    "checkin": lambda questions: forms.checkin_form_class(questions),
    "start_set": lambda questions: forms.start_set_form_class(questions),
    "recheck": lambda questions: forms.RecheckForm,
}
VARIANTS: list[dict[str, Any]] = [
    {}, {"hint": "A hint & more"}, {"css": "options yes-no", "legend_class": "question"}, {"css": 'a"b<c'},
    {"hint": "", "css": "options checks"},
]


def _macros(app: Any) -> Any:
    return app.jinja_env.get_template("_macros.html").make_module({})


@pytest.mark.parametrize("which", sorted(FORMS))
def test_the_same_as_the_macros_for_every_posted_body(app, which: str) -> None:
    """red_flags and reading_fields (and choices for each group) as the macros write them."""
    with app.app_context():
        questions = current_content().red_flags.questions
    form_class = FORMS[which](questions)
    for change in CHANGES:
        data = posted(change, questions)
        with app.test_request_context("/form", method="GET" if data is None else "POST", data=data):
            macros = _macros(app)
            form = form_class()
            if form.is_submitted():
                form.validate()
            assert str(form_html.reading_fields(form)) == str(macros.reading_fields(form)), change
            if which != "recheck":
                assert str(form_html.red_flags(form, questions, forms.red_flag_field_name)) == \
                    str(macros.red_flags(form, questions, forms.red_flag_field_name)), change
            for field in form:
                if hasattr(field, "options_html"):
                    for variant in VARIANTS:
                        assert str(form_html.choices(field, **variant)) == str(macros.choices(field, **variant)), (change, field.name)


@pytest.mark.parametrize("errors", [[], ["Choose one."], ["<b>Bad</b> & \"worse\"", "Second 'one'."], [Markup("<em>kept</em>"), "a < b"]])
@pytest.mark.parametrize("label", ["Plain", "Fish & <chips> \"quoted\" 'single'", Markup("<strong>Bold</strong>")])
def test_escaping_as_jinja_does(app, errors: list[Any], label: Any) -> None:
    """Labels, descriptions, messages and the missing-answer text are escaped as Jinja escapes `{{ }}` (Markup kept)."""
    with app.app_context():
        questions = current_content().red_flags.questions
    with app.test_request_context("/checkin"):
        macros = _macros(app)
        form = forms.checkin_form_class(questions)()
        for field in (form.zone, form.sensations, form.leg_pain, form[forms.red_flag_field_name(questions[0])]):
            field.errors = list(errors)
            field.label.text = label
            field.description = "Say <when> & where" if field.name == "sensations" else ""
            if hasattr(field, "missing"):
                field.missing = 'Answer "yes" or <no> & go'
            for variant in VARIANTS:
                assert str(form_html.choices(field, **variant)) == str(macros.choices(field, **variant)), (field.name, variant)
        assert str(form_html.reading_fields(form)) == str(macros.reading_fields(form))


def test_fields_without_options_are_refused(app) -> None:
    """The CSRF token, the entry id and the minutes have no options: they are not written here."""
    with app.app_context():
        questions = current_content().red_flags.questions
    with app.test_request_context("/checkin"):
        form = forms.checkin_form_class(questions)()
        for field in (form.walk_minutes, form.entry_id):
            with pytest.raises(TypeError):
                form_html.choices(field)


def test_assessed_wording_is_written_the_same_by_both(app) -> None:
    """A sign the therapist assessed ("has it got worse since") is worded the same by form_html and the macro."""
    from datetime import date

    with app.app_context():
        questions = current_content().red_flags.questions
    wording = forms.assessed_wording(questions, {"weight_loss": date(2026, 3, 3), "falls": date(2026, 12, 1)}, "physiotherapist")
    assert wording["weight_loss"] == ("Losing weight without trying. Your physiotherapist checked this on 3 March. "
                                      "Has it got worse since then?")
    for make in (forms.checkin_form_class(questions), forms.start_set_form_class(questions)):
        with app.test_request_context("/checkin"):
            form = forms.ask_assessed(make(), wording)
            html = str(form_html.red_flags(form, questions, forms.red_flag_field_name))
            assert html == str(_macros(app).red_flags(form, questions, forms.red_flag_field_name))
            assert f'<legend class="question">{wording["falls"]}</legend>' in html
            assert "In the last week, have you fallen more than once" not in html
            assert "Each question says which days it is about." in html
        with app.test_request_context("/checkin"):
            assert "In the last week, have you fallen more than once" in str(
                form_html.red_flags(make(), questions, forms.red_flag_field_name))  # each form has its own labels
