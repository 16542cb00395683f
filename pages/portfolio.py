import streamlit as st

from components import data
from components.health_table import health_legend, project_health_table
from components.layout import current_filter, current_version
from domain.filters import apply_filter
from domain.formatting import RAG_LABELS, fmt_money

version = current_version()
today = data.today()
projects = apply_filter(data.portfolio_health(version, today), current_filter())
currency = data.settings(version)["currency"]

st.title("Portfolio overview")
active = projects[projects.status == "active"]
if projects.empty:
    st.warning("No project matches the filters. Clear a filter in the sidebar to see more.")
    st.stop()

counts = active.overall_rag.value_counts()
cols = st.columns(6)
cols[0].metric("Active projects", f"{len(active):,}")
for col, letter in zip(cols[1:5], ("R", "A", "S", "G"), strict=True):
    n = int(counts.get(letter, 0))
    share = f"{n / len(active):.0%}" if len(active) else "–"
    col.metric(RAG_LABELS[letter], f"{n:,}", share, delta_color="off")
cols[5].metric(
    "Budget vs forecast",
    fmt_money(active.approved_budget.sum(), currency, compact=True),
    f"EAC {fmt_money(active.forecast_at_completion.sum(), currency, compact=True)}",
    delta_color="off",
)
st.caption(health_legend())
project_health_table(projects)
