"""The installable app: its manifest, the service worker at the root scope, and the offline page.

What is kept on the phone, deliberately: our static files and htmx (the shell), a generic offline
page, and, for a signed-in patient only, the few pages they need with no signal (Today, check-in,
the offline player, Learn and the warning signs). Nothing else is stored; logging out clears it all
(Clear-Site-Data).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from selfcare.access import public, role_required
from selfcare.assets import SHORT, htmx_version, static_url
from selfcare.content import current_content
from selfcare.models import Role

bp = Blueprint("pwa", __name__)

NAME = "selfcare"
THEME = "#0b5d7a"
BACKGROUND = "#ffffff"
SHELL_FILES = (
    "css/app.css", "js/app.js", "js/offline.js", "js/protocol.js", "js/player.js", "js/offline_player.js", "js/checkin.js",
    "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-512.png",
)


@bp.route("/manifest.webmanifest")
@public
def manifest() -> Response:
    """The web app manifest: name, icons (maskable too), standalone display, start URL and scope."""
    icons = [
        {"src": static_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static_url("icons/maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        {"src": static_url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
    ]
    body = {
        "id": "/", "name": NAME, "short_name": NAME,
        "description": "Home exercises, symptom log and safety checks for sciatica.",
        "start_url": url_for("home.index"), "scope": "/", "display": "standalone", "orientation": "portrait",
        "theme_color": THEME, "background_color": BACKGROUND, "lang": "en", "icons": icons,
    }
    response = current_app.response_class(json.dumps(body, indent=1), mimetype="application/manifest+json")
    response.cache_control.public = True
    response.cache_control.max_age = SHORT  # new icons have new URLs; the old ones still answer meanwhile
    response.add_etag()
    return response.make_conditional(request)


def shell_urls() -> list[str]:
    """Every file the app shell needs, under its versioned URL, and the offline page."""
    return [static_url(name) for name in SHELL_FILES] + [url_for("assets.htmx", version=htmx_version()), url_for("pwa.offline")]


@cache
def _worker_source(static_folder: str) -> str:
    return (Path(static_folder) / "js" / "sw.js").read_text(encoding="utf-8")


@bp.route("/sw.js")
@public
def service_worker() -> Response:
    """The service worker, served from the root so its scope is the whole app.

    Its first lines name this release (a hash of the shell's versioned URLs and the worker itself),
    so any change to a file makes the browser install the new worker, which replaces the old caches.
    """
    source = _worker_source(current_app.static_folder or "")
    shell = shell_urls()
    version = hashlib.sha256(json.dumps([shell, source]).encode()).hexdigest()[:12]
    settings = {
        "version": version, "shell": shell, "offline": url_for("pwa.offline"),
        # With no signal, these addresses open their offline version (kept by the worker).
        "fallbacks": {url_for("patient.player_page"): url_for("patient.player_offline")},
        "logout": url_for("auth.logout"),
    }
    script = f"const SETTINGS = {json.dumps(settings)};\n{source}"
    response = current_app.response_class(script, mimetype="text/javascript")
    response.cache_control.no_cache = True  # the browser checks for a new release on every visit
    response.add_etag()  # ... and an unchanged release answers 304
    return response.make_conditional(request)


@bp.route("/offline")
@public
def offline() -> str:
    """Shown for a page that was not kept on the phone; the same for everyone (no personal data)."""
    return render_template("pwa/offline.html")


def patient_pages() -> list[str]:
    """The pages a patient can open with no signal (fetched by the worker after each online visit)."""
    pages = [url_for("patient.today"), url_for("patient.checkin"), url_for("patient.player_offline"), url_for("patient.learn")]
    # The warning signs and what to do about each (CLINICAL.md §2: kept offline, like Learn).
    pages.append(url_for("home.warning_signs"))
    return pages + [url_for("patient.learn_page", slug=page.slug) for page in current_content().pages]


@bp.route("/offline/sync")
@role_required(Role.PATIENT)
def sync_info() -> Response:
    """What the phone needs to send its saved entries: who is signed in, a CSRF token, where to send."""
    from flask_wtf.csrf import generate_csrf

    response = jsonify(
        user_id=current_user.id, csrf_token=generate_csrf(), pages=patient_pages(),
        api=url_for("api.get_me").removesuffix("/me"), patient=f"/patients/{current_user.id}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the blueprint and give templates the manifest's colour."""
    app.register_blueprint(bp)
    app.add_template_global(THEME, "theme_colour")
