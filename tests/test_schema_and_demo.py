"""Migrations agree with the models, old databases upgrade, the demo generator is deterministic."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from data_access.core.db import get_engine, read_df, read_scalar
from data_access.core.lesson_models import not_search_index
from data_access.core.models import Milestone, Project, Risk, RiskAssessment, StatusReport
from data_access.core.schema import current_revision, head_revision, upgrade_database
from data_access.demo.generator import TIERS, generate
from data_access.demo.loader import load
from tests.conftest import DEMO_TODAY

FIXTURES = Path(__file__).parent / "fixtures"


def test_models_and_migrations_agree(db_url):
    with get_engine(db_url).connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": not_search_index}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == [], f"models and migrations disagree; write a migration for: {diff}"


def test_upgrade_is_idempotent(db_url):
    upgrade_database(db_url)
    upgrade_database(db_url)
    assert current_revision(db_url) == head_revision()
    assert read_df("SELECT COUNT(*) AS n FROM data_version", url=db_url).n.item() == 1


def test_database_from_first_release_upgrades_without_loss(tmp_path):
    """tests/fixtures/pmo_0001.db was written by schema 0001; later migrations must keep it."""
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "pmo_0001.db", path)
    url = f"sqlite:///{path}"
    counts_before = {t: _count(url, t) for t in ("project", "status_report", "risk", "milestone")}
    upgrade_database(url)
    assert current_revision(url) == head_revision()
    assert {t: _count(url, t) for t in counts_before} == counts_before
    assert counts_before["project"] == 50


def _count(url, table):
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()


def _without_timestamps(rows):
    return [{k: v for k, v in r.items() if k not in ("created_at", "updated_at")} for r in rows]


def test_same_seed_same_portfolio():
    a = generate("S", seed=7, today=DEMO_TODAY)
    b = generate("S", seed=7, today=DEMO_TODAY)
    c = generate("S", seed=8, today=DEMO_TODAY)
    for model in (Project, Milestone, Risk, StatusReport):
        assert _without_timestamps(a.rows[model]) == _without_timestamps(b.rows[model])
    assert _without_timestamps(a.rows[Project]) != _without_timestamps(c.rows[Project])


def test_tier_sizes_follow_the_domain_reference():
    # Everything scales with the number of projects: checked at S, the smallest.
    assert TIERS == {"S": 50, "M": 500, "L": 5_000, "XL": 20_000}
    rows = generate("S", today=DEMO_TODAY).rows
    assert len(rows[Project]) == TIERS["S"] == 50
    assert len(rows[Milestone]) == 500
    assert len(rows[Risk]) == 500
    # Projects raised late or not started yet have fewer re-assessments and reports.
    assert 2_000 <= len(rows[RiskAssessment]) <= 2_500
    assert 2_200 <= len(rows[StatusReport]) <= 2_600


def test_demo_portfolio_looks_like_a_real_one(demo_sqlite_path):
    url = f"sqlite:///{demo_sqlite_path}"
    latest = (
        read_df(
            "SELECT overall_rag, COUNT(*) AS n FROM status_report s WHERE report_date = "
            "(SELECT MAX(report_date) FROM status_report) GROUP BY overall_rag",
            url=url,
        )
        .set_index("overall_rag")
        .n
    )
    assert latest.get("G", 0) > latest.get("A", 0) + latest.get("R", 0)  # mostly green
    assert latest.get("R", 0) > 0 and latest.get("A", 0) > 0  # with a tail
    slipped = read_df(
        "SELECT COUNT(DISTINCT milestone_id) AS n FROM milestone_history WHERE change = 'forecast'",
        url=url,
    ).n.item()
    assert slipped > 20
    stale = read_df(
        "SELECT COUNT(*) AS n FROM project p WHERE status = 'active' AND NOT EXISTS (SELECT 1 "
        "FROM status_report s WHERE s.project_id = p.id AND s.report_date > :d)",
        {"d": DEMO_TODAY - dt.timedelta(days=14)},
        url=url,
    ).n.item()
    assert stale >= 1


def test_demo_loads_into_postgresql(pg_server):
    from tests.conftest import _truncate_all

    _truncate_all(pg_server)
    counts = load(generate("S", today=DEMO_TODAY), pg_server)
    assert _count(pg_server, "project") == counts["project"] == 50
    # The planner has statistics at once (autovacuum may be off or late after a bulk load).
    analysed = "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'status_report'"
    assert read_scalar(analysed, url=pg_server) > 0
    # Sequences moved past the explicit ids: a normal insert still works.
    with get_engine(pg_server).begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO department (name, code, version, created_at, "
                "updated_at) VALUES ('New', 'NEW', 1, now(), now())"
            )
        )
