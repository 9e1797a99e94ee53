#!/usr/bin/env python3
"""Load and fault test: simulated phones write through the API while a gunicorn worker is killed.

For each database (SQLite, then PostgreSQL) the script:

1. makes a fresh database (an SQLite file in a temp folder; a throwaway PostgreSQL server from
   tests/pg.py, or a new database on the server given by --postgresql-url) and, through the app's own
   services, a therapist and USERS onboarded patients, each linked, with a plan and a personal access token;
2. starts the app under gunicorn (WORKERS sync workers on 127.0.0.1, a free port) with rate limiting
   switched off (SELFCARE_RATELIMIT_ENABLED=false: the test measures the app, not the limiter);
3. runs one thread per patient for DURATION seconds. Each behaves like the offline-first phone app:
   check-ins, protocol sets sent as player events, walks and the odd nerve self-check, each write with
   its own UUID and device time; on a connection error, a timeout or a 5xx it sends the SAME id and body
   again (like the phone's outbox). A write counts as acknowledged only on 200 or 201. A share of the
   writes (--twice) is sent twice at once, as an outbox retrying too early would: exactly one may be 201;
4. SIGKILLs one gunicorn worker (never the master) at each --kill-at fraction of the run; the master
   starts a replacement. A request open on the killed worker fails (connection reset, remote end
   closed): that is the injected fault, counted apart. Any other failure is an error: a 5xx, a 4xx
   (a 409 or 422 means the client and server disagree), a 429, a timeout, a dropped connection away
   from a kill, or an unknown id answered 200 on its first send;
5. stops gunicorn and compares the database with what the phones sent: every acknowledged id stored
   exactly once (lost, duplicated), nothing stored that no phone sent (unexpected), one walk at most per
   check-in, and no traceback in the server log.

It prints one table row per database (or JSON with --json) and exits 1 if any database shows errors,
lost, duplicated, unexpected or never-acknowledged writes, a traceback in the server log, or a kill
that was not replaced. Figures vary with the machine: read req/s beside the load average it prints.

    .venv/bin/python -m bench.loadtest                       # both databases, 20 users, 30 s
    .venv/bin/python -m bench.loadtest --db sqlite --users 20 --duration 60 --workers 4
    .venv/bin/python -m bench.loadtest --json > load.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: the app and tests/pg.py live beside this folder
    sys.path.insert(0, str(ROOT))

from bench.phones import Ack, Failure, Ledger, Phone, prepare  # noqa: E402
from bench.serve import RATE_LIMIT_ENV, Gunicorn, app_config, postgresql_database, sqlite_database  # noqa: E402

KILL_SLACK = 0.05  # seconds: a request begun this soon after os.kill() may still have reached the dying worker


# ------------------------------------------------------------------------------------------- checking


def stored_entries(url: str, instance: Path, patient_ids: list[int]) -> dict[str, Any]:
    """What the database holds for these patients, by kind: (id, patient) rows, and walks per check-in."""
    from selfcare import create_app
    from selfcare.db import close_database, db
    from selfcare.models import CheckIn, SelfCheck, SessionEvent, Walk

    create_app(app_config(url, instance))
    try:
        with db.connection_context():
            mine = {
                "checkin": (CheckIn, CheckIn.select(CheckIn.uuid, CheckIn.patient).where(CheckIn.patient.in_(patient_ids))),
                "walk": (Walk, Walk.select(Walk.uuid, Walk.patient).where(Walk.patient.in_(patient_ids) & Walk.checkin.is_null())),
                "event": (SessionEvent, SessionEvent.select(SessionEvent.uuid, SessionEvent.patient)
                          .where(SessionEvent.patient.in_(patient_ids))),
                "self_check": (SelfCheck, SelfCheck.select(SelfCheck.uuid, SelfCheck.patient).where(SelfCheck.patient.in_(patient_ids))),
            }
            rows = {kind: [(str(r.uuid), r.patient_id) for r in query] for kind, (_, query) in mine.items()}
            checkin_walks = Counter(
                str(w.checkin.uuid) for w in Walk.select(Walk, CheckIn).join(CheckIn).where(Walk.patient.in_(patient_ids))
            )
    finally:
        close_database()
    return {"rows": rows, "checkin_walks": checkin_walks}


def compare(ledgers: list[Ledger], stored: dict[str, Any]) -> dict[str, Any]:
    """Acknowledged vs stored: lost, duplicated, unexpected (never sent), unacknowledged but stored."""
    sent = {wid: kind for ledger in ledgers for wid, kind in ledger.sent.items()}
    acked = {ack.id: ack for ledger in ledgers for ack in ledger.acks}
    found: Counter[str] = Counter()
    owner: dict[str, int] = {}
    for kind, rows in stored["rows"].items():
        for wid, patient in rows:
            found[wid] += 1
            owner[wid] = patient
    lost = sorted(wid for wid in acked if found[wid] == 0)
    created = Counter(ack.id for ledger in ledgers for ack in ledger.acks if ack.status == 201)
    duplicated = sorted(wid for wid, n in found.items() if n > 1)
    unexpected = sorted(wid for wid in found if wid not in sent)
    wrong_owner = sorted(wid for wid, ack in acked.items() if wid in owner and owner[wid] != ack.patient)
    walks = stored["checkin_walks"]
    with_walk = {wid for ledger in ledgers for wid in ledger.walks_with_checkin if wid in acked}
    duplicated += sorted(f"walk of check-in {wid}" for wid, n in walks.items() if n > 1)
    lost += sorted(f"walk of check-in {wid}" for wid in with_walk if walks[wid] == 0)
    unexpected += sorted(f"walk of check-in {wid}" for wid in walks if wid not in with_walk and wid in sent)
    per_patient: Counter[tuple[int, str]] = Counter()
    sent_per_patient: Counter[tuple[int, str]] = Counter()
    for ledger in ledgers:
        for wid, kind in ledger.sent.items():
            sent_per_patient[(ledger.patient, kind)] += 1
    for kind, rows in stored["rows"].items():
        for _, patient in rows:
            per_patient[(patient, kind)] += 1
    over = sorted(f"patient {p} {k}: {n} rows, {sent_per_patient[(p, k)]} sent" for (p, k), n in per_patient.items()
                  if n > sent_per_patient[(p, k)])
    return {
        "lost": lost, "duplicated": duplicated + over + sorted(f"201 twice for {wid}" for wid, n in created.items() if n > 1), "unexpected": unexpected + wrong_owner,
        "stored_unacknowledged": sorted(wid for wid in found if wid in sent and wid not in acked),
        "unacknowledged": sorted(wid for wid in sent if wid not in acked),
    }


def classify(ledgers: list[Ledger], kill_times: list[float]) -> tuple[list[Failure], list[Failure]]:
    """Split failures into injected (a connection dropped while it was open at a kill) and errors (everything else)."""
    injected: list[Failure] = []
    errors: list[Failure] = []
    for ledger in ledgers:
        for failure in ledger.failures:
            in_flight = any(failure.started <= k + KILL_SLACK and failure.at >= k for k in kill_times)
            (injected if failure.kind == "connection" and in_flight else errors).append(failure)
        errors.extend(ledger.rejected)
    return injected, errors


# ---------------------------------------------------------------------------------------------- run


@dataclass
class Result:
    """One database's figures."""

    database: str
    duration_s: float
    workers: int
    users: int
    requests: int
    writes_sent: int
    writes_acknowledged: int
    sent_twice_at_once: int
    acknowledged_by_kind: dict[str, int]
    kills: list[dict[str, Any]]
    acks_before_first_kill: int
    acks_after_last_kill: int
    injected: int
    retries: int
    replays: int  # a retry answered 200: the first try was stored, but its answer was lost at a kill
    errors: int
    lost: int
    duplicated: int
    unexpected: int
    unacknowledged: int
    requests_per_s: float
    acknowledged_writes_per_s: float
    rate_limiting: str
    server_tracebacks: int
    load_average: float  # the machine's 1-minute load average as the run ended: read req/s against it
    error_samples: list[str]
    problems: list[str]

    @property
    def ok(self) -> bool:
        """Nothing wrong: no errors, losses, duplicates, strays, unreplaced kills or tracebacks."""
        return not self.problems


def run_one(database: str, url: str, args: argparse.Namespace, workdir: Path) -> Result:
    """Prepare `url`, serve it with gunicorn, drive the phones, kill workers, and check the database."""
    from selfcare.clinical import FLAG_LEVELS
    from selfcare.config import load_config

    instance = workdir / f"instance-{database}"
    patients = prepare(url, instance, args.users)
    limiting = load_config({**RATE_LIMIT_ENV}).get("RATELIMIT_ENABLED")
    server = Gunicorn(url, instance, args.workers, workdir / f"gunicorn-{database}.log")
    kills: list[dict[str, Any]] = []
    try:
        server.wait_ready()
        rng = random.Random(args.seed)
        started = time.monotonic()
        until = started + args.duration
        phones = [Phone(p, server.port, started, until, args.seed * 1000 + n, list(FLAG_LEVELS), args.timeout, args.think,
                        args.twice)
                  for n, p in enumerate(patients)]
        threads = [threading.Thread(target=phone.run, name=f"phone-{phone.patient.id}", daemon=True) for phone in phones]
        for thread in threads:
            thread.start()
        for fraction in sorted(args.kill_at):
            time.sleep(max(0.0, started + fraction * args.duration - time.monotonic()))
            pid, busy, killed = server.kill_worker(rng)
            at = killed - started
            replacement = server.wait_replaced(pid)
            kills.append({"at": at, "at_s": round(at, 2), "pid": pid, "seen_busy": busy, "replaced_by": replacement,
                          "replaced_after_s": round(time.monotonic() - started - at, 2) if replacement else None})
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        load = os.getloadavg()[0]
    finally:
        log = server.stop()
    ledgers = [ledger for phone in phones for ledger in (phone.ledger, *phone.twins)]
    kill_times = [k["at"] for k in kills]
    injected, errors = classify(ledgers, kill_times)
    for kill in kills:  # the requests each kill cut off
        kill["cut_off"] = sum(1 for f in injected if f.started <= kill["at"] + KILL_SLACK and f.at >= kill["at"])
    checked = compare(ledgers, stored_entries(url, instance, [p.id for p in patients]))
    all_acks = [ack for ledger in ledgers for ack in ledger.acks]
    first_ack: dict[str, Ack] = {}
    for ack in sorted(all_acks, key=lambda a: a.at):
        first_ack.setdefault(ack.id, ack)
    acks = list(first_ack.values())  # one per write: the first answer that acknowledged it
    requests = sum(ledger.requests for ledger in ledgers)
    tracebacks = log.count("Traceback")
    result = Result(
        database=database, duration_s=round(elapsed, 1), workers=args.workers, users=args.users, requests=requests,
        writes_sent=sum(len(ledger.sent) for ledger in ledgers), writes_acknowledged=len(acks),
        sent_twice_at_once=sum(len(phone.twins) for phone in phones),
        acknowledged_by_kind=dict(Counter(ack.kind for ack in acks)), kills=kills,
        acks_before_first_kill=sum(1 for a in acks if kill_times and a.at < kill_times[0]),
        acks_after_last_kill=sum(1 for a in acks if kill_times and a.at > kill_times[-1]),
        injected=len(injected), retries=sum(ledger.retries for ledger in ledgers),
        replays=sum(1 for a in all_acks if a.status == 200 and a.attempts > 1 and not a.twin), errors=len(errors),
        lost=len(checked["lost"]), duplicated=len(checked["duplicated"]), unexpected=len(checked["unexpected"]),
        unacknowledged=len(checked["unacknowledged"]), requests_per_s=round(requests / elapsed, 1),
        acknowledged_writes_per_s=round(len(acks) / elapsed, 1),
        rate_limiting=f"off (SELFCARE_RATELIMIT_ENABLED=false; config value {limiting!r})", server_tracebacks=tracebacks,
        load_average=round(load, 2),
        error_samples=[f"{f.at:.2f}s {f.kind} {f.status or ''} {f.detail}" for f in errors[:10]]
        + [f"lost {w}" for w in checked["lost"][:5]] + [f"duplicated {w}" for w in checked["duplicated"][:5]]
        + [f"unexpected {w}" for w in checked["unexpected"][:5]] + [f"unacknowledged {w}" for w in checked["unacknowledged"][:5]]
        + _traceback_lines(log),
        problems=[],
    )
    for name in ("errors", "lost", "duplicated", "unexpected", "unacknowledged", "server_tracebacks"):
        if getattr(result, name):
            result.problems.append(f"{name}: {getattr(result, name)}")
    result.problems += [f"worker {k['pid']} was not replaced" for k in kills if k["replaced_by"] is None]
    return result


def _traceback_lines(log: str) -> list[str]:
    """The last line of each traceback in the server log (the exception)."""
    return [m.group(1) for m in re.finditer(r"Traceback \(most recent call last\):\n(?:[ \t].*\n)*(.*)", log)][:5]


# -------------------------------------------------------------------------------------------- output



COLUMNS = [("database", "database"), ("duration_s", "duration s"), ("workers", "workers"), ("users", "users"),
           ("requests", "requests"), ("writes_acknowledged", "writes acked"), ("kill_count", "kills"),
           ("injected", "injected"), ("retries", "retries"), ("replays", "replays"), ("errors", "errors"),
           ("lost", "lost"), ("duplicated", "duplicated"), ("unexpected", "unexpected"), ("requests_per_s", "req/s")]


def table(results: list[Result]) -> str:
    """The figures as a plain-text table, one row per database."""
    rows = [[label for _, label in COLUMNS]]
    for r in results:
        values = {**asdict(r), "kill_count": len(r.kills)}
        rows.append([str(values[key]) for key, _ in COLUMNS])
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def details(r: Result) -> str:
    """What the table leaves out: kills, acknowledgements around them, and samples of anything wrong."""
    kills = "; ".join(f"at {k['at_s']} s pid {k['pid']} ({k['cut_off']} requests cut off) -> {k['replaced_by']} after {k['replaced_after_s']} s" for k in r.kills)
    lines = [f"{r.database}: rate limiting {r.rate_limiting}; load average {r.load_average} on {os.cpu_count()} CPUs",
             f"  kills: {kills or 'none'}",
             f"  acknowledged {r.acknowledged_by_kind}; {r.acks_before_first_kill} before the first kill, "
             f"{r.acks_after_last_kill} after the last; {r.sent_twice_at_once} sent twice at once; "
             f"{r.acknowledged_writes_per_s} writes/s",
             f"  {'OK' if r.ok else 'FAILED: ' + ', '.join(r.problems)}"]
    lines += [f"    {sample}" for sample in r.error_samples]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="loadtest.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit status: 0 when every database shows no errors, lost, duplicated or unexpected entries; "
               "1 otherwise. Rate limiting is always switched off for the app under test.",
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both", help="database(s) to test (default: both)")
    parser.add_argument("--users", type=int, default=20, help="simulated patients, one thread each (default: 20)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load per database (default: 30)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default: 4)")
    parser.add_argument("--kill-at", type=float, nargs="*", default=[0.4, 0.7], metavar="FRACTION",
                        help="kill a worker at these fractions of the run (default: 0.4 0.7; --kill-at alone: no kills)")
    parser.add_argument("--twice", type=float, default=0.05,
                        help="share of writes sent twice at once, like an outbox retrying too early (default: 0.05)")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a phone's actions, seconds (default: 0)")
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout per request, seconds (default: 10)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for behaviour and which worker dies (default: 1)")
    parser.add_argument("--postgresql-url", default=None,
                        help="use this PostgreSQL server (a new database is made and dropped) instead of a throwaway one")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.users < 1 or args.workers < 1 or args.duration <= 0 or any(not 0 < f < 1 for f in args.kill_at):
        parser.error("--users and --workers must be at least 1, --duration positive, --kill-at fractions between 0 and 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the load test on each chosen database; print the figures; 0 if all is well, 1 if not."""
    args = parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    for database in databases:
        with ExitStack() as stack:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="selfcare-load-")))
            url = stack.enter_context(sqlite_database() if database == "sqlite" else postgresql_database(args.postgresql_url))
            if not args.json:
                print(f"{database}: {args.users} users, {args.workers} workers, {args.duration:g} s, kills at "
                      f"{', '.join(f'{f:.0%}' for f in args.kill_at) or 'none'}; rate limiting off "
                      f"(SELFCARE_RATELIMIT_ENABLED=false) ...", file=sys.stderr, flush=True)
            results.append(run_one(database, url, args, workdir))
    if args.json:
        print(json.dumps([{**asdict(r), "ok": r.ok} for r in results], indent=2))
    else:
        print(table(results))
        for r in results:
            print(details(r))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
