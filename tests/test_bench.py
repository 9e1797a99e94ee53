"""bench/run.py on a tiny clinic (no Lighthouse): every page is timed, counted and judged, so the bench cannot rot."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import brotli
import pytest

from bench import page_js, report, run, timing
from bench.pages import pages


def test_the_bench_measures_every_page_of_a_tiny_clinic(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code = run.main(["--therapists", "2", "--patients", "4", "--caseload", "3", "--days", "5", "--requests", "2", "--warmup", "1",
                     "--workers", "1", "--no-lighthouse", "--cache", str(tmp_path / "cache"), "--out", str(out)])
    result = json.loads(out.read_text())
    assert code == (0 if result["passed"] else 1)
    [sqlite] = result["databases"]
    assert set(sqlite["pages"]) == {p.name for p in pages(0)}
    for name, page in sqlite["pages"].items():
        assert page["median_ms"] > 0 and page["p95_ms"] >= page["median_ms"] and page["ratio"] > 0, name
        assert isinstance(page["queries"], int), name
    assert sqlite["pages"]["today"]["queries"] > 0 and sqlite["pages"]["healthz (floor)"]["queries"] == 0
    # After a new check-in the caseload makes that patient's row again: more statements than a repeat view.
    assert sqlite["pages"]["caseload after entry"]["queries"] > sqlite["pages"]["caseload 200"]["queries"]
    # A repeat view answered 304 reads the tag's rows only.
    assert sqlite["pages"]["today 304"]["queries"] < sqlite["pages"]["today"]["queries"]
    assert sqlite["pages"]["caseload 304"]["queries"] < sqlite["pages"]["caseload 200"]["queries"]
    assert sqlite["server_tracebacks"] == 0
    assert {b["budget"] for b in result["budgets"]} >= {"sqlite: caseload 200 ≤ 6× floor", "sqlite: history 365 days ≤ 1.5× history 1 day"}
    js = result["own_js"]
    assert set(js["pages"]) == {p.name for p in pages(0)
                                if p.method == "GET" and p.path != "/healthz" and not p.after_entry and not p.revalidate}
    assert any(name.endswith(".js") for name in js["pages"]["today"]["files"]) and js["pages"]["today"]["kb"] > 0
    assert "player.js" not in " ".join(js["pages"]["today"]["files"])  # per page: Today does not load the player
    assert "player.js" in " ".join(js["pages"]["player"]["files"])
    assert all(p["library_kb"] > 0 for p in js["pages"].values())  # htmx: weighed, not counted as ours
    assert js["largest_kb"] == max(p["kb"] for p in js["pages"].values()) and result["lighthouse"] == {}
    assert result["clinic"]["rows"] > 0 and not result["clinic"]["cached"]
    assert "budgets pass" in report.table(result)


def test_script_paths_keeps_same_origin_static_scripts_once_in_order() -> None:
    html = ('<script src="/static/js/htmx.min.js?v=1" defer></script><script type="application/json" id="x">{}</script>'
            '<script src="https://cdn.example.com/x.js"></script><SCRIPT defer src="/static/js/app.js?v=2&amp;a=b"></SCRIPT>'
            '<script src="/static/js/htmx.min.js?v=1"></script>')
    assert page_js.script_paths(html) == ["/static/js/htmx.min.js?v=1", "/static/js/app.js?v=2&a=b"]
    assert page_js.script_paths('<script src="/assets/htmx/2.0.js"></script>') == ["/assets/htmx/2.0.js"]


@pytest.mark.parametrize(("encoding", "compress"), [
    ("zstd", timing.zstd.compress), ("br", brotli.compress), ("gzip", gzip.compress), (None, lambda b: b), ("identity", lambda b: b),
])
def test_the_bench_reads_pages_sent_compressed_as_a_browser_asks(encoding, compress) -> None:
    page = "<form><input name=csrf_token value=abc></form>".encode()
    assert timing.decoded(compress(page), encoding) == page
    assert timing.ACCEPT_ENCODING == "gzip, deflate, br, zstd"  # what Chromium sends


def test_the_bench_refuses_a_body_it_cannot_read() -> None:
    with pytest.raises(RuntimeError, match="deflate"):
        timing.decoded(b"x", "deflate")


def _history(median_ms: float, floor_ms: float) -> dict:
    return {"median_ms": median_ms, "floor_median_ms": floor_ms, "ratio": round(median_ms / floor_ms, 2), "budget": 3.0}


@pytest.mark.parametrize(("one_day", "year", "growth", "passes"), [
    ((1.0, 0.5), (1.0, 0.5), 1.0, True),     # the same page cost: no growth
    ((1.83, 0.88), (2.68, 1.11), 1.16, True),  # a real run: the machine slowed by a quarter between the two pages
    ((1.0, 0.5), (1.2, 0.4), 1.5, True),     # on the limit
    ((1.0, 0.5), (1.6, 0.5), 1.6, False),    # a year costs 60% more on the same floor: fails
    ((1.6, 1.0), (1.6, 0.5), 2.0, False),    # the same milliseconds while the machine got twice as fast: fails
])
def test_history_growth_is_judged_against_each_page_s_own_floor(one_day, year, growth, passes) -> None:
    db = {"database": "sqlite", "pages": {"history 1 day": _history(*one_day), "history 365 days": _history(*year)}}
    [_, _, found] = report.page_budgets(db)
    assert found["budget"] == "sqlite: history 365 days ≤ 1.5× history 1 day"
    assert (found["value"], found["pass"]) == (growth, passes)
    assert found["unadjusted"] == round(year[0] / one_day[0], 2)
