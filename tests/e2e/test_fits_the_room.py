"""Every page and the review's slides fit the screen they are shown on (issue 28): laptops and
meeting-room projectors from 1280x720 to 3840x2160, a 4:3 projector, light and dark.

Asserted in the page, for each view: no element's box runs past the window's right edge, no
chart draws wider than its container, no chart title is cut, no metric value or label and no
segmented-control option is cut (`scrollWidth > clientWidth`), and on a slide the content ends
above the bottom of the window. A screenshot of each view is kept in
test-artifacts/screenshots/fit-*.png.

One server and one browser for the module; one browser context per window size and theme.
Which views each size checks, and why not all of them by default: see CASES.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.harness import (
    RECORD_CHANGES,
    TIMEOUT_MS,
    open_app,
    screenshot,
    settle,
    shown_errors,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e-room")]

PAGES = {
    "portfolio": "",
    "project": "project",
    "milestones": "milestones",
    "risks": "risks",
    "resources": "resources",
    "updates": "updates",
    "meeting": "meeting",
    "admin": "admin",
    "compliance": "gates?tab=Compliance",
}
SIZES = {
    "1280x720": (1280, 720),
    "1366x768": (1366, 768),
    "1024x768": (1024, 768),  # a 4:3 projector
    "1920x1080": (1920, 1080),
    "3840x2160": (3840, 2160),
}
# The summary, what changed, the first red projects' slides, then the milestones, risks and
# actions slides (counted from the end): every kind of slide.
SLIDES = (1, 2, 3, 4, 5, -3, -2, -1)
KEY_PAGES = ("portfolio", "project", "milestones", "risks")
# Every page and slide at every size in both themes is 160 views, about 11 minutes on a
# 2-core machine. The run checks a representative set (about 80 views, 5 to 6 minutes): the
# small windows that break first see everything, the theme (colours only, the same boxes) is
# checked in full at one size, large screens see the pages with wide charts and the slides.
# PMO_FIT_EVERY_SIZE=1 checks all 160.
EVERYTHING = (tuple(PAGES), SLIDES)
CASES = {
    # The whole demo review, first slide to last, as presented from a 1280x720 laptop.
    ("1280x720", "light"): (tuple(PAGES), None),
    ("1280x720", "dark"): EVERYTHING,
    ("1366x768", "light"): (KEY_PAGES + ("resources",), (1, 3)),
    ("1024x768", "light"): EVERYTHING,
    ("1920x1080", "dark"): (("portfolio", "risks"), (1, 2, 3, 4, 5)),
    ("3840x2160", "light"): (("portfolio", "risks", "milestones"), SLIDES),
}
if os.environ.get("PMO_FIT_EVERY_SIZE") == "1":
    CASES = {(size, scheme): EVERYTHING for size in SIZES for scheme in ("light", "dark")}

# Problems a view shows, read from the page (one string per problem, empty when it fits).
PROBLEMS_JS = """(slide) => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    const name = (el) => {
        const key = [...(el.closest('[class*="st-key-"]')?.classList || [])]
            .find((c) => c.startsWith("st-key-")) || "";
        const test = el.closest("[data-testid]")?.dataset.testid || el.tagName;
        return `${test} ${key} "${(el.innerText || el.textContent || "").trim().slice(0, 40)}"`;
    };
    // Inside a box that scrolls on its own (a wide heatmap, a table), what lies beyond is
    // reached by scrolling that box; the page's own scroller does not count.
    const main = document.querySelector('[data-testid="stMain"]');
    const insideScroller = (el) => {
        for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
            const overflow = getComputedStyle(p).overflowX;
            if ((overflow === "auto" || overflow === "scroll")
                && p.getBoundingClientRect().right <= width + 1) {
                return true;
            }
        }
        return false;
    };
    for (const el of main.querySelectorAll("*")) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.height > 0 && box.right > width + 1 && !insideScroller(el)) {
            problems.push(`past the right edge (${Math.round(box.right)} > ${width}): ${name(el)}`);
            break;  // one is enough to say where
        }
    }
    // A chart is drawn in the element Streamlit sizes to the column (the chart's parent); only
    // a heatmap, one column a week, may be wider and scroll in that box.
    for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
        const drawing = chart.querySelector("svg.marks, canvas");
        const room = chart.parentElement.getBoundingClientRect().width;
        const scrolls = insideScroller(chart) && chart.closest('[class*="heatmap"]') !== null;
        if (drawing && drawing.getBoundingClientRect().width > room + 1 && !scrolls) {
            const drawn = Math.round(drawing.getBoundingClientRect().width);
            problems.push(`chart ${drawn} px wide in ${Math.round(room)} px: ${name(chart)}`);
        }
        const titles = '[class*="role-title"] text, [class*="role-title"] tspan';
        for (const title of chart.querySelectorAll(titles)) {
            if (title.textContent.endsWith("…")) {
                problems.push(`chart title cut: ${title.textContent}`);
            }
        }
    }
    // An option of a segmented control cut by the row it sits in.
    for (const group of document.querySelectorAll('[data-testid="stButtonGroup"]')) {
        const room = group.closest('[data-testid="stElementContainer"]').getBoundingClientRect();
        for (const option of group.querySelectorAll("button")) {
            if (option.getBoundingClientRect().right > room.right + 1) {
                problems.push(`option cut: ${name(option)}`);
            }
        }
    }
    const cut = [
        '[data-testid="stMetricValue"]', '[data-testid="stMetricValue"] *',
        '[data-testid="stMetricLabel"]', '[data-testid="stMetricLabel"] *',
    ].join(", ");
    for (const el of document.querySelectorAll(cut)) {
        if (el.scrollWidth > el.clientWidth + 1) problems.push(`text cut: ${name(el)}`);
    }
    // The page's scrolling area ends inside the window, or its end could never be seen.
    const bottom = main.getBoundingClientRect().bottom;
    if (bottom > window.innerHeight + 1) {
        problems.push(`the page's scroll area ends at ${Math.round(bottom)} px, below the window`);
    }
    // On a 4K screen at 100 % scaling, chart text grows with the page's (a 12 px label would
    // be 3 mm tall on a 27-inch screen): at least 20 px on screen.
    if (!slide && window.innerWidth >= 3200) {
        for (const label of document.querySelectorAll(".role-axis-label text")) {
            const tall = label.getBoundingClientRect().height;
            if (tall > 0 && tall < 20) {
                problems.push(`chart text ${tall.toFixed(1)} px tall: ${name(label)}`);
                break;
            }
        }
    }
    if (slide) {
        const height = window.innerHeight;
        for (const key of ["slide", "slide_status", "slide_nav"]) {
            const box = document.querySelector(`.st-key-${key}`)?.getBoundingClientRect();
            if (!box) problems.push(`no ${key}`);
            else if (box.bottom > height + 1) {
                problems.push(`${key} ends at ${Math.round(box.bottom)} px, below ${height}`);
            }
        }
        const scrolled = document.documentElement.scrollHeight;
        if (scrolled > height + 1) {
            problems.push(`the slide scrolls: ${scrolled} > ${height}`);
        }
    }
    return problems;
}"""


def _views(pages: tuple[str, ...], slides: tuple[int, ...] | None, total_slides: int) -> list:
    """(name, path, is a slide) of the pages and slides (None: every slide) to check."""
    views = [(name, PAGES[name], False) for name in pages]
    if slides is None:
        slides = tuple(range(1, total_slides + 1))
    numbers = sorted({n if n > 0 else total_slides + 1 + n for n in slides})
    return views + [(f"slide{n}", f"meeting?present=1&slide={n}", True) for n in numbers]


def _slide_count(page) -> int:
    counter = page.locator(".st-key-slide_status p").first.inner_text()
    return int(counter.split("/")[1])


@pytest.mark.parametrize(("size", "scheme"), list(CASES))
def test_every_page_and_slide_fits_the_window(server, browser, size, scheme):
    width, height = SIZES[size]
    pages, slides = CASES[size, scheme]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_CHANGES)
    page = context.new_page()
    try:
        open_app(page, f"{server.url}/meeting?present=1&slide=1")
        total = _slide_count(page)
        found = {}
        for name, path, is_slide in _views(pages, slides, total):
            page.goto(f"{server.url}/{path}")
            settle(page)
            screenshot(page, f"fit-{size}-{scheme}-{name}")
            problems = shown_errors(page) + page.evaluate(PROBLEMS_JS, is_slide)
            if problems:
                found[name] = problems
        report = [f"{view}: {problem}" for view, problems in found.items() for problem in problems]
        assert not report, "\n".join(report)
    finally:
        context.close()
