"""Onboarding: the first questions, asked once and editable later."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from selfcare import accounts, limits
from selfcare.access import role_required
from selfcare.db import db
from selfcare.forms import typed_number
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.patient.forms import OnboardingForm
from selfcare.services import screens
from selfcare.services.profiles import ProfileAnswers, get_profile, save_profile


def _prefill(form: OnboardingForm) -> None:
    """Show the saved answers when the patient comes back to edit them."""
    profile = get_profile(current_user)
    form.region.data = form.region.data or current_user.region or ""
    form.emergency_number.data = form.emergency_number.data or current_user.emergency_number or ""
    if profile is not None:
        form.legs.data = profile.legs
        form.symptoms_started.data = profile.symptoms_started
        form.baseline_walk_minutes.data = profile.baseline_walk_minutes
        form.cancer_history.data = "yes" if profile.cancer_history else "no"
        form.immune_risk.data = "yes" if profile.immune_risk else "no"


def _too_many_codes(message: str) -> str:
    """The answers again with the rate limit's message beside the code (nothing was saved)."""
    form = OnboardingForm()
    form.invite_code.errors = [message]
    return render_template("patient/onboarding.html", form=form, editing=get_profile(current_user) is not None)


@bp.route("/onboarding", methods=["GET", "POST"])
@role_required(Role.PATIENT)
@limits.invite_limits(_too_many_codes, code_field="invite_code")
def onboarding() -> Response | tuple[str, int]:
    """Ask which leg, since when, where, how far they walk, the history questions and a PT code."""
    form = OnboardingForm()
    if form.validate_on_submit():
        assert form.symptoms_started.data is not None and form.baseline_walk_minutes.data is not None  # required fields
        answers = ProfileAnswers(
            form.legs.data, form.symptoms_started.data, form.baseline_walk_minutes.data,
            form.cancer_history.data == "yes", form.immune_risk.data == "yes", form.region.data, typed_number(form),
        )
        before = get_profile(current_user)
        try:
            with db.atomic():
                profile = save_profile(current_user, answers)
                # Cancer history newly yes: contact_pt once, here (CLINICAL.md §2); check-ins count it in combinations.
                screens.history_alert(current_user, before.cancer_history if before else None, answers.cancer_history)
                if (form.invite_code.data or "").strip():
                    accounts.redeem_invite(current_user, form.invite_code.data)
        except accounts.AccountError as error:
            form[error.field].errors = [error.message]
        else:
            flash("Thank you. Your answers are saved.", "success")
            if screens.onboarding_due(current_user, profile):  # both legs, recent onset: the safety questions first
                return redirect(url_for("patient.onboarding_safety"), 303)
            return redirect(url_for("patient.today"), 303)
    elif not form.is_submitted():
        _prefill(form)
    return render_template("patient/onboarding.html", form=form, editing=get_profile(current_user) is not None), (422 if form.errors else 200)
