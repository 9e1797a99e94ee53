"""Our own JS per page, as the served app sends it: the scripts each page's HTML loads, compressed bytes on the wire.

Our own scripts are those under /static/; htmx (a library, served from its package by `assets.py`) is weighed and
shown but not counted against the budget. The budget (≤ 15 KB compressed) is per page: what one page makes a phone download and run. The service worker
(`sw.js`, fetched once at registration) and the offline-only scripts are not loaded by these pages, so they are
not counted here; `tests/test_static_delivery.py` checks the offline player's scripts against the same budget.
"""

from __future__ import annotations

import http.client
import re
from typing import Any
from urllib.parse import urlsplit

from bench.pages import Page
from bench.timing import ACCEPT_ENCODING, Browser

SCRIPT_RE = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)


def script_paths(html: str) -> list[str]:
    """The same-origin script URLs (path and query) a page loads, in order, each once."""
    found: list[str] = []
    for src in SCRIPT_RE.findall(html):
        parts = urlsplit(src.replace("&amp;", "&"))
        if not parts.netloc and parts.path.startswith("/"):
            url = parts.path + (f"?{parts.query}" if parts.query else "")
            if url not in found:
                found.append(url)
    return found


def wire_bytes(port: int, url: str) -> tuple[int, str]:
    """The body length of a compressed static file as sent, and its Content-Encoding."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", url, headers={"Accept-Encoding": ACCEPT_ENCODING})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {url} answered {response.status}")
        return len(body), response.headers.get("Content-Encoding", "identity")
    finally:
        conn.close()


def per_page(port: int, clinic: Any, password: str, pages: list[Page], budget_kb: float) -> dict[str, Any]:
    """Each GET page's scripts and their compressed sizes; the largest page against the budget."""
    browsers: dict[str | None, Browser] = {}
    sizes: dict[str, tuple[int, str]] = {}
    result: dict[str, Any] = {}
    for page in pages:
        if page.method != "GET" or page.path == "/healthz" or page.after_entry or page.revalidate:  # each page once
            continue
        if page.user not in browsers:
            browsers[page.user] = Browser(port)
            if page.user is not None:
                browsers[page.user].login(getattr(clinic, page.user), password)
        status, html = browsers[page.user].send("GET", page.path)
        if status != 200:
            raise RuntimeError(f"GET {page.path} answered {status}")
        files = {}
        for url in script_paths(html):
            if url not in sizes:
                sizes[url] = wire_bytes(port, url)
            files[urlsplit(url).path] = sizes[url][0]
        own = sum(size for path, size in files.items() if path.startswith("/static/"))
        result[page.name] = {"files": files, "kb": round(own / 1024, 1), "library_kb": round((sum(files.values()) - own) / 1024, 1)}
    largest = max(result.items(), key=lambda item: item[1]["kb"]) if result else ("-", {"kb": 0.0})
    encodings = sorted({encoding for _, encoding in sizes.values()})
    return {"pages": result, "largest_page": largest[0], "largest_kb": largest[1]["kb"], "budget_kb": budget_kb,
            "pass": largest[1]["kb"] <= budget_kb, "measured_by": f"served bytes ({', '.join(encodings) or 'none'})"}
