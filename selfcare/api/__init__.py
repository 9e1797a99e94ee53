"""The JSON API, /api/v1: the same services as the web pages, for the offline app and clinics' own tools."""

from __future__ import annotations

from flask import Blueprint, Flask

from selfcare import limits
from selfcare.api import problems
from selfcare.api.access import authenticate

bp = Blueprint("api", __name__, url_prefix="/api/v1")
limits.token_limits(bp)  # unknown or revoked bearer tokens, per address


@bp.before_request
def _authenticate() -> None:
    """Every API request: who is calling (token or session), and CSRF for session writes."""
    authenticate()


def init_app(app: Flask) -> None:
    """Register the blueprint and its problem-document errors."""
    app.register_blueprint(bp)
    app.register_error_handler(problems.Problem, problems.response)


# The operations route themselves on bp as they are imported (and so fill spec.OPERATIONS).
from selfcare.api import care, docs, entries, sessions  # noqa: E402, F401
