"""The nerve self-check: three strength tests and numb areas, compared with the last check."""

from __future__ import annotations

import dataclasses
import uuid

from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.content import current_content, region_of
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.patient.forms_selfcheck import ABILITY_LABELS, SelfCheckForm
from selfcare.services import selfchecks
from selfcare.services.entries import EntryConflict


@bp.route("/self-check", methods=["GET", "POST"])
@role_required(Role.PATIENT)
def self_check() -> Response | tuple[str, int]:
    """Show the self-check; a valid answer is stored once, then the result page shows what changed."""
    form = SelfCheckForm()
    if form.validate_on_submit():
        data = form.to_data()
        try:
            recorded = selfchecks.record_self_check(current_user, data)
        except EntryConflict:
            # The form was sent before with other answers (the back button): these answers count too.
            recorded = selfchecks.record_self_check(current_user, dataclasses.replace(data, uuid=uuid.uuid4()))
        return redirect(url_for("patient.self_check_result", check_id=recorded.check.id), 303)
    return render_template("patient/self_check.html", form=form), 422 if form.errors else 200


@bp.route("/self-check/<id:check_id>")
@role_required(Role.PATIENT)
def self_check_result(check_id: int) -> str:
    """What changed since the last self-check, and what to do if it needs care (own checks only)."""
    check = selfchecks.own_check(current_user, check_id) or abort(404)
    content = current_content()
    outcome = selfchecks.outcome(current_user, check)
    action = content.red_flags.action(outcome.alert.level if outcome.alert else outcome.result.level)
    region = region_of(current_user)  # never another country's number
    return render_template(
        "patient/self_check_result.html", outcome=outcome, action=action,
        action_text=action.render(region), action_title=action.render_title(region),
        lines=selfchecks.describe(current_user, outcome, {a.area: a.name for a in content.areas}),
        when=selfchecks.day_label(current_user, check.recorded_at),
        areas={a.area.value: a.name for a in content.areas}, tests=content.tests, labels=ABILITY_LABELS,
    )
