"""Static files with versioned URLs, and htmx served from its pinned registry package."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_file, url_for

from selfcare.access import public

bp = Blueprint("assets", __name__)

HTMX_PACKAGE = "django-js-lib-htmx"
YEAR = 365 * 24 * 3600
SHORT = 10 * 60  # a static file asked for without its current version: kept briefly, then checked again


@cache
def htmx_version() -> str:
    """The version of the installed htmx package (part of the URL, so a new one is fetched)."""
    return metadata.version(HTMX_PACKAGE)


def _htmx_path() -> Path:
    """Where the installed package keeps htmx.min.js."""
    return Path(str(resources.files("js_lib_htmx") / "static" / "htmx" / "htmx.min.js"))


@bp.route("/assets/htmx-<version>.min.js")
@public
def htmx(version: str) -> Response:
    """htmx itself, cached for a year under its versioned URL."""
    current = version == htmx_version()  # an old page asking for an old version gets today's, uncached
    response = send_file(_htmx_path(), mimetype="text/javascript", max_age=YEAR if current else 0)
    response.cache_control.immutable = current
    return response


@cache
def _fingerprint(static_folder: str, filename: str) -> str:
    """A short hash of a static file's bytes, read once per process."""
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """URL of one of our static files, changing whenever the file does (so it can be cached long)."""
    version = _fingerprint(current_app.static_folder or "", filename)
    return url_for("static", filename=filename, v=version)


def cache_static(response: Response) -> Response:
    """A static file under its current versioned URL is kept a year, unchanged; any other request for it briefly."""
    if request.endpoint != "static" or response.status_code not in (200, 304) or not request.view_args:
        return response
    folder = current_app.static_folder or ""
    current = request.args.get("v") == _fingerprint(folder, request.view_args["filename"])
    response.cache_control.public = True
    response.cache_control.max_age = YEAR if current else SHORT
    response.cache_control.immutable = current
    response.headers.pop("Expires", None)  # max-age says it; an Expires date would only disagree with it
    return response


def init_app(app: Flask) -> None:
    """Register the asset helpers as template globals, and the cache lifetimes of static files."""
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = SHORT  # cache_static lengthens it for a current versioned URL
    app.add_template_global(static_url)
    app.add_template_global(lambda: url_for("assets.htmx", version=htmx_version()), "htmx_url")
    app.register_blueprint(bp)
    app.after_request(cache_static)
