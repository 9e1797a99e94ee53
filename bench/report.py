"""Budgets (PASS/FAIL) and the summary table of one bench run."""

from __future__ import annotations

from typing import Any

from bench.lighthouse import BUDGETS, FIRST_LOAD_KB
from bench.pages import HISTORY_DOM_ELEMENTS, HISTORY_GROWTH


def page_budgets(db: dict[str, Any]) -> list[dict[str, Any]]:
    """The latency budgets of one database's run: each page against the floor, History 365 against History 1."""
    found = []
    for name, page in db["pages"].items():
        if page["budget"] is not None:
            found.append({"budget": f"{db['database']}: {name} ≤ {page['budget']:g}× floor", "value": page["ratio"],
                          "limit": page["budget"], "pass": page["ratio"] <= page["budget"]})
    # Each History is measured against the floor interleaved with it, so drift in the machine's speed between
    # the two (the floor moved 0.88 -> 1.11 ms within one run) cancels, as it does for every other budget.
    one, year = db["pages"]["history 1 day"], db["pages"]["history 365 days"]
    growth = round((year["median_ms"] / year["floor_median_ms"]) / (one["median_ms"] / one["floor_median_ms"]), 2)
    found.append({"budget": f"{db['database']}: history 365 days ≤ {HISTORY_GROWTH:g}× history 1 day", "value": growth,
                  "limit": HISTORY_GROWTH, "pass": growth <= HISTORY_GROWTH,
                  "unadjusted": round(year["median_ms"] / one["median_ms"], 2)})
    return found


def lighthouse_budgets(lighthouse: dict[str, Any], js: dict[str, Any]) -> list[dict[str, Any]]:
    """Lighthouse scores and bytes per page, and our JS on the page that loads the most."""
    found = []
    for name, summary in lighthouse.items():
        for category, limit in BUDGETS.items():
            score = summary["scores"][category]
            found.append({"budget": f"lighthouse {name}: {category} ≥ {limit:g}", "value": score, "limit": limit,
                          "pass": score is not None and score >= limit})
        found.append({"budget": f"lighthouse {name}: first load ≤ {FIRST_LOAD_KB:g} KB", "value": summary["total_kb"],
                      "limit": FIRST_LOAD_KB, "pass": summary["total_kb"] <= FIRST_LOAD_KB})
    if js:
        found.append({"budget": f"our JS ≤ {js['budget_kb']:g} KB compressed on every page (largest: {js['largest_page']})",
                      "value": js["largest_kb"], "limit": js["budget_kb"], "pass": js["pass"]})
    return found


def dom_budgets(js: dict[str, Any]) -> list[dict[str, Any]]:
    """History 365 days builds at most HISTORY_DOM_ELEMENTS elements (counted from the served page)."""
    page = js.get("pages", {}).get("history 365 days")
    if page is None:
        return []
    return [{"budget": f"history 365 days ≤ {HISTORY_DOM_ELEMENTS:,} DOM elements", "value": page["elements"],
             "limit": HISTORY_DOM_ELEMENTS, "pass": page["elements"] <= HISTORY_DOM_ELEMENTS}]


def _cell(value: Any, width: int, digits: int = 1) -> str:
    """A right-aligned table cell ('-' for nothing)."""
    if value is None:
        text = "-"
    elif isinstance(value, float):
        text = f"{value:.{digits}f}"
    else:
        text = str(value)
    return text.rjust(width)


def table(result: dict[str, Any]) -> str:
    """The summary: one row per page and database, then every budget with PASS/FAIL."""
    lighthouse = result.get("lighthouse", {})
    head = (f"{'db':<10} {'page':<24} {'median ms':>10} {'p95 ms':>8} {'floor':>6} {'ratio':>6} {'budget':>7} {'ok':>4} {'queries':>7} "
            f"{'perf':>5} {'a11y':>5} {'bp':>5} {'KB':>6}")
    lines = [head, "-" * len(head)]
    for db in result["databases"]:
        for name, page in db["pages"].items():
            lh = lighthouse.get(name) if db is result["databases"][0] else None
            scores = lh["scores"] if lh else {}
            ok = "" if page["budget"] is None else ("PASS" if page["ratio"] <= page["budget"] else "FAIL")
            budget = f"{page['budget']:g}×" if page["budget"] is not None else None
            lines.append(f"{db['database']:<10} {name:<24} {_cell(page['median_ms'], 10, 2)} {_cell(page['p95_ms'], 8, 2)} "
                         f"{_cell(page['floor_median_ms'], 6, 2)} {_cell(page['ratio'], 6, 2)} {_cell(budget, 7)} {ok:>4} {_cell(page['queries'], 7)} "
                         f"{_cell(scores.get('performance'), 5, 2)} {_cell(scores.get('accessibility'), 5, 2)} "
                         f"{_cell(scores.get('best-practices'), 5, 2)} {_cell(lh['total_kb'] if lh else None, 6)}")
    js = result.get("own_js")
    if js:
        lines.append(f"our JS per page ({js['measured_by']}):")
        for name, page in js["pages"].items():
            files = ", ".join(f"{path.rsplit('/', 1)[1]} {size / 1024:.1f}" for path, size in page["files"].items())
            lines.append(f"  {name:<24} {page['kb']:5.1f} KB ours (+ {page['library_kb']:.1f} KB htmx), {page['elements']:>5} elements  {files}")
    lines.append("")
    lines.append("budgets:")
    for budget in result["budgets"]:
        unadjusted = f"; {budget['unadjusted']} from the milliseconds alone" if "unadjusted" in budget else ""
        lines.append(f"  {'PASS' if budget['pass'] else 'FAIL'}  {budget['budget']}  (measured {budget['value']}{unadjusted})")
    failing = [b for b in result["budgets"] if not b["pass"]]
    lines.append(f"{len(result['budgets']) - len(failing)} of {len(result['budgets'])} budgets pass")
    for name, summary in lighthouse.items():
        failed = {c: ids for c, ids in summary["failing_audits"].items() if ids}
        if failed:
            lines.append(f"  lighthouse {name} failing audits: " + "; ".join(f"{c}: {', '.join(ids)}" for c, ids in failed.items()))
            d = summary.get("diagnostics", {})
            if d:
                lines.append(f"    DOM elements {d['dom_elements']}, server response {d['server_response_ms']} ms, main thread "
                             + ", ".join(f"{k} {v} ms" for k, v in d["main_thread_ms"].items()))
    return "\n".join(lines)
