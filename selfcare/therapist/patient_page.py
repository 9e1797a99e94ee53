"""The therapist's page for one linked patient: answers, charts, timeline, notes, alerts and tools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from selfcare.access import role_required
from selfcare.models import Profile, Role, User
from selfcare.pieces import Pieces
from selfcare.services import timeline as record
from selfcare.services.open_alerts import open_alerts
from selfcare.services.care import NotLinked, linked_patient_with_profile, record_access
from selfcare.services.profiles import UNREAD
from selfcare.services.history_cache import Shown, history_with_charts, kept_timeline
from selfcare.services.timeline import Timeline
from selfcare.services.history import (
    ALLOWED_DAYS,
    parse_days,
)
from selfcare.therapist import bp
from selfcare.therapist.assessed import in_force
from selfcare.therapist.forms import AcknowledgeForm, AssessSignForm, NoteForm, acknowledge_form
from selfcare.therapist.plan import hold_card, patient_or_404
from selfcare.urls import MARK, split_at, template_url_for

DEFAULT_DAYS = 30
MACROS = "_macros.html"

# The page's links about the patient: url_for('therapist.<name>', patient_id=the patient's id) for each.
LINKS = ("edit_plan", "release_plan", "export_summary", "export_summary_pdf", "export_csv", "export_fhir", "end_link", "add_note",
         "assess_sign")
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


def _link_makers() -> dict[str, Callable[[int], str]] | None:
    """id -> url_for('therapist.<name>', patient_id=id) for LINKS and the page itself, each built once per script root
    with a marker id (urls.split_at); None if the app has URL defaults (they could depend on the request)."""
    if current_app.url_default_functions:
        return None
    kept: dict[str, dict[str, Callable[[int], str]]] = current_app.extensions.setdefault(_KEPT_LINKS, {})
    root = request.environ.get("SCRIPT_NAME", "")
    makers = kept.get(root)
    if makers is None:
        makers = {name: split_at(url_for(f"therapist.{name}", patient_id=MARK)) for name in (*LINKS, "patient_page")}
        if len(kept) < 64:  # script roots: a bound, never reached
            kept[root] = makers
    return makers


def patient_links(patient_id: int, makers: dict[str, Callable[[int], str]] | None = None) -> dict[str, str]:
    """The page's links about the patient (LINKS), as url_for writes them (seven url_for took ~45 µs a view)."""
    makers = makers or _link_makers()
    if makers is None:
        return {name: url_for(f"therapist.{name}", patient_id=patient_id) for name in LINKS}
    return {name: makers[name](patient_id) for name in LINKS}


TIMELINE = "therapist/_timeline.html"
HISTORY = "therapist/_patient_history.html"
CSRF_PLACE = Markup("<!--selfcare csrf token-->")


def _history_utf8(shown: Shown, patient: User, days: int) -> bytes | None:
    """The history section (ranges, trend, charts) as UTF-8: nothing in it is per view but the script root of its links,
    so rendered once per kept history (its key has the patient and the days), script root and template version;
    None if the app has URL defaults (they could depend on the request)."""
    if current_app.url_default_functions:
        return None
    template = current_app.jinja_env.get_template(HISTORY)

    def render() -> bytes:
        history = shown.history
        return template.render(patient=patient, history=history, days=days, ranges=ALLOWED_DAYS, charts=shown.charts).encode()

    return shown.piece(f"{HISTORY} {request.environ.get('SCRIPT_NAME', '')}", template, render)


def _timeline_utf8(timeline: Timeline) -> bytes | None:
    """The timeline section as UTF-8: rendered once per kept timeline, script root (an open alert's form has links)
    and version of its template, kept with the timeline; the one per-view part, an open alert form's CSRF token, is
    written in where the kept render wrote CSRF_PLACE (a comment, which no escaped value and no template writes).
    None if the app has URL defaults (they could depend on the request)."""
    if current_app.url_default_functions:
        return None
    template = current_app.jinja_env.get_template(TIMELINE)
    name = f"{TIMELINE} {request.environ.get('SCRIPT_NAME', '')}"
    found = timeline.pieces.get(name)
    if found is None or found[0] is not template:
        html = template.render(timeline=timeline, failed_ack=None, ack_form=acknowledge_form, csrf_token=lambda: CSRF_PLACE)
        found = timeline.pieces[name] = (template, html.encode().split(CSRF_PLACE.encode()))  # two at once: the same
    parts: list[bytes] = found[1]
    return parts[0] if len(parts) == 1 else str(escape(generate_csrf())).encode().join(parts)


def _page(
    patient: User, note_form: NoteForm | None = None, failed_ack: tuple[int, AcknowledgeForm] | None = None,
    pieces: Pieces | None = None, profile: Profile | None = UNREAD, assess_form: AssessSignForm | None = None,
) -> str:
    """The whole page for a linked patient (kept parts as placeholders of `pieces` if given); every showing of the
    record is kept as a look (AuditEvent)."""
    record_access(current_user, patient, "viewed_record")
    days = parse_days(request.args.get("days"), default=DEFAULT_DAYS)
    shown = history_with_charts(patient, days)
    history = shown.history
    timeline = kept_timeline(patient)
    history_place, timeline_place, makers = None, None, _link_makers()
    alerts = open_alerts(current_user)  # read fresh on every view
    if pieces is not None:
        section = _history_utf8(shown, patient, days)
        history_place = None if section is None else pieces.place(section)
        section = None if failed_ack else _timeline_utf8(timeline)
        timeline_place = None if section is None else pieces.place(section)
    context: dict[str, Any] = {
        "patient": patient, "links": patient_links(patient.id, makers),
        "overview": record.overview(patient, profile=profile), "history": history, "days": days, "ranges": ALLOWED_DAYS,
        "charts": shown.charts, "history_place": history_place,
        "timeline": timeline, "timeline_place": timeline_place, "note_form": note_form,
        "note_field": None if note_form is not None else empty_note_field(), "failed_ack": failed_ack,
        "ack_form": acknowledge_form, "open_alerts": alerts, "hold": hold_card(patient),
        "assessed": in_force(patient), "assess_form": assess_form or AssessSignForm(formdata=None),
        "banner": None if makers is None else alerts.banner_html(makers["patient_page"], template_url_for("therapist.open_alerts")),
    }
    return render_template("therapist/patient.html", **context)


def render_patient_page(
    patient: User, note_form: NoteForm | None = None, failed_ack: tuple[int, AcknowledgeForm] | None = None, status: int = 200,
    assess_form: AssessSignForm | None = None,
) -> tuple[str, int]:
    """The whole page for a linked patient, written whole (with a form that failed)."""
    return _page(patient, note_form, failed_ack, assess_form=assess_form), status


@bp.route("/patients/<id:patient_id>")
@role_required(Role.THERAPIST)
def patient_page(patient_id: int) -> bytes:
    """Charts, timeline, onboarding answers and notes of a patient linked to this therapist (else 404)."""
    try:
        patient, profile = linked_patient_with_profile(current_user, patient_id)
    except NotLinked:
        abort(404)  # as patient_or_404: never a hint whether they exist
    pieces = Pieces()
    return pieces.page(_page(patient, pieces=pieces, profile=profile))


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
