"""Money and earned value by the formulas of PMO_DOMAIN.md, as pure functions.

BAC is the approved budget, AC the actual cost to date, EAC the forecast at completion.
Where planned value (PV) is known: EV = percent complete x BAC, CPI = EV / AC, SPI = EV / PV.
The cost dimension of project health (domain.health) uses these same functions.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

PLAN_SHAPES = ("linear", "S-curve")
PLAN_WORDS = {
    "linear": "spread evenly from baseline start to baseline finish",
    "S-curve": "S-curve (slow start, fast middle, slow finish) from baseline start to finish",
}


def earned_value(percent_complete, bac):
    """EV: the budgeted cost of the work done."""
    return percent_complete / 100 * bac


def cpi(ev, ac):
    """Cost performance index EV / AC; missing (NaN) until there is both cost and progress."""
    ev, ac = pd.Series(ev, dtype=float), pd.Series(ac, dtype=float)
    return ev / ac.where((ac > 0) & (ev > 0))


def spi(ev, pv):
    """Schedule performance index EV / PV; missing where planned value is not known."""
    ev, pv = pd.Series(ev, dtype=float), pd.Series(pv, dtype=float)
    return ev / pv.where(pv > 0)


def eac_variance(eac, bac):
    """EAC minus budget: positive is a forecast overrun."""
    return eac - bac


def eac_variance_pct(eac, bac):
    """EAC over budget as % of the budget; missing without a budget."""
    bac = pd.Series(bac, dtype=float)
    return (pd.Series(eac, dtype=float) - bac) / bac.where(bac > 0) * 100


def variance_rag(variance_pct, amber_pct: float, red_pct: float) -> np.ndarray:
    """Cost letter of an EAC variance: Green up to `amber_pct` over budget, Amber up to
    `red_pct`, Red beyond; Green without a budget (nothing to be over)."""
    pct = pd.Series(variance_pct, dtype=float).to_numpy()
    return np.select([pct > red_pct, pct > amber_pct], ["R", "A"], "G")


def plan_fraction(progress: np.ndarray, shape: str = "linear") -> np.ndarray:
    """Share of the budget planned to be spent at `progress` (0 = baseline start, 1 = finish).

    The S-curve is the smoothstep 3x^2 - 2x^3: a common stand-in for the spend profile of a
    project when no cost-loaded schedule exists.
    """
    x = np.clip(np.asarray(progress, dtype=float), 0.0, 1.0)
    if shape == "S-curve":
        return x * x * (3 - 2 * x)
    if shape != "linear":
        raise ValueError(f"plan shape must be one of {PLAN_SHAPES}")
    return x


def planned_spend(projects: pd.DataFrame, days, shape: str = "linear") -> pd.Series:
    """Planned cumulative spend of `projects` (approved_budget, baseline_start, baseline_finish)
    on each of `days`, summed over the projects: the plan where no planned value is reported."""
    days = pd.to_datetime(pd.Series(list(days)))
    if projects.empty or days.empty:
        return pd.Series(0.0, index=days.dt.date)
    start = pd.to_datetime(projects.baseline_start).to_numpy()
    finish = pd.to_datetime(projects.baseline_finish).to_numpy()
    duration = np.maximum((finish - start) / np.timedelta64(1, "D"), 1.0)
    elapsed = (days.to_numpy()[:, None] - start[None, :]) / np.timedelta64(1, "D")
    spent = plan_fraction(elapsed / duration, shape) * projects.approved_budget.to_numpy(float)
    return pd.Series(spent.sum(axis=1), index=days.dt.date)


# --- per project and rolled up -----------------------------------------------------------

MONEY_COLUMNS = ["bac", "ac", "eac", "variance", "variance_pct", "ev", "pv", "cpi", "spi"]


def project_money(projects: pd.DataFrame) -> pd.DataFrame:
    """Money figures per project from a health table (approved_budget, actual_cost,
    forecast_at_completion, percent_complete, planned_value of the latest report)."""
    df = projects.copy()
    df["bac"] = df.approved_budget.astype(float)
    df["ac"] = df.actual_cost.astype(float)
    df["eac"] = df.forecast_at_completion.astype(float)
    df["variance"] = eac_variance(df.eac, df.bac)
    df["variance_pct"] = eac_variance_pct(df.eac, df.bac).to_numpy()
    df["ev"] = earned_value(df.percent_complete.astype(float), df.bac)
    df["pv"] = pd.to_numeric(df.planned_value, errors="coerce")
    df["cpi"] = cpi(df.ev, df.ac).to_numpy()
    df["spi"] = spi(df.ev, df.pv).to_numpy()
    return df


def rollup(money: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sums per group and the group's own ratios (not an average of the projects' ratios).

    SPI counts only the projects whose planned value is known, so a project without a plan
    neither helps nor hurts it.
    """
    known = money.pv.notna()
    frame = money.assign(
        ev_known_pv=money.ev.where(known, 0.0),
        pv_known=money.pv.where(known, 0.0),
        ev_with_cost=money.ev.where(money.ac > 0, 0.0),
        projects=1,
    )
    sums = frame.groupby(by, dropna=False)[
        ["projects", "bac", "ac", "eac", "ev", "ev_known_pv", "pv_known", "ev_with_cost"]
    ].sum()
    sums["variance"] = eac_variance(sums.eac, sums.bac)
    sums["variance_pct"] = eac_variance_pct(sums.eac, sums.bac).to_numpy()
    sums["cpi"] = cpi(sums.ev_with_cost, sums.ac).to_numpy()
    sums["spi"] = spi(sums.ev_known_pv, sums.pv_known).to_numpy()
    sums["pv"] = sums.pv_known.where(sums.pv_known > 0)
    return sums.reset_index()[[by, "projects", *MONEY_COLUMNS]]


def total(money: pd.DataFrame) -> dict:
    """The whole (filtered) portfolio as one row of `rollup`."""
    row = rollup(money.assign(_all="all"), "_all")
    return row.drop(columns="_all").iloc[0].to_dict() if len(row) else {}


def spend_curve(
    history: pd.DataFrame,
    unplanned: pd.DataFrame,
    shape: str = "linear",
) -> pd.DataFrame:
    """Cumulative actual cost, earned value and planned spend by reporting day, long format.

    `history` is the SQL roll-up of the status reports (report_date, ac, ev, pv); the plan is
    the reported planned value plus, for the projects that report none (`unplanned`), the
    `shape` plan from their baseline dates and budget.
    """
    if history.empty:
        return pd.DataFrame(columns=["report_date", "series", "amount"])
    days = history.report_date.tolist()
    plan = history.pv.fillna(0).to_numpy() + planned_spend(unplanned, days, shape).to_numpy()
    wide = pd.DataFrame(
        {
            "report_date": days,
            "Actual cost (AC)": history.ac.to_numpy(float),
            "Earned value (EV)": history.ev.to_numpy(float),
            "Planned (PV)": plan,
        }
    )
    return wide.melt("report_date", var_name="series", value_name="amount")


def plan_sentence(n_reported: int, n_derived: int, shape: str) -> str:
    """Says on the chart where the planned curve comes from."""
    parts = []
    if n_reported:
        parts.append(f"planned value reported by {n_reported:,} project(s)")
    if n_derived:
        parts.append(
            f"for {n_derived:,} project(s) without reported planned value, the budget "
            f"{PLAN_WORDS[shape]}"
        )
    return "Plan: " + "; ".join(parts) + "." if parts else "No plan: no budget or dates."


def days_between(first: dt.date, last: dt.date, step_days: int = 7) -> list[dt.date]:
    """Every `step_days` from first to last inclusive (a project's plan drawn across its life)."""
    n = max(0, (last - first).days // step_days)
    days = [first + dt.timedelta(days=step_days * i) for i in range(n + 1)]
    return days if days[-1] == last else [*days, last]
