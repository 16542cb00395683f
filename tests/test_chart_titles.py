"""Chart titles wrap to the width the chart is drawn at instead of being cut (issue 28)."""

from __future__ import annotations

import json

import pytest

from charts.titles import PX_PER_CHAR, ROOM, fit_title, title_expression, wrap

TITLE = "Where the red is: projects by department and phase (worst letter, count)"


def _chosen(expression: str, width: int) -> list[str]:
    """Evaluate the nested `ROOM < N ? [...] : (...)` expression as Vega would."""
    while expression.startswith(f"{ROOM} < "):
        limit, rest = expression[len(f"{ROOM} < ") :].split(" ? ", 1)
        lines, otherwise = rest.split(" : ", 1)
        if width < int(limit):
            return json.loads(lines)
        expression = otherwise[1:-1]  # drop the parentheses
    return json.loads(expression)


def test_wrap_breaks_at_spaces_only():
    assert wrap(TITLE, 28) == [
        "Where the red is: projects",
        "by department and phase",
        "(worst letter, count)",
    ]
    assert " ".join(wrap(TITLE, 14)) == TITLE


@pytest.mark.parametrize("width", [150, 240, 330, 480, 700])
def test_each_width_gets_lines_that_fit_and_say_the_whole_title(width):
    lines = _chosen(title_expression([TITLE]), width)
    assert " ".join(lines) == TITLE
    if width >= 150:  # room for the narrowest breaking
        assert all(len(line) * PX_PER_CHAR <= width for line in lines)


def test_a_wide_chart_keeps_the_title_on_one_line():
    assert _chosen(title_expression([TITLE]), 2000) == [TITLE]


def test_fit_title_keeps_the_title_options_and_leaves_short_titles_alone():
    spec = fit_title({"title": {"text": TITLE, "anchor": "start", "subtitle": "1.0 = on plan"}})
    assert spec["title"]["anchor"] == "start"
    assert spec["title"]["subtitle"] == "1.0 = on plan"
    assert spec["title"]["text"]["expr"].startswith(f"{ROOM} < ")
    assert fit_title({"title": "Projects"}) == {"title": "Projects"}
    assert fit_title({"mark": "bar"}) == {"mark": "bar"}
