"""The reading forms (check-in, start of a set, re-check) bind their fields by copying one kept binding
(forms.PrototypeMeta): the same data, errors, validation and HTML as WTForms' own binding, and nothing carried
from one form to the next."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.content import current_content
from selfcare.patient import forms

BASE = {"zone": "calf", "side": "left", "leg_pain": "6", "back_pain": "3", "sensations": ["pain", "tingling"],
        "worse_with": ["sitting"], "walk_minutes": "12", "walk_onset_minutes": "5",
        "entry_id": "0b5f4e0e-8a43-4d5e-9a43-0d3f4c1f0a11"}
CHANGES: list[dict[str, Any] | None] = [
    {}, None,  # None: nothing posted (the page as first shown)
    {"zone": "nowhere"}, {"zone": ""}, {"zone": "none", "side": ""}, {"side": "up"}, {"leg_pain": "11"}, {"leg_pain": "-1"},
    {"leg_pain": "²"}, {"back_pain": ""}, {"sensations": ["x"]}, {"sensations": ["pain", "pain", "weakness"]},
    {"worse_with": []}, {"walk_minutes": "-3"}, {"walk_minutes": "301"}, {"walk_minutes": "1e3"}, {"walk_minutes": ""},
    {"walk_onset_minutes": "13"}, {"walk_onset_minutes": "4", "walk_minutes": ""}, {"walk_onset_minutes": "abc"},
    {"entry_id": "not-a-uuid"}, {"entry_id": ""}, {"rf_fever": "yes"}, {"rf_fever": "maybe"}, {"rf_fever": ""},
    {"zone": "\x00calf"}, {"walk_minutes": " 007 "},
]


def _posted(change: dict[str, Any] | None, questions: tuple[Any, ...]) -> dict[str, Any] | None:
    if change is None:
        return None
    body: dict[str, Any] = {**BASE, **{forms.red_flag_field_name(q): "no" for q in questions}}
    body.update(change)
    return {k: v for k, v in body.items() if v != "" or k in change}


def _seen(form: Any) -> dict[str, Any]:
    """What a form gives the view and the page: validation, errors, each field's data and its HTML."""
    ok = form.validate() if form.is_submitted() else None
    fields = {}
    for field in form:
        if field.name == "csrf_token":
            continue
        html = [str(field.label()), field.errors and list(field.errors)]
        html.append(str(field.options_html()) if hasattr(field, "options_html") else str(field()))
        if field.name == "entry_id" and field.data is None:
            html[-1] = html[-1].split(' value="')[0]  # a new id each time it is shown without one
        fields[field.name] = (field.data, field.raw_data, html, sorted(vars(field.flags).items()), field.description)
    return {"ok": ok, "errors": {k: v for k, v in form.errors.items() if k != "csrf_token"}, "fields": fields}


FORMS = {
    "checkin": lambda questions: forms.checkin_form_class(questions),
    "start_set": lambda questions: forms.start_set_form_class(questions),
    "recheck": lambda questions: forms.RecheckForm,
}


@pytest.mark.parametrize("which", sorted(FORMS))
def test_kept_bindings_match_wtforms_binding(app, monkeypatch: pytest.MonkeyPatch, which: str) -> None:
    """Each posted body, one after another (errors first, then a good one): the same as binding every field anew."""
    with app.app_context():
        questions = current_content().red_flags.questions
    form_class = FORMS[which](questions)
    for change in CHANGES + CHANGES[::-1]:
        data = _posted(change, questions)
        method = "GET" if data is None else "POST"
        with app.test_request_context("/form", method=method, data=data):
            kept = _seen(form_class(meta={"csrf": False}))
            with monkeypatch.context() as patch:
                patch.setattr(forms, "PROTOTYPED_FIELDS", frozenset())
                fresh = _seen(form_class(meta={"csrf": False}))
        assert kept == fresh, (which, change)


def test_forms_share_no_request_state(app) -> None:
    """A form with errors leaves nothing on the next one; the kept bindings hold no data, errors or form."""
    with app.app_context():
        questions = current_content().red_flags.questions
    form_class = forms.checkin_form_class(questions)
    with app.test_request_context("/checkin", method="POST", data={"zone": "nowhere", "leg_pain": "11", "walk_minutes": "5"}):
        bad = form_class(meta={"csrf": False})
        assert not bad.validate() and bad.zone.errors and bad.leg_pain.errors
    with app.test_request_context("/checkin"):
        shown = form_class(meta={"csrf": False})
        assert all(not field.errors for field in shown) and shown.zone.data is None and shown.walk_minutes.data is None
        assert shown.zone is not bad.zone and shown.zone.label is bad.zone.label  # the label is shared, the field not
        assert shown.zone._form is shown and shown.zone.meta is shown.meta
    for kept in forms._PROTOTYPES.values():
        assert not {"data", "raw_data", "object_data", "errors", "process_errors", "_form", "meta"} & set(kept)


def test_only_our_fields_are_copied(app) -> None:
    """The CSRF token (and any field not of PROTOTYPED_FIELDS) is bound by WTForms for each form."""
    with app.app_context():
        questions = current_content().red_flags.questions
    with app.test_request_context("/checkin"):
        one, two = forms.checkin_form(), forms.checkin_form()
        assert one.csrf_token is not two.csrf_token and one.csrf_token.csrf_impl is not two.csrf_token.csrf_impl
        assert {type(f) for f in one if f.name != "csrf_token"} <= forms.PROTOTYPED_FIELDS
        assert len(list(one)) == len(questions) + 10  # the red flags, 8 reading and walking fields, entry id, CSRF token
