"""The API's operations, declared once: the route, who may call it, its schemas, and the OpenAPI 3.1 document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal

from flask import Blueprint, g
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from selfcare.api.problems import TYPES, Problem
from selfcare.api.schemas import ProblemDoc
from selfcare.url_rules import ID_MAX, URI_MAX

VERSION = "1.0.0"
REF = "#/components/schemas/{model}"

# Every error status and when it happens, as the OpenAPI document states it.
ERROR_TEXT = {
    400: (f"The body is not JSON, the cursor is not one this API gave out, or the address (path and query, "
          f"percent-encoded) is longer than {URI_MAX} characters."),
    401: "No session and no token, or a token that is unknown, revoked or expired (90 days after it was made).",
    403: "Signed in, but this is not for this account (wrong role, or a session write without its CSRF token).",
    404: "No such entry, or a patient this account may not see.",
    409: "The id names a different entry, or the entry cannot be applied now.",
    414: ("From the server in front of the app (gunicorn, a proxy), for a request line longer than it reads, which is "
          f"far longer than the {URI_MAX} characters the app answers 400 for: a short HTML page, or a problem document."),
    415: "The body was not sent as application/json.",
    422: "Some values are not valid: `errors` names each field and why.",
    429: ("Too many requests: writes per account (120 in 10 minutes, 600 a day), or unknown, revoked or expired tokens "
          "from this address. Nothing was stored: wait `Retry-After` seconds (see selfcare/limits.py)."),
}


@dataclass
class Operation:
    """One API operation: how it is routed, who may call it, and what goes in and out."""

    method: str
    path: str  # OpenAPI form: /patients/{patient_id}
    operation_id: str
    summary: str
    description: str
    tag: str
    access: str  # public, signed_in, patient or therapist
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    responses: dict[int, tuple[str, type[BaseModel] | None]]
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: tuple[int, ...] = ()


OPERATIONS: list[Operation] = []


def _openapi_path(rule: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """A Flask rule as an OpenAPI path, with a schema for each path parameter."""
    params: dict[str, dict[str, Any]] = {}

    def replace(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if converter == "id":  # selfcare.url_rules.IdConverter: any other number is no route, 404
            params[name] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
        elif converter == "uuid":  # werkzeug's UUIDConverter matches the 36-character form only
            params[name] = {"type": "string", "format": "uuid", "maxLength": 36}
        else:  # no operation has one yet: the whole address is at most URI_MAX characters
            params[name] = {"type": "string", "maxLength": URI_MAX}
        return "{" + name + "}"

    return re.sub(r"<(?:([^:>]+):)?([a-z_]+)>", replace, rule), params


def _guard(access: str, view: Callable[..., Any]) -> Callable[..., Any]:
    """Check the caller (set by the blueprint from the session or the token) against `access`."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = g.get("api_user")
        if access != "public":
            if user is None:
                raise Problem(401, "unauthenticated", "Sign in, or send a personal access token as `Authorization: Bearer <token>`.",
                              headers={"WWW-Authenticate": 'Bearer realm="selfcare"'})
            if access in ("patient", "therapist") and user.role != access:
                raise Problem(403, "forbidden", f"Only a {access} account may do this.")
        return view(*args, **kwargs)

    wrapped.access = access  # type: ignore[attr-defined]
    return wrapped


def operation(
    bp: Blueprint, method: str, rule: str, *, summary: str, tag: str, access: str,
    ok: tuple[int, str, type[BaseModel] | None], created: tuple[int, str, type[BaseModel]] | None = None,
    body: type[BaseModel] | None = None, query: type[BaseModel] | None = None, conflict: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Route a view on the API blueprint and record it for the OpenAPI document."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        path, params = _openapi_path(rule)
        responses = {ok[0]: (ok[1], ok[2])}
        if created:
            responses[created[0]] = (created[1], created[2])
        errors = [400, 414]  # any address can be too long (selfcare/url_rules.py, gunicorn.conf.py)
        if access != "public":
            errors += [401, 429]
        if access in ("patient", "therapist") or (access != "public" and method != "GET"):
            errors.append(403)
        if params:
            errors.append(404)
        if conflict:
            errors.append(409)
        if body:
            errors += [415, 422]
        elif query:
            errors.append(422)
        OPERATIONS.append(Operation(
            method=method.lower(), path=path, operation_id=view.__name__, summary=summary,
            description=(view.__doc__ or "").strip(), tag=tag, access=access, body=body, query=query,
            responses=responses, path_params=params, errors=tuple(sorted(set(errors))),
        ))
        bp.add_url_rule(rule, view.__name__, _guard(access, view), methods=[method])
        return view

    return decorator


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """Query parameters from a model's fields."""
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": {k: v for k, v in prop.items() if k != "title"},
         "description": prop.get("description", "")}
        for name, prop in schema["properties"].items()
    ]


def document(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 description of every operation."""
    models: set[type[BaseModel]] = {ProblemDoc}
    for op in OPERATIONS:
        models.update(m for m in (op.body, *(r[1] for r in op.responses.values())) if m is not None)
    keyed: list[tuple[type[BaseModel], Literal["validation"]]] = [(m, "validation") for m in sorted(models, key=lambda m: m.__name__)]
    _, defs = models_json_schema(keyed, ref_template=REF)
    schemas = defs.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        entry: dict[str, Any] = {
            "operationId": op.operation_id, "summary": op.summary, "description": op.description, "tags": [op.tag],
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": schema} for name, schema in op.path_params.items()
            ] + (_query_parameters(op.query) if op.query else []),
            "responses": {},
        }
        if op.access == "public":
            entry["security"] = []
        else:
            entry["x-selfcare-access"] = op.access
        if op.body is not None:
            entry["requestBody"] = {
                "required": True, "content": {"application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}},
            }
        for status, (text, model) in op.responses.items():
            entry["responses"][str(status)] = {"description": text}
            if model is not None:
                entry["responses"][str(status)]["content"] = {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}
        for status in op.errors:
            entry["responses"][str(status)] = {
                "description": ERROR_TEXT[status],
                "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="ProblemDoc")}}},
            }
            if status == 401:
                entry["responses"]["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
            if status == 429:
                entry["responses"]["429"]["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
            if status == 414:  # from the server itself (gunicorn, a proxy) the same status comes as a short HTML page
                entry["responses"]["414"]["content"]["text/html"] = {"schema": {"type": "string"}}
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "selfcare API", "version": VERSION,
            "description": (
                "The patient's record and the therapist's caseload as JSON, for selfcare's offline app and for "
                "clinics' own tools. The same rules as the web pages: patients see their own record, therapists "
                "only patients linked to them. Errors are RFC 9457 problem details; see the API page for the "
                "problem types: " + ", ".join(sorted(TYPES)) + "."
            ),
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": server_url}],
        "security": [{"session": []}, {"token": []}],
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer", "description": (
                    "A personal access token from Settings (made with the account's password). It works for 90 days, "
                    "until revoked, or until access ends another way (logging out everywhere else, a new password, "
                    "two-step sign-in turned on); then it answers 401 like an unknown one.")},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The web app's session; writes also need the X-CSRFToken header."},
            },
        },
    }

