"""Device cookies (OWASP, "Slow down online guessing attacks with device cookies").

After a full login (password and, if on, the code) the browser gets a cookie saying "this browser has logged in to
this account before". A login that shows one for the account it tries is counted against that cookie, not against
the account's shared limit, so someone guessing a password elsewhere cannot keep the owner out (selfcare/limits.py).

The cookie is signed with the app's secret key (itsdangerous, as Flask's own session is), not stored: it is only a
hint choosing which counter a login meets, never a credential, so there is nothing to keep on the server, and a
device that keeps failing is stopped by its own counter. Its name and value carry no address: the name is an HMAC of
the account's email (one cookie per account per browser), the value that HMAC and a random id, signed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from selfcare import accounts

PREFIX = "device_"
MAX_AGE = 365 * 24 * 60 * 60  # a year, in seconds: checked on reading, not only left to the browser
SALT = "selfcare.device-cookie"  # a device cookie is never valid as any other signed value, nor the reverse


def _account(email: str) -> str | None:
    """The account's mark (an HMAC of its normalized email under the secret key), or None for no valid address."""
    try:
        address = accounts.normalize_email(email)
    except accounts.AccountError:
        return None
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, f"{SALT}:{address}".encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def cookie_name(email: str) -> str:
    """The name of the device cookie for the account with this email (in this browser)."""
    return PREFIX + (_account(email) or "")[:16]


def _serializer() -> URLSafeTimedSerializer:
    """The signer for device cookies."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def remember(email: str) -> None:
    """Give this browser a fresh device cookie for the account (set on the response to this request)."""
    account = _account(email)
    if account is None:
        return
    value = _serializer().dumps({"a": account, "d": secrets.token_urlsafe(16)})

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            cookie_name(email), value, max_age=MAX_AGE, httponly=True, samesite="Lax",
            secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        )
        return response


def presented(email: str) -> str | None:
    """The id of the device cookie this request shows for the account with `email`, if it is ours, unexpired and
    made for that account; else None (no cookie, another account's, tampered with, or too old)."""
    account = _account(email)
    raw = request.cookies.get(cookie_name(email)) if account else None
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not hmac.compare_digest(str(data.get("a")), account or ""):
        return None
    return hashlib.sha256(data["d"].encode("utf-8")).hexdigest()[:32]
