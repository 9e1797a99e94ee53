"""bench/loadtest.py, short: phones write through gunicorn while a worker is killed; nothing is lost or doubled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import loadtest, serve


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_killed_worker_loses_and_doubles_nothing(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    args = loadtest.parse_args(["--users", "4", "--workers", "2", "--duration", "6", "--kill-at", "0.4"])
    if backend == "sqlite":
        database = serve.sqlite_database()
    else:  # a fresh database on the session's server, dropped afterwards
        database = serve.postgresql_database(request.getfixturevalue("postgres_url"))
    with database as url:
        result = loadtest.run_one(backend, url, args, tmp_path)
    assert result.ok, loadtest.details(result)
    assert (result.errors, result.lost, result.duplicated, result.unexpected) == (0, 0, 0, 0)
    [kill] = result.kills
    assert kill["replaced_by"] and kill["replaced_by"] != kill["pid"]
    assert result.acks_before_first_kill > 0 and result.acks_after_last_kill > 0
    assert set(result.acknowledged_by_kind) >= {"checkin", "walk", "event"}
    assert result.sent_twice_at_once > 0  # the same id racing itself: one 201 at most, one row
    assert result.rate_limiting.startswith("off")


def test_the_table_and_json_name_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    result = loadtest.Result(
        database="sqlite", duration_s=1.0, workers=2, users=1, requests=10, writes_sent=5, writes_acknowledged=5,
        acknowledged_by_kind={"checkin": 5}, kills=[], acks_before_first_kill=0, acks_after_last_kill=0, injected=0,
        sent_twice_at_once=0, retries=0, replays=0, errors=0, lost=1, duplicated=0, unexpected=0, unacknowledged=0, requests_per_s=10.0,
        acknowledged_writes_per_s=5.0, rate_limiting="off", server_tracebacks=0, load_average=1.0, error_samples=[], problems=["lost: 1"],
    )
    text = loadtest.table([result])
    for label in ("duration s", "workers", "users", "requests", "writes acked", "injected", "retries", "errors", "lost",
                  "duplicated", "req/s"):
        assert label in text
    assert "FAILED: lost: 1" in loadtest.details(result)
    assert json.loads(json.dumps([loadtest.asdict(result)]))[0]["lost"] == 1
