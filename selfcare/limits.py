"""Rate limits (Flask-Limiter): how often a password, code or secret may be tried, and the calm answer when it is too often.

Counters live in memory (one process) by default, or in Redis when RATELIMIT_STORAGE_URI is a redis:// URL
(`pip install redis`). If Redis cannot be reached, each process counts in its own memory until Redis is back
(in_memory_fallback); if even that fails the request goes through and the error is logged (swallow_errors):
a limit never turns into a server error. RATELIMIT_ENABLED=false turns every limit off.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any, Callable

from flask import Flask, Response, current_app, g, make_response, render_template, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded, RequestLimit
from flask_login import current_user

from selfcare import accounts, devices
from selfcare.services import tokens

# Every limit in one place. Logins and codes count failures only, so people sharing one address (a family,
# a clinic) are never locked out by each other's successful logins.
LOGIN_FAILURES_PER_IP = "20 per 15 minutes"  # one address spraying many accounts
LOGIN_FAILURES_PER_EMAIL = "10 per 15 minutes"  # one account guessed from many addresses, in browsers never logged in to it
LOGIN_FAILURES_PER_DEVICE = "10 per 15 minutes"  # a browser with a device cookie for the account (selfcare/devices.py)
SIGNUPS_PER_IP = "10 per hour"
SIGNUPS_PER_EMAIL = "3 per hour"  # a sign-up with a taken address emails its owner: not a way to flood their inbox
INVITE_FAILURES_PER_USER = "10 per hour"  # wrong, used or expired invite codes, on /link/<code> and onboarding
INVITE_FAILURES_PER_IP = "30 per hour"
TOKEN_FAILURES_PER_IP = "20 per 15 minutes"  # unknown or revoked API bearer tokens
CALENDAR_FAILURES_PER_IP = "50 per hour"  # unknown calendar links (calendar services fetch many feeds from one address)
RESET_REQUESTS_PER_IP = "10 per hour"  # "Forgot your password?" forms sent
RESET_REQUESTS_PER_EMAIL = "3 per hour"
TWO_STEP_FAILURES_PER_IP = "20 per 15 minutes"  # wrong codes at the second step of logging in (5 per password besides)
TWO_STEP_FAILURES_PER_DEVICE = "10 per 15 minutes"  # from a browser with a device cookie (the account's pause does not stop it)
PASSWORD_FAILURES_PER_ACCOUNT = LOGIN_FAILURES_PER_EMAIL  # wrong passwords in Settings (making an API token), per account

# Per account (the user id, never the address: a clinic or a family shares one), so one account cannot starve the
# others. Generous for real use: a patient's day is a check-in, a few walks and self-checks, and a handful of sets
# of about eight player events each; a phone back from days without signal sends what it kept (and waits for
# Retry-After if that is more). A loop sending thousands meets the limit within minutes. The configuration keys
# RATELIMIT_WRITES and RATELIMIT_EXPORTS (SELFCARE_RATELIMIT_WRITES=...) replace these numbers.
WRITES_PER_ACCOUNT = "120 per 10 minutes;600 per day"  # every POST, PUT and DELETE of a signed-in user, page or API
EXPORTS_PER_ACCOUNT = "10 per hour"  # the JSON, CSV, PDF and FHIR exports and the visit summary PDF: each reads the whole record
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_COUNTED = frozenset({"auth.logout"})  # logging out always works: a shared phone must be cleared
EXPORTS = frozenset({  # every endpoint that reads a whole record into one file
    "patient.export_json", "patient.export_csv", "patient.summary_pdf",
    "therapist.export_csv", "therapist.export_fhir", "therapist.export_summary_pdf",
})


def _ip() -> str:
    """The client's address (ProxyFix sets it from X-Forwarded-For when TRUSTED_PROXIES says so)."""
    return f"ip:{request.remote_addr or 'unknown'}"


def _account() -> str:
    """The account making this request, by id: the session's user, or on the API a working bearer token's owner
    ('' for nobody: an unknown token is the API's 401 and TOKEN_FAILURES_PER_IP's to count). Asked once a request."""
    if "rate_account" not in g:
        from selfcare.errors import API_PREFIX  # errors imports the API, which imports this module

        header = request.headers.get("Authorization") if request.path.startswith(API_PREFIX) else None
        if header is not None:  # as the API authenticates: the token, whatever the cookies say
            scheme, _, secret = header.strip().partition(" ")
            owner = tokens.owner_id(secret.strip()) if scheme.lower() == "bearer" else None
        else:
            owner = current_user.id if current_user.is_authenticated else None
        g.rate_account = f"account:{owner}" if owner is not None else ""
    return str(g.rate_account)


def _not_a_write() -> bool:
    """Not a write by a signed-in account (or logging out): WRITES_PER_ACCOUNT does not count it."""
    return request.method not in WRITE_METHODS or request.endpoint in NOT_COUNTED or not _account()


def _not_an_export() -> bool:
    """Not an export by a signed-in account: EXPORTS_PER_ACCOUNT does not count it."""
    return request.endpoint not in EXPORTS or not _account()


def _configured(key: str, default: str) -> Callable[[], str]:
    """A limit read from the configuration on each request (RATELIMIT_WRITES...), else `default`."""
    return lambda: str(current_app.config.get(key) or default)


limiter = Limiter(
    _ip,
    strategy="fixed-window",
    key_prefix="selfcare",
    in_memory_fallback_enabled=True,  # Redis down: count in this process's memory meanwhile
    swallow_errors=True,  # and if counting fails anyway, let the request through (logged), never a 500
    application_limits=[  # checked before any view runs (nothing is stored by a refused write), shared by every route
        ApplicationLimit(_configured("RATELIMIT_WRITES", WRITES_PER_ACCOUNT), key_function=_account, scope="writes",
                         exempt_when=_not_a_write),
        ApplicationLimit(_configured("RATELIMIT_EXPORTS", EXPORTS_PER_ACCOUNT), key_function=_account, scope="exports",
                         exempt_when=_not_an_export),
    ],
)

Render = Callable[[str], Any]  # a view's own page again, given the "too many tries" message


def too_many_message(seconds: float) -> str:
    """The words shown when a limit is hit, naming the whole minutes to wait (rounded up)."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"Too many tries. Please try again in {minutes} minute{'' if minutes == 1 else 's'}."


def _seconds_until(reset_at: float) -> int:
    """Whole seconds from now until `reset_at` (a Unix time), at least 1."""
    return max(1, math.ceil(reset_at - time.time()))


def _email() -> str:
    """The email address tried in the form, as a digest (no addresses in Redis keys)."""
    raw = request.form.get("email", "")
    try:
        address = accounts.normalize_email(raw)
    except accounts.AccountError:
        address = raw.strip().lower()[: accounts.EMAIL_MAX]
    return "email:" + hashlib.sha256(address.encode("utf-8")).hexdigest()[:32]


def _no_email() -> bool:
    """Nothing typed in the email field: no address to count against."""
    return not request.form.get("email", "").strip()


def _login_device() -> str | None:
    """The device cookie this login shows for the account whose email is in the form (selfcare/devices.py)."""
    return devices.presented(request.form.get("email", "")) if request.method == "POST" else None


def _trusted_or_no_email() -> bool:
    """No email typed, or a browser with no device cookie for it: the account's shared limit does not apply to
    a browser that has logged in to the account before (it meets its own limit instead)."""
    return _no_email() or _login_device() is not None


def _user() -> str:
    """The signed-in user."""
    return f"user:{current_user.id}" if current_user.is_authenticated else "user:anonymous"


def _refused(response: Response) -> bool:
    """The form was refused (a wrong password or code answers 422)."""
    return response.status_code == 422


def _not_found(response: Response) -> bool:
    """A code, token or secret that matched nothing (or could not be used)."""
    return response.status_code in (401, 404, 422)


def _page_again(render: Render) -> Callable[[RequestLimit], Response]:
    """An on_breach callback: the view's page again with the message, status 429 and Retry-After."""

    def on_breach(limit: RequestLimit) -> Response:
        seconds = _seconds_until(limit.window[0])
        response = make_response(render(too_many_message(seconds)))
        response.status_code = 429
        response.headers["Retry-After"] = str(seconds)
        return response

    return on_breach


def _stack(view: Any, *limits: Any) -> Any:
    """Apply several limiter decorators to one view."""
    for limit in limits:
        view = limit(view)
    return view


def _device_key(device: Callable[[], str | None]) -> Callable[[], str]:
    """A key function counting per device cookie."""
    return lambda: f"device:{device()}"


def login_limits(render: Render) -> Callable[[Any], Any]:
    """Failed logins per address; per email address tried, or per device cookie for a browser that has logged in
    to that account before (OWASP's device cookies: an attack from elsewhere does not lock the owner out)."""
    breach = _page_again(render)
    return lambda view: _stack(
        view,
        limiter.limit(LOGIN_FAILURES_PER_IP, key_func=_ip, methods=["POST"], deduct_when=_refused, on_breach=breach),
        limiter.shared_limit(LOGIN_FAILURES_PER_EMAIL, ACCOUNT_PASSWORD_SCOPE, key_func=_email, methods=["POST"],  # and Settings'
                             deduct_when=_refused, exempt_when=_trusted_or_no_email, on_breach=breach),
        limiter.limit(LOGIN_FAILURES_PER_DEVICE, key_func=_device_key(_login_device), methods=["POST"], deduct_when=_refused,
                      exempt_when=lambda: _login_device() is None, on_breach=breach),
    )


def signup_limits(render: Render) -> Callable[[Any], Any]:
    """Sign-up forms sent per address and per email address (whether or not it has an account: the same answer)."""
    breach = _page_again(render)
    return lambda view: _stack(
        view,
        limiter.limit(SIGNUPS_PER_IP, key_func=_ip, methods=["POST"], on_breach=breach),
        limiter.limit(SIGNUPS_PER_EMAIL, key_func=_email, methods=["POST"], exempt_when=_no_email, on_breach=breach),
    )


def invite_limits(render: Render, code_field: str | None = None) -> Callable[[Any], Any]:
    """Invite codes that did not work, per patient and per address, shared by every page that takes a code.

    `code_field` names the form field holding the code when a page takes one among other answers: a form
    sent with it empty (or a GET) tries no code and is not limited.
    """

    def no_code() -> bool:
        return code_field is not None and (request.method != "POST" or not request.form.get(code_field, "").strip())

    breach = _page_again(render)

    def shared(rate: str, scope: str, key: Callable[[], str]) -> Any:
        return limiter.shared_limit(rate, scope=scope, key_func=key, deduct_when=_not_found, exempt_when=no_code, on_breach=breach)

    return lambda view: _stack(
        view,
        shared(INVITE_FAILURES_PER_USER, "invite-code-user", _user),
        shared(INVITE_FAILURES_PER_IP, "invite-code-ip", _ip),
    )


def reset_request_limits(render: Render) -> Callable[[Any], Any]:
    """Password-reset requests per address and per email address (each one may send a mail)."""
    breach = _page_again(render)
    return lambda view: _stack(
        view,
        limiter.limit(RESET_REQUESTS_PER_IP, key_func=_ip, methods=["POST"], on_breach=breach),
        limiter.limit(RESET_REQUESTS_PER_EMAIL, key_func=_email, methods=["POST"], exempt_when=_no_email, on_breach=breach),
    )


def _wrong_code(response: Response) -> bool:
    """The second step refused a code: 422, or back to the password after too many."""
    return response.status_code == 422 or (response.status_code == 303 and response.location == "/login")


def two_step_limits(render: Render, device: Callable[[], str | None]) -> Callable[[Any], Any]:
    """Wrong codes at the second step of logging in, per address, and per device cookie when the login showed one
    (`device`; without one, the account counts them: services/two_factor.py)."""
    breach = _page_again(render)
    return lambda view: _stack(
        view,
        limiter.limit(TWO_STEP_FAILURES_PER_IP, key_func=_ip, methods=["POST"], deduct_when=_wrong_code, on_breach=breach),
        limiter.limit(TWO_STEP_FAILURES_PER_DEVICE, key_func=_device_key(device), methods=["POST"], deduct_when=_wrong_code,
                      exempt_when=lambda: device() is None, on_breach=breach),
    )


ACCOUNT_PASSWORD_SCOPE = "account-password"  # wrong passwords for one account: at logins and in Settings, one count


def _account_email() -> str:
    """The signed-in account, keyed as _email() keys a login form naming it."""
    return "email:" + hashlib.sha256(str(current_user.email).encode("utf-8")).hexdigest()[:32]


def wrong_password() -> None:
    """Say that this request's password was wrong (password_limits counts it; other refusals are not counted)."""
    g.wrong_password = True


def password_limits(render: Render) -> Callable[[Any], Any]:
    """Wrong passwords typed by a signed-in user (making an API token), per account, on the same count as the
    login's per-account one: guessing here is no way round it. The view calls wrong_password() for each; once
    over, even the right password waits (nothing is checked)."""
    return limiter.shared_limit(
        PASSWORD_FAILURES_PER_ACCOUNT, scope=ACCOUNT_PASSWORD_SCOPE, key_func=_account_email, methods=["POST"],
        exempt_when=lambda: not current_user.is_authenticated, deduct_when=lambda response: bool(g.get("wrong_password")),
        on_breach=_page_again(render),
    )


def _no_bearer() -> bool:
    """The API call sends no Authorization header: no token is being tried."""
    return "Authorization" not in request.headers


def token_limits(blueprint: Any) -> None:
    """Unknown or revoked API bearer tokens per address, across the whole API (called once, at import)."""
    limiter.shared_limit(TOKEN_FAILURES_PER_IP, scope="api-token", key_func=_ip, exempt_when=_no_bearer,
                         deduct_when=lambda response: response.status_code == 401)(blueprint)


calendar_limits = limiter.shared_limit(CALENDAR_FAILURES_PER_IP, scope="calendar-secret", key_func=_ip,
                                       deduct_when=lambda response: response.status_code == 404)


def _too_many(error: RateLimitExceeded) -> Any:
    """A limit hit on a page with no form of its own: the error page (or a problem document under /api/)."""
    from selfcare.api import problems
    from selfcare.errors import API_PREFIX

    if error.response is not None:  # a view's own page, made by its on_breach callback
        return error.response
    breached = [limit for limit in limiter.current_limits if limit.breached]  # wait until every one of them resets
    seconds = max((_seconds_until(limit.window[0]) for limit in breached), default=60)
    message = too_many_message(seconds)
    headers = {"Retry-After": str(seconds)}
    if request.path.startswith(API_PREFIX):
        return problems.response(problems.Problem(429, "too-many-requests", message, headers=headers))
    page = render_template("errors/error.html", code=429, title="Too many tries", advice=message)
    return page, 429, headers


def init_app(app: Flask) -> None:
    """Bind the limiter to `app` with fresh counters, and answer a hit limit calmly."""
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many)
