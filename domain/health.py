"""Explainable project health (RAG) by the rules of PMO_DOMAIN.md.

Pure functions over DataFrames: every dimension gets a letter (G/A/R) and a sentence saying
which rule fired on which numbers. Overall is the worst of the dimensions unless the PM
overrode it with a reason; a project without a recent update is stale and never Green.

Thresholds come from the settings (`data_access.core.settings.DEFAULT_SETTINGS`). Comparisons use
the exact values; the sentences round them, with more decimals where plain rounding would put a
value on the wrong side of a threshold it is compared with (5.04 % shows as "5.04 %", not "5 %").
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_access.core.models import RAG
from domain import earned_value as ev
from domain.formatting import RAG_LABELS, fmt_dates

DIMENSIONS = ("schedule", "cost", "scope", "risk")
STALE = "S"
COMPLETED = "C"
RANK = {"R": 0, "A": 1, STALE: 2, "G": 3, COMPLETED: 4}  # worst first, as PMO_DOMAIN.md orders
# Projects that are not expected to report every week: never stale.
NOT_REPORTING = ("completed", "cancelled", "proposed")


def _band(value: pd.Series, amber: float, red: float, higher_is_worse: bool = True) -> np.ndarray:
    """G/A/R of `value`: Green up to `amber`, Amber up to `red`, Red beyond (or below)."""
    if higher_is_worse:
        return np.select([value > red, value > amber], ["R", "A"], "G")
    return np.select([value < red, value < amber], ["R", "A"], "G")


def _worst(*columns: np.ndarray) -> np.ndarray:
    stacked = np.vstack([np.vectorize(RAG.index)(c) for c in columns])
    return np.array(RAG)[stacked.max(axis=0)]


def fmt_near(value: float, edges: tuple[float, ...], decimals: int = 1) -> str:
    """`value` rounded to `decimals`, or more when rounding would make it equal an edge it isn't."""
    for places in range(decimals, decimals + 4):
        shown = round(float(value), places)
        if all(shown != e or float(value) == e for e in edges):
            break
    return f"{shown:,.{places}f}".rstrip("0").rstrip(".")


def compute_health(facts: pd.DataFrame, settings: dict, today: dt.date) -> pd.DataFrame:
    """Add `<dim>_rag` / `<dim>_why` for each dimension and `overall_rag` / `overall_why`.

    Also `computed_rag` (worst-of before any override), `is_override`, `is_stale`,
    `report_age_days` and `health_rank` (0 = worst) for sorting worst first.
    """
    df = facts.copy()
    if df.empty:
        for col in ("rag", "why"):
            for dim in (*DIMENSIONS, "overall", "computed"):
                df[f"{dim}_{col}"] = pd.Series(dtype=object)
        for col in ("is_override", "is_stale"):
            df[col] = pd.Series(dtype=bool)
        for col in ("health_rank", "report_age_days", "slip_days", "slip_pct", "cpi"):
            df[col] = pd.Series(dtype=float)
        return df

    _schedule(df, settings)
    _cost(df, settings)
    _scope(df)
    _risk(df, settings)
    _overall(df, settings, today)
    df["health_rank"] = df.overall_rag.map(RANK)
    return df


def _schedule(df: pd.DataFrame, s: dict) -> None:
    """Forecast finish slip as % of the baseline duration, raised to Amber by overdue milestones."""
    duration = (pd.to_datetime(df.baseline_finish) - pd.to_datetime(df.baseline_start)).dt.days
    slip = (pd.to_datetime(df.forecast_finish) - pd.to_datetime(df.baseline_finish)).dt.days
    slip_pct = slip / duration.clip(lower=1) * 100
    rag = _band(slip_pct, s["schedule_amber_pct"], s["schedule_red_pct"])
    overdue = df.overdue_milestones.fillna(0).astype(int)
    df["schedule_rag"] = np.where((overdue > 0) & (rag == "G"), "A", rag)
    df["slip_days"], df["slip_pct"] = slip, slip_pct
    edges = (s["schedule_amber_pct"], s["schedule_red_pct"])
    df["schedule_why"] = [
        _schedule_why(*row, edges)
        for row in zip(
            slip.tolist(),
            slip_pct.tolist(),
            duration.tolist(),
            overdue.tolist(),
            fmt_dates(df.baseline_finish),
            fmt_dates(df.forecast_finish),
            strict=True,
        )
    ]


def _schedule_why(slip, pct, duration, overdue, baseline_finish, forecast_finish, edges) -> str:
    amber, red = edges
    rule = f"(Amber above {amber:g} %, Red above {red:g} %)"
    if slip <= 0:
        text = (
            f"Forecast finish {forecast_finish} is on or before the baseline finish "
            f"{baseline_finish} {rule}."
        )
    else:
        text = (
            f"Forecast finish {forecast_finish} is {slip} days after the baseline "
            f"finish {baseline_finish}: {fmt_near(pct, edges)} % of the "
            f"{duration}-day plan {rule}."
        )
    if overdue:
        plural = "s are" if overdue > 1 else " is"
        text += f" {overdue} milestone{plural} overdue (at least Amber)."
    return text


def _cost(df: pd.DataFrame, s: dict) -> None:
    """EAC over the approved budget, and CPI where earned value exists: the worse of the two."""
    budget = df.approved_budget.astype(float)
    eac = df.forecast_at_completion.astype(float)
    over_pct = ev.eac_variance_pct(eac, budget)
    cost_eac = ev.variance_rag(over_pct, s["cost_amber_pct"], s["cost_red_pct"])
    actual = df.actual_cost.astype(float)
    earned = ev.earned_value(df.percent_complete.astype(float), budget)
    cpi = ev.cpi(earned, actual)
    cost_cpi = np.where(
        cpi.isna(), "G", _band(cpi.fillna(1), s["cpi_amber"], s["cpi_red"], higher_is_worse=False)
    )
    df["eac_over_pct"], df["earned_value"], df["cpi"] = over_pct, earned, cpi
    df["cost_rag"] = _worst(cost_eac, cost_cpi)
    df["cost_why"] = [
        _cost_why(*row, s)
        for row in zip(
            *(c.tolist() for c in (over_pct, cpi, eac, budget, actual, earned)), strict=True
        )
    ]


def _cost_why(over_pct, cpi, eac, budget, actual, earned, s) -> str:
    if pd.isna(over_pct):
        text = "No approved budget, so the forecast cannot be compared with one."
    else:
        edges = (s["cost_amber_pct"], s["cost_red_pct"])
        direction = "over" if over_pct > 0 else "under"
        text = (
            f"Forecast at completion {eac:,.0f} is {fmt_near(abs(over_pct), edges)} % "
            f"{direction} the approved budget {budget:,.0f} (Amber above {edges[0]:g} %, "
            f"Red above {edges[1]:g} %)."
        )
    if pd.isna(cpi):
        text += " No CPI yet (needs progress and cost to date)."
    else:
        edges = (s["cpi_amber"], s["cpi_red"])
        text += (
            f" CPI {fmt_near(cpi, edges, 2)}: earned value {earned:,.0f} for "
            f"{actual:,.0f} spent (Amber below {edges[0]:g}, Red below {edges[1]:g})."
        )
    return text


def _scope(df: pd.DataFrame) -> None:
    """Only the PM can say: the scope RAG of the latest status update."""
    reported = df.reported_scope_rag
    df["scope_rag"] = reported.fillna("G").to_numpy()
    df["scope_why"] = [
        "No status update has reported scope yet."
        if pd.isna(r)
        else f"Reported {RAG_LABELS[r]} by the project manager on {d}."
        for r, d in zip(reported.tolist(), fmt_dates(df.last_report_date), strict=True)
    ]


def _risk(df: pd.DataFrame, s: dict) -> None:
    """The highest open threat score against the risk bands (High is Amber, Critical is Red)."""
    high, critical = s["band_high_from"], s["band_critical_from"]
    score = df.max_risk_score.fillna(0).astype(int)
    df["risk_rag"] = np.select([score >= critical, score >= high], ["R", "A"], "G")
    df["risk_why"] = [
        f"Highest open risk score {sc} (Amber from {high}: High, Red from {critical}: Critical); "
        f"{n} open risk{'s' if n != 1 else ''} scored {high} or more."
        if sc
        else "No open threats."
        for sc, n in zip(score.tolist(), df.high_risks.fillna(0).astype(int).tolist(), strict=True)
    ]


def _overall(df: pd.DataFrame, s: dict, today: dt.date) -> None:
    """Worst-of, an override with a reason wins, stale is never Green, completed is C."""
    computed = _worst(*(df[f"{d}_rag"].to_numpy() for d in DIMENSIONS))
    df["computed_rag"] = computed
    has_reason = df.override_reason.fillna("").str.strip() != ""
    df["is_override"] = df.override_rag.notna() & has_reason
    overall = np.where(df.is_override, df.override_rag, computed)
    age = (pd.Timestamp(today) - pd.to_datetime(df.last_report_date)).dt.days
    df["report_age_days"] = age
    df["is_stale"] = (age.isna() | (age >= s["stale_days"])) & ~df.status.isin(NOT_REPORTING)
    overall = np.where(df.is_stale & (overall == "G"), STALE, overall)
    df["overall_rag"] = np.where(df.status == "completed", COMPLETED, overall)
    columns = [f"{d}_rag" for d in (*DIMENSIONS, "computed", "override")]
    columns += ["status", "is_override", "is_stale", "report_age_days"]
    columns += ["override_reason", "report_author"]
    rows = (
        df[columns]
        .astype(object)
        .assign(finished=fmt_dates(df.actual_finish), reported=fmt_dates(df.last_report_date))
    )
    df["overall_why"] = [_overall_why(r, s["stale_days"]) for r in rows.itertuples(index=False)]


def _overall_why(r, stale_days: int) -> str:
    if r.status == "completed":
        return f"Project completed{' on ' + r.finished if r.finished else ''}."
    dims = {d: getattr(r, f"{d}_rag") for d in DIMENSIONS}
    listing = ", ".join(f"{d} {v}" for d, v in dims.items())
    drivers = [d for d, v in dims.items() if v == r.computed_rag]
    if r.computed_rag == "G":
        text = f"All dimensions Green ({listing})."
    else:
        names = [d.capitalize() for d in drivers]
        who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        text = (
            f"{who} {'is' if len(names) == 1 else 'are'} {RAG_LABELS[r.computed_rag]}: "
            f"overall is the worst of the dimensions ({listing})."
        )
    if r.is_override:
        who = f" by {r.report_author}" if isinstance(r.report_author, str) else ""
        text = (
            f"Override: set to {RAG_LABELS[r.override_rag]}{who} on {r.reported}"
            f" because: {r.override_reason.strip()} (computed {RAG_LABELS[r.computed_rag]}: "
            f"{text})"
        )
    elif isinstance(r.override_rag, str):
        text += " An override without a reason was ignored."
    if r.is_stale:
        since = (
            f"no status update for {int(r.report_age_days)} days, since {r.reported}"
            if r.reported
            else "no status update yet"
        )
        text += f" Stale: {since} (stale from {stale_days} days)."
    return text


def sort_worst_first(df: pd.DataFrame) -> pd.DataFrame:
    """Red, Amber, stale, Green, then the biggest budgets: the order of PMO_DOMAIN.md."""
    return df.sort_values(
        ["health_rank", "approved_budget", "code"], ascending=[True, False, True], kind="stable"
    )


def health_counts(projects: pd.DataFrame) -> dict[str, int]:
    """Number of projects per overall letter (R, A, S, G, C), zeros included."""
    counts = projects.overall_rag.value_counts()
    return {letter: int(counts.get(letter, 0)) for letter in RANK}
