"""How responses travel to a slow phone: compressed when the browser accepts it, and pages never kept in
a shared cache. (Static files' own cache lifetimes are set in assets.py, by whether their URL is versioned.)
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

compress = Compress()

# Text only: PNG, PDF and ZIP are compressed already, and a second pass would only cost time.
COMPRESSIBLE = [
    "text/html", "text/css", "text/javascript", "application/javascript", "text/plain", "text/calendar",
    "application/json", "application/problem+json", "application/manifest+json", "application/fhir+json",
    "image/svg+xml",
]

SETTINGS = {
    "COMPRESS_MIMETYPES": COMPRESSIBLE,
    # Pages are compressed on every request, so the time it takes is part of every page's wait. zstd 3 makes
    # a 150 KB page 15 KB in about 0.13 ms, where brotli 5 took 1.06 ms for 12.7 KB and gzip 6 1.03 ms for
    # 16.4 KB: Chrome, Edge and Firefox ask for it (Chrome since 123); Safari gets brotli; anything else gzip.
    "COMPRESS_ALGORITHM": ["zstd", "br", "gzip"],
    "COMPRESS_ZSTD_LEVEL": 3,
    "COMPRESS_BR_LEVEL": 4,  # 10% bigger than brotli 5 for 40% less time (Flask-Compress's own default)
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,  # below one packet the headers cost more than they save
    # A streamed body (an export, a byte range of a file) is sent as it is; whole files are read first.
    "COMPRESS_STREAMS": False,
}


def read_whole_file(response: Response) -> Response:
    """Read a whole static file into the response, so it can be compressed with a Content-Length and an ETag.

    Flask streams files (direct passthrough); ours are a few kilobytes, and compressing them whole
    keeps ETags and 304s working. A partial (206) response is left as it is.
    """
    if response.direct_passthrough and response.status_code == 200 and response.mimetype in COMPRESSIBLE:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def private_pages(response: Response) -> Response:
    """A page that says nothing about caching is for this browser only, and checked again before reuse.

    Pages can carry health data: no shared cache may keep them. A view's own choice (no-store) stays.
    """
    if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def init_app(app: Flask) -> None:
    """Compress responses and mark pages private (after_request hooks run last-registered first)."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
    app.after_request(read_whole_file)  # before compression
    app.after_request(private_pages)
