"""My data: what is stored and who sees it, downloads of all of it, and deleting the account."""

from __future__ import annotations

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from selfcare import accounts
from selfcare.access import role_required
from selfcare.models import Role
from selfcare.patient import bp
from selfcare.patient.forms_selfcheck import DeleteAccountForm
from selfcare.services import export
from selfcare.services.looks import record_looks


def _page(form: DeleteAccountForm) -> str:
    """The My data page with the delete form as it stands."""
    return render_template(
        "patient/my_data.html", form=form, therapists=accounts.linked_therapists(current_user), looks=record_looks(current_user),
    )


@bp.route("/my-data")
@role_required(Role.PATIENT)
def my_data() -> str:
    """What selfcare stores, who can see it, the downloads and the delete form."""
    return _page(DeleteAccountForm())


def _download(body: str | bytes, mimetype: str, filename: str) -> FlaskResponse:
    """A file the browser saves rather than shows; never cached (it is personal data)."""
    response = FlaskResponse(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/my-data.json")
@role_required(Role.PATIENT)
def export_json() -> FlaskResponse:
    """Everything stored about the patient as one JSON file."""
    return _download(export.to_json(export.collect(current_user)), "application/json", "selfcare-my-data.json")


@bp.route("/my-data.csv")
@role_required(Role.PATIENT)
def export_csv() -> FlaskResponse:
    """Everything stored about the patient as a ZIP of CSV files, one per kind of record."""
    return _download(export.to_csv_zip(export.collect(current_user)), "application/zip", "selfcare-my-data-csv.zip")


@bp.route("/my-data/delete", methods=["POST"])
@role_required(Role.PATIENT)
def delete_account() -> Response | tuple[str, int]:
    """With the right password: tell linked therapists, delete every row of the patient, log out."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if export.password_matches(current_user, form.password.data):
            export.delete_account(current_user)
            logout_user()
            session.clear()
            flash("Your account and data are deleted.", "success")
            return redirect(url_for("home.index"), 303)
        form.password.errors = ["That is not your password. Nothing was deleted. Check it and try again."]
    return _page(form), 422
