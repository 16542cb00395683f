"""Time every page through Streamlit's AppTest: cold run, warm reruns, its SQL, memory, marks."""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa
import streamlit as st
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

import server
from components.common.cache import clear_all
from data_access.core import kept_reads
from data_access.core.db import dispose_engines

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


# Saves, each followed by a rerun: "saved ms" is their median (one rerun is too noisy to quote).
SAVES = 3

# Tabs a page draws only when they are opened, measured as pages of their own.
TABS = {"gates": ("Compliance",), "project": ("Lifecycle and gates", "Lessons", "History")}


def page_files() -> list[str]:
    """Every page file, then each tab of TABS as "pages/<page>.py?tab=<tab>"."""
    files = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    return files + [f"pages/{page}.py?tab={tab}" for page, tabs in TABS.items() for tab in tabs]


def page_name(page: str) -> str:
    """ "gates" for pages/gates.py, "gates:Compliance" for its Compliance tab."""
    file, _, tab = page.partition("?tab=")
    return Path(file).stem + (f":{tab}" if tab else "")


class SqlTimer:
    """Sums the time spent inside the database driver, for every engine in the process."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.statements = 0

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_start", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.seconds += time.perf_counter() - conn.info["bench_start"].pop()
        self.statements += 1

    @contextmanager
    def measuring(self):
        self.seconds, self.statements = 0.0, 0
        sa.event.listen(sa.Engine, "before_cursor_execute", self._before)
        sa.event.listen(sa.Engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            sa.event.remove(sa.Engine, "before_cursor_execute", self._before)
            sa.event.remove(sa.Engine, "after_cursor_execute", self._after)


def chart_marks(at: AppTest) -> int:
    """Rows of data shipped to the browser inside Vega-Lite charts (one row is about one mark)."""
    total = 0
    for chart in at.get("vega_lite_chart"):
        proto = chart.proto
        for dataset in proto.datasets:
            total += pa.ipc.open_stream(dataset.data.data).read_all().num_rows
        if proto.HasField("data") and proto.data.data:
            total += pa.ipc.open_stream(proto.data.data).read_all().num_rows
    return total


def table_rows(at: AppTest) -> int:
    total = 0
    for frame in at.dataframe:
        data = frame.proto.arrow_data.data
        if data:
            total += pa.ipc.open_stream(data).read_all().num_rows
    return total


# What the server loads when it starts (`app.py`), before any page is timed.
server.preload()

# AppTest compiles the app and page scripts again on every run (a new ScriptCache each time),
# which a server does once per process: one cache for the benchmark, emptied for a cold run,
# so that a warm rerun is timed as a server runs it.
_SCRIPTS = ScriptCache()
app_test.ScriptCache = local_script_runner.ScriptCache = lambda: _SCRIPTS


def _fresh_process_state() -> None:
    """What a newly started server has: no cached data or compiled scripts, no pooled
    connections."""
    _SCRIPTS.clear()
    st.cache_data.clear()
    clear_all()
    st.cache_resource.clear()
    dispose_engines()


def _open_on(page: str, prepare_session) -> AppTest:
    """A session that has run the app once, switched to `page`, with every cache emptied.

    AppTest can only reach a page through the entry point, so the first run lands on the
    default page; the caches are then cleared so the measured run starts cold.
    """
    at = AppTest.from_file(str(APP), default_timeout=300)
    prepare_session(at)
    file, _, tab = page.partition("?tab=")
    if tab:
        at.query_params["tab"] = tab
    at.run()
    _fresh_process_state()
    return at.switch_page(file)


def measure_page(
    page: str, url: str, *, warm_runs: int, prepare_session, save: Callable[[int], None]
) -> dict:
    """The cold run of the day's first process (`first_ms`: nothing kept in the database by
    an earlier one, data_access.core.kept_reads), the cold run of a process started after it,
    warm reruns, and the reruns after someone saved a status update (`save`)."""
    os.environ["DATABASE_URL"] = url
    sql = SqlTimer()

    # The day's first process: nothing kept in the database yet (it keeps what it reads).
    at = _open_on(page, prepare_session)
    kept_reads.forget(url)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started

    at = _open_on(page, prepare_session)
    with sql.measuring():
        started = time.perf_counter()
        at.run()
        cold = time.perf_counter() - started
    sql_cold, statements_cold = sql.seconds, sql.statements
    errors = [str(e.value)[:200] for e in at.exception]

    warm, warm_sql = [], []
    for _ in range(warm_runs):
        with sql.measuring():
            started = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - started)
        warm_sql.append(sql.seconds)
    marks, rows = chart_marks(at), table_rows(at)
    saved, saved_sql = [], []
    for i in range(SAVES):
        save(warm_runs + i)
        with sql.measuring():
            started = time.perf_counter()
            at.run()
            saved.append(time.perf_counter() - started)
        saved_sql.append(sql.seconds)

    # Memory in a separate cold run: tracing allocations slows the run it watches.
    at = _open_on(page, prepare_session)
    tracemalloc.start()
    at.run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    warm_median = statistics.median(warm) if warm else float("nan")
    warm_sql_median = statistics.median(warm_sql) if warm_sql else float("nan")
    return {
        "page": page,
        "cold_ms": round(cold * 1000, 1),
        "first_ms": round(first * 1000, 1),
        "warm_ms": round(warm_median * 1000, 1),
        "warm_runs_ms": [round(w * 1000, 1) for w in warm],
        "sql_cold_ms": round(sql_cold * 1000, 1),
        "sql_cold_statements": statements_cold,
        "sql_warm_ms": round(warm_sql_median * 1000, 1),
        "overhead_warm_ms": round((warm_median - warm_sql_median) * 1000, 1),
        "after_save_ms": round(statistics.median(saved) * 1000, 1),
        "after_save_runs_ms": [round(s * 1000, 1) for s in saved],
        "sql_after_save_ms": round(statistics.median(saved_sql) * 1000, 1),
        "overhead_cold_ms": round((cold - sql_cold) * 1000, 1),
        "peak_mb": round(peak / 2**20, 1),
        "chart_marks": marks,
        "table_rows": rows,
        "errors": errors,
    }
