"""Shared fixtures: real SQLite files and a real PostgreSQL database for every data-layer test.

PostgreSQL comes from PMO_TEST_PG_URL (default: the local server, database `test`). Each test
run creates its own scratch database there and drops it afterwards; tests that need
PostgreSQL skip with a clear message only when no server answers.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access.core import clock
from data_access.core.db import dispose_engines, get_engine
from data_access.core.schema import upgrade_database
from data_access.demo.loader import load_demo

# Browser, Streamlit-server and scratch-database fixtures for the reliability tests.
pytest_plugins = ["tests.e2e.harness"]

PG_ADMIN_URL = os.environ.get(
    "PMO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# One day for the whole run: the demo portfolio is built around it and the app is pinned to it
# (PMO_TODAY, inherited by the xdist workers and every server the tests start), so a run that
# crosses midnight still agrees with itself. Set PMO_TODAY to run the suite as on another day.
os.environ["PMO_TODAY"] = clock.today().isoformat()
# Every chart a test draws has its spec checked against the Vega-Lite schema (the server
# skips the check: charts/specs.py). Set before the charts are imported, and inherited by the
# servers the browser tests start.
os.environ["PMO_VALIDATE_CHARTS"] = "1"
DEMO_TODAY = clock.today()
BACKENDS = ["sqlite", "postgresql"]


def pytest_collection_modifyitems(config, items) -> None:
    """Page tests (tests/test_*page*.py) and browser tests (tests/e2e/) are the ones that see
    the app judge data by its "today": `./pmo.sh test` runs them as on other days.

    PMO_DAY_SHARE=K/N keeps the K-th of N shares of their files (every N-th file in name
    order, from the K-th), so N runs on N days cover each of them once; a file stays whole
    because its tests share one app server."""
    for item in items:
        path = item.path
        if "page" in path.stem or path.parent.name == "e2e":
            item.add_marker(pytest.mark.any_day)
    share = os.environ.get("PMO_DAY_SHARE")
    if not share:
        return
    k, n = (int(part) for part in share.split("/"))
    files = sorted({item.path for item in items if item.get_closest_marker("any_day")})
    mine = set(files[k::n])
    kept = [item for item in items if item.path in mine]
    config.hook.pytest_deselected(items=[item for item in items if item.path not in mine])
    items[:] = kept


def _pg_reachable() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means "no server here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}: {exc}"


@pytest.fixture(scope="session")
def pg_server():
    """A scratch PostgreSQL database for this test process; dropped at the end."""
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    name = f"pmo_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    yield url
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated, empty SQLite file, copied for each test (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    upgrade_database(f"sqlite:///{path}")
    get_engine(f"sqlite:///{path}").dispose()
    return path


def _truncate_all(url: str) -> None:
    from sqlmodel import SQLModel

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    upgrade_database(url)  # re-seeds the singleton rows


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """An empty, migrated database URL: run once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "pmo.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_server")
    _truncate_all(url)
    return url


@pytest.fixture(scope="session")
def demo_sqlite_path(tmp_path_factory) -> Path:
    """Tier S demo portfolio in a SQLite file (read-only by convention: copy it to write)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    load_demo("S", f"sqlite:///{path}", today=DEMO_TODAY)
    get_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def demo_db_url(demo_sqlite_path, tmp_path) -> str:
    """A private, writable copy of the tier S demo database."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_sqlite_path, path)
    return f"sqlite:///{path}"
