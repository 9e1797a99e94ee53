"""A throwaway PostgreSQL server on loopback for the tests (see TOOLING.md)."""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin() -> Path:
    """The newest installed PostgreSQL server's bin folder."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("No PostgreSQL server found: run scripts/install-system-deps (make test does).")
    return Path(found[-1]).parent


def _run(args: list[str], as_postgres: bool) -> None:
    """Run a server command, as the postgres user when we are root (initdb refuses root)."""
    if as_postgres:
        args = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


@contextmanager
def postgres_server(database: str = "selfcare_test") -> Iterator[str]:
    """Start a PostgreSQL server on 127.0.0.1, yield its URL, and stop and delete it afterwards."""
    pg_bin = _pg_bin()
    as_postgres = os.geteuid() == 0
    data = Path(tempfile.mkdtemp(prefix="selfcare-pg-"))
    if as_postgres:
        shutil.chown(data, "postgres", "postgres")
    pg_ctl = [str(pg_bin / "pg_ctl"), "-D", str(data)]
    _run([str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], as_postgres)
    for attempt in range(5):  # parallel test workers each start a server: another may take the free port first
        port = _free_port()
        options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        try:
            _run(pg_ctl + ["-l", str(data / "log"), "-w", "-o", options, "start"], as_postgres)
            break
        except RuntimeError:
            if attempt == 4:
                raise
    try:
        _run([str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database], False)
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
    finally:
        _run(pg_ctl + ["-m", "fast", "-w", "stop"], as_postgres)
        for _ in range(20):  # the server may still hold files for a moment after it says it stopped
            try:
                shutil.rmtree(data)
                break
            except OSError:
                time.sleep(0.1)
