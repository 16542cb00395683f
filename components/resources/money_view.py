"""Money: budget, actual cost, forecast and variance per project, rolled up by program and
department; spend over time against plan; earned value, CPI and SPI where planned value is
known. Everything follows the shared filters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from components.common import data
from components.common.chart_cache import draw_chart
from components.common.data import Version
from components.common.widgets import pick, url_choice
from components.resources import data as rd
from domain import earned_value as ev
from domain.filters import PortfolioFilter
from domain.formatting import fmt_date, fmt_money, fmt_money_short

BY = rd.MONEY_BY
# Bars beyond this many groups stop being readable: the worst are shown, the rest counted.
MAX_BARS = 25


def _ratio(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.2f}"


def render(version: Version, today: dt.date, f: PortfolioFilter) -> None:
    projects = rd.filtered_projects(version, today, f)
    config = data.settings(version)
    currency = config["currency"]
    if projects.empty:
        st.warning("No project matches the filters. Clear a filter in the sidebar to see more.")
        return
    cols = st.columns([3, 2, 5])
    by = url_choice(cols[0], "Roll up by", BY, default="program", key="money_by")
    shape = url_choice(
        cols[1],
        "Planned curve",
        ev.PLAN_SHAPES,
        default="linear",
        key="plan",
        help="Used for projects that report no planned value.",
    )
    money = rd.money(version, today, f)
    _tiles(rd.money_total(version, today, f), currency)
    _spend(version, today, f, shape, currency)
    groups = rd.money_groups(version, today, f, by)
    _variance(groups, by, config, len(money))
    _table(groups, by, currency)
    _project(version, today, money, shape, currency)


def _tiles(total: dict, currency: str) -> None:
    cols = st.columns(6)
    for col, label, key in (
        (cols[0], "Budget (BAC)", "bac"),
        (cols[1], "Actual cost (AC)", "ac"),
        (cols[2], "Forecast (EAC)", "eac"),
    ):
        col.metric(
            label, fmt_money_short(total[key], currency), help=fmt_money(total[key], currency)
        )
    pct = total["variance_pct"]
    cols[3].metric(
        "Forecast variance",
        fmt_money_short(total["variance"], currency),
        "–" if pd.isna(pct) else f"{pct:+.1f} % of budget",
        delta_color="inverse",
    )
    cols[4].metric("CPI (EV / AC)", _ratio(total["cpi"]), help="Cost performance index.")
    cols[5].metric(
        "SPI (EV / PV)",
        _ratio(total["spi"]),
        help="Schedule performance index, over the projects whose planned value is known.",
    )


def _spend(version, today, f, shape: str, currency: str) -> None:
    history = rd.spend_history(version, today, f)
    unplanned = rd.projects_without_plan(version, today, f)
    curve = ev.spend_curve(history, unplanned, shape)
    reported = int(history.projects_with_pv.iloc[-1]) if len(history) else 0
    subtitle = (
        f"{ev.plan_sentence(reported, len(unplanned), shape)} "
        "EV = % complete x budget. Projects that stop reporting keep their last figures."
    )
    if len(history):
        last = history.iloc[-1]
        cpi, spi = ev.cpi([last.ev], [last.ac])[0], ev.spi([last.ev], [last.pv])[0]
        subtitle = f"On {fmt_date(last.report_date)}: CPI {_ratio(cpi)}, SPI {_ratio(spi)}. " + (
            subtitle
        )
    draw_chart(
        "spend_chart",
        curve,
        title="Spend to date against plan, cumulative",
        subtitle=subtitle,
        currency=currency,
        today=today,
    )


def _variance(groups: pd.DataFrame, by: str, config: dict, n_projects: int) -> None:
    shown = groups.sort_values("variance_pct", ascending=False).head(MAX_BARS)
    rest = len(groups) - len(shown)
    what = BY[by].lower() + "s"
    rule = (
        f"Colour and letter follow the cost rule of health (Amber above "
        f"{config['cost_amber_pct']:g} %, Red above {config['cost_red_pct']:g} %)."
    )
    subtitle = f"{len(groups):,} {what} of {n_projects:,} filtered projects. {rule}"
    if rest > 0:
        subtitle = (
            f"The {len(shown)} most over budget of {len(groups):,} {what} (and {rest:,} more "
            f"in the table below). {rule}"
        )
    draw_chart(
        "variance_bars",
        shown,
        by=by,
        title=f"Forecast at completion against budget, by {BY[by].lower()}",
        subtitle=subtitle,
        amber_pct=config["cost_amber_pct"],
        red_pct=config["cost_red_pct"],
    )


def _table(groups: pd.DataFrame, by: str, currency: str) -> None:
    table = pd.DataFrame(
        {
            BY[by]: groups[by],
            **({"Name": groups["name"]} if by == "code" else {"Projects": groups.projects}),
            "Cost": groups.rag,
            f"Budget ({currency})": groups.bac.round(0),
            f"Actual cost ({currency})": groups.ac.round(0),
            f"Forecast ({currency})": groups.eac.round(0),
            f"Variance ({currency})": groups.variance.round(0),
            "Variance %": groups.variance_pct.round(1),
            f"Earned value ({currency})": groups.ev.round(0),
            f"Planned value ({currency})": groups.pv.round(0),
            "CPI": groups.cpi.round(2),
            "SPI": groups.spi.round(2),
        }
    )
    money_format = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(600, 38 + 35 * len(table)),
        column_config={
            **{c: money_format for c in table.columns if c.endswith(f"({currency})")},
            "CPI": st.column_config.NumberColumn(format="%.2f"),
            "SPI": st.column_config.NumberColumn(format="%.2f"),
            "Variance %": st.column_config.NumberColumn(format="%+.1f"),
        },
    )


def _project(version, today, money: pd.DataFrame, shape: str, currency: str) -> None:
    st.subheader("One project's spend")
    ordered = money.sort_values("code")
    names = dict(zip(ordered.code, ordered.code + " " + ordered.name, strict=True))
    code = pick(
        st,
        "Project",
        names,
        placeholder="Choose a project",
        key="money_project",
        bind="query-params",
    )
    if code is None:
        st.caption("Choose a project to see its spend, earned value and plan over its life.")
        return
    row = money[money.code == code].iloc[0]
    reports = rd.project_reports(version, int(row.id))
    cols = st.columns(5)
    cols[0].metric("Budget (BAC)", fmt_money(row.bac, currency))
    cols[1].metric("Actual cost (AC)", fmt_money(row.ac, currency))
    cols[2].metric(
        "Forecast (EAC)",
        fmt_money(row.eac, currency),
        "–" if pd.isna(row.variance_pct) else f"{row.variance_pct:+.1f} % of budget",
        delta_color="inverse",
    )
    cols[3].metric("CPI", _ratio(row.cpi))
    cols[4].metric("SPI", _ratio(row.spi))
    actual = reports.melt(
        "report_date", ["ac", "ev"], var_name="series", value_name="amount"
    ).replace({"series": {"ac": "Actual cost (AC)", "ev": "Earned value (EV)"}})
    if reports.pv.notna().any():
        plan = reports[["report_date", "pv"]].dropna().rename(columns={"pv": "amount"})
        plan_words = "Plan: planned value as reported in the status updates."
    else:
        days = ev.days_between(row.baseline_start, row.baseline_finish)
        plan = pd.DataFrame(
            {
                "report_date": days,
                "amount": ev.planned_spend(row.to_frame().T, days, shape).to_numpy(),
            }
        )
        plan_words = f"Plan: no planned value reported, so the budget {ev.PLAN_WORDS[shape]}."
    curve = pd.concat([actual, plan.assign(series="Planned (PV)")], ignore_index=True)
    draw_chart(
        "spend_chart",
        curve,
        title=f"{row.code}: spend to date against plan, cumulative",
        subtitle=f"{plan_words} Baseline {fmt_date(row.baseline_start)} to "
        f"{fmt_date(row.baseline_finish)}, forecast finish {fmt_date(row.forecast_finish)}.",
        currency=currency,
        today=today,
        levels={"Budget": row.bac, "Forecast at completion": row.eac},
    )
