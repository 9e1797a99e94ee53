"""The API describing itself: the OpenAPI 3.1 document, and a page people can read."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, render_template

from selfcare.access import public
from selfcare.api import bp
from selfcare.api.problems import TYPES
from selfcare.api.schemas import OpenApiDoc
from selfcare.api.spec import OPERATIONS, document, operation


def _document() -> dict[str, Any]:
    """The document, with this server's address (BASE_URL, never the address the request named)."""
    return document(current_app.config["BASE_URL"] + bp.url_prefix)


@operation(bp, "GET", "/openapi.json", summary="This API's OpenAPI 3.1 description", tag="About", access="public",
           ok=(200, "The OpenAPI document.", OpenApiDoc))
def openapi_json() -> Response:
    """Every operation, with schemas for every body, response and error."""
    response = jsonify(_document())
    response.headers["Cache-Control"] = "no-cache"
    return response


@public
def _docs() -> str:
    """The API page: how to authenticate, every operation, and the problem types."""
    spec = _document()
    return render_template("api/docs.html", spec=spec, operations=OPERATIONS, problems=TYPES)


bp.add_url_rule("/docs", "docs", _docs)
