"""Error pages: every failure a person can cause gets a clear page and a 4xx, never a bare 500."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from selfcare.api import problems

API_PREFIX = "/api/"

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("This page is not for your account", "You are logged in, but this page belongs to someone else's work."),
    404: ("We could not find that page", "The link may be old, or the page may have moved."),
    405: ("That did not work", "Please use the buttons on the page instead."),
    413: ("That was too much to send", "Please send less at once."),
    429: ("Too many tries", "Please wait a little and try again."),
    500: ("Sorry, something went wrong on our side", "Your data is safe. Please try again in a moment."),
}


def render_error(error: HTTPException) -> Response | tuple[str, int]:
    """Render the page for an HTTP error with its own status code (a problem document under /api/)."""
    if request.path.startswith(API_PREFIX):
        return problems.from_http(error)
    code = error.code or 500
    title, advice = MESSAGES.get(code, MESSAGES[400] if code < 500 else MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, advice=advice), code


def render_csrf_error(error: CSRFError) -> tuple[str, int]:
    """A missing or stale form token: ask the person to reload and try again."""
    return (
        render_template(
            "errors/error.html",
            code=400,
            title="This form has expired",
            advice="For your safety, forms stop working after a while. Go back, reload the page and try again.",
        ),
        400,
    )


def init_app(app: Flask) -> None:
    """Register the error pages."""
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(HTTPException, render_error)
