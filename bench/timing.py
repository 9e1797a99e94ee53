"""Latency over HTTP against the served app: logged-in sessions, warm-up, then N sequential requests per page."""

from __future__ import annotations

import gzip
import http.client
import statistics
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import brotli

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd  # type: ignore[no-redef]  # installed with Flask-Compress

from bench.pages import Page, checkin_form, login_form

# As Chromium asks (its exact header): the time to compress each page is part of what a phone waits for.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"


def decoded(body: bytes, encoding: str | None) -> bytes:
    """A response body as sent, uncompressed (an encoding the bench cannot read is an error, not a page)."""
    if encoding == "zstd":
        return zstd.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding not in (None, "identity"):
        raise RuntimeError(f"the server sent {encoding}, which the bench cannot read")
    return body


class Browser:
    """One client on one connection (reopened when the server closes it) with a cookie jar; asks as Chromium does."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.etag: str | None = None  # of the last answer

    def send(self, method: str, path: str, form: dict[str, Any] | None = None, if_none_match: str | None = None) -> tuple[int, str]:
        """One request; keeps the cookies it sets and the answer's ETag; the status and body."""
        headers = {"Cookie": self.cookie_header(), "Accept": "text/html", "Accept-Encoding": ACCEPT_ENCODING}
        if if_none_match:
            headers["If-None-Match"] = if_none_match
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):  # a kept-alive socket the server closed
            self.conn.close()
            self.conn.request(method, path, body, headers)
            response = self.conn.getresponse()
        data = decoded(response.read(), response.headers.get("Content-Encoding")).decode("utf-8", "replace")
        self.etag = response.headers.get("ETag")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, data

    def cookie_header(self) -> str:
        """The Cookie header a browser would send."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def login(self, email: str, password: str) -> None:
        """Log in through the real form; raise unless it redirects."""
        status, html = self.send("GET", "/login")
        status, _ = self.send("POST", "/login", login_form(html, email, password))
        if status not in (302, 303):
            raise RuntimeError(f"login as {email} answered {status}")


@dataclass
class Timing:
    """Latency of one page over N requests, and of the floor (/healthz) interleaved with them, in milliseconds."""

    median_ms: float
    p95_ms: float
    min_ms: float
    requests: int
    floor_median_ms: float
    floor_p95_ms: float


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def _timed(browser: Browser, method: str, path: str, form: dict[str, Any] | None, expected: int,
           if_none_match: str | None = None) -> float:
    """One request's wall time in ms; raise on an unexpected status."""
    started = time.perf_counter()
    status, _ = browser.send(method, path, form, if_none_match)
    elapsed = (time.perf_counter() - started) * 1000
    if status != expected:
        raise RuntimeError(f"{method} {path} answered {status}, not {expected}")
    return elapsed


def time_page(browser: Browser, floor: Browser, page: Page, n: int, warmup: int, writer: Browser | None = None) -> Timing:
    """Warm up, then time `n` sequential requests of the page, each followed by one of the floor.

    Interleaving the floor makes the ratio fair on a shared machine whose load drifts during the run. With
    `writer` (a patient's browser), that patient saves a check-in before each request, untimed.
    """
    first = browser.send("GET", page.path)[1]
    make = checkin_form(first) if page.method == "POST" else None
    tag = browser.etag if page.conditional else None
    if page.conditional and not tag:
        raise RuntimeError(f"{page.path} sent no ETag: it cannot be asked for again conditionally")
    entry = checkin_form(writer.send("GET", "/checkin")[1]) if writer is not None else None
    expected = 303 if make else 304 if tag else 200
    samples, floors = [], []
    for i in range(warmup + n):
        if writer is not None and entry is not None:
            status, _ = writer.send("POST", "/checkin", entry())
            if status != 303:
                raise RuntimeError(f"the check-in before {page.path} answered {status}, not 303")
        try:
            elapsed = _timed(browser, page.method, page.path, make() if make else None, expected, tag)
        except RuntimeError:
            if not tag or browser.etag == tag:
                raise
            # The page's clock part moved on (the caseload's tag holds the quarter hour): a new page with a new
            # tag, by design. Keep the new tag and time the repeat view again.
            tag = browser.etag
            elapsed = _timed(browser, page.method, page.path, None, expected, tag)
        if make:  # follow the redirect as a browser would (untimed): it shows and clears the flash message
            browser.send("GET", "/today")
        floor_ms = _timed(floor, "GET", "/healthz", None, 200)
        if i >= warmup:
            samples.append(elapsed)
            floors.append(floor_ms)
    return Timing(round(statistics.median(samples), 2), round(p95(samples), 2), round(min(samples), 2), n,
                  round(statistics.median(floors), 2), round(p95(floors), 2))


def time_all(port: int, clinic: Any, password: str, pages: list[Page], n: int, warmup: int, log: Any) -> dict[str, Timing]:
    """Time every page, logging in once per user."""
    browsers: dict[str | None, Browser] = {}
    floor = Browser(port)
    timings = {}
    for page in pages:
        for user in (page.user, page.after_entry):
            if user not in browsers:
                browsers[user] = Browser(port)
                if user is not None:
                    browsers[user].login(getattr(clinic, user), password)
        writer = browsers[page.after_entry] if page.after_entry else None
        t = timings[page.name] = time_page(browsers[page.user], floor, page, n, warmup, writer)
        log(f"  {page.name:<24} median {t.median_ms:8.2f} ms   p95 {t.p95_ms:8.2f} ms   floor {t.floor_median_ms:6.2f} ms")
    return timings


def session_cookie(port: int, email: str, password: str) -> str:
    """A logged-in Cookie header for a user (for Lighthouse)."""
    browser = Browser(port)
    browser.login(email, password)
    return browser.cookie_header()
