"""The portfolio overview in a real browser: a filtered link shows the same projects in any
browser and theme, survives a reload and a trip to another page; clicking a heatmap cell
opens that project's page with the filter kept; a heatmap wider than its column scrolls with
its row labels kept in view.
"""

from __future__ import annotations

import re

import pytest

from domain.filters import PortfolioFilter, apply_filter
from tests.e2e.harness import (
    eventually,
    go_to,
    open_app,
    portfolio_health,
    screenshot,
    settle,
    settle_after_action,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-portfolio")]

HEATMAP = '[data-testid="stVegaLiteChart"]'


def heatmap_codes(page) -> list[str]:
    """Project codes on the rows of the health-by-dimension heatmap, top to bottom."""
    labels = page.locator(HEATMAP).first.locator("svg .role-axis-label text")
    labels.first.wait_for()
    codes = [text.split(" ")[0] for text in labels.all_text_contents()]
    return [code for code in codes if re.fullmatch(r"PRJ-\d{4}", code)]


def test_a_filtered_link_shows_the_same_projects_anywhere(server, demo_url, new_page):
    query = "?dept=Finance&health=Green&health=Amber&health=Red"
    chosen = PortfolioFilter(department=("Finance",), health=("Green", "Amber", "Red"))
    expected = set(apply_filter(portfolio_health(demo_url), chosen).code)
    assert 2 < len(expected) < 50

    shown = {}
    for scheme in ("light", "dark"):  # each a new visitor: no cookie, no session
        page = new_page(scheme)
        open_app(page, f"{server.url}/{query}")
        shown[scheme] = eventually(lambda p=page: set(heatmap_codes(p)) == expected and p)
        screenshot(page, f"portfolio-link-{scheme}")
    order = heatmap_codes(page)

    page.reload()
    settle(page)
    assert heatmap_codes(page) == order
    assert page.url.endswith(query)

    # Another page and back: the filter travels in the URL and is applied again.
    go_to(page, "Milestones")
    assert "dept=Finance" in page.url and page.url.count("health=") == 3
    go_to(page, "Overview")
    assert heatmap_codes(page) == order


@pytest.mark.parametrize("where", ["cell corner", "letter"])
def test_clicking_a_heatmap_cell_opens_the_project(server, page, where):
    open_app(page, f"{server.url}/?dept=Finance")
    top = heatmap_codes(page)[0]
    # The whole heatmap, under the copy that keeps its row labels in view.
    chart = page.locator(f".st-key-dimension_heatmap_box {HEATMAP}").last
    if where == "letter":
        chart.locator('svg text[aria-roledescription="text mark"]').first.click()
    else:  # away from the letter, which sits on top of the cell's middle
        chart.locator("svg .mark-rect path").first.click(position={"x": 5, "y": 5})
    page.wait_for_url(re.compile(r"/project\?"))
    settle_after_action(page)
    assert f"project={top}" in page.url and "dept=Finance" in page.url
    assert page.get_by_role("heading", name=re.compile(top)).is_visible()


# Where the frozen labels are, once the box is scrolled to its far end: the box, the label copy,
# the whole chart, and the row labels of the copy that are drawn inside the box.
SCROLLED_TO_END = """box => {
    box.scrollLeft = box.scrollWidth;
    const [frozen, whole] = box.querySelectorAll(':scope > [data-testid="stElementContainer"]');
    const left = (el) => el.getBoundingClientRect().left;
    const labels = [...frozen.querySelectorAll("svg .role-axis-label text")]
        .filter((t) => /PRJ-\\d{4}/.test(t.textContent));
    const inView = labels.filter((t) => left(t) >= left(box) - 1
        && t.getBoundingClientRect().right <= left(box) + frozen.clientWidth + 1);
    return {scrolls: box.scrollWidth > box.clientWidth, scrolled: box.scrollLeft,
            box: left(box), frozen: left(frozen), whole: left(whole),
            labels: labels.length, inView: inView.length};
}"""


@pytest.mark.parametrize("box", ["weekly_heatmap_box", "dimension_heatmap_box"])
def test_a_wide_heatmap_scrolls_under_its_row_labels(server, new_page, box):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, f"{server.url}/")
    heatmap = page.locator(f".st-key-{box}")
    eventually(lambda: heatmap.locator("svg .role-axis-label text").count() > 10)
    seen = heatmap.evaluate(SCROLLED_TO_END)
    assert seen["scrolls"] and seen["scrolled"] > 50, seen  # wider than its column at 1280
    assert abs(seen["frozen"] - seen["box"]) <= 1, seen  # the labels stayed at the left edge
    assert seen["whole"] < seen["box"] - 50, seen  # while the cells moved under them
    assert seen["labels"] > 10 and seen["inView"] == seen["labels"], seen
    heatmap.scroll_into_view_if_needed()
    screenshot(page, f"portfolio-{box}-scrolled")
