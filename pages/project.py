import pandas as pd
import streamlit as st

from charts.health import LABEL_PX
from components.common import data
from components.common.audit_history import audit_history
from components.common.chart_cache import vega_spec
from components.common.filters import url_option
from components.common.layout import (
    current_filter,
    current_version,
    frozen_rows_chart,
    tabs_drawn_when_open,
)
from components.common.safe_text import md_escape
from components.gates.views import lifecycle_section
from components.lessons.views import (
    closing_lesson_form,
    project_lessons_section,
    similar_lessons_section,
)
from components.library.views import phase_documents
from components.portfolio import data as pdata
from components.recovery.views import project_path_to_green
from components.training.views import manager_warning
from domain.formatting import BAND_COLOURS, RAG_LABELS, fmt_date, fmt_money, fmt_money_short
from domain.health import DIMENSIONS
from domain.portfolio_view import OVERRIDE_MARK, week_span, weekly_project_cells
from domain.project_view import (
    MAX_MILESTONES,
    cost_series,
    milestone_states,
    risk_bands,
    timeline_rows,
)
from domain.recovery import on_time_until

BADGE = {"R": "red", "A": "orange", "G": "green", "S": "gray", "C": "blue"}
HISTORY_WEEKS = 26

version = current_version()
today = data.today()
config = data.settings(version)
currency = config["currency"]

# The picker offers the filtered projects, worst first; a link to a project outside the
# filter (?project=CODE) still opens it.
choices = data.picker_projects(version, today, current_filter())
names = dict(zip(choices.code, choices.name, strict=True))
wanted = st.query_params.get("project")
if wanted and wanted not in names:
    outside = pdata.project_health(version, today, wanted)
    if outside is not None:
        names = {wanted: outside["name"], **names}
if not names:
    st.warning("No project matches the filters. Clear a filter in the sidebar to see more.")
    st.stop()
codes = list(names)
title_box, picker_box = st.columns([3, 1], vertical_alignment="bottom")
with picker_box:
    code = url_option(
        st.selectbox,
        "Project",
        codes,
        "project",
        codes[0],
        format_func=lambda c: f"{c} · {names[c]}",
    )
p = pdata.project_health(version, today, code)
pid = int(p["id"])


def text(value, missing: str = "—") -> str:
    """User text, escaped for Markdown; `missing` for an empty or absent value."""
    return md_escape(value) if isinstance(value, str) and value.strip() else missing


def badge(letter: str, override: bool = False) -> str:
    mark = f" {OVERRIDE_MARK} override" if override else ""
    return f":{BADGE[letter]}-badge[{letter} · {RAG_LABELS[letter]}{mark}]"


# --- header --------------------------------------------------------------------------------
title_box.header(f"{text(code)} · {text(p['name'])}", anchor=False)
manager_warning(version, today, pid)
st.markdown(
    f"{badge(p.overall_rag, p.is_override)} · Manager **{text(p.manager)}** · "
    f"Sponsor **{text(p.sponsor)}** · {text(p.program)} · {text(p.department)} · "
    f"Phase **{p.phase}** · Status **{p.status}** · Priority **{p.priority}** · "
    f"Baseline {fmt_date(p.baseline_start)} to {fmt_date(p.baseline_finish)}"
)
cols = st.columns(6)
cols[0].metric("Baseline finish", fmt_date(p.baseline_finish))
cols[1].metric(
    "Forecast finish",
    fmt_date(p.forecast_finish),
    f"{int(p.slip_days):+d} days",
    "inverse",
    delta_arrow="off",
    delta_description="vs baseline",
)
for col, label, amount in (
    (cols[2], "Approved budget", p.approved_budget),
    (cols[3], "Actual cost to date", p.actual_cost),
):
    col.metric(label, fmt_money_short(amount, currency), help=fmt_money(amount, currency))
over = p.forecast_at_completion - p.approved_budget
cols[4].metric(
    "Forecast at completion",
    fmt_money_short(p.forecast_at_completion, currency),
    f"{'+' if over >= 0 else ''}{fmt_money_short(over, currency)}",
    "inverse",
    delta_arrow="off",
    delta_description="vs budget",
    help=fmt_money(p.forecast_at_completion, currency),
)
cols[5].metric("Complete", f"{p.percent_complete:.0f} %")


def overview() -> None:
    """Health and why, the latest update, the path to green, milestones, cost and history."""
    reports = pdata.project_reports(version, pid)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown("##### Health and why")
        for dim in ("overall", *DIMENSIONS):
            letter = p[f"{dim}_rag"]
            line = f"**{dim.capitalize()}** {badge(letter, dim == 'overall' and p.is_override)} "
            line += text(p[f"{dim}_why"])
            reported = p.get(f"reported_{dim}_rag")
            if dim != "scope" and isinstance(reported, str) and reported != letter:
                line += f" *The last update reported {RAG_LABELS[reported]}.*"
            st.markdown(line)
    with right:
        st.markdown("##### Latest update")
        if reports.empty:
            st.info("No status update yet.")
        else:
            last = reports.iloc[-1]
            saved_on = pd.Timestamp(last.created_at).date()
            late = saved_on > on_time_until(last.report_date, config)
            st.caption(
                f"{fmt_date(last.report_date)} by {text(last.author, 'unknown')}, saved "
                f"{fmt_date(saved_on)}: {'late' if late else 'on time'}"
            )
            for label, field in (
                ("Summary", "summary"),
                ("Achievements", "achievements"),
                ("Next steps", "next_steps"),
                ("Blockers", "blockers"),
            ):
                if text(last[field], ""):
                    st.markdown(f"**{label}:** {text(last[field])}")

    project_path_to_green(version, today, pid, p.overall_rag)

    # Milestones, cost, health history
    ms = milestone_states(pdata.project_milestones(version, pid), today)
    left, right = st.columns(2, gap="large")
    with left:
        shown = timeline_rows(ms, today)
        st.vega_lite_chart(
            vega_spec(
                "milestone_timeline",
                shown,
                today,
                title="Milestones: baseline (◇) against forecast",
            ),
            width="stretch",
        )
        counts = ms.state.value_counts()
        more = len(ms) - len(shown)
        st.caption(
            " · ".join(f"{state} {n}" for state, n in counts.items())
            + (
                f" · {more} more not drawn: the next {MAX_MILESTONES} open come first"
                if more
                else ""
            )
        )
        st.page_link(
            "pages/updates.py",
            label="Import or export the schedule (MS Project, Primavera)",
            icon=":material/upload_file:",
            query_params={"project": code, "section": "Schedule file"},
        )
    with right:
        st.vega_lite_chart(
            vega_spec(
                "cost_chart",
                cost_series(reports, p.approved_budget),
                currency=currency,
                title="Cost to date and forecast at completion against the budget",
            ),
            width="stretch",
        )
        weekly = pdata.project_weekly(version, today, pid, HISTORY_WEEKS)
        cells = weekly_project_cells(
            weekly, pd.DataFrame({"id": [pid], "code": [code], "name": [p["name"]]})
        )
        title = f"Overall health reported over the last {HISTORY_WEEKS} weeks{week_span(cells)}"
        frozen_rows_chart(
            vega_spec("weekly_heatmap", cells, title=title, row_title="Project"),
            title=title,
            label_px=LABEL_PX["weekly_heatmap"],
            box_key="project_weekly_heatmap_box",
            rows=len(cells),
        )


def open_risks() -> None:
    risks = pdata.project_risks(version, pid)
    st.subheader(f"Open risks ({len(risks)})", anchor=False)
    if risks.empty:
        st.caption("No open risks.")
    else:
        table = pd.DataFrame(
            {
                "Score": risks.score,
                "Band": risk_bands(risks.score, config),
                "Risk": risks.title,
                "Kind": risks.kind,
                "P × I": risks.probability.astype(str) + " × " + risks.impact.astype(str),
                "Residual": risks.residual,
                "Owner": risks.owner,
                "Response": risks.response,
                "Response due": risks.response_due.map(fmt_date),
                "Proximity": risks.proximity.map(fmt_date),
            }
        )
        st.dataframe(
            table.style.map(
                lambda band: f"background-color: {BAND_COLOURS[band]}; color: #1B1F24",
                subset=["Band"],
            ),
            hide_index=True,
            width="stretch",
        )


def lifecycle() -> None:
    lifecycle_section(
        version,
        today,
        pid,
        closing_lesson=closing_lesson_form(version, today, pid),
        phase_documents=phase_documents(version),
    )


def lessons() -> None:
    similar_lessons_section(version, today, pid)
    project_lessons_section(version, today, {"id": pid, "phase": p["phase"]})


def history() -> None:
    audit_history(version, pid, code)


# The sections under the header, each drawn only when its tab is open.
tabs_drawn_when_open(
    {
        "Overview": overview,
        "Risks": open_risks,
        "Lifecycle and gates": lifecycle,
        "Lessons": lessons,
        "History": history,
    }
)
