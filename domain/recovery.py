"""Path to green in the status update and on the portfolio: what the form pre-fills and
checks, and which Red and Amber projects need the PMO's attention first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_access.core.models import worst_rag
from data_access.recovery.reads import COUNTS
from data_access.updates.commands import report_problems
from data_access.updates.recovery import causes, plan_need, plan_problems
from domain.health import sort_worst_first

NEW_ACTIONS = 3  # empty rows for new recovery actions in one update
ASKED_OF_WORDS = {
    "sponsor": "Sponsor",
    "portfolio_manager": "Portfolio manager",
    "steering_group": "Steering group",
}
PLAN_FIELDS = {
    "recovery_cause": "cause",
    "expected_green_date": "expected_green_date",
    "recovery_confidence": "confidence",
    "recovery_note": "note",
}


def prefill(plan: dict[str, Any] | None, open_actions: pd.DataFrame) -> dict[str, Any]:
    """Last update's plan, to confirm or change, and the open recovery actions (none done)."""
    plan = plan or {}
    values: dict[str, Any] = {form: plan.get(stored) for form, stored in PLAN_FIELDS.items()}
    values["recovery_confidence"] = values["recovery_confidence"] or "medium"
    values["recovery_note"] = values["recovery_note"] or ""
    values["open_actions"] = [
        {
            "id": int(a.id),
            "version": int(a.version),
            "title": a.title,
            "owner": a.owner,
            "due_date": a.due_date,
        }
        for a in open_actions[open_actions.status == "open"].itertuples()
    ]
    for action in values["open_actions"]:
        values[f"done_{action['id']}"] = False
    return values


def plan_from(values: dict[str, Any]) -> dict[str, Any]:
    """The plan as the write function takes it; empty when the PM gave none."""
    plan = {stored: values.get(form) for form, stored in PLAN_FIELDS.items()}
    if not plan["cause"] and not plan["expected_green_date"]:
        return {}
    return {**plan, "note": plan["note"] or ""}


def new_actions_from(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of new recovery actions the PM started (a title, an owner or a date)."""
    rows = []
    for i in range(1, NEW_ACTIONS + 1):
        row = {
            "title": (values.get(f"new_action_{i}_title") or "").strip(),
            "owner_id": values.get(f"new_action_{i}_owner"),
            "due_date": values.get(f"new_action_{i}_due"),
        }
        if row["title"] or row["owner_id"] is not None:
            rows.append(row)
    return rows


def done_actions_from(values: dict[str, Any]) -> dict[int, int]:
    """{action id: version the form saw} of the open actions ticked done."""
    return {a["id"]: a["version"] for a in values["open_actions"] if values.get(f"done_{a['id']}")}


def overall_of(report: dict[str, Any]) -> str:
    return report.get("override_rag") or worst_rag(
        *(report.get(f"{d}_rag") for d in ("schedule", "cost", "scope", "risk"))
    )


def check(
    values: dict[str, Any],
    report: dict[str, Any],
    settings: dict,
    project_start: dt.date,
    today: dt.date,
) -> dict[str, str]:
    """The update's date and summary rules and its path to green, {form field: words}."""
    errors = report_problems(values, project_start, today)
    new = new_actions_from(values)
    problems = plan_problems(
        plan_from(values),
        new,
        need=plan_need(overall_of(report), settings["recovery_plan_amber"]),
        report_date=values.get("report_date"),
        cause_list=causes(settings),
        open_actions=len(values["open_actions"]) - len(done_actions_from(values)),
    )
    started = [
        i
        for i in range(1, NEW_ACTIONS + 1)
        if values.get(f"new_action_{i}_title") or values.get(f"new_action_{i}_owner") is not None
    ]
    for key, message in problems.items():
        if key.startswith("actions."):
            key = f"new_action_{started[int(key.split('.')[1])]}_title"
        errors.setdefault(key, message)
    return errors


def on_time_until(report_date: dt.date, settings: dict) -> dt.date:
    """The last day an update for `report_date` still counts as on time."""
    return report_date + dt.timedelta(days=int(settings["status_on_time_days"]))


# --- the portfolio's recovery view --------------------------------------------------------


def recovery_view(health: pd.DataFrame, status: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Every active Red and Amber project with its recovery, most in need of attention first:
    an overdue escalation, then no plan or a back-to-green date already passed, then overdue
    recovery actions, then how often the date slipped, then how long it has been off Green;
    Red before Amber at each step. `attention` says why in words."""
    off = health[health.status.isin(("active", "on hold")) & health.overall_rag.isin(("R", "A"))]
    rows = sort_worst_first(off).merge(status, left_on="id", right_on="project_id", how="left")
    for column in COUNTS:
        rows[column] = rows[column].fillna(0).astype(int)
    rows["days_off_green"] = rows.off_green_since.map(
        lambda d: (today - d).days if isinstance(d, dt.date) else 0
    )
    rows["date_passed"] = rows.expected_green_date.map(
        lambda d: not isinstance(d, dt.date) or d < today
    )
    # Row by row over plain tuples: DataFrame.apply builds a Series per row, 5x slower.
    rows["attention"] = [_reasons(r, today) for r in rows.itertuples(index=False)]
    rows["red"] = rows.overall_rag == "R"
    return rows.sort_values(
        ["overdue_escalations", "date_passed", "overdue_actions", "slips", "days_off_green", "red"],
        ascending=False,
        kind="stable",
    ).reset_index(drop=True)


def _reasons(row, today: dt.date) -> str:
    why = []
    if row.overdue_escalations:
        why.append(f"{row.overdue_escalations} escalation(s) unanswered past their date")
    if not isinstance(row.expected_green_date, dt.date):
        why.append("no recovery plan")
    elif row.expected_green_date < today:
        why.append("back-to-green date passed")
    if row.overdue_actions:
        why.append(f"{row.overdue_actions} recovery action(s) overdue")
    if row.slips:
        why.append(f"date slipped {row.slips}×")
    return "; ".join(why) or "recovering on plan"
