"""Risks & RAID: probability x impact matrix, register, exposure over time and the RAID log,
for the projects of the sidebar filter or one of them (its code in the URL)."""

import pandas as pd
import streamlit as st

from charts.risks import CELL_SELECTION
from components.common import data
from components.common.layout import current_filter, current_version
from components.common.widgets import choice, url_choice
from components.risks import data as risk_data
from components.risks.views import raid_table, risk_detail_panel, risk_table
from domain import risk_bands
from domain.filters import apply_filter
from domain.formatting import fmt_date

ALL = "All filtered projects"
VIEWS = risk_data.VIEWS
PLURAL = {"threat": "threats", "opportunity": "opportunities"}


def _url_param(key: str, value: str | None) -> None:
    if value is None:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


version = current_version()
today = data.today()
config = data.settings(version)
projects = apply_filter(data.portfolio_health(version, today), current_filter())

st.title("Risks & RAID")
if projects.empty:
    st.warning("No project matches the filters. Clear a filter in the sidebar to see more.")
    st.stop()

# --- scope and view, both kept in the URL -------------------------------------------------
# Plain lists first: iterating pandas' Arrow-backed strings one by one is slow at 5,000 rows.
labels = dict(
    zip(projects.code.tolist(), (projects.code + " · " + projects.name).tolist(), strict=True)
)
codes = [ALL, *sorted(labels)]
# The project code itself goes in the URL (?project=PRJ-0042), as on the project page.
wanted = st.query_params.get("project")
top = st.columns([3, 1.3, 3], vertical_alignment="bottom")
code = top[0].selectbox(
    "Project",
    codes,
    index=codes.index(wanted) if wanted in codes else 0,
    format_func=lambda c: labels.get(c, c),
)
_url_param("project", None if code == ALL else code)
view = url_choice(
    top[1],
    "Scores",
    VIEWS,
    default="inherent",
    key="view",
    help="Inherent: before any response. Residual: after the planned response "
    "(the inherent values where no residual is recorded).",
)
if code != ALL:
    scope = (int(projects.loc[projects.code == code, "id"].item()),)
    scope_text = labels[code]
elif current_filter().active:
    scope = tuple(sorted(projects.id.tolist()))
    scope_text = f"{len(scope):,} projects matching the sidebar filters"
else:
    scope, scope_text = None, f"all {len(projects):,} projects"
legend = " · ".join(reversed(risk_data.band_labels(version).values()))
top[2].caption(f"**Scope:** {scope_text}  \n**Bands** (PMO settings): {legend}")

cells = risk_data.matrix_cells(version, scope, view)
per_band = risk_bands.band_counts(cells["threat"])
facts = risk_data.summary(version, scope, today)
tiles = st.columns(6)
tiles[0].metric("Open threats", f"{facts['open_threats']:,}")
tiles[1].metric("Critical", f"{per_band['Critical']:,}", help=f"{VIEWS[view]} score, open threats")
tiles[2].metric("High", f"{per_band['High']:,}", help=f"{VIEWS[view]} score, open threats")
tiles[3].metric("Response overdue", f"{facts['response_overdue']:,}")
tiles[4].metric("No owner", f"{facts['no_owner']:,}")
tiles[5].metric("Open opportunities", f"{facts['open_opportunities']:,}")

matrix_tab, register_tab, exposure_tab, raid_tab = st.tabs(
    # Plain labels: the open tab is in the URL (?tab=Register).
    ["Matrix", "Register", "Exposure", "RAID log"],
    key="tab",
    bind="query-params",
)


# --- matrix ---------------------------------------------------------------------------------


def _picked(kind: str):
    """A click in a matrix: its cell is listed from now on (not an older band or cell)."""

    def remember() -> None:
        st.session_state["band"] = None
        st.session_state["matrix_pick"] = kind

    return remember


def _matrix_panel() -> None:
    band_labels = risk_data.band_labels(version)
    specs = risk_data.matrix_specs(version, scope, view)

    def matrix(kind: str):
        # The view is in the key: a cell picked in one view means nothing in the other.
        return st.vega_lite_chart(
            spec=specs[kind],
            key=f"{kind}_matrix_{view}",
            on_select=_picked(kind),
            selection_mode=CELL_SELECTION,
            width="stretch",
        )

    left, right = st.columns([1.25, 1], gap="large")
    with left:
        threat_event = matrix("threat")
        st.caption(
            "In each cell: the number of open risks, and in its corner the score "
            "(probability × impact). Click a cell to list its risks; double-click to clear."
        )
    with right:
        if facts["open_opportunities"]:
            opportunity_event = matrix("opportunity")
            st.caption(
                "Opportunities are scored like threats but kept apart, in blue: a high score "
                "here is good news."
            )
        else:
            opportunity_event = None
            st.info("No open opportunities are recorded in this scope.")
        band = st.pills(
            "Or list the open threats of a band",
            list(reversed(risk_bands.BANDS)),
            format_func=lambda b: f"{band_labels[b]}: {per_band[b]:,}",
            key="band",
        )

    picks = [
        (kind, event.selection.get(CELL_SELECTION) or [])
        for kind, event in (("threat", threat_event), ("opportunity", opportunity_event))
        if event is not None
    ]
    # The matrix clicked last comes first.
    last = st.session_state.get("matrix_pick")
    picked = sorted(((k, sel[0]) for k, sel in picks if sel), key=lambda kp: kp[0] != last)
    if band:
        kind, cell = "threat", None
        heading = f"Open threats in band {band_labels[band]}"
    elif picked:
        kind, point = picked[0]
        cell = (int(point["probability"]), int(point["impact"]))
        heading = (
            f"Open {PLURAL[kind]} with probability {cell[0]} and impact {cell[1]} "
            f"(score {cell[0] * cell[1]}, {risk_bands.band_of(cell[0] * cell[1], config)})"
        )
    else:
        st.info("Click a cell of a matrix, or pick a band, to list exactly those risks.")
        return
    listed = risk_data.picked_risks(version, scope, view, kind, cell, band)
    st.markdown(f"#### {heading}: {int(listed.matching.iloc[0]) if len(listed) else 0:,}")
    if listed.empty:
        st.caption("None in this scope.")
        return
    selected = risk_table(listed, key="picked_table", today=today)
    if selected:
        risk_detail_panel(version, selected)


# --- register -------------------------------------------------------------------------------

LISTS = {
    "all": "All",
    "top": "Top 10 by score",
    "overdue": "Response overdue",
    "unowned": "No owner",
}
STATUSES = {"open": "Open", "closed": "Closed", "all": "All"}
KINDS = {"all": "Threats and opportunities", "threat": "Threats", "opportunity": "Opportunities"}


def _register_panel() -> None:
    row = st.columns([2.2, 1.1, 1.6], vertical_alignment="bottom")
    which = choice(row[0], "Show", LISTS, default="all", key="list")
    status = choice(row[1], "Status", STATUSES, default="open", key="register_status")
    kind = choice(row[2], "Kind", KINDS, default="all", key="kind")
    row = st.columns([1.3, 1.3, 2], vertical_alignment="bottom")
    bands = row[0].multiselect(
        "Band", list(reversed(risk_bands.BANDS)), placeholder="All", key="register_bands"
    )
    categories = row[1].multiselect(
        "Category",
        risk_data.categories(version, scope),
        placeholder="All",
        key="register_categories",
    )
    text = row[2].text_input("Search", placeholder="Title, project or owner", key="register_text")
    rows = risk_data.register(
        version,
        scope,
        view,
        status=None if status == "all" else status,
        kind=None if kind == "all" else kind,
        bands=tuple(bands),
        categories=tuple(categories),
        text=text,
        which=which,
        on=today,
    )
    matching = int(rows.matching.iloc[0]) if len(rows) else 0
    st.caption(
        f"**{matching:,}** {STATUSES[status].lower()} risks match, highest "
        f"{VIEWS[view].lower()} score first; click a column header to sort, a row to see "
        "its score history."
    )
    selected = risk_table(rows, key=f"register_{which}", today=today, height=460)
    if selected:
        risk_detail_panel(version, selected)


# --- exposure -------------------------------------------------------------------------------

WEEKS = {13: "13 weeks", 26: "26 weeks", 52: "52 weeks"}


def _exposure_panel() -> None:
    weeks = choice(st, "Period", WEEKS, default=52, key="weeks")
    bands, totals = risk_data.exposure(version, scope, view, weeks, today)
    if not totals.open_risks.any():
        st.info("No open threats in this scope during the period: nothing to draw.")
    else:
        last = totals.iloc[-1]
        first = totals.iloc[0]
        st.caption(
            f"Open threats went from **{first.open_risks:,}** to **{last.open_risks:,}** and "
            f"their total {VIEWS[view].lower()} score from **{first.total_score:,}** to "
            f"**{last.total_score:,}** over {weeks} weeks. Each week shows the score in force "
            "at its end: the latest assessment on or before it, for the risks open then."
        )
        bands_spec, score_spec = risk_data.exposure_specs(version, scope, view, weeks, today)
        st.vega_lite_chart(spec=bands_spec, width="stretch")
        st.vega_lite_chart(spec=score_spec, width="stretch")

    st.markdown("#### One risk: its score history")
    # One project: all its risks, closed ones too; more: the highest-scored open ones.
    one_project = scope is not None and len(scope) == 1
    candidates = risk_data.register(version, scope, view, status=None if one_project else "open")
    labels = candidates.project_code + " · " + candidates.title
    labels += " (score " + candidates.score.astype(str) + ")"
    names = dict(zip(candidates.id.tolist(), labels.tolist(), strict=True))
    ids = list(names)
    wanted = st.query_params.get("risk", "")
    risk_id = st.selectbox(
        "Risk",
        ids,
        index=ids.index(int(wanted)) if wanted.isdigit() and int(wanted) in names else None,
        format_func=names.get,
        placeholder="Pick a risk (highest scores first)",
    )
    _url_param("risk", None if risk_id is None else str(risk_id))
    if risk_id is not None:
        risk_detail_panel(version, int(risk_id))


# --- RAID log -------------------------------------------------------------------------------

RAID_KINDS = {
    "assumption": "Assumptions",
    "issue": "Issues",
    "dependency": "Dependencies",
    "decision": "Decisions",
}


def _raid_panel() -> None:
    row = st.columns([2.4, 1.2, 2], vertical_alignment="bottom")
    kind = url_choice(row[0], "RAID", RAID_KINDS, default="issue", key="raid")
    status = choice(row[1], "Status", STATUSES, default="open", key="raid_status")
    text = row[2].text_input("Search", placeholder="Title or project", key="raid_text")
    items = risk_data.raid_items(version, kind, scope)
    mask = pd.Series(True, index=items.index)
    if status != "all":
        mask &= items.status == status
    if text.strip():
        code_col = "consumer_code" if kind == "dependency" else "project_code"
        haystack = (items.title + " " + items[code_col]).str.lower()
        if kind == "dependency":
            haystack += " " + items.provider_code.str.lower()
        mask &= haystack.str.contains(text.strip().lower(), regex=False)
    matching = items[mask]
    if kind == "dependency":
        st.caption(
            f"**{int(items.late.sum()):,}** open dependencies in this scope are expected after "
            "their need-by date: LATE. Expected delivery: the provider's named milestone, else "
            "its latest open milestone, else its forecast finish."
        )
    st.caption(f"{len(matching):,} {RAID_KINDS[kind].lower()} match.")
    raid_table(matching, kind, today=today)


for tab, panel in (
    (matrix_tab, _matrix_panel),
    (register_tab, _register_panel),
    (exposure_tab, _exposure_panel),
    (raid_tab, _raid_panel),
):
    if tab.open:
        with tab:
            panel()

st.caption(
    f"Data as of {fmt_date(today)}. Risks and RAID items are added and changed in Quick updates."
)
