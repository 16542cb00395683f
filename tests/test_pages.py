"""Every page opens on the demo portfolio without an exception (Streamlit AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.auth_helpers import APP, open_app, sign_in

PAGES = [
    "pages/portfolio.py",
    "pages/project.py",
    "pages/milestones.py",
    "pages/risks.py",
    "pages/resources.py",
    "pages/updates.py",
    "pages/meeting.py",
    "pages/gates.py",
    "pages/intake.py",
    "pages/lessons.py",
    "pages/admin.py",
    "pages/stakeholders.py",
    "pages/inbox.py",
]


@pytest.fixture
def app(demo_db_url, monkeypatch) -> AppTest:
    return open_app(demo_db_url, monkeypatch)


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
    # Health tiles are labelled with their share: "Red · 11%".
    health = ("Red", "Amber", "Stale", "Green")
    shown = sum(int(m.value) for m in app.metric if m.label.split(" · ")[0] in health)
    assert int(active.value) == shown


def test_empty_database_gets_the_demo_portfolio(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    sign_in(at, role="viewer")
    at.run()
    active = next(m for m in at.metric if m.label == "Active projects")
    assert int(active.value) > 0


def test_filter_in_url_narrows_the_portfolio(demo_db_url, monkeypatch):
    app = open_app(demo_db_url, monkeypatch, role="viewer", health=["Red"])
    active = next(m for m in app.metric if m.label == "Active projects")
    red = next(m for m in app.metric if m.label.startswith("Red"))
    assert int(active.value) == int(red.value) > 0


def test_a_clock_setting_that_cannot_be_read_is_said_on_every_page(demo_db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    monkeypatch.setenv("PMO_TIMEZONE", "Europe/Atlantis")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "PMO_TIMEZONE='Europe/Atlantis' is not a time zone" in at.error[0].value
