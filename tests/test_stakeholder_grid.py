"""The power/interest grid: quadrants named by Mendelow's rule, every stakeholder drawn."""

from __future__ import annotations

import pandas as pd
import vl_convert as vlc

from charts.stakeholders import power_interest_grid
from domain.stakeholders import quadrant


def test_quadrants():
    assert quadrant(influence=5, interest=5) == "Manage closely"
    assert quadrant(influence=4, interest=2) == "Keep satisfied"
    assert quadrant(influence=2, interest=4) == "Keep informed"
    assert quadrant(influence=3, interest=3) == "Monitor"


def test_grid_draws_every_stakeholder_with_its_name():
    people = pd.DataFrame(
        {
            "name": ["Ann Sponsor", "Bob User", "Cy Same"],
            "role": ["sponsor", "user", "user"],
            "interest": [4, 5, 5],
            "influence": [5, 2, 2],
        }
    )
    spec = power_interest_grid(people, "Power and interest").to_dict()
    svg = vlc.vegalite_to_svg(spec)
    for name in (*people.name, "Manage closely", "Keep satisfied", "Keep informed", "Monitor"):
        assert name in svg
