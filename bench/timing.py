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
        self.etags: dict[str, str] = {}  # by path: the ETag of its last 200

    def send(self, method: str, path: str, form: dict[str, Any] | None = None, revalidate: bool = False) -> tuple[int, str]:
        """One request (with `revalidate`, holding the path's last ETag); keeps the cookies and ETags it gets."""
        headers = {"Cookie": self.cookie_header(), "Accept": "text/html", "Accept-Encoding": ACCEPT_ENCODING}
        if revalidate and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
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
        if response.status == 200 and response.headers.get("ETag"):
            self.etags[path] = response.headers["ETag"]
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


def _timed(browser: Browser, method: str, path: str, form: dict[str, Any] | None, expected: int, revalidate: bool = False) -> float:
    """One request's wall time in ms; raise on an unexpected status."""
    started = time.perf_counter()
    status, _ = browser.send(method, path, form, revalidate)
    elapsed = (time.perf_counter() - started) * 1000
    if status != expected:
        raise RuntimeError(f"{method} {path} answered {status}, not {expected}")
    return elapsed


def time_page(browser: Browser, floor: Browser, page: Page, n: int, warmup: int, writer: Browser | None = None) -> Timing:
    """Warm up, then time `n` sequential requests of the page, each followed by one of the floor.

    Interleaving the floor makes the ratio fair on a shared machine whose load drifts during the run. With
    `writer` (a patient's browser), that patient saves a check-in before each request, untimed.
    """
    make = checkin_form(browser.send("GET", page.path)[1]) if page.method == "POST" else None
    entry = checkin_form(writer.send("GET", "/checkin")[1]) if writer is not None else None
    expected = 303 if make else 304 if page.revalidate else 200
    if page.revalidate:
        browser.send("GET", page.path)  # the view whose ETag the repeats hold
    samples, floors = [], []
    for i in range(warmup + n):
        if writer is not None and entry is not None:
            status, _ = writer.send("POST", "/checkin", entry())
            if status != 303:
                raise RuntimeError(f"the check-in before {page.path} answered {status}, not 303")
        elapsed = _timed(browser, page.method, page.path, make() if make else None, expected, page.revalidate)
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
