"""Every page opens on the demo portfolio without an exception (Streamlit AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "app.py"

PAGES = [
    "pages/portfolio.py",
    "pages/project.py",
    "pages/milestones.py",
    "pages/risks.py",
    "pages/resources.py",
    "pages/updates.py",
    "pages/meeting.py",
    "pages/admin.py",
]


@pytest.fixture
def app(demo_db_url, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_without_error(app, page):
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    # The page ran inside app.py: the shared filters are in the sidebar.
    assert [m.label for m in app.sidebar.multiselect][:2] == ["Program", "Department"]


def test_overview_counts_agree_with_health(app):
    app.switch_page("pages/portfolio.py").run()
    active = next(m for m in app.metric if m.label == "Active projects")
    shown = sum(int(m.value) for m in app.metric if m.label in ("Red", "Amber", "Stale", "Green"))
    assert int(active.value) == shown


def test_empty_database_gets_the_demo_portfolio(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    active = next(m for m in at.metric if m.label == "Active projects")
    assert int(active.value) > 0


def test_filter_in_url_narrows_the_portfolio(demo_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params["health"] = ["Red"]
    app.run()
    active = next(m for m in app.metric if m.label == "Active projects")
    red = next(m for m in app.metric if m.label == "Red")
    assert int(active.value) == int(red.value) > 0
