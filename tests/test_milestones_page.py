"""The milestone page on the demo portfolio (Streamlit AppTest): it opens for the portfolio and
for one project, and its headline and tiles agree with the reads behind them."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from components.common import data
from data_access.core.db import read_df, session_scope
from data_access.core.writes import SYSTEM
from data_access.milestones.reads import burndown_deltas, report_dates, slippage_lists
from data_access.updates import commands
from domain.milestones import burndown_series, burndown_status, headline
from tests.auth_helpers import open_app

PAGE = "pages/milestones.py"


def _open(url: str, monkeypatch, **params) -> AppTest:
    at = open_app(url, monkeypatch, PAGE, **params)
    assert not at.error, [e.value for e in at.error]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m for m in at.metric if m.label == label).value


def _expected(url: str, project_ids=None, baseline="current"):
    today = data.today()
    series = burndown_series(burndown_deltas(today, project_ids, baseline, url=url), today)
    latest, previous = report_dates(today, url=url)
    lists = slippage_lists(today, previous, project_ids, baseline, url=url)
    totals = {k: int(v["total"].iloc[0]) if len(v) else 0 for k, v in lists.items()}
    return burndown_status(series, today), totals


def test_portfolio_view_agrees_with_the_data(demo_db_url, monkeypatch):
    at = _open(demo_db_url, monkeypatch)
    status, totals = _expected(demo_db_url)
    assert status.behind > 0  # the demo portfolio slips
    assert any(headline(status) in md.value for md in at.markdown)
    assert _metric(at, "Behind plan") == f"{status.behind:,}"
    assert _metric(at, "Overdue") == f"{totals['overdue']:,}"
    assert _metric(at, "Slipped since last report") == f"{totals['slipped']:,}"
    assert len(at.tabs) == 5
    # Without a project there is no trend chart to pick milestones for.
    assert not any(w.label.startswith("Milestones shown") for w in at.multiselect)


@pytest.mark.parametrize("baseline", ["Current", "Original"])
def test_one_project_from_the_url(demo_db_url, monkeypatch, baseline):
    project = read_df(
        "SELECT p.id, p.code FROM project p JOIN milestone_history h ON h.project_id = p.id "
        "WHERE h.change = 'forecast' GROUP BY p.id, p.code ORDER BY COUNT(*) DESC, p.id LIMIT 1",
        url=demo_db_url,
    ).iloc[0]
    at = _open(demo_db_url, monkeypatch, project=project.code, baseline=baseline)
    assert at.selectbox[0].value == project.code
    status, totals = _expected(demo_db_url, [int(project.id)], baseline.lower())
    assert any(headline(status) in md.value for md in at.markdown)
    assert _metric(at, "Overdue") == f"{totals['overdue']:,}"
    picker = next(w for w in at.multiselect if w.label.startswith("Milestones shown"))
    assert (
        len(picker.value)
        == read_df(
            "SELECT COUNT(*) AS n FROM milestone WHERE project_id = :p",
            {"p": int(project.id)},
            url=demo_db_url,
        ).n.item()
    )
    assert at.query_params["project"] == project.code


def test_a_project_without_milestones_says_so(demo_db_url, monkeypatch):
    start = data.today() - dt.timedelta(days=30)
    project = {
        "code": "NEW-1",
        "name": "Fresh start",
        "program_id": 1,
        "department_id": 1,
        "baseline_start": start,
        "baseline_finish": start + dt.timedelta(days=200),
        "forecast_finish": start + dt.timedelta(days=200),
    }
    with session_scope(demo_db_url) as session:
        commands.create_project(project, session=session, actor=SYSTEM)
    at = _open(demo_db_url, monkeypatch, project="NEW-1")
    assert at.selectbox[0].value == "NEW-1"
    assert any("No milestones in the plan" in md.value for md in at.markdown)
    assert _metric(at, "Baseline Execution Index") == "–"
    assert all(tab.info for tab in at.tabs)  # every list says it is empty


def test_a_link_to_a_project_outside_the_filter_says_why_it_is_not_shown(demo_db_url, monkeypatch):
    at = _open(demo_db_url, monkeypatch, project="PRJ-0001", q="PRJ-0002")
    assert at.selectbox[0].value == ""
    assert any("PRJ-0001" in info.value for info in at.info)
