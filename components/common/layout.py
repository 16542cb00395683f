"""Small pieces of page furniture shared by every page."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from components.common import data
from domain.filters import PortfolioFilter

ISSUE_URL_HINT = "See the project's issue tracker"


# Pages that fit their width, from a 1280x720 laptop beside the sidebar to a 4K screen:
# - a row of KPI tiles or of controls wraps onto a second line before a value or an option
#   would be cut; tile labels and delta notes wrap instead of ending in "…", values shrink a
#   little on narrow windows;
# - the options of a segmented control wrap instead of hiding past the column's edge;
# - a chart wider than its column (a long heatmap) scrolls in its own box; a risk matrix takes
#   its column's width up to about square cells;
# - on a 4K screen (at 100 % scaling) type and spacing grow (CSS zoom would scale the charts
#   too, but it sends Vega's container sizing into a loop).
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
@media (min-width: 2400px) {{ html {{ font-size: 24px; }} }}
@media (min-width: 3200px) {{ html {{ font-size: 30px; }} }}
</style>
"""


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
