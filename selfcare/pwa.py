"""The installable app: its manifest, the service worker at the root scope, and the offline page.

What is kept on the phone, deliberately: our static files and htmx (the shell), two generic pages
(no signal; logged out with no signal), and, for a signed-in patient only, the few pages they need with
no signal (Today, check-in, the offline player, Learn and the warning signs). Nothing else is stored;
logging out clears it all (Clear-Site-Data).

Kept pages belong to one account. Every page for a signed-in user names the account with an opaque value
(ACCOUNT_HEADER, an HMAC of the id with the secret key, never the id), and a cookie that scripts can read
holds the same value for as long as the login lasts (ACCOUNT_COOKIE): with no signal, the service worker
shows a kept page only to the account that kept it and still holds the cookie (see static/js/sw.js).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request, url_for
from flask_login import AnonymousUserMixin, current_user

from selfcare.access import public, role_required
from selfcare.assets import SHORT, htmx_version, static_url
from selfcare.content import current_content
from selfcare.models import LoginSession, Role
from selfcare.services.hashed import digest
from selfcare.services.login_sessions import REMEMBERED_IDLE_LIMIT

bp = Blueprint("pwa", __name__)

NAME = "selfcare"
THEME = "#0b5d7a"
BACKGROUND = "#ffffff"
SHELL_FILES = (
    "css/app.css", "js/app.js", "js/offline.js", "js/protocol.js", "js/player.js", "js/offline_player.js", "js/checkin.js",
    "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-512.png",
)
ACCOUNT_HEADER = "Selfcare-Account"  # on every page for a signed-in user: whose page this is, as an opaque value
ACCOUNT_COOKIE = "selfcare_account"  # the same value, readable by the worker with no signal, gone with the login
FOR_NO_ONE = frozenset({"pwa.offline", "pwa.logged_out"})  # kept in every phone's shell: they name no account


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
    response.make_conditional(request)
    return response


def shell_urls() -> list[str]:
    """Every file the app shell needs, under its versioned URL, and the offline page."""
    return [static_url(name) for name in SHELL_FILES] + [
        url_for("assets.htmx", version=htmx_version()), url_for("pwa.offline"), url_for("pwa.logged_out"),
    ]


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
        "logout": url_for("auth.logout"), "logged_out": url_for("pwa.logged_out"), "home": url_for("home.index"),
        "header": ACCOUNT_HEADER, "cookie": ACCOUNT_COOKIE,
    }
    script = f"const SETTINGS = {json.dumps(settings)};\n{source}"
    response = current_app.response_class(script, mimetype="text/javascript")
    response.cache_control.no_cache = True  # the browser checks for a new release on every visit
    response.add_etag()  # ... and an unchanged release answers 304
    response.make_conditional(request)
    return response


def _for_no_one(template: str) -> str:
    """A page kept on every phone as it is: drawn for no one (no name, no account, no patient's scripts), whoever
    happened to be signed in when the worker fetched it."""
    return render_template(template, current_user=AnonymousUserMixin())


@bp.route("/offline")
@public
def offline() -> str:
    """Shown for a page that was not kept on the phone; the same for everyone (no personal data)."""
    return _for_no_one("pwa/offline.html")


@bp.route("/offline/logged-out")
@public
def logged_out() -> str:
    """Shown at once after logging out with no signal (the worker keeps it); the same for everyone."""
    return _for_no_one("pwa/logged_out.html")


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


def account_value(user_id: int) -> str:
    """The opaque value that names an account to the phone: an HMAC of its id with the secret key."""
    key = current_app.secret_key
    key_bytes = key.encode() if isinstance(key, str) else bytes(key or b"")
    return hmac.new(key_bytes, f"selfcare-account:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def mark_account(response: Response) -> Response:
    """On a page: name the signed-in account (header), and keep the phone's account cookie in step with the login.

    The cookie is set when a signed-in request comes without it (after a login) and removed when a request with it
    comes from no one (after a logout, or a session ended elsewhere); otherwise no Set-Cookie, so a request still
    in flight from before a login cannot undo it. It lasts as the login does: the browser session, or the
    remembered login's time.
    """
    if response.mimetype != "text/html" or request.endpoint in FOR_NO_ONE:
        return response
    held = request.cookies.get(ACCOUNT_COOKIE)
    secure, domain = current_app.config["SESSION_COOKIE_SECURE"], current_app.config.get("SESSION_COOKIE_DOMAIN")
    if current_user.is_authenticated:
        value = account_value(current_user.id)
        response.headers[ACCOUNT_HEADER] = value
        if held != value:
            row = LoginSession.get_or_none(LoginSession.key_hash == digest(getattr(current_user, "login_key", "") or ""))
            max_age = int(REMEMBERED_IDLE_LIMIT.total_seconds()) if row is not None and row.remember else None
            response.set_cookie(ACCOUNT_COOKIE, value, max_age=max_age, secure=secure, httponly=False, samesite="Lax",
                                domain=domain)
    elif held is not None:
        response.delete_cookie(ACCOUNT_COOKIE, secure=secure, httponly=False, samesite="Lax", domain=domain)
    return response


def init_app(app: Flask) -> None:
    """Register the blueprint, name the account on every page, and give templates the manifest's colour."""
    app.register_blueprint(bp)
    app.after_request(mark_account)
    app.jinja_env.globals["theme_colour"] = THEME
