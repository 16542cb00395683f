"""Small pieces of page furniture shared by every page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components.common import data
from components.common.safe_text import md_escape
from domain.filters import PortfolioFilter

ISSUE_URL_HINT = "See the project's issue tracker"
# Coloured cells (a pandas Styler) cost Streamlit about 0.15 ms a row on every rerun (170 ms for
# the path to green's 1,168 rows at tier L): beyond this many rows the letters and words, which
# say the same, stand alone.
MAX_STYLED_ROWS = 300


def coloured(table: pd.DataFrame, cell_style: Callable[[Any], str], columns: list[str]):
    """`table` for st.dataframe, its `columns` coloured cell by cell (`cell_style` of a value:
    CSS) while it has at most MAX_STYLED_ROWS rows."""
    if len(table) > MAX_STYLED_ROWS:
        return table
    return table.style.map(cell_style, subset=columns)


# Pages that fit their width, from a 1280x720 laptop beside the sidebar to a 4K screen:
# - a row of KPI tiles or of controls wraps onto a second line before a value or an option
#   would be cut; tile labels and delta notes wrap instead of ending in "…", values shrink a
#   little on narrow windows;
# - the options of a segmented control wrap instead of hiding past the column's edge;
# - a chart wider than its column (a long heatmap) scrolls in its own box, its row labels kept
#   in view (frozen_rows_chart); a risk matrix takes its column's width up to about square cells;
# - on a 4K screen (at 100 % scaling) the whole page is zoomed, as the browser's own zoom would:
#   text, spacing and charts grow together (growing the root font size alone also grew the
#   charts' theme text, which Streamlit sizes in rem, but not the text they size in px). A chart
#   or a table that fills its column measures the column in zoomed pixels: a chart is given
#   1/zoom of it, a table no more than all of it; the main area, 100vh tall, no more than the
#   app's height (vh ignores the zoom).
def _row_of(testid: str) -> str:
    """A row of columns holding `testid` elements directly (tiles, segmented controls)."""
    return (
        '[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] > [data-testid='
        f'"stVerticalBlock"] > [data-testid="stElementContainer"] > [data-testid="{testid}"])'
    )


# A row holding a chart keeps its columns side by side (the chart takes what it is given).
_ROWS = f"{_row_of('stMetric')}, {_row_of('stButtonGroup')}:not(:has(.stVegaLiteChart))"
_COLUMNS = ", ".join(f'{row} > [data-testid="stColumn"]' for row in _ROWS.split(", "))
FIT_CSS = f"""
<style>
{_ROWS} {{ flex-wrap: wrap; row-gap: 0.5rem; }}
{_COLUMNS} {{ min-width: min-content; }}
[data-testid="stMetricValue"] {{ font-size: clamp(1.6rem, 2.3vw, 2.25rem); }}
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricDeltaDescription"] [data-testid="stCaptionContainer"],
[data-testid="stMetricDeltaDescription"] [data-testid="stCaptionContainer"] p {{
  white-space: normal !important; }}
[data-testid="stMetricDelta"] + [data-testid="stMetricDeltaDescription"] {{ min-width: 0; }}
[data-testid="stMetric"] > div > div:last-child {{ flex-wrap: wrap; }}
[data-testid="stButtonGroup"] > div:last-child {{ flex-wrap: wrap; row-gap: 0.25rem; }}
[data-testid="stFullScreenFrame"] > div:has(> [data-testid="stVegaLiteChart"]) {{
  overflow-x: auto; }}
[class*="st-key-"][class*="_matrix_"] {{ max-width: 44rem; }}
@media (min-width: 2400px) {{
  :root {{ --zoom: 1.5; }}
  html {{ zoom: var(--zoom); }}
  .vega-embed.fit-x {{ width: calc(100% / var(--zoom)) !important; contain: inline-size; }}
  [data-testid="stDataFrame"], [data-testid="stDataFrameResizable"] {{
    max-width: 100% !important; }}
  [data-testid="stMain"] {{ height: calc(100vh / var(--zoom)) !important;
    min-height: 0 !important; }} }}
@media (min-width: 3200px) {{ :root {{ --zoom: 1.875; }} }}
</style>
"""


# A heatmap with its row labels frozen: the chart is drawn twice in one box that scrolls
# sideways. The first copy, cut to the width of its row labels, sticks at the box's left edge;
# the second, whole, starts under it, so its cells scroll beneath labels that stay. Vega-Lite
# has no sticky axis, and one spec drawn twice keeps every row exactly level with its label.
FROZEN_CSS = """
<style>
.st-key-{key} {{ overflow-x: auto; flex-wrap: nowrap; gap: 0; align-items: flex-start; }}
.st-key-{key} > [data-testid="stElementContainer"] {{ flex: none; width: auto; }}
.st-key-{key} [data-testid="stFullScreenFrame"] > div {{ overflow: visible !important; }}
.st-key-{key} > [data-testid="stElementContainer"]:first-child {{
  position: sticky; left: 0; z-index: 2; width: {labels}px; overflow: hidden; }}
.st-key-{key} > [data-testid="stElementContainer"]:last-child {{ margin-left: -{labels}px; }}
</style>
"""
PADDING = 5  # Vega-Lite's default padding around a view, in px


def frozen_rows_chart(spec: dict, *, title: str, label_px: int, box_key: str, rows: int, **kwargs):
    """Draw a heatmap `spec` whose row labels stay in view while its cells scroll sideways.

    The y axes take exactly `label_px` (at least their labelLimit); `title` stands above the
    box instead of the spec's own (a frozen copy would cut it); `kwargs` go to the whole copy
    (on_select...). Without `rows` the spec (a message that there is nothing to draw) is drawn
    as it is.
    """
    if not rows:
        return st.vega_lite_chart(spec, **kwargs)
    padding = dict.fromkeys(("left", "top", "right", "bottom"), PADDING)
    spec = {k: v for k, v in spec.items() if k != "title"} | {"padding": padding}
    axis_y = spec.get("config", {}).get("axisY", {})
    axis_y = axis_y | {"minExtent": label_px, "maxExtent": label_px}
    spec["config"] = spec.get("config", {}) | {"axisY": axis_y}
    st.markdown(f"**{md_escape(title)}**")
    labels = label_px + PADDING
    st.html(FROZEN_CSS.format(key=box_key, labels=labels))
    box = st.container(horizontal=True, key=box_key)
    theme = st.context.theme.type or "light"
    paper = st.get_option(f"theme.{theme}.backgroundColor")
    box.vega_lite_chart({**spec, "background": paper}, width="content")
    return box.vega_lite_chart(spec, width="content", **kwargs)


def tabs_drawn_when_open(sections: dict[str, Callable[[], None]]) -> None:
    """One tab per section, the open one kept in the address (`?tab=`, so a link or a refresh
    opens it and a save on it does not jump back to the first); only the open tab's section is
    drawn, so a rerun does not build the others' forms and tables too."""
    tabs = st.tabs(list(sections), key="tab", bind="query-params")
    for draw, tab in zip(sections.values(), tabs, strict=True):
        with tab:
            if tab.open:
                draw()


def fit_the_room() -> None:
    """The page-wide style rules that keep every page readable at any width (FIT_CSS)."""
    st.html(FIT_CSS)


def not_built_yet(issue: int, what: str) -> None:
    """Say plainly that a page is not there yet and which issue brings it."""
    ensure_app_shell()
    st.info(f"**Not built yet.** {what} arrives with issue #{issue}. {ISSUE_URL_HINT}.", icon="🚧")


def ensure_app_shell() -> None:
    """Make sure this page runs inside app.py (navigation, database check, sidebar filters).

    Streamlit treats a folder named `pages/` as the older multipage mode until `st.navigation`
    has run once in the process, and meanwhile runs a page file on its own: the first request
    of a fresh server that lands on a page URL, and every `AppTest.switch_page`. Switch that
    mode off and run again, this time through app.py.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_filter() -> PortfolioFilter:
    """The sidebar filter chosen in app.py on this rerun."""
    ensure_app_shell()
    return st.session_state.get("portfolio_filter", PortfolioFilter())


def current_version() -> data.Version:
    """The data version read in app.py on this rerun: the key of every cached read."""
    ensure_app_shell()
    return st.session_state["data_version"]
