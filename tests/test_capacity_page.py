"""The Resources & money page on the demo portfolio, through Streamlit's AppTest: both tabs,
the shared filters, the allocation form's validation, the import, and the bulk editor's batch."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.resources.forms import team_changes
from data_access.core.db import read_df
from data_access.resources import reads as resources
from domain import capacity
from domain import earned_value as ev
from tests.auth_helpers import open_app
from tests.conftest import DEMO_TODAY


@pytest.fixture
def page(demo_db_url, monkeypatch):
    def open_page(**query) -> AppTest:
        at = open_app(demo_db_url, monkeypatch, "pages/resources.py", timeout=120, **query)
        assert not at.error, [e.value for e in at.error]
        return at

    return open_page


def _metric(at, label) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def _count(url, table="allocation") -> int:
    return int(read_df(f"SELECT COUNT(*) AS n FROM {table}", url=url).n.iloc[0])


def _person(url, hours: float) -> int:
    people = resources.people(url=url)
    return int(people[people.weekly_capacity_hours == hours].id.iloc[0])


def _project(url) -> int:
    return int(read_df("SELECT MIN(id) AS id FROM project WHERE status = 'active'", url=url).id[0])


def _messages(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_people_tab_agrees_with_the_database(page, demo_db_url):
    at = page()
    n = resources.people_in_view(capacity.first_monday(DEMO_TODAY), 26, url=demo_db_url)
    assert int(_metric(at, "People in view")) == n > 0
    assert at.segmented_control(key="rows").value == capacity.default_rows(n)
    # Filtering to one department narrows who is in view, through the URL.
    narrowed = page(dept=["Finance"])
    assert 0 < int(_metric(narrowed, "People in view")) < n


def test_money_tab_totals_follow_the_filter(page, demo_db_url):
    red = page(view="Money", health=["Red"])
    everyone = page(view="Money")
    assert _metric(red, "Budget (BAC)") != _metric(everyone, "Budget (BAC)")
    facts = ev.project_money(
        read_df(
            "SELECT approved_budget, actual_cost, forecast_at_completion, percent_complete, "
            "NULL AS planned_value FROM project",
            url=demo_db_url,
        )
    )
    assert _metric(everyone, "Budget (BAC)") == f"{facts.bac.sum() / 1e6:,.1f} M€"
    assert _metric(everyone, "CPI") == f"{ev.total(facts)['cpi']:.2f}"


def test_allocation_form_shows_every_problem_and_keeps_what_was_typed(page, demo_db_url):
    at = page()
    before = _count(demo_db_url)
    at.date_input(key="alloc_start").set_value(dt.date(2027, 3, 1))
    at.date_input(key="alloc_end").set_value(dt.date(2027, 2, 1))
    at.number_input(key="alloc_hours").set_value(16.0)
    at.number_input(key="alloc_share").set_value(50.0)
    at.button(key="FormSubmitter:allocate_form-Allocate").click().run()
    text = _messages(at)
    assert "choose a person" in text and "choose a project" in text
    assert "not both" in text
    # What was typed is still there, and nothing was written.
    assert at.date_input(key="alloc_start").value == dt.date(2027, 3, 1)
    assert at.number_input(key="alloc_hours").value == 16.0
    assert _count(demo_db_url) == before

    at.selectbox(key="alloc_person").set_value(_person(demo_db_url, 40))
    at.selectbox(key="alloc_project").set_value(_project(demo_db_url))
    at.number_input(key="alloc_hours").set_value(None)
    at.button(key="FormSubmitter:allocate_form-Allocate").click().run()
    assert "end date must not be before start date" in _messages(at)
    assert _count(demo_db_url) == before


def test_allocation_form_saves_a_share_of_capacity_as_hours(page, demo_db_url):
    at = page()
    person = _person(demo_db_url, 32)
    at.selectbox(key="alloc_person").set_value(person)
    at.selectbox(key="alloc_project").set_value(_project(demo_db_url))
    at.date_input(key="alloc_start").set_value(dt.date(2030, 1, 7))
    at.date_input(key="alloc_end").set_value(dt.date(2030, 3, 29))
    at.number_input(key="alloc_share").set_value(50.0)
    at.button(key="FormSubmitter:allocate_form-Allocate").click().run()
    assert not at.exception
    assert any("Allocated" in s.value for s in at.success)
    stored = read_df(
        "SELECT person_id, hours_per_week FROM allocation WHERE start_date = :d",
        {"d": dt.date(2030, 1, 7)},
        url=demo_db_url,
    )
    assert stored.values.tolist() == [[person, 16.0]]  # 50 % of 32 h


def _csv(rows) -> bytes:
    return (
        pd.DataFrame(
            rows,
            columns=["person_email", "project_code", "start_date", "end_date", "hours_per_week"],
        )
        .to_csv(index=False)
        .encode()
    )


def test_import_with_a_bad_row_writes_nothing_and_names_it(page, demo_db_url):
    email = read_df("SELECT email FROM person WHERE weekly_capacity_hours > 0", url=demo_db_url)
    email = email.email.iloc[0]
    rows = [
        [email, "PRJ-0001", "2030-01-07", "2030-02-01", 8],
        [email, "PRJ-0002", "2030-01-07", "2030-02-01", 8],
        [email, "PRJ-9999", "2030-01-07", "2030-02-01", 8],
    ]
    at = page(edit="Import")
    before = _count(demo_db_url)
    at.file_uploader(key="alloc_upload_0").set_value(("team.csv", _csv(rows), "text/csv")).run()
    assert any("Nothing imported: 1 of 3 row(s)" in e.value for e in at.error)
    preview = at.dataframe[-1].value
    assert preview.set_index("Row").loc[4, "Problems"] == (
        "Project code: no project has the code 'PRJ-9999'"
    )
    assert not [b for b in at.button if b.key == "import_go"]
    assert _count(demo_db_url) == before

    at.file_uploader(key="alloc_upload_0").set_value(("team.csv", _csv(rows[:2]), "text/csv"))
    at.run()
    at.button(key="import_go").click().run()
    assert any("Imported 2 allocation" in s.value for s in at.success)
    assert _count(demo_db_url) == before + 2


def test_team_editor_result_becomes_one_batch():
    before = pd.DataFrame(
        {
            "Person": ["Ann", "Bob", "Cy"],
            "From": pd.to_datetime(["2027-01-04"] * 3),
            "To": pd.to_datetime(["2027-03-26"] * 3),
            "Hours a week": [8.0, 16.0, 4.0],
            "id": [11, 12, 13],
            "version": [1, 3, 1],
        }
    )
    after = before.drop(index=1).copy()  # Bob's row deleted
    after.loc[0, "Hours a week"] = 12.0
    after.loc[2, "To"] = pd.Timestamp("2027-02-26")
    new = {
        "Person": "Dee",
        "From": pd.Timestamp("2027-04-05"),
        "To": pd.Timestamp("2027-06-25"),
        "Hours a week": 20.0,
        "id": None,
        "version": None,
    }
    after = pd.concat([after, pd.DataFrame([new])], ignore_index=True)
    batch = team_changes(before, after, 7, {"Ann": 1, "Bob": 2, "Cy": 3, "Dee": 4})
    assert batch["edited"] == [
        (11, 1, {"hours_per_week": 12.0}),
        (13, 1, {"end_date": dt.date(2027, 2, 26)}),
    ]
    assert batch["deleted"] == [(12, 3)]
    assert batch["added"] == [
        {
            "person_id": 4,
            "start_date": dt.date(2027, 4, 5),
            "end_date": dt.date(2027, 6, 25),
            "hours_per_week": 20.0,
            "project_id": 7,
        }
    ]
    assert batch["refs"] == {"added": ["New row 1 · "], "edited": ["Row 1 · ", "Row 3 · "]}


def test_leave_form_records_an_absence_and_refuses_bad_dates(page, demo_db_url):
    at = page(edit="Leave & capacity")
    person = _person(demo_db_url, 40)
    at.selectbox(key="leave_person").set_value(person).run()
    before = _count(demo_db_url, "absence")
    at.date_input(key="absence_start").set_value(dt.date(2030, 8, 5))
    at.date_input(key="absence_end").set_value(dt.date(2030, 8, 1))
    at.button(key="FormSubmitter:absence_form-Record absence").click().run()
    assert "end date must not be before start date" in _messages(at)
    assert at.date_input(key="absence_start").value == dt.date(2030, 8, 5)
    assert _count(demo_db_url, "absence") == before
    at.date_input(key="absence_end").set_value(dt.date(2030, 8, 16))
    at.button(key="FormSubmitter:absence_form-Record absence").click().run()
    assert any("Absence recorded" in s.value for s in at.success)
    stored = read_df(
        "SELECT person_id, reason FROM absence WHERE start_date = :d",
        {"d": dt.date(2030, 8, 5)},
        url=demo_db_url,
    )
    assert stored.values.tolist() == [[person, "Holiday"]]
