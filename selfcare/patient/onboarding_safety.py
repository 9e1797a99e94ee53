"""Right after onboarding said both legs with symptoms that started in the last 6 weeks: the whole red-flag list,
before anything else (CLINICAL.md §2, signs the app already holds; GIRFT 2023: new symptoms in both legs are a
suspected cauda equina presentation)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.clinical import Level
from selfcare.content import current_content
from selfcare.models import Role
from selfcare.patient import bp, own_profile
from selfcare.patient.checkin import (
    answered_red_flags,
    assessed_questions,
    red_flag_answers,
)
from selfcare.patient.forms import ask_assessed, red_flag_field_name, safety_form
from selfcare.services import screens
from selfcare.services.checkins import report_red_flags


@bp.route("/onboarding/safety", methods=["GET", "POST"])
@role_required(Role.PATIENT)
def onboarding_safety() -> Response | tuple[str, int]:
    """Every red-flag question, answered now; a red flag goes straight to its alert."""
    assessed = assessed_questions(current_user)
    form = ask_assessed(safety_form(), assessed)
    if form.validate_on_submit():
        alert = screens.answer_onboarding(current_user, red_flag_answers(form), own_profile(), tuple(assessed))
        if alert is not None:
            return redirect(url_for("patient.show_alert", alert_id=alert.id), 303)
        flash("Thank you. None of these warning signs today.", "success")
        return redirect(url_for("patient.today"), 303)
    early = report_red_flags(current_user, answered_red_flags(form), screens.ONBOARDING) if form.is_submitted() else None
    if early is not None and Level(early.level) >= Level.URGENT:
        return redirect(url_for("patient.show_alert", alert_id=early.id), 303)  # a red flag never waits for the rest
    return render_template(
        "patient/onboarding_safety.html", form=form, questions=current_content().red_flags.questions,
        red_flag_name=red_flag_field_name,
    ), (422 if form.errors else 200)
