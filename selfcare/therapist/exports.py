"""Exports of one linked patient's record: visit summary (page and PDF), CSV of the clinical record, FHIR R4."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from selfcare.access import role_required
from selfcare.models import Role, User
from selfcare.pdf import summary_pdf
from selfcare.services import export
from selfcare.services.care import end_link as end_care_link
from selfcare.services.care import record_access
from selfcare.services.fhir import patient_bundle
from selfcare.services.periods import ALLOWED_DAYS, parse_days
from selfcare.services.summary import build_summary, overview, sections
from selfcare.therapist import bp
from selfcare.therapist.plan import patient_or_404

SUMMARY_DAYS = 14


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    """A personal-data file: saved, never cached."""
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def _file_stem(patient: User) -> str:
    return f"selfcare-patient-{patient.id}"


@bp.route("/patients/<id:patient_id>/summary")
@role_required(Role.THERAPIST)
def export_summary(patient_id: int) -> str:
    """The patient's visit summary, ready to print."""
    patient = patient_or_404(patient_id)
    days = parse_days(request.args.get("days"), default=SUMMARY_DAYS)
    data = build_summary(patient, days)
    record_access(current_user, patient, "exported_summary")
    return render_template(
        "patient/summary.html", summary=data, overview=overview(data), sections=sections(data), days=days, ranges=ALLOWED_DAYS,
        for_therapist=True, patient=patient, range_endpoint="therapist.export_summary", range_args={"patient_id": patient.id},
        pdf_url=url_for("therapist.export_summary_pdf", patient_id=patient.id, days=days),
    )


@bp.route("/patients/<id:patient_id>/summary.pdf")
@role_required(Role.THERAPIST)
def export_summary_pdf(patient_id: int) -> Response:
    """The visit summary as a PDF."""
    patient = patient_or_404(patient_id)
    data = build_summary(patient, parse_days(request.args.get("days"), default=SUMMARY_DAYS))
    record_access(current_user, patient, "exported_summary")
    return _download(summary_pdf(data), "application/pdf", f"{_file_stem(patient)}-summary-{data.made_at:%Y-%m-%d}.pdf")


@bp.route("/patients/<id:patient_id>/entries.zip")
@role_required(Role.THERAPIST)
def export_csv(patient_id: int) -> Response:
    """The clinical record as CSV files (one per kind of entry) in a ZIP: what a clinic needs, no more (services/export.py)."""
    patient = patient_or_404(patient_id)
    record_access(current_user, patient, "exported_csv")
    archive = export.to_csv_zip(export.collect_for_therapist(patient, current_user), readme=export.THERAPIST_README)
    return _download(archive, "application/zip", f"{_file_stem(patient)}-entries.zip")


@bp.route("/patients/<id:patient_id>/record.fhir.json")
@role_required(Role.THERAPIST)
def export_fhir(patient_id: int) -> Response:
    """The record as a FHIR R4 Bundle (CLINICAL.md §7)."""
    patient = patient_or_404(patient_id)
    record_access(current_user, patient, "exported_fhir")
    body = json.dumps(patient_bundle(patient), indent=1)
    return _download(body, "application/fhir+json", f"{_file_stem(patient)}.fhir.json")


@bp.route("/patients/<id:patient_id>/end-link", methods=["POST"])
@role_required(Role.THERAPIST)
def end_link(patient_id: int) -> BaseResponse:
    """Stop looking after this patient; they no longer appear in the caseload."""
    patient = patient_or_404(patient_id)
    end_care_link(current_user, patient)
    flash(f"You no longer look after {patient.name} in selfcare.", "info")
    return redirect(url_for("therapist.caseload"), 303)
