"""Serve this checkout's app with gunicorn (the production setup) on a throwaway database, for the bench and the load test.

`Gunicorn` runs `wsgi:app` with sync workers on a free loopback port, with rate limiting off (these tools
measure the app, not the limiter), and finds, kills and waits for its workers through /proc.
`sqlite_database` and `postgresql_database` give a fresh database URL for a `with` block.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "load-and-bench-key: for throwaway databases on loopback only"  # long enough to pass the start check
BASE_URL = "http://127.0.0.1"  # the in-process app's (it sends nothing); gunicorn's names its own port
RATE_LIMIT_ENV = {"SELFCARE_RATELIMIT_ENABLED": "false"}  # never throttle the simulated phones or the bench


def app_config(url: str, instance: Path) -> dict[str, Any]:
    """The in-process app's settings: the gunicorn workers get the same through the environment."""
    return {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET_KEY, "BASE_URL": BASE_URL,
            "RATELIMIT_ENABLED": False}


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A fresh SQLite file in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="selfcare-load-") as folder:
        yield f"sqlite:///{folder}/load.db"


@contextmanager
def postgresql_database(server_url: str | None) -> Iterator[str]:
    """A fresh database: on a throwaway server (tests/pg.py), or created on `server_url` and dropped after."""
    if server_url is None:
        from tests.pg import postgres_server

        with postgres_server("selfcare_load") as url:
            yield url
        return
    import psycopg

    name = f"selfcare_load_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(server_url)
    admin = psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()



def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(host: str, port: int, method: str, path: str, body: Any, token: str | None, timeout: float) -> tuple[int, bytes]:
    """One HTTP request on a new connection (gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, data, headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Gunicorn:
    """gunicorn serving wsgi:app with sync workers; finds and kills its workers through /proc."""

    def __init__(self, url: str, instance: Path, workers: int, log: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.log = log
        env = {**os.environ, "SELFCARE_DATABASE_URL": url, "SELFCARE_INSTANCE_PATH": str(instance),
               "SELFCARE_SECRET_KEY": SECRET_KEY, "SELFCARE_BASE_URL": f"http://127.0.0.1:{self.port}",
               "PYTHONPATH": str(ROOT), **RATE_LIMIT_ENV}  # this checkout's app
        args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "30", "--graceful-timeout", "5", "wsgi:app"]
        self._log_file = open(log, "w")
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until /healthz answers and every worker has started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.log.read_text()}")
            try:
                if request("127.0.0.1", self.port, "GET", "/healthz", None, None, 2)[0] == 200 \
                        and len(self.worker_pids()) == self.workers:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{self.log.read_text()}")

    def worker_pids(self) -> set[int]:
        """The master's children, its workers (parent pid read from /proc/PID/stat)."""
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])  # the name may hold spaces or parentheses
            except (OSError, IndexError, ValueError):  # the process ended while we looked
                continue
            if ppid == self.proc.pid:
                pids.add(int(stat.parent.name))
        return pids

    def busy_workers(self) -> set[int]:
        """Workers holding a client connection right now (an open socket to our port in /proc/net/tcp)."""
        inodes = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == self.port and fields[3] == "01":  # local port, ESTABLISHED
                inodes.add(f"socket:[{fields[9]}]")
        return {pid for pid in self.worker_pids() if inodes & self._sockets(pid)}

    @staticmethod
    def _sockets(pid: int) -> set[str]:
        """What the process's file descriptors point at (fds closed while we look are skipped)."""
        found: set[str] = set()
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:  # the worker exited
            return found
        for fd in fds:
            try:
                found.add(os.readlink(fd))
            except OSError:
                continue
        return found

    def kill_worker(self, rng: random.Random) -> tuple[int, bool, float]:
        """SIGKILL one worker (never the master), one mid-request if one is found within 0.5 s.

        Returns its pid, whether it held a client connection, and the monotonic time of the kill.
        """
        deadline = time.monotonic() + 0.5
        busy: set[int] = set()
        while not busy and time.monotonic() < deadline:
            busy = self.busy_workers()
        while not (candidates := sorted(busy or self.worker_pids())):  # between a worker's death and its replacement
            if time.monotonic() > deadline + 10:
                raise RuntimeError(f"gunicorn has no workers to kill:\n{self.log.read_text()}")
            time.sleep(0.05)
        pid = rng.choice(candidates)
        at = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        return pid, bool(busy), at

    def wait_replaced(self, killed: int, timeout: float = 15) -> int | None:
        """The pid of the worker the master started in place of `killed` (None if none came)."""
        before = self.worker_pids() - {killed}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            new = pids - before - {killed}
            if killed not in pids and len(pids) == self.workers and new:
                return new.pop()
            time.sleep(0.05)
        return None

    def stop(self) -> str:
        """Stop gunicorn gracefully (SIGTERM) and return its log."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()
        return self.log.read_text()

