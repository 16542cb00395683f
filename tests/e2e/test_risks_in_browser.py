"""In a real browser: clicking a matrix cell lists exactly the risks the test data puts there.

The server runs over a small hand-made risk portfolio (tests/risk_samples.py), with a PMO
admin created from the environment as in a team deployment; the matrix is drawn as SVG, each
cell described by its probability and impact.
"""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.harness import (
    eventually,
    settle,
    sign_in_with_password,
    streamlit_servers,
)
from tests.risk_samples import CELL_4_5, make_risk_portfolio

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-risks")]

ADMIN = {"PMO_ADMIN_EMAIL": "pmo@example.org", "PMO_ADMIN_PASSWORD": "a long enough password"}
SAMPLE_TITLES = {
    "a45",
    "b45",
    "closed45",
    "low14",
    "med15",
    "med33",
    "high25",
    "crit35",
    "other45",
    "opp34",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("risks")
    shutil.copy(sqlite_template, folder / "risks.db")
    url = f"sqlite:///{folder / 'risks.db'}"
    make_risk_portfolio(url)
    with streamlit_servers(url, folder, PMO_DEMO_DATA="off", **ADMIN) as (server,):
        yield server


def _cell(page, chart: int, probability: int, impact: int):
    """The SVG rectangle of a cell in the n-th matrix (0 threats, 1 opportunities)."""
    return (
        page.get_by_test_id("stVegaLiteChart")
        .nth(chart)
        .locator(
            f'path[aria-roledescription="rect mark"][aria-label*="Probability: {probability};"]'
            f'[aria-label*="Impact: {impact};"]'
        )
    )


def _listed_titles(page) -> set[str]:
    """Sample titles in the list's table (drawn on a canvas; its cells are also in a hidden
    accessibility grid)."""
    cells = page.get_by_test_id("stDataFrame").first.locator("[role=gridcell]")
    return set(cells.all_text_contents()) & SAMPLE_TITLES


def test_clicking_a_cell_lists_exactly_its_risks(server, page):
    page.goto(f"{server.url}/risks")
    settle(page)
    sign_in_with_password(page, ADMIN["PMO_ADMIN_EMAIL"], ADMIN["PMO_ADMIN_PASSWORD"])
    cell = _cell(page, 0, 4, 5)
    cell.wait_for()
    assert "Open: 3" in cell.get_attribute("aria-label")
    # The count printed over the cell takes the click, as it would for a person.
    cell.click(force=True)
    page.get_by_text(
        "Open threats with probability 4 and impact 5 (score 20, Critical): 3"
    ).wait_for()
    assert eventually(lambda: _listed_titles(page) == CELL_4_5)

    _cell(page, 1, 3, 4).click(force=True)
    page.get_by_text("Open opportunities with probability 3 and impact 4").wait_for()
    assert eventually(lambda: _listed_titles(page) == {"opp34"})
