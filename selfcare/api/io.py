"""Reading request bodies and writing responses, the same way for every operation."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, request
from pydantic import BaseModel, ValidationError

from selfcare.api.problems import Problem, field_error, from_validation

M = TypeVar("M", bound=BaseModel)
BODY_MAX = 64 * 1024  # the largest entry is a few hundred bytes


def body(model: type[M]) -> M:
    """The JSON body as `model`: 415 unless sent as JSON, 400 if unreadable, 422 naming each bad field."""
    if request.mimetype != "application/json":
        raise Problem(415, "unsupported-media-type", "Send the body as JSON with Content-Type: application/json.",
                      [field_error("body", "Send JSON.")])
    if (request.content_length or 0) > BODY_MAX:
        raise Problem(413, "too-large", f"Send at most {BODY_MAX // 1024} KB at once.")
    try:
        return model.model_validate_json(request.get_data(cache=False) or b"")
    except ValidationError as error:
        raise from_validation(error) from None


def reply(model: BaseModel, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A model as a JSON response."""
    response = Response(model.model_dump_json(), status=status, mimetype="application/json", headers=headers)
    response.headers["Cache-Control"] = "no-store"  # health data: never in a shared cache
    return response
