"""Vega-Lite specs of the chart builders, built once per input and data version.

Building an Altair chart and validating it costs tens of milliseconds per chart on every
rerun; a page that draws its charts from here pays it once, then unpickles a finished spec
and hands it to `st.vega_lite_chart` (which also takes `on_select`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from charts import capacity, gates, health, intake, money, project, recovery, stakeholders, training
from charts.specs import vega_lite

BUILDERS = {
    "dimension_heatmap": health.dimension_heatmap,
    "weekly_heatmap": health.weekly_heatmap,
    "concentration_heatmap": health.concentration_heatmap,
    "milestone_timeline": project.milestone_timeline,
    "cost_chart": project.cost_chart,
    "lifecycle_bar": gates.lifecycle_bar,
    "compliance_heatmap": gates.compliance_heatmap,
    "project_heatmap": gates.project_heatmap,
    "compliance_trend": gates.compliance_trend,
    "green_date_chart": recovery.green_date_chart,
    "capacity_heatmap": capacity.capacity_heatmap,
    "demand_chart": capacity.demand_chart,
    "spend_chart": money.spend_chart,
    "variance_bars": money.variance_bars,
    "power_interest_grid": stakeholders.power_interest_grid,
    "competence_heatmap": training.competence_heatmap,
    "frontier_chart": intake.frontier_chart,
    "capacity_use_heatmap": intake.capacity_use_heatmap,
    "benefits_chart": intake.benefits_chart,
}


@st.cache_data(max_entries=64, show_spinner=False)
def vega_spec(builder: str, data: pd.DataFrame, *args, **options) -> dict:
    """`charts.<builder>(data, *args, **options)` as a Vega-Lite spec (charts.specs), its
    title wrapping to the width the chart is drawn at."""
    return vega_lite(BUILDERS[builder](data, *args, **options))


def draw_chart(builder: str, data: pd.DataFrame, *args, element: dict | None = None, **options):
    """Draw `builder`'s chart of `data` from its spec built once per input (kept across
    reruns and saves that leave the chart's data as it was). `element` goes to
    st.vega_lite_chart (key, on_select, height...)."""
    spec = vega_spec(builder, data, *args, **options)
    return st.vega_lite_chart(spec=spec, width="stretch", **(element or {}))
