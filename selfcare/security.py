"""Security headers on every response, and HTTPS settings: Secure cookies, HSTS, trusted proxies, trusted hosts."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from selfcare.api import problems

# Scripts, styles, images and connections come from this site only: no inline script or style, no
# eval, no plugins, no <base> rewriting, forms post only here, and no other site may frame a page.
# JSON data blocks (<script type="application/json">) are never run, so they need no exception.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Referrer-Policy": "same-origin",  # a page address can name a patient: other sites never see it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

HSTS_MAX_AGE = 2 * 365 * 24 * 3600  # two years, the preload list's expectation


def add_headers(response: Response) -> Response:
    """Put the security headers on a response (a view's own choice, e.g. no-referrer, wins)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:  # HSTS is only honoured over HTTPS, and must never be sent over plain HTTP
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}; includeSubDomains")
    return response


def https_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The settings HTTPS=true turns on: cookies sent only over HTTPS, and https:// in built links."""
    if not config.get("HTTPS"):
        return {}
    return {
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "PREFERRED_URL_SCHEME": "https",
    }


UNKNOWN_HOST = "This site is not served at that address."


def refuse_unknown_host() -> Response | None:
    """Answer 400 at once to a Host outside TRUSTED_HOSTS, before anything else runs.

    Flask found it while routing (request.routing_exception) and would raise it after the other before-request
    hooks; the error page could not be drawn either, as no link can be built for a host the app refuses.
    """
    if not isinstance(request.routing_exception, SecurityError):
        return None
    if request.path.startswith("/api/"):
        return problems.from_http(BadRequest(UNKNOWN_HOST))
    return Response(UNKNOWN_HOST + "\n", 400, content_type="text/plain; charset=utf-8")


def init_app(app: Flask) -> None:
    """Send the headers on every response; refuse unknown hosts; trust TRUSTED_PROXIES hops of X-Forwarded-For
    and -Proto, but never X-Forwarded-Host (links come from BASE_URL, and only its host is served)."""
    app.config.update(https_settings(app.config))
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # behind nginx or a load balancer: the client's address and scheme come from the proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)  # type: ignore[method-assign]
    app.before_request(refuse_unknown_host)  # registered first, so it runs first
    app.after_request(add_headers)
