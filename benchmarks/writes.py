"""Time form saves: each one a write, its audit row and its history row in one transaction."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import sqlalchemy as sa

from data_access.core.db import get_engine, session_scope
from data_access.core.writes import SYSTEM
from data_access.updates import commands


def _timed(fn, repeats: int) -> float:
    samples = []
    for i in range(repeats):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 2)


def first_active_project(url: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(
            sa.text("SELECT id FROM project WHERE status = 'active' ORDER BY id LIMIT 1")
        ).scalar()


def save_status_update(url: str, project_id: int, today: dt.date, i: int) -> None:
    """A project manager's weekly status update, as the form saves it."""
    with session_scope(url) as session:
        commands.submit_status_report(
            {
                "project_id": project_id,
                "report_date": today,
                "schedule_rag": "G",
                "cost_rag": "G",
                "scope_rag": "G",
                "risk_rag": "A",
                "summary": f"bench {i}",
                "percent_complete": 50,
                "cost_to_date": 1000 + i,
                "forecast_at_completion": 100_000,
            },
            session=session,
            actor=SYSTEM,
        )


def measure_writes(url: str, today: dt.date, repeats: int = 20) -> dict[str, float]:
    """Median ms of a status update, a milestone move and a risk re-assessment on `url`.

    Runs on a copy-worthy database: it appends real rows (benchmark databases are scratch).
    """
    project_id = first_active_project(url)
    with get_engine(url).connect() as conn:
        milestone_id = conn.execute(
            sa.text(
                "SELECT id FROM milestone WHERE actual_date IS NULL AND removed_on IS NULL "
                "ORDER BY id LIMIT 1"
            )
        ).scalar()
        risk_id = conn.execute(
            sa.text(
                "SELECT id FROM risk WHERE status = 'open' AND kind = 'threat' ORDER BY id LIMIT 1"
            )
        ).scalar()

    def version(table: str, row_id: int) -> int:
        with get_engine(url).connect() as conn:
            return conn.execute(
                sa.text(f"SELECT version FROM {table} WHERE id = :i"), {"i": row_id}
            ).scalar()

    def status_update(i):
        save_status_update(url, project_id, today, i)

    def milestone_move(i):
        v = version("milestone", milestone_id)
        with session_scope(url) as session:
            commands.move_milestone(
                milestone_id,
                today + dt.timedelta(days=30 + i % 7),
                reported_on=today,
                expected_version=v,
                session=session,
                actor=SYSTEM,
            )

    def risk_reassess(i):
        v = version("risk", risk_id)
        with session_scope(url) as session:
            commands.update_risk(
                risk_id,
                {"probability": 1 + i % 5},
                assessed_on=today,
                expected_version=v,
                session=session,
                actor=SYSTEM,
            )

    return {
        "status_update_ms": _timed(status_update, repeats),
        "milestone_move_ms": _timed(milestone_move, repeats),
        "risk_reassess_ms": _timed(risk_reassess, repeats),
    }
