"""One route's URL for many ids, with one url_for: for links written in a loop (url_for costs ~20 µs each);
and the templates' url_for, which builds a link without values (navigation, buttons) once per process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for

MARK = 918273645546372819  # no row has this id: the built URL is split where it stands


def split_at(built: str, mark: int = MARK) -> Callable[[int], str]:
    """A function giving `built` with the id `mark` replaced by another id (an int, written as url_for writes it)."""
    head, found, tail = built.partition(str(mark))
    if not found or str(mark) in tail:
        raise ValueError(f"the id {mark} must appear once in {built!r}")
    return lambda value: f"{head}{int(value)}{tail}"


def id_url(endpoint: str, name: str, **values: Any) -> Callable[[int], str]:
    """A function id -> url_for(endpoint, name=id, **values), built with one url_for for this request."""
    built: dict[str, Any] = {**values, name: MARK}
    return split_at(url_for(endpoint, **built))


KEPT_URLS = 1024  # far more than the app's endpoints times its script roots: a bound, never reached


def template_url_for(endpoint: str, **values: Any) -> str:
    """url_for as templates call it: a link with no values, the same under the same script root on every page,
    is built once and read back after (a page has ten to thirty, ~6 µs each). Any other call is url_for's own."""
    if values or endpoint[:1] == "." or not has_request_context() or current_app.url_default_functions:
        return url_for(endpoint, **values)
    return kept_url(endpoint, lambda: url_for(endpoint))


def kept_url(name: str, build: Callable[[], str]) -> str:
    """The URL `build` gives, built once per name and script root (the same on every request) and read back after."""
    if not has_request_context():
        return build()
    kept: dict[tuple[str, str], str] = current_app.extensions["selfcare.urls"]
    key = (name, request.environ.get("SCRIPT_NAME", ""))
    url = kept.get(key)
    if url is None:
        url = build()
        if len(kept) < KEPT_URLS:
            kept[key] = url
    return url


def init_app(app: Flask) -> None:
    """Templates call template_url_for as url_for."""
    app.extensions["selfcare.urls"] = {}
    app.jinja_env.globals["url_for"] = template_url_for
