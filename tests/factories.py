"""Hand-made records for tests: a tiny organisation and projects with exactly the numbers a
test needs. Rows go straight in with SQLAlchemy core (no audit), like a fixture file would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from data_access.core.db import get_engine
from data_access.core.models import (
    Department,
    Milestone,
    Person,
    Portfolio,
    Program,
    Project,
    Risk,
    StatusReport,
    utcnow,
)


def _insert(url: str, model, **values) -> int:
    table = model.__table__
    for col in ("created_at", "updated_at"):
        if col in table.c:
            values.setdefault(col, utcnow())
    with get_engine(url).begin() as conn:
        return conn.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()


def make_org(url: str) -> dict[str, int]:
    """One portfolio, program and department; an admin, a portfolio manager, two PMs, a viewer."""
    dept = _insert(url, Department, name="IT", code="IT")
    other_dept = _insert(url, Department, name="Finance", code="FIN")
    ids = {"department": dept, "other_department": other_dept}
    for key, role, department in (
        ("admin", "admin", dept),
        ("portfolio_manager", "portfolio_manager", other_dept),
        ("pm", "project_manager", dept),
        ("other_pm", "project_manager", dept),
        ("viewer", "viewer", dept),
    ):
        ids[key] = _insert(
            url,
            Person,
            name=key.replace("_", " ").title(),
            email=f"{key}@example.org",
            role=role,
            department_id=department,
        )
    ids["portfolio"] = _insert(url, Portfolio, name="Main")
    ids["program"] = _insert(
        url,
        Program,
        portfolio_id=ids["portfolio"],
        name="Core",
        manager_id=ids["portfolio_manager"],
    )
    ids["other_program"] = _insert(url, Program, portfolio_id=ids["portfolio"], name="Other")
    return ids


def make_project(url: str, org: dict[str, int], code: str = "P-1", **overrides: Any) -> int:
    values = {
        "code": code,
        "name": f"Project {code}",
        "program_id": org["program"],
        "department_id": org["department"],
        "manager_id": org["pm"],
        "phase": "Execution",
        "status": "active",
        "priority": "medium",
        "baseline_start": dt.date(2026, 1, 1),
        "baseline_finish": dt.date(2026, 12, 31),
        "forecast_finish": dt.date(2026, 12, 31),
        "approved_budget": 100_000.0,
        "actual_cost": 50_000.0,
        "forecast_at_completion": 100_000.0,
        "percent_complete": 50.0,
    }
    values.update(overrides)
    return _insert(url, Project, **values)


def make_report(url: str, project_id: int, report_date: dt.date, **overrides: Any) -> int:
    values = {
        "project_id": project_id,
        "report_date": report_date,
        "schedule_rag": "G",
        "cost_rag": "G",
        "scope_rag": "G",
        "risk_rag": "G",
        "overall_rag": "G",
        "override_reason": "",
        "summary": "",
        "achievements": "",
        "next_steps": "",
        "blockers": "",
        "percent_complete": 50.0,
        "cost_to_date": 50_000.0,
        "forecast_at_completion": 100_000.0,
    }
    values.update(overrides)
    return _insert(url, StatusReport, **values)


def make_milestone(url: str, project_id: int, baseline: dt.date, **overrides: Any) -> int:
    values = {
        "project_id": project_id,
        "name": "Milestone",
        "baseline_date": baseline,
        "forecast_date": baseline,
        "added_on": dt.date(2026, 1, 1),
    }
    values.update(overrides)
    return _insert(url, Milestone, **values)


def make_risk(url: str, project_id: int, probability: int, impact: int, **overrides: Any) -> int:
    values = {
        "project_id": project_id,
        "title": "Risk",
        "probability": probability,
        "impact": impact,
        "raised_on": dt.date(2026, 1, 1),
        "last_assessed_on": dt.date(2026, 1, 1),
    }
    values.update(overrides)
    return _insert(url, Risk, **values)
