"""The path-to-green rules, kept below the forms so the write functions hold to them too:
when a status update must carry a recovery plan, and what a complete plan is."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
