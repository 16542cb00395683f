"""The weekly update with its path to green: when a status update must carry a recovery
plan, what a complete plan is, and the write that stores the update, its plan and its recovery
actions together (keyword-only `session=` and `actor=`, permission, audit, one commit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.models import (
    Action,
    ActionBase,
    ActionCreate,
    RecoveryPlan,
    RecoveryPlanCreate,
    StatusReport,
)
from data_access.core.settings import DEFAULT_SETTINGS
from data_access.core.writes import (
    Actor,
    ValidationFailed,
    commit,
    fetch_row,
    insert_row,
    update_row,
    validate,
)
from data_access.updates.commands import stage_status_report

REQUIRED, ASKED = "required", "asked"


def plan_need(overall_rag: str, amber_setting: str) -> str | None:
    """'required', 'asked' or None for an update whose overall health is `overall_rag`.

    Red always requires a plan; Amber follows the PMO's setting (off, asked, required).
    """
    if overall_rag == "R":
        return REQUIRED
    if overall_rag == "A" and amber_setting in (REQUIRED, ASKED):
        return amber_setting
    return None


def causes(settings: dict) -> list[str]:
    """The PMO's list of causes, from the comma-separated setting."""
    return [c.strip() for c in str(settings["recovery_causes"]).split(",") if c.strip()]


def plan_given(plan: dict[str, Any]) -> bool:
    return bool(plan.get("cause") or plan.get("expected_green_date"))


def plan_problems(
    plan: dict[str, Any],
    new_actions: list[dict[str, Any]],
    *,
    need: str | None,
    report_date: dt.date | None,
    cause_list: list[str],
    open_actions: int,
) -> dict[str, str]:
    """{field: words} for the plan of an update: nothing when no plan is needed or given;
    else a cause from the list, a back-to-green date on or after the report, and, where a
    plan is required, at least one open recovery action. New actions need a title, an owner
    and a due date."""
    errors: dict[str, str] = {}
    for i, action in enumerate(new_actions):
        if not str(action.get("title") or "").strip():
            errors[f"actions.{i}"] = "each new recovery action needs a title"
        elif action.get("owner_id") is None:
            errors[f"actions.{i}"] = f"“{action['title']}” needs an owner"
        elif not isinstance(action.get("due_date"), dt.date):
            errors[f"actions.{i}"] = f"“{action['title']}” needs a due date"
    if need != REQUIRED and not plan_given(plan) and not new_actions:
        return errors
    why = "a Red update needs a path to green" if need == REQUIRED else "the plan needs it"
    if plan.get("cause") not in cause_list:
        errors["recovery_cause"] = f"is required: {why}. Choose the main cause."
    green = plan.get("expected_green_date")
    if not isinstance(green, dt.date):
        errors["expected_green_date"] = f"is required: {why}. When will it be Green again?"
    elif isinstance(report_date, dt.date) and green < report_date:
        errors["expected_green_date"] = "cannot be before the report date"
    if need == REQUIRED and open_actions + len(new_actions) == 0:
        errors["recovery_actions"] = (
            "are required: name at least one action that brings the project back to Green"
        )
    return errors


def _open_recovery_actions(session: Session, project_id: int) -> dict[int, dict]:
    rows = session.execute(
        sa.select(Action.__table__).where(
            Action.project_id == project_id, Action.origin == "recovery", Action.status == "open"
        )
    )
    return {row.id: dict(row._mapping) for row in rows}


def submit_update(
    report: dict[str, Any],
    plan: dict[str, Any],
    *,
    new_actions: list[dict[str, Any]],
    done_actions: dict[int, int],
    settings: dict,
    today: dt.date,
    session: Session,
    actor: Actor,
    expected_latest_report: int | None = None,
) -> int:
    """The weekly update with its path to green, in one transaction.

    `plan`: cause, expected_green_date, confidence, note (empty when none); `new_actions`:
    recovery actions to add (title, owner_id, due_date); `done_actions`: {action id: version
    the form saw} of open recovery actions the PM marks done. A plan is required when the
    update's overall health is Red (Amber by the PMO's setting) and refused when incomplete.
    """
    settings = {**DEFAULT_SETTINGS, **settings}
    report_id = stage_status_report(
        report,
        session=session,
        actor=actor,
        expected_latest_report=expected_latest_report,
        today=today,
    )
    stored = fetch_row(session, StatusReport, report_id)
    project_id = stored["project_id"]
    still_open = set(_open_recovery_actions(session, project_id)) - set(done_actions)
    need = plan_need(stored["overall_rag"], settings["recovery_plan_amber"])
    problems = plan_problems(
        plan,
        new_actions,
        need=need,
        report_date=stored["report_date"],
        cause_list=causes(settings),
        open_actions=len(still_open),
    )
    if problems:
        session.rollback()
        raise ValidationFailed(problems)
    if plan_given(plan):
        values = validate(RecoveryPlanCreate, {**plan, "project_id": project_id}).model_dump()
        values |= {
            "status_report_id": report_id,
            "report_date": stored["report_date"],
            "author_id": actor.person_id,
        }
        insert_row(session, RecoveryPlan, values, actor=actor, project_id=project_id)
    for action in new_actions:
        row = validate(
            ActionCreate,
            {**action, "project_id": project_id, "origin": "recovery", "status": "open"},
        )
        insert_row(session, Action, row.model_dump(), actor=actor, project_id=project_id)
    for action_id, version in done_actions.items():
        update_row(
            session,
            Action,
            action_id,
            {"status": "done", "closed_on": stored["report_date"]},
            expected_version=version,
            schema=ActionBase,
            actor=actor,
            project_id=project_id,
        )
    commit(session)
    return report_id
