"""Security headers on every kind of response; cookies; HTTPS settings; templates that need no inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import request

from selfcare import security
from selfcare.db import close_database
from tests.conftest import csrf_from, make_test_app
from tests.factories import PASSWORD, make_onboarded_patient

pytestmark = pytest.mark.one_database  # no database behaviour here: SQLite only (tests/conftest.py)

TEMPLATES = Path(security.__file__).parent / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: [sources]}."""
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.parametrize(
    "path",
    ["/login", "/today", "/no-such-page", "/api/v1/me", "/api/v1/openapi.json", "/sw.js",
     "/manifest.webmanifest", "/offline", "/static/css/app.css", "/healthz"],
)
def test_every_kind_of_response_carries_the_headers(client, auth, path):
    make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com")
    response = client.get(path)
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored or wrong


def test_a_view_may_tighten_the_referrer_policy(client, auth):
    """The calendar feed's secret link must never leak as a referrer: its own no-referrer wins."""
    make_onboarded_patient(email="pat@example.com")
    auth.login("pat@example.com")
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    page = client.post("/settings/calendar", data={"csrf_token": token}).get_data(as_text=True)
    link = re.search(r"(/calendar/[A-Za-z0-9_-]+\.ics)", page).group(1)
    assert client.get(link).headers["Referrer-Policy"] == "no-referrer"


def test_hsts_only_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def test_cookies_are_httponly_and_lax(client):
    make_onboarded_patient(email="pat@example.com")
    cookie = _login_cookie(client)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_with_https_on_cookies_are_secure_too(database_url, tmp_path):
    secure_app = make_test_app(database_url, tmp_path / "https-instance", HTTPS=True, BASE_URL="https://selfcare.example")
    make_onboarded_patient(email="pat@example.com")
    assert secure_app.config["PREFERRED_URL_SCHEME"] == "https"
    cookie = _login_cookie(secure_app.test_client(), remember=True, base_url="https://selfcare.example")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    close_database()


def _login_cookie(client, remember: bool = False, base_url: str = "http://localhost") -> str:
    """The session's Set-Cookie header after a successful login."""
    token = csrf_from(client.get("/login", base_url=base_url).get_data(as_text=True))
    data = {"csrf_token": token, "email": "pat@example.com", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    # Over HTTPS Flask-WTF also checks that the form came from this site (browsers send a same-origin Referer).
    response = client.post("/login", data=data, base_url=base_url, headers={"Referer": base_url + "/login"})
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") for c in cookies)
    if remember:
        assert any(c.startswith("remember_token=") and "Secure" in c for c in cookies)
    return "; ".join(c for c in cookies if c.startswith("session="))


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_address_count(tmp_path, database_url):
    proxied = make_test_app(database_url, tmp_path / "proxied-instance", TRUSTED_PROXIES=1)
    seen: list[tuple[str | None, str]] = []
    proxied.before_request_funcs.setdefault(None, []).append(lambda: seen.append((request.remote_addr, request.host)))
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example"}
    response = proxied.test_client().get("/login", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert "Strict-Transport-Security" in response.headers
    assert seen == [("203.0.113.9", "localhost")]  # rate limits count the client, not the proxy; a forwarded host never counts
    close_database()


def test_without_trusted_proxies_forwarded_headers_are_ignored(client):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in client.get("/login", headers=headers).headers


# The policy forbids inline script and style, so no template may carry them (JSON data blocks are not run).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
HTMX_EVAL = re.compile(r"hx-on|hx-vals=['\"]js:|hx-vars|\[[^\]]*\]\s*['\"]?\s*hx-", re.I)


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_need_no_inline_script_or_style(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text)
    assert not STYLE.search(text)
    assert not HTMX_EVAL.search(text)


def test_the_inline_script_check_would_catch_one():
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="x">{}</script>')
    assert EVENT_HANDLER.search('<button onclick="go()">') and STYLE.search('<p style="color:red">')


def test_markdown_pages_escape_raw_html():
    from selfcare.markdown import render

    html = str(render('Hello <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n[x](javascript:alert(3))'))
    assert "<script" not in html and "<img" not in html and "href" not in html  # a javascript: link is not made
    assert "&lt;script&gt;" in html
