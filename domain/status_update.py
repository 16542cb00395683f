"""The weekly status update: pre-filling it, the computed health beside the PM's choice, and
the rule that a choice differing from the computed value needs a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_access.core.models import worst_rag
from domain.health import compute_health
from domain.labels import label

# Scope has no computed signal (PMO_DOMAIN.md): it is always the PM's call.
COMPUTED = ("schedule", "cost", "risk")
TEXTS = ("summary", "achievements", "next_steps", "blockers")


def computed_health(
    facts: dict[str, Any], settings: dict, today: dt.date, figures: dict[str, float]
) -> dict[str, tuple[str, str]]:
    """{dimension: (letter, why)} by the health rules, with the figures being entered (percent
    complete, cost to date and forecast at completion move the cost dimension)."""
    row = {
        **facts,
        "percent_complete": figures["percent_complete"],
        "actual_cost": figures["cost_to_date"],
        "forecast_at_completion": figures["forecast_at_completion"],
    }
    health = compute_health(pd.DataFrame([row]), settings, today).iloc[0]
    return {d: (health[f"{d}_rag"], health[f"{d}_why"]) for d in COMPUTED}


def prefill(
    previous: dict[str, Any] | None,
    project: dict[str, Any],
    computed: dict[str, tuple[str, str]],
    today: dt.date,
) -> dict[str, Any]:
    """The form's starting values: last week's words, the project's current figures, and per
    dimension the computed value unless last week's report deliberately differed (then that
    choice and its reason carry over, for the PM to confirm)."""
    previous = previous or {}
    overrode = bool((previous.get("override_reason") or "").strip())
    values: dict[str, Any] = {
        "report_date": today,
        "percent_complete": float(project["percent_complete"]),
        "cost_to_date": float(project["actual_cost"]),
        "forecast_at_completion": float(project["forecast_at_completion"]),
        "scope_rag": previous.get("scope_rag") or "G",
        "override_reason": previous.get("override_reason", "") if overrode else "",
        **{t: previous.get(t) or "" for t in TEXTS},
    }
    for dim in COMPUTED:
        values[f"{dim}_rag"] = previous.get(f"{dim}_rag") if overrode else computed[dim][0]
    return values


def differing(values: dict[str, Any], computed: dict[str, tuple[str, str]]) -> list[str]:
    """Dimensions where the PM's choice is not the computed value."""
    return [d for d in COMPUTED if values.get(f"{d}_rag") != computed[d][0]]


def check(values: dict[str, Any], computed: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The form's own rule, in words: a differing choice needs a reason."""
    differ = differing(values, computed)
    if differ and not (values.get("override_reason") or "").strip():
        which = ", ".join(
            f"{label(f'{d}_rag').lower()} (you: {values[f'{d}_rag']}, computed: {computed[d][0]})"
            for d in differ
        )
        return {"override_reason": f"is required: your rating differs for {which}. Say why."}
    return {}


def report_data(
    project_id: int, values: dict[str, Any], computed: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """The values for `commands.submit_status_report`: when the PM differs from the computed
    health, the worst of their choices becomes an override of the overall, with the reason."""
    differ = differing(values, computed)
    choices = [values.get(f"{d}_rag") for d in (*COMPUTED, "scope")]
    return {
        **values,
        "project_id": project_id,
        "override_rag": worst_rag(*choices) if differ else None,
        "override_reason": (values.get("override_reason") or "") if differ else "",
    }
