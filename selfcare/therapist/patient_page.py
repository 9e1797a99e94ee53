"""The therapist's page for one linked patient: answers, charts, timeline, notes, alerts and tools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.models import Role, User
from selfcare.services import timeline as record
from selfcare.services.open_alerts import open_alerts
from selfcare.services.care import record_access
from selfcare.services.history_cache import history_with_charts, kept_timeline
from selfcare.services.history import (
    ALLOWED_DAYS,
    TREND_LABELS,
    parse_days,
)
from selfcare.therapist import bp
from selfcare.therapist.forms import AcknowledgeForm, NoteForm, acknowledge_form
from selfcare.therapist.plan import patient_or_404
from selfcare.urls import MARK, split_at

DEFAULT_DAYS = 30
MACROS = "_macros.html"

# The page's links about the patient: url_for('therapist.<name>', patient_id=the patient's id) for each.
LINKS = ("edit_plan", "export_summary", "export_summary_pdf", "export_csv", "export_fhir", "end_link", "add_note")
_KEPT_LINKS = "selfcare.patient_links"

_empty_note: tuple[object, Markup] | None = None  # (the macros template it came from, the markup)


def empty_note_field() -> Markup:
    """field(note_form.text) for a fresh note form, as _macros.html writes it: no value, error or token in it, so
    the same on every view; written once per version of the macros template (new when it is reloaded)."""
    global _empty_note
    template = current_app.jinja_env.get_template(MACROS)
    kept = _empty_note
    if kept is None or kept[0] is not template:
        field = get_template_attribute(MACROS, "field")
        kept = _empty_note = (template, Markup(field(NoteForm(formdata=None).text)))
    return kept[1]


def patient_links(patient_id: int) -> dict[str, str]:
    """The page's links about the patient (LINKS), as url_for writes them: each built once per script root with a
    marker id (urls.split_at), the patient's id written in per view (seven url_for took ~45 µs a view)."""
    if current_app.url_default_functions:  # a default could depend on the request: url_for each time
        return {name: url_for(f"therapist.{name}", patient_id=patient_id) for name in LINKS}
    kept: dict[str, dict[str, Callable[[int], str]]] = current_app.extensions.setdefault(_KEPT_LINKS, {})
    root = request.environ.get("SCRIPT_NAME", "")
    links = kept.get(root)
    if links is None:
        links = {name: split_at(url_for(f"therapist.{name}", patient_id=MARK)) for name in LINKS}
        if len(kept) < 64:  # script roots: a bound, never reached
            kept[root] = links
    return {name: link(patient_id) for name, link in links.items()}


def render_patient_page(
    patient: User, note_form: NoteForm | None = None, failed_ack: tuple[int, AcknowledgeForm] | None = None, status: int = 200,
) -> tuple[str, int]:
    """The whole page for a linked patient; every showing of the record is kept as a look (AuditEvent)."""
    record_access(current_user, patient, "viewed_record")
    days = parse_days(request.args.get("days"), default=DEFAULT_DAYS)
    shown = history_with_charts(patient, days)
    history = shown.history
    context: dict[str, Any] = {
        "patient": patient, "links": patient_links(patient.id), "overview": record.overview(patient), "history": history, "days": days, "ranges": ALLOWED_DAYS,
        "charts": shown.charts,
        "trend_label": TREND_LABELS[history.trend.direction], "timeline": kept_timeline(patient),
        "note_form": note_form, "note_field": None if note_form is not None else empty_note_field(), "failed_ack": failed_ack, "ack_form": acknowledge_form,
        "open_alerts": open_alerts(current_user),
    }
    return render_template("therapist/patient.html", **context), status


@bp.route("/patients/<int:patient_id>")
@role_required(Role.THERAPIST)
def patient_page(patient_id: int) -> tuple[str, int]:
    """Charts, timeline, onboarding answers and notes of a patient linked to this therapist (else 404)."""
    return render_patient_page(patient_or_404(patient_id))


@bp.route("/patients/<int:patient_id>/notes", methods=["POST"])
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
