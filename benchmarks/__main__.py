"""Benchmark suite: every page at tiers S, M, L (and XL on PostgreSQL), form saves, the
browser, and many people at once on several app processes (scale_out).

    python -m benchmarks run [--tiers S,M,L] [--pg-url URL] [--warm 5] [--browser] [--out F.json]
                             [--sections pages,writes,api,schedules,lessons,scale_out]
                             [--processes 3 --readers 60 --writers 10 --seconds 120]
    python -m benchmarks compare before.json after.json

Not part of the pass/fail tests: it prints a table and writes JSON (benchmarks/results/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from streamlit import logger as streamlit_logger
from streamlit.testing.v1 import app_test

from benchmarks.api import TARGETS_MS as API_TARGETS
from benchmarks.api import measure_api
from benchmarks.lessons import TARGET_MS as SEARCH_TARGET_MS
from benchmarks.lessons import measure_lesson_search
from benchmarks.pages import measure_page, page_files, page_name
from benchmarks.scale_out import P95_TARGET_MS as SCALE_OUT_P95_MS
from benchmarks.scale_out import measure_scale_out
from benchmarks.schedules import measure_schedule_import, print_schedule_import
from benchmarks.selection import measure_selection, print_selection
from benchmarks.tiers import CACHE, POSTGRES_ONLY, postgres_tier, sqlite_tier, tier_counts
from benchmarks.writes import first_active_project, measure_writes, save_status_update
from data_access.core import clock
from data_access.core.db import get_engine

RESULTS = Path(__file__).resolve().parent / "results"
BARE_MODE_LOGGERS = (
    "streamlit.runtime.scriptrunner_utils.script_run_context",
    "streamlit.runtime.caching.cache_data_api",
)
TARGETS = {
    "warm_ms": 250,
    "cold_ms": 2000,
    "overhead_warm_ms": 100,
    "write_ms": 50,
    "browser_nav_ms": 3000,
    "browser_filter_ms": 1500,
    "rss_mb": 600,
    "l_over_s": 3.0,
}


def prepare_session(at) -> None:
    """Sign the benchmark session in as the demo admin (the app shows only sign-in before)."""
    from tests.auth_helpers import sign_in

    sign_in(at, "admin")


def run(args) -> dict:
    from tests.auth_helpers import keep_navigation_mode

    # Every measured run goes through app.py, as on the server (see keep_navigation_mode).
    keep_navigation_mode(pytest.MonkeyPatch())
    today = dt.date.fromisoformat(args.today) if args.today else clock.today()
    # The pages judge each tier on the day it was built around.
    os.environ["PMO_TODAY"] = today.isoformat()
    pages = [p for p in page_files() if not args.pages or page_name(p).split(":")[0] in args.pages]
    report = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}",
        "python": platform.python_version(),
        "today": today.isoformat(),
        "tiers": {},
    }
    backends = [("sqlite", None)] + ([("postgresql", args.pg_url)] if args.pg_url else [])
    for backend, server in backends:
        for tier in args.tiers:
            if backend == "sqlite" and tier in POSTGRES_ONLY:
                print(f"\n== sqlite:{tier} skipped: a PostgreSQL tier (--pg-url)", file=sys.stderr)
                continue
            if backend == "sqlite":
                url, load_s = sqlite_tier(tier, today)
            else:
                url, load_s = postgres_tier(server, tier, today)
            key = f"{backend}:{tier}"
            print(
                f"\n== {key} ({f'loaded in {load_s:.1f} s' if load_s else 'cached'})",
                file=sys.stderr,
            )
            entry = {
                "backend": backend,
                "tier": tier,
                "load_s": load_s,
                "counts": tier_counts(url),
                "pages": {},
                "compliance_recorded": record_weeks(url, today),
            }
            # The pages run on a copy: each is measured again after a status update is saved.
            pages_url = _scratch_copy(url, backend, "pages")
            save = functools.partial(
                save_status_update, pages_url, first_active_project(pages_url), today
            )

            for page in pages if "pages" in args.sections else ():
                print(f"   {page}", file=sys.stderr)
                entry["pages"][page_name(page)] = measure_page(
                    page, pages_url, warm_runs=args.warm, prepare_session=prepare_session, save=save
                )
            if "writes" in args.sections:
                entry["writes"] = measure_writes(_scratch_copy(url, backend), today)
            if "api" in args.sections:
                entry["api"] = measure_api(_scratch_copy(url, backend), today)
            if "schedules" in args.sections:
                entry["schedules"] = measure_schedule_import(
                    _scratch_copy(url, backend, "schedules"), today
                )
            if "lessons" in args.sections:
                entry["lesson_search"] = measure_lesson_search(
                    _scratch_copy(url, backend, "lessons"), today
                )
            if "scale_out" in args.sections and backend == "postgresql":
                with tempfile.TemporaryDirectory() as logs:
                    entry["scale_out"] = measure_scale_out(
                        url,
                        today,
                        Path(logs),
                        processes=args.processes,
                        readers=args.readers,
                        writers=args.writers,
                        seconds=args.seconds,
                    )
            if args.browser and tier != "M":
                from benchmarks.browser import measure_browser

                entry["browser"] = measure_browser(
                    url, [p for p in map(page_name, pages) if ":" not in p]
                )
            report["tiers"][key] = entry
    if "pages" in args.sections:
        report["selection"] = measure_selection()
    return report


def record_weeks(url: str, today: dt.date) -> dict:
    """What the worker does beside a deployment: record each ended week's compliance (rows and
    seconds; 0 rows when the tier's weeks were recorded before)."""
    from worker.jobs import record_compliance

    started = time.perf_counter()
    rows = record_compliance(dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC), url)
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 2)}


def _scratch_copy(url: str, backend: str, use: str = "writes") -> str:
    """Writes go to a copy so that the cached tier database stays as generated."""
    if backend != "sqlite":
        return url
    source = Path(url.removeprefix("sqlite:///"))
    get_engine(url).dispose()  # closing the last connection writes the WAL back into the file
    target = CACHE / f"scratch-{use}-{source.name}"
    get_engine(f"sqlite:///{target}").dispose()
    for stale in (target, *(target.with_name(target.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def _flag(value, limit) -> str:
    return "" if value is None or value <= limit else " !"


def print_table(report: dict) -> None:
    for key, entry in report["tiers"].items():
        counts = entry["counts"]
        print(
            f"\n### {key}: {counts['project']:,} projects, {counts['milestone']:,} milestones, "
            f"{counts['risk']:,} risks, {counts['risk_assessment']:,} assessments, "
            f"{counts['status_report']:,} status reports"
        )
        if "compliance_recorded" in entry:
            done = entry["compliance_recorded"]
            print(
                f"weeks of compliance the worker recorded: {done['rows']:,} rows "
                f"in {done['seconds']} s"
            )
        width = max((len(name) for name in entry["pages"]), default=0) + 2
        if entry["pages"]:
            print(
                f"{'page':<{width}}{'cold ms':>10}{'first ms':>10}{'warm ms':>10}{'saved ms':>10}"
                f"{'SQL warm':>10}{'overhead':>10}"
                f"{'SQL cold':>10}{'stmts':>7}{'peak MB':>9}{'marks':>8}{'rows':>7}  errors"
            )
        for name, r in entry["pages"].items():
            print(
                f"{name:<{width}}{r['cold_ms']:>10.0f}{_flag(r['cold_ms'], TARGETS['cold_ms']):2}"
                f"{r.get('first_ms', float('nan')):>8.0f}"
                f"{r['warm_ms']:>10.0f}{_flag(r['warm_ms'], TARGETS['warm_ms']):2}"
                f"{r.get('after_save_ms', float('nan')):>10.0f}"
                f"{r['sql_warm_ms']:>10.0f}{r['overhead_warm_ms']:>10.0f}"
                f"{r['sql_cold_ms']:>10.0f}{r['sql_cold_statements']:>7}{r['peak_mb']:>9.1f}"
                f"{r['chart_marks']:>8}{r['table_rows']:>7}  {'; '.join(r['errors'])[:60]}"
            )
        if "writes" in entry:
            w = entry["writes"]
            print("form saves (median ms): " + ", ".join(f"{k[:-3]} {v:.1f}" for k, v in w.items()))
        if "api" in entry:
            print(
                "API and OData feed (median ms): "
                + ", ".join(
                    f"{k[:-3]} {v:.0f}{_flag(v, API_TARGETS.get(k, float('inf'))).strip()}"
                    for k, v in entry["api"].items()
                )
            )
        if "schedules" in entry:
            print_schedule_import(entry["schedules"])
        if "lesson_search" in entry:
            print(
                f"lesson search at 20,000 lessons (median ms, target {SEARCH_TARGET_MS}): "
                + ", ".join(
                    f"{k[:-3]} {v:.0f}{_flag(v, SEARCH_TARGET_MS).strip()}"
                    for k, v in entry["lesson_search"].items()
                )
            )
        if "scale_out" in entry:
            print_scale_out(entry["scale_out"])
        if "browser" in entry:
            b = entry["browser"]
            print(
                "browser navigation until charts drawn (ms): "
                + ", ".join(f"{k} {v}" for k, v in b["pages"].items())
            )
            print(
                f"browser filter change until settled: {b['filter_change_ms']} ms; "
                f"server RSS: {b['rss_mb']}"
            )
    _print_ratios(report)
    if "selection" in report:
        print_selection(report["selection"])


def _span(bounds) -> str:
    return f"{bounds[0]:.0f}-{bounds[1]:.0f}"


def print_scale_out(r: dict) -> None:
    print(
        f"scale-out: {r['processes']} processes, {r['readers']} readers, {r['writers']} writers "
        f"for {r['seconds']:.0f} s (reading {_span(r['pace']['think'])} s a page, a save every "
        f"{_span(r['pace']['write_every'])} s a writer): {r['views']} page views, p50 "
        f"{r['p50_ms']} ms, p95 "
        f"{r['p95_ms']} ms{_flag(r['p95_ms'], SCALE_OUT_P95_MS)} (a session's first view: p50 "
        f"{r['first_view_p50_ms']} ms, p95 {r['first_view_p95_ms']} ms); {r['writes']} saves; "
        f"{r['error_count']} errors, {len(r['write_errors'])} failed saves; RSS MB {r['rss_mb']}"
    )
    print("  p95 by page (ms): " + ", ".join(f"{k} {v}" for k, v in r["by_page_p95_ms"].items()))
    print(
        "  by when asked for (s: views, p50/p95 ms): "
        + ", ".join(
            f"{w['from_s']}-: {w['views']}, {w['p50_ms']}/{w['p95_ms']}"
            for w in r.get("by_window", [])
        )
    )
    for error in r["errors"]:
        print(f"  error: {error}")


def _print_ratios(report: dict) -> None:
    for backend in ("sqlite", "postgresql"):
        small, large = report["tiers"].get(f"{backend}:S"), report["tiers"].get(f"{backend}:L")
        if not (small and large):
            continue
        print(f"\n### {backend}: tier L / tier S (warm rerun; target <= {TARGETS['l_over_s']}x)")
        for name, r in large["pages"].items():
            s = small["pages"].get(name)
            if s and s["warm_ms"]:
                ratio = r["warm_ms"] / s["warm_ms"]
                print(
                    f"{name:<17}{s['warm_ms']:>8.0f} ms -> {r['warm_ms']:>8.0f} ms  "
                    f"{ratio:5.2f}x{' !' if ratio > TARGETS['l_over_s'] else ''}"
                )


def compare(before_path: str, after_path: str) -> None:
    before, after = (json.loads(Path(p).read_text()) for p in (before_path, after_path))
    print(f"{'tier/page':<26}{'metric':<18}{'before':>10}{'after':>10}{'ratio':>8}")
    for key, entry in after["tiers"].items():
        old = before["tiers"].get(key)
        if not old:
            continue
        for name, r in entry["pages"].items():
            o = old["pages"].get(name)
            if not o:
                continue
            metrics = ("cold_ms", "first_ms", "warm_ms", "after_save_ms", "sql_warm_ms", "peak_mb")
            for metric in metrics:
                if metric not in o or metric not in r:  # measured since
                    continue
                a, b = o[metric], r[metric]
                ratio = f"{b / a:.2f}x" if a else "-"
                print(f"{key + ' ' + name:<26}{metric:<18}{a:>10}{b:>10}{ratio:>8}")


def main() -> None:
    # AppTest runs pages without a server: Streamlit then warns on every cached call that it
    # has no ScriptRunContext and no runtime (AppTest resets the log level); errors still show.
    for name in BARE_MODE_LOGGERS:
        streamlit_logger.get_logger(name).addFilter(lambda record: record.levelno >= 40)
    parser = argparse.ArgumentParser(description="PMO dashboard benchmarks")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="build the tiers and time every page")
    r.add_argument("--tiers", type=lambda s: s.upper().split(","), default=["S", "M", "L"])
    r.add_argument("--pg-url", help="also run on this PostgreSQL server (a database per tier)")
    r.add_argument("--warm", type=int, default=5, help="warm reruns per page (median)")
    r.add_argument("--pages", type=lambda s: s.split(","), help="only these pages (file stems)")
    r.add_argument("--browser", action="store_true", help="also time a real browser (S and L)")
    r.add_argument(
        "--sections",
        type=lambda s: s.split(","),
        default=["pages", "writes", "api", "schedules", "lessons"],
        help="only these of pages, writes, api, schedules, lessons, scale_out (PostgreSQL: "
        "readers and writers at once on several app processes; not run by default)",
    )
    r.add_argument("--processes", type=int, default=3, help="scale_out: app processes")
    r.add_argument("--readers", type=int, default=60, help="scale_out: people browsing")
    r.add_argument("--writers", type=int, default=10, help="scale_out: people saving")
    r.add_argument("--seconds", type=float, default=120, help="scale_out: how long")
    r.add_argument("--today", help="day the demo data is generated around (default: today)")
    r.add_argument("--out", help="JSON file (default: benchmarks/results/<timestamp>.json)")
    c = sub.add_parser("compare", help="ratios between two JSON results")
    c.add_argument("before")
    c.add_argument("after")
    args = parser.parse_args()
    if args.command == "compare":
        compare(args.before, args.after)
        return
    started = time.perf_counter()
    report = run(args)
    report["total_s"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    out = Path(args.out) if args.out else RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print_table(report)
    print(f"\nwritten to {out} in {report['total_s']} s")
    # AppTest keeps a temporary folder for the whole process; removed here, it is not removed
    # at exit with a ResourceWarning's traceback under the table.
    app_test.TMP_DIR.cleanup()


if __name__ == "__main__":
    main()
