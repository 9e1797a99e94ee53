"""The therapist's page for one linked patient: open alerts first, then answers, charts, notes and the timeline in pages."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from htmx_flask import request as htmx_request
from werkzeug.wrappers import Response

from selfcare import http_cache
from selfcare.access import role_required
from selfcare.charts import CHARTS, chart_numbers, charted, history_charts
from selfcare.models import PlayerState, Profile, Role, User
from selfcare.services import timeline as record
from selfcare.services.care import NotLinked, linked_patient_with_profile, record_access
from selfcare.services.history import build_history, zone_names
from selfcare.services.history_series import numbers_series
from selfcare.services.periods import ALLOWED_DAYS, parse_days
from selfcare.services.open_alerts import open_alerts, patient_open_alerts
from selfcare.services.profiles import UNREAD
from selfcare.services.timeline import AlertEntry, Cursor
from selfcare.therapist import bp
from selfcare.therapist.assessed import in_force
from selfcare.therapist.forms import AcknowledgeForm, AssessSignForm, NoteForm, acknowledge_form
from selfcare.therapist.plan import hold_card, patient_or_404

DEFAULT_DAYS = 30


def _here(alert: AlertEntry) -> str:
    """Where to acknowledge an alert listed in the timeline, on the patient's page: its card at the top."""
    return f"#alert-{alert.id}"


def _on_patient_page(alert: AlertEntry) -> str:
    """Where to acknowledge an alert listed on a page of older entries: its card at the top of the patient's page."""
    return url_for("therapist.patient_page", patient_id=alert.patient_id, _anchor=f"alert-{alert.id}")


def _page(
    patient: User, note_form: NoteForm | None = None, failed_ack: tuple[int, AcknowledgeForm] | None = None,
    profile: Profile | None = UNREAD, assess_form: AssessSignForm | None = None, player: PlayerState | None = UNREAD,
) -> str:
    """The whole page for a linked patient; every showing of the record is kept as a look (AuditEvent)."""
    record_access(current_user, patient, "viewed_record")
    days = parse_days(request.args.get("days"), default=DEFAULT_DAYS)
    history = build_history(patient, days, list_sets=False)  # the sets are entries of the timeline here
    charts = None if history.empty else history_charts(history.series, zone_names(), history.period.unit)
    context: dict[str, Any] = {
        "patient": patient, "overview": record.overview(patient, profile=profile),
        "history": history, "charts": charts, "charted": charted(history.series), "days": days, "ranges": ALLOWED_DAYS,
        "patient_alerts": patient_open_alerts(patient), "failed_ack": failed_ack, "ack_form": acknowledge_form,
        "timeline": record.timeline_page(patient), "ack_href": _here,
        "note_form": note_form or NoteForm(formdata=None), "open_alerts": open_alerts(current_user), "hold": hold_card(patient, player),
        "assessed": in_force(patient), "assess_form": assess_form,  # None: a link that loads the form
    }
    return render_template("therapist/patient.html", **context)


def render_patient_page(
    patient: User, note_form: NoteForm | None = None, failed_ack: tuple[int, AcknowledgeForm] | None = None, status: int = 200,
    assess_form: AssessSignForm | None = None,
) -> tuple[str, int]:
    """The whole page for a linked patient, with a form that failed."""
    return _page(patient, note_form, failed_ack, assess_form=assess_form), status


def _linked_or_404(patient_id: int) -> tuple[User, Profile | None, PlayerState | None]:
    """The patient, their profile and player state if linked to this therapist; else 404, never a hint whether they exist."""
    try:
        return linked_patient_with_profile(current_user, patient_id)
    except NotLinked:
        abort(404)


@bp.route("/patients/<id:patient_id>")
@role_required(Role.THERAPIST)
@http_cache.etag(http_cache.therapist_patient_page)
def patient_page(patient_id: int) -> str:
    """Open alerts, charts, onboarding answers, notes and the newest timeline entries of a patient linked to this therapist (else 404)."""
    patient, profile, player = _linked_or_404(patient_id)
    return _page(patient, profile=profile, player=player)


@bp.route("/patients/<id:patient_id>/timeline")
@role_required(Role.THERAPIST)
def patient_timeline(patient_id: int) -> str:
    """A page of a linked patient's timeline before ?before= (else 404): the entries alone for htmx's "Older", a whole page without it."""
    patient = patient_or_404(patient_id)
    try:
        before = Cursor.parse(request.args["before"]) if "before" in request.args else None
    except ValueError:
        abort(404)  # not a place any link of ours names
    record_access(current_user, patient, "viewed_record")
    timeline = record.timeline_page(patient, before)
    if htmx_request.htmx and not htmx_request.htmx.boosted:
        return render_template("therapist/_timeline_page.html", patient=patient, timeline=timeline, ack_href=_here)
    return render_template("therapist/timeline.html", patient=patient, timeline=timeline, ack_href=_on_patient_page)


@bp.route(f"/patients/<id:patient_id>/history/numbers/<any({', '.join(CHARTS)}):chart>")
@role_required(Role.THERAPIST)
@http_cache.etag(http_cache.therapist_patient_page)
def patient_history_numbers(patient_id: int, chart: str) -> str:
    """The numbers behind one of a linked patient's charts (zone, pain, walking or sets) for ?days= (else 404): the
    table alone for htmx's "Show the numbers", a whole page without it. Kept as a look, as every showing of the record is."""
    patient = patient_or_404(patient_id)
    record_access(current_user, patient, "viewed_record")
    days = parse_days(request.args.get("days"), default=DEFAULT_DAYS)
    period, points = numbers_series(patient, days)
    numbers = chart_numbers(points, zone_names(), period.unit)[chart]
    if htmx_request.htmx and not htmx_request.htmx.boosted:
        return render_template("_chart_numbers.html", numbers=numbers, in_place=True)
    return render_template("therapist/history_numbers.html", patient=patient, numbers=numbers, period=period, days=days)


@bp.route("/patients/<id:patient_id>/notes", methods=["POST"])
@role_required(Role.THERAPIST)
def add_note(patient_id: int) -> Response | tuple[str, int]:
    """Keep a note of 1 to 2000 characters on the record; with an error, nothing is stored (422)."""
    patient = patient_or_404(patient_id)
    form = NoteForm()
    if form.validate_on_submit():
        record.add_note(current_user, patient, form.text.data)
        flash("Note saved.", "success")
        return redirect(url_for("therapist.patient_page", patient_id=patient.id, _anchor="timeline"), 303)
    return render_patient_page(patient, note_form=form, status=422)
