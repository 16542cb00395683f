import streamlit as st

from charts.health import LABEL_PX, PROJECT_SELECTIONS
from components.common import data
from components.common.chart_cache import vega_spec
from components.common.filters import query_params, url_option
from components.common.layout import current_filter, current_version, frozen_rows_chart
from components.portfolio import data as pdata
from components.portfolio.views import health_legend, project_health_table
from components.training.views import competence_section
from domain.filters import apply_filter
from domain.formatting import RAG_LABELS, fmt_date, fmt_money, fmt_money_short
from domain.health import sort_worst_first
from domain.portfolio_view import TILE_LETTERS, kpi_changes, week_span

version = current_version()
today = data.today()
f = current_filter()
currency = data.settings(version)["currency"]

st.title("Portfolio overview")

tiles_box = st.container()
controls = st.columns([2, 3, 2, 3], vertical_alignment="bottom")
with controls[0]:
    # Many projects spread over many programs: departments make fewer, fuller blocks.
    group = url_option(
        st.segmented_control,
        "Group projects by",
        list(pdata.GROUPS),
        "group",
        "Program" if pdata.matching_count(version, today, f) <= pdata.PAGE_SIZE else "Department",
    )
with controls[2]:
    weeks = int(url_option(st.segmented_control, "Weeks", ["13", "26"], "weeks", "13"))
# The page and heatmap 2's rows have defaults that depend on how many projects match: read
# them from the URL now, draw their pickers once the overview knows.
wanted_page = st.query_params.get("page", "1")
o = pdata.overview(
    version,
    today,
    f,
    group,
    st.query_params.get("rows"),
    weeks,
    int(wanted_page) if wanted_page.isdigit() else 1,
)
with controls[1]:
    url_option(
        st.selectbox,
        "Projects shown",
        [str(p) for p in range(1, o.pages + 1)],
        "page",
        "1",
        format_func=lambda p: (
            f"{(int(p) - 1) * pdata.PAGE_SIZE + 1:,}–"
            f"{min(int(p) * pdata.PAGE_SIZE, o.n_projects):,} of {o.n_projects:,}, worst first"
        ),
    )
with controls[3]:
    url_option(st.segmented_control, "Health over time by", list(pdata.ROWS), "rows", o.rows)

if o.n_projects == 0:
    st.warning("No project matches the filters. Clear a filter in the sidebar to see more.")
    st.stop()

# --- tiles ---------------------------------------------------------------------------------
change = kpi_changes(o.now, o.before)
since = f"since {o.since:%d %b}"
active = o.now["active"]
tiles = tiles_box.columns(8)
tiles[0].metric(
    "Active projects", f"{active:,}", int(change["active"]), "off", delta_description=since
)
for tile, letter in zip(tiles[1:5], TILE_LETTERS, strict=True):
    n = o.now[letter]
    share = f" · {n / active:.0%}" if active else ""
    tile.metric(
        f"{RAG_LABELS[letter]}{share}",
        f"{n:,}",
        int(change[letter]),
        "normal" if letter == "G" else "inverse",
        delta_description=since,
        help=f"Active projects whose overall health is {RAG_LABELS[letter]} "
        f"({o.before[letter]:,} on {fmt_date(o.since)}).",
    )
over = o.now["eac"] - o.now["budget"]
tiles[5].metric(
    "Forecast vs budget",
    fmt_money_short(o.now["eac"], currency),
    fmt_money_short(change["eac"], currency),
    "inverse",
    delta_description=since,
    help=f"Forecast at completion (EAC) of the active projects: {fmt_money(o.now['eac'], currency)}"
    f", against their approved budget "
    f"{fmt_money(o.now['budget'], currency)}: {'+' if over >= 0 else ''}"
    f"{fmt_money(over, currency)}.",
)
for tile, key, label, about in (
    (tiles[6], "overdue", "Overdue milestones", "Open milestones whose forecast date has passed"),
    (tiles[7], "high_risks", "High & critical risks", "Open threats in the High or Critical band"),
):
    tile.metric(
        label,
        f"{o.now[key]:,}",
        int(change[key]),
        "inverse",
        delta_description=since,
        help=f"{about}, in active projects ({o.before[key]:,} on {fmt_date(o.since)}).",
    )
tiles_box.caption(
    f"Tiles count the {active:,} active projects of {o.n_projects:,} matching the filters, "
    f"compared with the previous reporting week (as the data stood on {fmt_date(o.since)}). "
    + health_legend()
)

# --- heatmaps ------------------------------------------------------------------------------
left, right = st.columns([5, 6], gap="large")
with left:
    more = o.n_projects - len(o.shown)
    if more:
        st.caption(
            f"{len(o.shown):,} projects shown and {more:,} more: page through them above, "
            "narrow the filters, or list them all below."
        )
    title = f"Health by dimension, worst first, grouped by {group.lower()}"
    event = frozen_rows_chart(
        vega_spec("dimension_heatmap", o.dimension_cells, group_title=group, title=title),
        title=title,
        label_px=LABEL_PX["dimension_heatmap"],
        rows=len(o.dimension_cells),
        box_key="dimension_heatmap_box",
        on_select="rerun",
        selection_mode=list(PROJECT_SELECTIONS),
        key="dimension_heatmap",
    )
    picked = [
        point["code"] for name in PROJECT_SELECTIONS for point in event.selection.get(name, [])
    ]
    if picked:
        st.switch_page("pages/project.py", query_params=query_params(f, project=picked[0]))
    st.caption("Click a cell to open the project's status report.")

with right:
    st.vega_lite_chart(
        vega_spec(
            "concentration_heatmap",
            o.concentration_cells,
            rows="department",
            columns="phase",
            title="Where the red is: projects by department and phase (worst letter, count)",
        ),
    )
    row_word = o.rows.lower()
    title = (
        f"Reported health over the last {weeks} weeks{week_span(o.weekly_cells)}, "
        f"by {row_word[:-1]}"
    )
    frozen_rows_chart(
        vega_spec("weekly_heatmap", o.weekly_cells, title=title, row_title=o.rows[:-1]),
        title=title,
        label_px=LABEL_PX["weekly_heatmap"],
        rows=len(o.weekly_cells),
        box_key="weekly_heatmap_box",
    )
    about = (
        "Overall health recorded by each weekly status report (overrides included; S when "
        "the last report is older than the stale limit)"
    )
    if pdata.ROWS[o.rows] is None:
        st.caption(f"{about}, for the projects on the left.")
    else:
        shown_rows = o.weekly_cells.label.nunique()
        hidden = o.weekly_rows - shown_rows
        st.caption(
            f"{about}. A cell shows the worst health among the {row_word[:-1]}'s projects and "
            f"how many have it. The {shown_rows:,} worst {row_word} are shown"
            + (f"; {hidden:,} more: narrow the filters or group by department." if hidden else ".")
        )

# --- every project as a table ------------------------------------------------------------
if st.toggle(f"List all {o.n_projects:,} projects as a table", key="all_projects"):
    project_health_table(
        sort_worst_first(apply_filter(data.portfolio_health(version, today), f)), f
    )

# --- project managers' competence -------------------------------------------------------------
competence = st.expander(
    "Project managers' certifications: held, expiring, expired, missing",
    key="competence",
    on_change="rerun",
)
if competence.open:  # read only when opened: the overview stays quick at 5,000 projects
    with competence:
        competence_section(version, today)
