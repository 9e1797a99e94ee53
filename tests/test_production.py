"""The production setup: gunicorn with several workers serves the app from wsgi.py."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from selfcare.url_rules import URI_MAX

ROOT = Path(__file__).resolve().parent.parent
gunicorn_conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
PRODUCTION_KEY = "a production-like key for this test only, 0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def _refusal(url: str) -> tuple[int, str]:
    """The status and media type of an answer that is an error."""
    try:
        urllib.request.urlopen(url, timeout=5)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type()
    raise AssertionError(f"{url[:80]}... was not refused")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_gunicorn_workers_start_together_and_serve(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'prod.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    port = _free_port()
    env = {
        **os.environ,
        "SELFCARE_DATABASE_URL": url,
        "SELFCARE_INSTANCE_PATH": str(tmp_path / "instance"),
        "SELFCARE_SECRET_KEY": PRODUCTION_KEY,
        "SELFCARE_BASE_URL": f"http://127.0.0.1:{port}",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "--workers", "3", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert (status, body.strip()) == (200, '{"status":"ok"}')
        for _ in range(6):  # spread over the workers: each one created or found the schema
            status, body = _get(f"http://127.0.0.1:{port}/login")
            assert status == 200 and 'name="csrf_token"' in body
        # An over-long address: the app's own 400 problem document first, gunicorn's 414 only far beyond it.
        api = f"http://127.0.0.1:{port}/api/v1/me?cursor="
        assert _refusal(api + "x" * (URI_MAX - len("/api/v1/me?cursor=") + 1)) == (400, "application/problem+json")
        assert _refusal(api + "x" * (gunicorn_conf["limit_request_line"] - 60)) == (400, "application/problem+json")
        assert _refusal(api + "x" * (gunicorn_conf["limit_request_line"] + 1))[0] == 414  # gunicorn's own, documented too
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "Traceback" not in output, output


@pytest.mark.parametrize("setting, message", [
    ({}, "SELFCARE_BASE_URL is not set"),
    ({"SELFCARE_BASE_URL": "selfcare.example.org"}, "SELFCARE_BASE_URL must be the site's address"),
    ({"SELFCARE_BASE_URL": "https://selfcare.example.org", "SELFCARE_SECRET_KEY": "changeme"}, "SELFCARE_SECRET_KEY is too weak"),
])
def test_production_refuses_to_start_without_a_base_url_or_with_a_weak_key(tmp_path: Path, setting, message) -> None:
    """What gunicorn imports (wsgi.py) stops with a message that says what to set."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SELFCARE_", "FLASK_"))}
    env.update({"SELFCARE_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}", "SELFCARE_INSTANCE_PATH": str(tmp_path / "instance"),
                "SELFCARE_SECRET_KEY": PRODUCTION_KEY, **setting})
    done = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and message in done.stderr, done.stderr
    assert not (tmp_path / "prod.db").exists()  # refused before anything was made


def test_the_app_refuses_a_long_address_before_gunicorn_would() -> None:
    """The request line "GET <address> HTTP/1.1" of the longest address the app accepts fits gunicorn's limit, so
    every over-long address a client sends meets the app's documented 400 first; headers fit their own limit."""
    assert len("DELETE ") + URI_MAX + len(" HTTP/1.1") < gunicorn_conf["limit_request_line"] <= 8190
    assert gunicorn_conf["limit_request_field_size"] >= 4096  # a session, a remember and a device cookie
