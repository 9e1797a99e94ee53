"""What an address may hold: ids that can exist (`<id:name>` in a route), and, for the API, at most URI_MAX characters.

Every table's id is a 32-bit integer counted from 1, so a route's id matches only 1..2^31-1. The range is in the
converter's regular expression, not only in its Python check: werkzeug matches the expression first and checks the
method next, so an id that matched the expression but failed the check used to answer 405 (a GET-only route with
the same path) or reach the database with a number it cannot hold (a 500). Now such an address matches no route: 404.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map

ID_MAX = 2**31 - 1  # PostgreSQL's integer; SQLite would take up to 2^63-1, but no id gets near either
URI_MAX = 2048  # characters of an API address, path and query: far more than any the API gives; gunicorn's limit is above it
API_PREFIX = "/api/"


def digits_up_to(limit: int) -> str:
    """A regular expression for the numbers 1..`limit` written as the app writes them (no sign, no leading zero)."""
    text = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        low = 1 if i == 0 else 0
        if int(digit) > low:  # the same first i digits, then a smaller one, then any digits
            parts.append(f"{text[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(text) - i - 1}}}")
    parts.append(text)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id, 1..ID_MAX; anything else is no route (404)."""

    regex = digits_up_to(ID_MAX)

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=ID_MAX)


SENT_AS_IS = "/;:@&=+$,!~*'()?%[]"  # what a client leaves unencoded in an address ('%' already encodes)


def request_target_length() -> int:
    """How long the address of this request is as a client sends it: percent-encoded, path and query (a character
    outside ASCII is 6 to 12 characters on the wire, as a proxy in front counts it)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""  # gunicorn and most servers
    path = request.environ.get("PATH_INFO", "")
    query = request.environ.get("QUERY_STRING", "")
    sent = quote(path.encode("latin-1"), safe=SENT_AS_IS) + ("?" + quote(query.encode("latin-1"), safe=SENT_AS_IS) if query else "")
    return max(len(raw), len(sent))


def refuse_long_addresses() -> None:
    """An API address over URI_MAX characters is refused before anything reads it: a 400 problem document (the status
    API clients and checkers such as schemathesis expect of a refused request). Pages read only what they know and
    ignore the rest (the server in front bounds them)."""
    if request.path.startswith(API_PREFIX) and request_target_length() > URI_MAX:
        from selfcare.api.problems import Problem  # imported here: this module is set up before any blueprint

        raise Problem(400, "uri-too-long", f"The address is longer than {URI_MAX} characters.")


def init_app(app: Flask) -> None:
    """`<id:...>` for routes (before any blueprint is registered), and the API's length check early on every request."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_long_addresses)
