"""The Risks & RAID page through Streamlit's AppTest: on the demo portfolio and on hand-made
risks whose cells, bands and lists are known."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data_access.core.db import get_engine, read_scalar
from data_access.core.models import RaidItem, Setting
from tests.auth_helpers import open_app
from tests.factories import _insert, make_milestone, make_project
from tests.risk_samples import CRITICAL, D, make_risk_portfolio

PAGE = "pages/risks.py"


def _open(url: str, monkeypatch, **query) -> AppTest:
    monkeypatch.setenv("PMO_DEMO_DATA", "off")
    at = open_app(url, monkeypatch, PAGE, **query)
    assert not at.error, [e.value for e in at.error]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def sample(sqlite_template, tmp_path) -> dict:
    path = tmp_path / "risks.db"
    shutil.copy(sqlite_template, path)
    return make_risk_portfolio(f"sqlite:///{path}")


def test_page_opens_on_the_demo_portfolio_with_counts_from_the_database(demo_db_url, monkeypatch):
    at = _open(demo_db_url, monkeypatch)
    assert at.title[0].value == "Risks & RAID"
    shown = _metrics(at)
    open_threats = read_scalar(
        "SELECT COUNT(*) FROM risk WHERE status = 'open' AND kind = 'threat'", url=demo_db_url
    )
    critical = read_scalar(
        "SELECT COUNT(*) FROM risk WHERE status = 'open' AND kind = 'threat'"
        " AND probability * impact >= 15",
        url=demo_db_url,
    )
    assert int(shown["Open threats"].replace(",", "")) == open_threats > 0
    assert int(shown["Critical"]) == critical > 0
    assert "Click a cell" in at.info[0].value  # nothing selected yet


def test_band_pick_lists_exactly_the_risks_of_that_band(sample, monkeypatch):
    at = _open(sample["url"], monkeypatch)
    assert _metrics(at)["Critical"] == "4" and _metrics(at)["High"] == "1"
    at.pills(key="band").set_value("Critical").run()
    headings = [m.value for m in at.markdown if m.value.startswith("####")]
    assert headings == ["#### Open threats in band Critical 15–25: 4"]
    listed = at.dataframe[0].value
    assert set(listed.Title) == CRITICAL
    assert listed.Inherent.tolist() == [20, 20, 20, 15]


def test_residual_view_and_one_project_come_from_the_url(sample, monkeypatch):
    at = _open(sample["url"], monkeypatch, view="Residual")
    # Residual: only other45 (no residual recorded) stays Critical.
    assert _metrics(at)["Critical"] == "1"
    at = _open(sample["url"], monkeypatch, project="P-2")
    assert _metrics(at)["Open threats"] == "1"
    assert at.selectbox[0].value == "P-2"
    assert any("No open opportunities" in i.value for i in at.info)  # P-2 has none


def test_band_settings_are_followed(sample, monkeypatch):
    table = Setting.__table__
    with get_engine(sample["url"]).begin() as conn:
        conn.execute(sa.update(table).where(table.c.key == "band_critical_from").values(value=20))
    at = _open(sample["url"], monkeypatch)
    assert _metrics(at)["Critical"] == "3"  # the three 4 x 5; 3 x 5 is now High
    assert _metrics(at)["High"] == "2"
    assert "Critical 20–25 · High 10–19" in at.caption[0].value


def test_register_lists_overdue_responses_and_risks_without_owner(sample, monkeypatch):
    at = _open(sample["url"], monkeypatch, tab="Register")
    assert len(at.dataframe[0].value) == 9  # 8 open threats and 1 opportunity
    at.segmented_control(key="list").set_value("unowned").run()
    assert at.dataframe[0].value.Title.tolist() == ["b45"]
    at.segmented_control(key="list").set_value("overdue").run()
    # Both due dates (1 and 4 March 2026) have passed for the app's today.
    assert set(at.dataframe[0].value.Title) == {"b45", "med15"}
    at.segmented_control(key="list").set_value("top").run()
    assert len(at.dataframe[0].value) == 9
    at.segmented_control(key="list").set_value("all").run()
    at.segmented_control(key="register_status").set_value("closed").run()
    assert at.dataframe[0].value.Title.tolist() == ["closed45"]


def test_raid_log_flags_a_late_dependency(sample, monkeypatch):
    url = sample["url"]
    provider = make_project(url, sample["org"], "PROV")
    milestone = make_milestone(url, provider, D(2026, 5, 20), forecast_date=D(2026, 6, 10))
    for title, need_by in (("Late one", D(2026, 6, 1)), ("In time", D(2026, 7, 1))):
        _insert(
            url,
            RaidItem,
            project_id=sample["p1"],
            kind="dependency",
            title=title,
            description="",
            status="open",
            raised_on=D(2026, 1, 5),
            provider_project_id=provider,
            provider_milestone_id=milestone,
            need_by=need_by,
            version=1,
        )
    at = _open(url, monkeypatch, tab="RAID log", raid="Dependencies")
    table = at.dataframe[0].value
    assert table.Needs.tolist() == ["Late one", "In time"]
    assert [list(flags) for flags in table.Late] == [["LATE"], []]
    assert table["Days late"].tolist()[0] == 9


def test_exposure_tab_draws_and_shows_one_risks_history(sample, monkeypatch):
    at = _open(sample["url"], monkeypatch, tab="Exposure", risk=str(sample["crit35"]))
    assert "Open threats went from" in at.caption[1].value
    assert at.selectbox[1].value == sample["crit35"]
    assert any(m.value == "##### P-1 · crit35" for m in at.markdown)
