"""Who is calling the API (the browser session or a bearer token), and whose record they may reach."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from selfcare.api.problems import Problem
from selfcare.models import User
from selfcare.services import care, tokens

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def authenticate() -> None:
    """Set g.api_user from a bearer token (no cookies, no CSRF) or from the session (writes need CSRF)."""
    header = request.headers.get("Authorization")
    g.api_user = None
    if header is not None:
        scheme, _, secret = header.strip().partition(" ")
        user = tokens.user_for(secret.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise Problem(401, "unauthenticated", "This token is unknown, revoked or expired. Make a new one in Settings.",
                          headers={"WWW-Authenticate": 'Bearer realm="selfcare", error="invalid_token"'})
        g.api_user = user
        return
    if not current_user.is_authenticated:
        return
    if request.method not in SAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
        except ValidationError as error:
            raise Problem(403, "csrf", f"{error} Send the page's CSRF token in the X-CSRFToken header, or use a token.") from None
    g.api_user = current_user._get_current_object()


def caller() -> User:
    """The authenticated caller (the operation guard has already refused anonymous calls)."""
    user: User = g.api_user
    return user


def patient_record(patient_id: int, write: bool = False) -> User:
    """The patient whose record this is, if the caller may see it: themselves, or a linked patient.

    Anything else is 404, whether or not the patient exists. Writes to a record are the patient's own.
    """
    user = caller()
    if user.is_patient:
        if user.id != patient_id:
            raise Problem(404, "not-found", "There is no patient here that you can see.")
        return user
    if write:
        raise Problem(403, "forbidden", "Only the patient adds entries to their own record.")
    try:
        patient = care.linked_patient(user, patient_id)
    except care.NotLinked:
        raise Problem(404, "not-found", "There is no patient here that you can see.") from None
    care.record_access_once(user, patient, "read_api")
    return patient
