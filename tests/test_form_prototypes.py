"""The reading forms (check-in, start of a set, re-check) bind their fields by copying one kept binding
(forms.PrototypeMeta): the same data, errors, validation and HTML as WTForms' own binding, and nothing carried
from one form to the next."""

from __future__ import annotations

from typing import Any

import pytest
from flask import g, session
from flask_wtf.csrf import _FlaskFormCSRF, generate_csrf

from selfcare.content import current_content
from selfcare.patient import forms
from tests.reading_form_cases import CHANGES, posted


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
        data = posted(change, questions)
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
        assert shown.zone is not bad.zone and shown.zone._form is shown and shown.zone.meta is shown.meta
    for attrs, _ in forms._PROTOTYPES.values():
        assert not {"data", "raw_data", "object_data", "errors", "process_errors", "_form", "meta"} & set(attrs)


def test_changing_one_form_changes_no_other(app) -> None:
    """A form's label, flags, choices and attributes are its own, as WTForms makes them for each field."""
    with app.app_context():
        questions = current_content().red_flags.questions
    form_class = forms.checkin_form_class(questions)
    with app.test_request_context("/checkin"):
        changed = form_class(meta={"csrf": False})
        changed.side.label.text = "Changed"
        changed.side.flags.required = True
        changed.side.choices.append(("up", "Up"))
        changed.leg_pain.choices.clear()
        other = form_class(meta={"csrf": False})
        assert other.side.label.text == "Which side?" and not other.side.flags.required
        assert ("up", "Up") not in other.side.choices and len(other.leg_pain.choices) == 11
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(forms, "PROTOTYPED_FIELDS", frozenset())
            fresh = form_class(meta={"csrf": False})
        assert _seen(other) == _seen(fresh)


def test_only_our_fields_are_copied(app) -> None:
    """The CSRF token (and any field not of PROTOTYPED_FIELDS) is bound by WTForms for each form."""
    with app.app_context():
        questions = current_content().red_flags.questions
    with app.test_request_context("/checkin"):
        one, two = forms.checkin_form(), forms.checkin_form()
        assert one.csrf_token is not two.csrf_token and one.csrf_token.csrf_impl is not two.csrf_token.csrf_impl
        assert {type(f) for f in one if f.name != "csrf_token"} <= forms.PROTOTYPED_FIELDS
        assert len(list(one)) == len(questions) + 10  # the red flags, 8 reading and walking fields, entry id, CSRF token


@pytest.mark.parametrize("sent", [None, "", "not-a-token", "good"])
def test_the_csrf_token_is_signed_when_shown_and_checked_as_before(app, monkeypatch: pytest.MonkeyPatch, sent: str | None) -> None:
    """The token field shows generate_csrf's token, as flask_wtf's own field does; a sent token (missing, bad or good)
    gets the same errors; a form that is not shown signs no token (flask_wtf's field signs one as it is made)."""
    with app.app_context():
        questions = current_content().red_flags.questions
    form_class = forms.checkin_form_class(questions)
    with app.test_request_context("/checkin"):
        token = generate_csrf()
        kept_session = dict(session)
    body = posted({}, questions) if sent is not None else None
    if body is not None:
        body["csrf_token"] = token if sent == "good" else sent
    seen = {}
    for lazy in (True, False):
        with app.test_request_context("/checkin", method="GET" if body is None else "POST", data=body), monkeypatch.context() as patch:
            session.update(kept_session)
            if not lazy:
                patch.setattr(forms.ReadingForm.Meta, "csrf_class", _FlaskFormCSRF)
            patch.setattr(form_class, "_wtforms_meta", None)  # made again from the Meta classes
            form = form_class()
            ok = form.validate() if body is not None else None
            assert ("csrf_token" in g) == (not lazy)  # signed only by flask_wtf's own field, before the page shows it
            seen[lazy] = (ok, form.csrf_token.errors, form.csrf_token.data, str(form.csrf_token), generate_csrf())
    assert seen[True] == seen[False]
    assert (seen[True][0] is True) == (sent == "good") and seen[True][4] == token
