"""The production setup: gunicorn with several workers serves the app from wsgi.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_gunicorn_workers_start_together_and_serve(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'prod.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    port = _free_port()
    env = {
        **os.environ,
        "SELFCARE_DATABASE_URL": url,
        "SELFCARE_INSTANCE_PATH": str(tmp_path / "instance"),
        "SELFCARE_SECRET_KEY": "production-test-secret",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "--workers", "3", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
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
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "Traceback" not in output, output
