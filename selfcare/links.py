"""Links that leave the page (emails, the calendar link and feed, invites, the API's description): on BASE_URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint` on the configured BASE_URL, never on the request's address.

    url_for(..., _external=True) takes the host, scheme and script root from the request, which anyone can choose
    (Host, X-Forwarded-Host), so a reset link emailed to someone else could point at an attacker's server. This
    binds the app's URL map to the base URL's scheme, host and path instead, exactly as Flask does outside a
    request from SERVER_NAME, APPLICATION_ROOT and PREFERRED_URL_SCHEME (without setting those, which would also
    change how requests are served), so the same call gives the same link in a request, a command or a test.
    """
    app = current_app
    base = urlsplit(app.config["BASE_URL"])
    app.inject_url_defaults(endpoint, values)
    adapter = app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    """Templates call external_url for links people copy or send on (invites)."""
    app.add_template_global(external_url)
