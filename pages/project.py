import streamlit as st

from components import data
from components.audit_history import audit_history
from components.health_table import health_legend
from components.layout import current_filter, current_version
from domain.filters import apply_filter
from domain.formatting import RAG_LABELS, fmt_date, fmt_money
from domain.health import DIMENSIONS, sort_worst_first

version = current_version()
projects = sort_worst_first(
    apply_filter(data.portfolio_health(version, data.today()), current_filter())
)
currency = data.settings(version)["currency"]
if projects.empty:
    st.warning("No project matches the filters.")
    st.stop()

codes = projects.code.tolist()
labels = dict(zip(projects.code, projects.code + " · " + projects.name, strict=True))
# The project code (not its label) goes in the URL so links stay short: ?project=PRJ-0042.
wanted = st.query_params.get("project")
code = st.selectbox(
    "Project", codes, index=codes.index(wanted) if wanted in codes else 0, format_func=labels.get
)
st.query_params["project"] = code
p = projects.set_index("code").loc[code]

st.title(f"{code} · {p['name']}")
st.caption(
    f"Manager **{p.manager or '—'}** · Sponsor **{p.sponsor or '—'}** · {p.program} · "
    f"{p.department} · Phase **{p.phase}** · Status **{p.status}** · Priority **{p.priority}**"
)
cols = st.columns(4)
cols[0].metric(
    "Overall health", RAG_LABELS[p.overall_rag] + (" (override)" if p.is_override else "")
)
cols[1].metric("Baseline finish", fmt_date(p.baseline_finish))
cols[2].metric(
    "Forecast finish",
    fmt_date(p.forecast_finish),
    f"{int(p.slip_days)} days",
    delta_color="inverse",
)
cols[3].metric(
    "Budget",
    fmt_money(p.approved_budget, currency, compact=True),
    f"EAC {fmt_money(p.forecast_at_completion, currency, compact=True)}",
    delta_color="off",
)
st.markdown("#### Health and why")
for dim in (*DIMENSIONS, "overall"):
    letter = p[f"{dim}_rag"]
    st.markdown(f"**{dim.capitalize()}: {letter} ({RAG_LABELS[letter]})** — {p[f'{dim}_why']}")
st.caption(health_legend())
st.markdown("#### Latest update")
if p.last_report_date:
    st.caption(f"{fmt_date(p.last_report_date)} by {p.report_author or 'unknown'}")
    st.text(p.summary or "")
else:
    st.info("No status update yet.")

st.markdown("#### History")
audit_history(version, int(p.id), code)
