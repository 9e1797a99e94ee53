"""The frame every page shares (base.html): who is looking, which page this is, and the frame's links.

base.html built about twenty links a page (url_for, static_url, htmx_url) and read the endpoint and the
user's role a dozen times, each through Flask's context locals: ~0.16 ms of a ~1 ms page. Its links have no
values, so they are the same on every page under one script root: each is built on first use and kept per
script root (as urls.kept_url keeps the templates' url_for), and the page reads them from one object made
per render.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

from selfcare.assets import htmx_version, static_url

KEY = "selfcare.frame"
ROOTS = 16  # script roots whose links are kept: a deployment has one; more are built per request, not kept


class Frame:
    """The frame of one page: `here` (the endpoint), `signed_in`, `patient`, `therapist`, and its links."""

    __slots__ = ("_links", "here", "signed_in", "patient", "therapist")

    def __init__(self, links: dict[str, str], here: str | None, user: Any) -> None:
        self._links = links
        self.here = here
        self.signed_in = bool(user.is_authenticated)
        self.patient = self.signed_in and bool(user.is_patient)
        self.therapist = self.signed_in and bool(user.is_therapist)

    def _kept(self, key: str, build: Any, *args: Any) -> str:
        url = self._links.get(key)
        if url is None:
            url = self._links[key] = build(*args)
        return url

    def url(self, endpoint: str) -> str:
        """url_for(endpoint), for an endpoint that takes no values."""
        return self._kept(endpoint, url_for, endpoint)

    def static(self, filename: str) -> str:
        """static_url(filename): one of our static files under its versioned URL."""
        return self._kept(f"static:{filename}", static_url, filename)

    @property
    def htmx(self) -> str:
        """The URL of htmx, served from its pinned package under a versioned path."""
        return self._kept("htmx", _htmx_url)


def _htmx_url() -> str:
    return url_for("assets.htmx", version=htmx_version())


def frame() -> dict[str, Frame]:
    """The template context's `frame`, with this request's script root's kept links (none kept when the
    app has URL defaults, which could make a link differ between requests); none outside a request."""
    if not has_request_context():
        return {}
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    roots: dict[str, dict[str, str]] = app.extensions[KEY]
    root = request.environ.get("SCRIPT_NAME", "")
    links = roots.get(root)
    if links is None:
        links = {}
        if len(roots) < ROOTS and not app.url_default_functions:
            roots[root] = links
    return {"frame": Frame(links, request.endpoint, current_user._get_current_object())}


def init_app(app: Flask) -> None:
    """Give every template rendered in a request its frame."""
    app.extensions[KEY] = {}
    app.context_processor(frame)
