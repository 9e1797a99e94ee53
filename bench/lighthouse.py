"""Lighthouse 12 (mobile, simulated slow 4G) on Debian's Chromium: scores, bytes and our own JS per page."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "bench" / ".node"
BINARY = NODE / "node_modules" / ".bin" / "lighthouse"
VERSION = "12.8.2"  # 13.x needs Node 22 (TOOLING.md)
CHROME = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices")
BUDGETS = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0}
FIRST_LOAD_KB, OWN_JS_KB = 60.0, 15.0


def install() -> Path:
    """The Lighthouse binary, installed under bench/.node the first time."""
    if not BINARY.exists():
        subprocess.run(["npm", "install", "--prefix", str(NODE), "--no-audit", "--no-fund", "--loglevel=error", f"lighthouse@{VERSION}"],
                       check=True)
    return BINARY


def run(url: str, cookie: str | None, out: Path) -> dict[str, Any]:
    """One Lighthouse run of `url` (with the Cookie header when logged in); the parsed report."""
    args = [str(install()), url, f"--chrome-flags={CHROME_FLAGS}", "--form-factor=mobile", "--throttling-method=simulate",
            f"--only-categories={','.join(CATEGORIES)}", "--output=json", f"--output-path={out}", "--quiet"]
    if cookie:
        args.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", CHROME)}
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)
    if result.returncode or not out.exists():
        raise RuntimeError(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    return json.loads(out.read_text())


def failing_audits(report: dict[str, Any]) -> dict[str, list[str]]:
    """Per category, the ids of weighted audits that did not pass (performance: score below 0.9)."""
    failed: dict[str, list[str]] = {}
    for category in CATEGORIES:
        limit = 0.9 if category == "performance" else 1.0
        ids = []
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"].get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < limit:
                ids.append(ref["id"])
        failed[category] = ids
    return failed


def diagnostics(report: dict[str, Any]) -> dict[str, Any]:
    """What explains a slow score: DOM size, server response, main-thread time by kind, script boot-up by URL."""
    audits = report["audits"]

    def value(audit_id: str) -> Any:
        return round(audits[audit_id]["numericValue"]) if audits.get(audit_id, {}).get("numericValue") is not None else None

    main = audits.get("mainthread-work-breakdown", {}).get("details", {}).get("items", [])
    boot = audits.get("bootup-time", {}).get("details", {}).get("items", [])
    return {"dom_elements": value("dom-size"), "server_response_ms": value("server-response-time"),
            "main_thread_ms": {i["group"]: round(i["duration"]) for i in main[:5]},
            "script_bootup_ms": {urlsplit(i["url"]).path or i["url"]: round(i.get("total", 0)) for i in boot[:5]}}


def summarize(report: dict[str, Any], url: str) -> dict[str, Any]:
    """Scores, bytes transferred, our JS by file and failing audits, from one report."""
    items = report["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    own_js = {urlsplit(i["url"]).path: i.get("transferSize", 0) for i in items if urlsplit(i["url"]).path.startswith("/static/js/")}
    total = report["audits"]["total-byte-weight"]["numericValue"]
    error = report.get("runtimeError", {}).get("message")
    return {
        "url": url,
        "final_url": report.get("finalDisplayedUrl") or report.get("finalUrl"),
        "scores": {c: report["categories"][c]["score"] for c in CATEGORIES},
        "total_kb": round(total / 1024, 1),
        "requests": len(items),
        "own_js_transfer_bytes": own_js,
        "metrics": {k: round(report["audits"][k]["numericValue"]) for k in
                    ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index") if k in report["audits"]},
        "failing_audits": failing_audits(report),
        "diagnostics": diagnostics(report),
        "runtime_error": error,
    }


def score_pages(port: int, targets: list[tuple[str, str, str | None]], log: Any) -> dict[str, dict[str, Any]]:
    """Run Lighthouse on each (name, path, cookie) and summarize."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="selfcare-lh-") as folder:
        for n, (name, path, cookie) in enumerate(targets):
            url = f"http://127.0.0.1:{port}{path}"
            summary = summarize(run(url, cookie, Path(folder) / f"lh{n}.json"), url)
            s = summary["scores"]
            log(f"  {name:<24} perf {s['performance']}  a11y {s['accessibility']}  bp {s['best-practices']}  {summary['total_kb']} KB")
            results[name] = summary
    return results
