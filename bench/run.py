#!/usr/bin/env python3
"""The performance bench: one command that builds a synthetic clinic, serves it with gunicorn and measures it.

    .venv/bin/python -m bench.run                                  # the issue's numbers: 1,000 patients, 180 days, SQLite
    .venv/bin/python -m bench.run --patients 50 --days 60 --requests 30 --no-lighthouse   # a quick look
    .venv/bin/python -m bench.run --db both --out bench/results/pg.json                    # SQLite and PostgreSQL

It prints latency (median, p95, ratio to /healthz), SQL statements per page, Lighthouse scores and bytes,
PASS/FAIL per budget, and writes everything as JSON. It exits 1 when a budget fails (0 with --no-fail).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the app, bench/ and tests/pg.py live here
    sys.path.insert(0, str(ROOT))

from bench import clinic as clinics  # noqa: E402
from bench import lighthouse, page_js, queries, report, serve, timing  # noqa: E402
from bench.pages import pages  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; the defaults are the issue's numbers."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--therapists", type=int, default=10)
    p.add_argument("--patients", type=int, default=1000, help="patients in all; the first --caseload belong to therapist 1")
    p.add_argument("--caseload", type=int, default=200, help="patients of the measured therapist")
    p.add_argument("--days", type=int, default=180, help="days of history per patient (one has 1 day, one 365)")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (README's production setup)")
    p.add_argument("--requests", type=int, default=100, help="timed requests per page")
    p.add_argument("--warmup", type=int, default=20, help="untimed requests per page first (several per worker)")
    p.add_argument("--no-lighthouse", action="store_true")
    p.add_argument("--no-cache", action="store_true", help="rebuild the clinic even if the cache has it")
    p.add_argument("--cache", type=Path, default=clinics.CACHE, help="where built clinics are kept (keyed by parameters, schema, day)")
    p.add_argument("--no-fail", action="store_true", help="exit 0 even when a budget fails")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    return p.parse_args(argv)


def measure_database(name: str, url: str, clinic: clinics.Clinic, args: argparse.Namespace, work: Path, log: Any,
                     with_lighthouse: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Serve `url` with gunicorn; time every page, count its queries, weigh each page's JS and (maybe) run Lighthouse."""
    measured = pages(clinic.patient_id)
    log(f"{name}: counting SQL statements per page (in-process)")
    counts = queries.count_queries(url, work / "instance-q", clinic, clinics.PASSWORD, measured)
    (work / "instance").mkdir(exist_ok=True)
    server = serve.Gunicorn(url, work / "instance", args.workers, work / f"gunicorn-{name}.log")
    lh: dict[str, Any] = {}
    try:
        server.wait_ready(60)
        log(f"{name}: gunicorn with {args.workers} workers on port {server.port}; {args.requests} requests per page after {args.warmup} warm-up")
        timings = timing.time_all(server.port, clinic, clinics.PASSWORD, measured, args.requests, args.warmup, log)
        js = page_js.per_page(server.port, clinic, clinics.PASSWORD, measured, lighthouse.OWN_JS_KB)
        if with_lighthouse:
            log(f"{name}: Lighthouse {lighthouse.VERSION} (mobile, simulated slow 4G)")
            targets = [(p.name, p.path, timing.session_cookie(server.port, getattr(clinic, p.user), clinics.PASSWORD) if p.user else None)
                       for p in measured if p.lighthouse]
            lh = lighthouse.score_pages(server.port, targets, log)
    finally:
        server_log = server.stop()
    result = {"database": name, "workers": args.workers, "pages": {}, "server_tracebacks": server_log.count("Traceback")}
    for page in measured:
        t = timings[page.name]
        result["pages"][page.name] = {"method": page.method, "path": page.path, "median_ms": t.median_ms, "p95_ms": t.p95_ms,
                                      "min_ms": t.min_ms, "requests": t.requests, "floor_median_ms": t.floor_median_ms,
                                      "floor_p95_ms": t.floor_p95_ms, "ratio": round(t.median_ms / t.floor_median_ms, 2),
                                      "budget": page.budget(name), "queries": counts[page.name]}
    return result, lh, js


def measure(args: argparse.Namespace, log: Any = print) -> dict[str, Any]:
    """Build (or reuse) the clinic and measure it on each database asked for; the whole result."""
    started = time.monotonic()
    spec = clinics.Spec(args.therapists, args.patients, args.days, args.caseload, args.seed)
    clinic = clinics.build(spec, log, args.cache, use_cache=not args.no_cache)
    result: dict[str, Any] = {"clinic": asdict(clinic),
                              "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                              "load_average": os.getloadavg(), "databases": [], "lighthouse": {}}
    names = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for name in names:
        with ExitStack() as stack:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"selfcare-bench-{name}-")))
            if name == "sqlite":  # a copy: the check-in POSTs must not change the cached clinic
                shutil.copy(clinic.path, work / "clinic.db")
                url = f"sqlite:///{work / 'clinic.db'}"
            else:
                url = stack.enter_context(serve.postgresql_database(os.environ.get("BENCH_POSTGRESQL_URL")))
                log(f"postgresql: loading the clinic into {url.rsplit('@', 1)[-1]}")
                log(f"postgresql: loaded in {clinics.copy_to_postgresql(clinic, url, work / 'instance-load'):.0f} s")
            db_result, lh, js = measure_database(name, url, clinic, args, work, log, not args.no_lighthouse and not result["lighthouse"])
            result["databases"].append(db_result)
            result["lighthouse"] = result["lighthouse"] or lh
            result.setdefault("own_js", js)  # the same files on either database
    result["budgets"] = [b for db in result["databases"] for b in report.page_budgets(db)]
    result["budgets"] += report.lighthouse_budgets(result["lighthouse"], result["own_js"])
    result["budgets"] += report.dom_budgets(result["own_js"])
    result["passed"] = all(b["pass"] for b in result["budgets"])
    result["run_s"] = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the bench, print the summary table, write the JSON; 1 when a budget fails."""
    args = parse_args(argv)
    result = measure(args)
    print()
    print(report.table(result))
    print(f"\nwhole run: {result['run_s']} s (clinic {'reused from cache' if result['clinic']['cached'] else 'built'}, "
          f"built in {result['clinic']['built_s']:.0f} s); load average at start {result['load_average'][0]:.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=str))
    print(f"results: {args.out}")
    return 0 if result["passed"] or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
