"""Errors as JSON problem details (RFC 9457): type, title, status, detail, and which fields were wrong."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"
DOCS = "/api/v1/docs"

# Problem types this API uses, each explained under its anchor on the API page.
TYPES = {
    "validation": "Some values are not valid",
    "malformed": "The request could not be read",
    "conflict": "This id already names a different entry",
    "paused": "The therapist has paused the exercises",
    "unauthenticated": "Sign in or send a token",
    "forbidden": "Not for this account",
    "not-found": "Nothing here that you can see",
    "unsupported-media-type": "Send JSON",
    "method-not-allowed": "That method is not allowed here",
    "too-large": "That was too much to send",
    "uri-too-long": "The address is too long",
    "too-many-requests": "Too many tries",
    "csrf": "The CSRF token is missing or stale",
    "server": "Something went wrong on our side",
}

# Plain HTTP errors and the problem type each is shown as.
STATUS_TYPES = {
    400: "malformed", 401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    413: "too-large", 414: "uri-too-long", 415: "unsupported-media-type", 429: "too-many-requests",
}


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self, status: int, kind: str, detail: str, errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail, self.errors, self.headers = status, kind, detail, errors, headers or {}


def field_error(field: str, detail: str) -> dict[str, str]:
    """One entry of `errors`: the field as a dotted name and as a JSON pointer, and what is wrong."""
    pointer = "" if field == "body" else "/" + field.replace(".", "/")  # "" points at the whole body
    return {"field": field, "pointer": pointer, "detail": detail}


def response(problem: Problem) -> Response:
    """The problem as an HTTP response."""
    body: dict[str, Any] = {
        "type": f"{DOCS}#problem-{problem.kind}", "title": TYPES[problem.kind], "status": problem.status,
        "detail": problem.detail, "instance": request.path,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    result = jsonify(body)
    result.status_code = problem.status
    result.mimetype = MEDIA_TYPE
    result.headers.update(problem.headers)
    return result


FRIENDLY = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not part of the request.",
    "json_invalid": "This is not valid JSON.",
}


def _field(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted field name ('' for the whole body)."""
    return ".".join(str(part) for part in loc)


def from_validation(error: ValidationError, where: str = "body") -> Problem:
    """A pydantic ValidationError as a 422 (or a 400 when the body is not JSON at all)."""
    errors = []
    for item in error.errors(include_url=False):
        if item["type"] == "json_invalid":
            return Problem(400, "malformed", "The body is not valid JSON.", [field_error("body", FRIENDLY["json_invalid"])])
        detail = FRIENDLY.get(item["type"], item["msg"].removeprefix("Value error, "))
        errors.append(field_error(_field(item["loc"]) or where, detail))
    names = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return Problem(422, "validation", f"Check these fields: {names}.", errors)


def from_http(error: HTTPException) -> Response:
    """A werkzeug HTTP error (404 for an unknown path, 405, 413...) as a problem document."""
    code = error.code or 500
    kind = STATUS_TYPES.get(code, "server" if code >= 500 else "malformed")
    result = response(Problem(code, kind, error.description or TYPES[kind]))
    if code == 405:
        allow = error.get_response().headers.get("Allow")
        if allow:
            result.headers["Allow"] = allow
    return result
