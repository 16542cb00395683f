"""Explainable project health (RAG) by the rules of PMO_DOMAIN.md.

Pure functions over DataFrames: every dimension gets a letter (G/A/R) and a sentence saying
which rule fired on which numbers. Overall is the worst of the dimensions unless the PM
overrode it with a reason; a project without a recent update is stale and never Green.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_access.models import RAG
from domain import earned_value as ev
from domain.formatting import fmt_date

DIMENSIONS = ("schedule", "cost", "scope", "risk")
STALE = "S"
RANK = {"R": 0, "A": 1, STALE: 2, "G": 3, "C": 4}  # worst first, as PMO_DOMAIN.md orders
INACTIVE = ("completed", "cancelled", "proposed")


def _band(value: pd.Series, amber: float, red: float, higher_is_worse: bool = True) -> np.ndarray:
    if higher_is_worse:
        return np.select([value > red, value > amber], ["R", "A"], "G")
    return np.select([value < red, value < amber], ["R", "A"], "G")


def _worst(*columns: np.ndarray) -> np.ndarray:
    stacked = np.vstack([np.vectorize(RAG.index)(c) for c in columns])
    return np.array(RAG)[stacked.max(axis=0)]


def compute_health(facts: pd.DataFrame, settings: dict, today: dt.date) -> pd.DataFrame:
    """Add `<dim>_rag` / `<dim>_why` for each dimension and `overall_rag` / `overall_why`.

    Also `computed_rag` (worst-of before any override), `is_override`, `is_stale` and
    `health_rank` (0 = worst) for sorting worst first.
    """
    df = facts.copy()
    if df.empty:
        for col in ("rag", "why"):
            for dim in (*DIMENSIONS, "overall", "computed"):
                df[f"{dim}_{col}"] = pd.Series(dtype=object)
        df["is_override"] = df["is_stale"] = pd.Series(dtype=bool)
        df["health_rank"] = pd.Series(dtype=int)
        return df

    # Schedule: forecast finish slip as % of the baseline duration, raised by overdue milestones.
    duration = (pd.to_datetime(df.baseline_finish) - pd.to_datetime(df.baseline_start)).dt.days
    slip = (pd.to_datetime(df.forecast_finish) - pd.to_datetime(df.baseline_finish)).dt.days
    slip_pct = (slip / duration.clip(lower=1) * 100).round(1)
    sched = _band(slip_pct, settings["schedule_amber_pct"], settings["schedule_red_pct"])
    overdue = df.overdue_milestones.astype(int)
    sched = np.where((overdue > 0) & (sched == "G"), "A", sched)
    df["slip_days"], df["slip_pct"] = slip, slip_pct
    df["schedule_rag"] = sched
    df["schedule_why"] = [
        _schedule_why(s, p, d, o, bf, ff, settings)
        for s, p, d, o, bf, ff in zip(
            slip, slip_pct, duration, overdue, df.baseline_finish, df.forecast_finish, strict=True
        )
    ]

    # Cost: EAC over budget, and CPI where earned value exists; the worse of the two.
    budget = df.approved_budget.astype(float)
    over_pct = ev.eac_variance_pct(df.forecast_at_completion, budget).round(1)
    cost_eac = ev.variance_rag(over_pct, settings["cost_amber_pct"], settings["cost_red_pct"])
    earned = ev.earned_value(df.percent_complete.astype(float), budget)
    cpi = ev.cpi(earned, df.actual_cost).round(2)
    has_ev = cpi.notna()
    cost_cpi = np.where(
        has_ev, _band(cpi.fillna(1), settings["cpi_amber"], settings["cpi_red"], False), "G"
    )
    df["eac_over_pct"], df["earned_value"], df["cpi"] = over_pct, earned, cpi
    df["cost_rag"] = _worst(cost_eac, cost_cpi)
    df["cost_why"] = [
        _cost_why(o, c, e, b, settings)
        for o, c, e, b in zip(over_pct, cpi, df.forecast_at_completion, budget, strict=True)
    ]

    # Scope: only the PM can say.
    scope = df.reported_scope_rag.fillna("G")
    df["scope_rag"] = scope.to_numpy()
    df["scope_why"] = np.where(
        df.reported_scope_rag.isna(),
        "No status update has reported scope yet.",
        "As reported by the project manager in the latest update.",
    )

    # Risk: the highest open threat score against the bands.
    score = df.max_risk_score.fillna(0).astype(int)
    df["risk_rag"] = np.select(
        [score >= settings["band_critical_from"], score >= settings["band_high_from"]],
        ["R", "A"],
        "G",
    )
    df["risk_why"] = [
        f"Highest open risk score {s} (Amber from {settings['band_high_from']}: High, "
        f"Red from {settings['band_critical_from']}: Critical)."
        if s
        else "No open risks."
        for s in score
    ]

    # Overall: worst-of, an override with a reason wins, stale is never Green.
    computed = _worst(*(df[f"{d}_rag"].to_numpy() for d in DIMENSIONS))
    df["computed_rag"] = computed
    override = df.override_rag.where(df.override_reason.fillna("").str.strip() != "")
    df["is_override"] = override.notna()
    overall = np.where(df.is_override, override, computed)
    age = (pd.Timestamp(today) - pd.to_datetime(df.last_report_date)).dt.days
    df["report_age_days"] = age
    df["is_stale"] = (age.isna() | (age > settings["stale_days"])) & ~df.status.isin(INACTIVE)
    overall = np.where(df.is_stale & (overall == "G"), STALE, overall)
    df["overall_rag"] = np.where(df.status == "completed", "C", overall)
    dims = [
        ", ".join(f"{d} {r}" for d, r in zip(DIMENSIONS, row, strict=True))
        for row in df[[f"{d}_rag" for d in DIMENSIONS]].itertuples(index=False)
    ]
    df["overall_why"] = [
        _overall_why(
            r.overall_rag,
            r.computed_rag,
            r.is_override,
            r.override_reason,
            r.is_stale,
            r.report_age_days,
            r.last_report_date,
            d,
            r.status,
        )
        for r, d in zip(df.itertuples(index=False), dims, strict=True)
    ]
    df["health_rank"] = df.overall_rag.map(RANK)
    return df


def _schedule_why(slip, pct, duration, overdue, baseline_finish, forecast_finish, s) -> str:
    if slip <= 0:
        text = (
            f"Forecast finish {fmt_date(forecast_finish)} is on or before the baseline "
            f"{fmt_date(baseline_finish)}."
        )
    else:
        text = (
            f"Forecast finish {fmt_date(forecast_finish)} is {slip} days after the baseline "
            f"{fmt_date(baseline_finish)}: {pct:g} % of the {duration}-day plan "
            f"(Amber above {s['schedule_amber_pct']:g} %, Red above {s['schedule_red_pct']:g} %)."
        )
    if overdue:
        text += f" {overdue} overdue milestone{'s' if overdue > 1 else ''} (at least Amber)."
    return text


def _cost_why(over_pct, cpi, eac, budget, s) -> str:
    if pd.isna(over_pct):
        text = "No approved budget."
    else:
        direction = "over" if over_pct > 0 else "under"
        text = (
            f"Forecast at completion {eac:,.0f} is {abs(over_pct):g} % {direction} the "
            f"budget {budget:,.0f} (Amber above {s['cost_amber_pct']:g} %, "
            f"Red above {s['cost_red_pct']:g} %)."
        )
    if not pd.isna(cpi):
        text += f" CPI {cpi:.2f} (Amber below {s['cpi_amber']:g}, Red below {s['cpi_red']:g})."
    return text


def _overall_why(
    overall, computed, is_override, reason, stale, age, last_date, dims, status
) -> str:
    if status == "completed":
        return "Project completed."
    text = f"Worst of the dimensions ({dims}) is {computed}."
    if is_override:
        text = f"Overridden to {overall} by the project manager: {reason} (computed: {computed})."
    if stale:
        when = (
            f"no status update since {fmt_date(last_date)} ({int(age)} days)"
            if last_date
            else "no status update yet"
        )
        text += f" Stale: {when}."
    return text


def sort_worst_first(df: pd.DataFrame) -> pd.DataFrame:
    """Red, Amber, stale, Green, then the biggest budgets: the order of PMO_DOMAIN.md."""
    return df.sort_values(["health_rank", "approved_budget"], ascending=[True, False])
