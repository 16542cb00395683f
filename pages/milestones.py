import pandas as pd
import streamlit as st

from components.common import data
from components.common.layout import current_filter, current_version
from components.milestones import data as milestone_data
from domain.formatting import fmt_date
from domain.milestones import (
    MTA_MAX_LINES,
    bei_series,
    burndown_status,
    default_mta_selection,
    headline,
    milestone_labels,
    weeks_between,
)

ALL = ""  # the picker's "whole filtered portfolio" choice; absent from the URL
BASELINES = {"Current": "current", "Original": "original"}

version = current_version()
today = data.today()
f = current_filter()
projects = milestone_data.project_choices(version, today, f)

st.title("Milestones")
if projects.empty:
    st.warning("No project matches the filters. Clear a filter in the sidebar to see more.")
    st.stop()

codes = projects["code"].tolist()
labels = dict(zip(codes, projects["label"].tolist(), strict=True))
options = [ALL, *codes]
# The code (not its label) goes in the URL, as on the project page: ?project=PRJ-0042.
wanted = st.query_params.get("project", ALL)
pick, against = st.columns([3, 2], vertical_alignment="bottom")
code = pick.selectbox(
    "Project",
    options,
    index=options.index(wanted) if wanted in options else 0,
    format_func=lambda c: labels.get(c, f"All {len(projects):,} projects in the filter"),
    help="One project, or every project the sidebar filter selects. Worst health first.",
)
if wanted and wanted not in options:
    st.info(
        f"{wanted} is not among the projects the sidebar filter selects: showing them all.",
        icon=":material/filter_alt:",
    )
if code:
    st.query_params["project"] = code
else:
    st.query_params.pop("project", None)
choice = against.segmented_control(
    "Baseline to compare with",
    list(BASELINES),
    default="Current",
    required=True,
    key="baseline",
    bind="query-params",
    help="Re-baselining moves a milestone's baseline; the original one stays in its history.",
)
baseline = BASELINES[choice]
project = code or None
settings = data.settings(version)

# --- headline and tiles ------------------------------------------------------------------
series = milestone_data.burndown(version, today, f, project, baseline)
status = burndown_status(series, today)
since, lists = milestone_data.slippage(version, today, f, project, baseline)
totals = {name: int(df["total"].iloc[0]) if len(df) else 0 for name, df in lists.items()}
bei = bei_series(series, today)
target = float(settings["bei_target"])

colour = "gray" if status is None else "red" if status.behind > 0 else "green"
st.markdown(f"## :{colour}[{headline(status)}]")
if status:
    finish = ""
    late = weeks_between(status.forecast_finish, status.planned_finish)
    if late:
        when = f"{abs(late)} week{'s' if abs(late) != 1 else ''}"
        finish = (
            f" The last milestone is forecast for {status.forecast_finish}, "
            f"{when} {'after' if late > 0 else 'before'} the plan ({status.planned_finish})."
        )
    st.markdown(
        f"{status.actual:,} milestones open today against {status.planned:,} planned by the "
        f"{baseline} baseline, of {status.scope:,} in the plan; "
        f"{totals['overdue']:,} are overdue.{finish}"
    )

tiles = st.columns(5)
now_bei = bei["bei"].iloc[-1] if len(bei) else float("nan")
last_week = bei["bei"].iloc[-2] if len(bei) > 1 else float("nan")
change = now_bei - last_week
moved = not pd.isna(change) and round(change, 2) != 0
tiles[0].metric(
    "Baseline Execution Index",
    "–" if pd.isna(now_bei) else f"{now_bei:.2f}",
    None if pd.isna(change) else f"{change:+.2f} vs last week" if moved else "same as last week",
    delta_color="normal" if moved else "off",
    delta_arrow="auto" if moved else "off",
    chart_data=bei["bei"].fillna(0).tolist() if bei["bei"].notna().any() else None,
    help=f"Milestones completed / milestones whose baseline date has passed (DCMA). "
    f"Target {target:.2f} or more. Trend: last 13 weeks.",
    border=True,
)
tiles[1].metric(
    "Behind plan" if not status or status.behind >= 0 else "Ahead of plan",
    f"{abs(status.behind):,}" if status else "–",
    help="Open milestones today minus the open milestones the baseline planned for today.",
    border=True,
)
tiles[2].metric(
    "Overdue",
    f"{totals['overdue']:,}",
    help="Open milestones whose forecast date has passed.",
    border=True,
)
tiles[3].metric(
    "Due in 2 weeks",
    f"{totals['due_2_weeks']:,}",
    f"{totals['due_4_weeks']:,} in 4 weeks",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
tiles[4].metric(
    "Slipped since last report",
    f"{totals['slipped']:,}",
    f"since {fmt_date(since)}",
    delta_color="off",
    delta_arrow="off",
    border=True,
)

# --- burndown and BEI --------------------------------------------------------------------
burndown_spec, bei_spec = milestone_data.burndown_specs(
    version, today, f, project, baseline, target
)
left, right = st.columns([3, 1])
left.vega_lite_chart(spec=burndown_spec, width="stretch", alt=headline(status))
right.vega_lite_chart(spec=bei_spec, width="stretch")

# --- milestone trend analysis (one project) ------------------------------------------------
st.markdown("### Milestone trend analysis")
if project is None:
    st.caption(
        "Pick a project above to see how each of its milestones' forecast moved from report "
        "to report."
    )
else:
    project_id = int(projects.set_index("code").id[project])
    history = milestone_data.project_history(version, project_id)
    names = pd.Series(milestone_labels(history).to_numpy(), index=history["milestone_id"])
    names = names[~names.index.duplicated()]
    chosen = st.multiselect(
        f"Milestones shown (at most {MTA_MAX_LINES}; key milestones and the most moved first)",
        names.index.tolist(),
        default=default_mta_selection(history),
        format_func=names.get,
        max_selections=MTA_MAX_LINES,
        key=f"mta_{project}",
    )
    spec = milestone_data.trend_spec(version, project_id, today, tuple(chosen))
    st.vega_lite_chart(spec=spec, width="content")

# --- slippage lists ----------------------------------------------------------------------
st.markdown("### Slippage")
TABS = {
    "slipped": (f"Slipped since {fmt_date(since)}", "slipped_days", "Slipped by (days)"),
    "most_slipped": ("Most slipped vs baseline", "slip_days", "Late vs baseline (days)"),
    "due_2_weeks": ("Due in 2 weeks", "due_in_days", "Due in (days)"),
    "due_4_weeks": ("Due in 4 weeks", "due_in_days", "Due in (days)"),
    "overdue": ("Overdue", "overdue_days", "Overdue by (days)"),
}
for tab, (name, (_title, days, days_label)) in zip(
    st.tabs([f"{t[0]} ({totals[n]:,})" for n, t in TABS.items()]), TABS.items(), strict=True
):
    rows = lists[name]
    if rows.empty:
        tab.info("No milestone in this list.")
        continue
    table = pd.DataFrame(
        {
            "Project": "/project?project=" + rows["code"],
            "Name": rows["project"],
            "Milestone": rows["milestone"] + rows["is_key"].map({True: " (key)", False: ""}),
            days_label: rows[days],
            "Baseline": rows["baseline_date"],
            **({"Previous forecast": rows["previous_forecast"]} if name == "slipped" else {}),
            "Forecast": rows["forecast_date"],
        }
    )
    date_column = st.column_config.DateColumn(format="DD MMM YYYY")
    tab.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Project": st.column_config.LinkColumn(
                "Project", display_text=r"project=(.*)$", width="small"
            ),
            "Baseline": date_column,
            "Previous forecast": date_column,
            "Forecast": date_column,
        },
    )
    if totals[name] > len(rows):
        tab.caption(
            f"The first {len(rows):,} of {totals[name]:,}, worst first. "
            "Narrow the filter or pick a project to see the rest."
        )
