"""The portfolio and project pages (AppTest) on a hand-made portfolio whose truth is known.

Dates are set relative to today, because the app computes health as of today: the tiles'
"previous reporting week" is the Friday before this week's reporting Friday.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from domain.portfolio_view import friday_on_or_before, previous_reporting_day
from tests.auth_helpers import open_app
from tests.conftest import DEMO_TODAY
from tests.factories import make_milestone, make_org, make_project, make_report, make_risk


@pytest.fixture
def known_db(tmp_path, sqlite_template) -> str:
    """Six projects: what their health is now and was a week ago is stated per project."""
    path = tmp_path / "known.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite:///{path}"
    today = DEMO_TODAY
    since, friday = previous_reporting_day(today), friday_on_or_before(today)
    org = make_org(url)

    def reporting(code: str, **overrides) -> int:
        pid = make_project(url, org, code=code, name=f"Project {code}", **overrides)
        for day in (since, friday):
            make_report(url, pid, day)
        return pid

    reporting("GREEN")  # Green then and now
    red = reporting("REDNOW")  # Green then, Red now: a critical risk raised this week
    make_risk(url, red, 4, 4, raised_on=friday, last_assessed_on=friday)
    late = reporting("LATE")  # Green then, Amber now: a milestone passed its date this week
    make_milestone(url, late, friday - dt.timedelta(days=3), added_on=since - dt.timedelta(60))
    stale = make_project(url, org, code="STALE", name="Project STALE")  # stale then and now
    make_report(url, stale, since - dt.timedelta(days=14))
    make_project(url, org, code="DONE", name="Project DONE", status="completed")
    reporting("FIN", department_id=org["other_department"])  # Green, department Finance
    return url


def run(url: str, monkeypatch, **query) -> AppTest:
    return open_app(url, monkeypatch, timeout=120, **query)


def url_values(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return value if isinstance(value, list) else [value]


def tiles(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def test_tiles_agree_with_the_database(known_db, monkeypatch):
    at = run(known_db, monkeypatch)
    assert tiles(at) == {
        "Active projects": ("5", "0"),
        "Red · 20%": ("1", "1"),
        "Amber · 20%": ("1", "1"),
        "Stale · 20%": ("1", "0"),
        "Green · 40%": ("2", "-2"),
        "Forecast vs budget": ("500 k€", "0 €"),
        "Overdue milestones": ("1", "1"),
        "High & critical risks": ("1", "1"),
    }
    since = previous_reporting_day(DEMO_TODAY)
    assert any(f"{since:%d %b}" in str(m.proto.delta_description) for m in at.metric)


def test_filters_in_the_url_narrow_the_tiles_and_heatmaps(known_db, monkeypatch):
    at = run(known_db, monkeypatch, dept=["Finance"])
    assert tiles(at)["Active projects"] == ("1", "0")
    assert tiles(at)["Green · 100%"] == ("1", "0")
    chart = at.get("vega_lite_chart")[0].proto
    assert json.loads(chart.spec)["facet"]["row"]["field"] == "group"
    cells = pd.concat(convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.datasets)
    assert set(cells.code) == {"FIN"}
    assert cells.text.tolist() == ["G"] * 5
    red = run(known_db, monkeypatch, health=["Red"])
    assert tiles(red)["Active projects"] == ("1", "1")
    assert tiles(red)["Red · 100%"] == ("1", "1")


def test_an_empty_filter_result_says_so(known_db, monkeypatch):
    at = run(known_db, monkeypatch, q="no such project")
    assert "No project matches the filters" in at.warning[0].value


def test_project_page_opens_the_project_of_the_link(known_db, monkeypatch):
    at = run(known_db, monkeypatch, project="REDNOW", dept=["Finance"])
    at.switch_page("pages/project.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # Outside the Finance filter, yet the link opens it.
    assert at.selectbox(key="project").value == "REDNOW"
    assert at.header[0].value == "REDNOW · Project REDNOW"
    texts = " ".join(m.value for m in at.markdown)
    assert "Risk is Red" in texts
    assert "Highest open risk score 16" in texts
    at.query_params["tab"] = "Risks"
    at.run()
    assert "Open risks (1)" in [s.value for s in at.subheader]
    assert url_values(at, "dept") == ["Finance"]


def test_choosing_another_project_puts_it_in_the_url(known_db, monkeypatch):
    at = run(known_db, monkeypatch, project="GREEN")
    at.switch_page("pages/project.py").run()
    at.selectbox(key="project").select("LATE").run()
    assert url_values(at, "project") == ["LATE"]
    assert at.header[0].value == "LATE · Project LATE"
    assert "1 milestone is overdue" in " ".join(m.value for m in at.markdown)
