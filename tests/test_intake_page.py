"""The Intake & selection page through Streamlit's AppTest on the demo portfolio: every tab
opens, the ranking explains itself, an impossible forcing is said in words, a saved scenario
is approved into exactly one project per chosen proposal, and a viewer changes nothing."""

from __future__ import annotations

import pytest

from data_access.core.db import read_df, read_scalar
from tests.auth_helpers import open_app

PAGE = "pages/intake.py"
TABS = ["Proposals", "Selection", "Scenarios", "Benefits", "Drivers"]


def _open(url, monkeypatch, role="admin", **query):
    at = open_app(url, monkeypatch, PAGE, role=role, **query)
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("view", TABS)
def test_every_tab_opens_on_the_demo(demo_db_url, monkeypatch, view):
    at = _open(demo_db_url, monkeypatch, view=view)
    assert at.title[0].value == "Intake & selection"


def test_the_ranking_shows_each_priority_with_its_explanation(demo_db_url, monkeypatch):
    at = _open(demo_db_url, monkeypatch, view="Proposals")
    table = at.dataframe[0].value
    assert list(table.priority) == sorted(table.priority, reverse=True)
    top = table.iloc[0]
    assert top.explanation.startswith(f"{top.priority:.0f} of 100: ")
    assert " % of it from " in top.explanation


def test_an_impossible_forcing_is_said_in_words(demo_db_url, monkeypatch):
    at = _open(demo_db_url, monkeypatch, view="Selection")
    first = at.number_input(key="first_year").value
    for year in (first, first + 1):
        at.number_input(key=f"budget_{year}").set_value(0.0)
    at.run()
    # With no money, the best selection is empty; forcing one in cannot fit.
    assert at.metric[0].value.startswith("0 of ")
    code = at.multiselect(key="force_in").options[0]
    at.multiselect(key="force_in").select(code).run()
    assert not at.exception
    # Shown as text (Markdown escaped): what breaks, in words.
    shown = at.error[0].value.replace("\\", "")
    assert shown.startswith("The proposals forced in do not fit: ")
    assert "against a budget of 0" in shown


def test_save_and_approve_a_scenario_creates_one_project_per_proposal(demo_db_url, monkeypatch):
    projects_before = read_scalar("SELECT COUNT(*) FROM project", url=demo_db_url)
    at = _open(demo_db_url, monkeypatch, view="Selection")
    chosen = int(at.metric[0].value.split(" of ")[0])
    assert chosen > 0
    name_key = next(t.key for t in at.text_input if t.key.endswith(".name"))
    at.text_input(key=name_key).input("Test scenario")
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert not at.exception
    saved = read_df(
        "SELECT id, version FROM selection_scenario WHERE name = 'Test scenario'", url=demo_db_url
    )
    assert len(saved) == 1

    at = _open(demo_db_url, monkeypatch, view="Scenarios")
    at.multiselect(key="compare").set_value([int(saved.id[0])]).run()
    at.button(key=f"approve.{int(saved.id[0])}").click().run()
    assert not at.exception
    assert any("approved" in s.value for s in at.success)
    new = read_df(
        "SELECT p.id, pr.code FROM proposal p JOIN project pr ON pr.id = p.project_id "
        "JOIN scenario_item i ON i.proposal_id = p.id "
        "WHERE i.scenario_id = :s AND i.included",
        {"s": int(saved.id[0])},
        url=demo_db_url,
    )
    assert len(new) == chosen
    assert read_scalar("SELECT COUNT(*) FROM project", url=demo_db_url) == projects_before + chosen


def test_a_viewer_sees_no_forms(demo_db_url, monkeypatch):
    at = _open(demo_db_url, monkeypatch, role="viewer", view="Selection")
    assert not [t for t in at.text_input if t.key and t.key.startswith("scenario")]
    at = _open(demo_db_url, monkeypatch, role="viewer", view="Drivers")
    assert at.caption[0].value.startswith("PMO admins set the strategic drivers")


def test_an_empty_proposal_shows_every_problem_under_its_field(demo_db_url, monkeypatch):
    before = read_scalar("SELECT COUNT(*) FROM proposal", url=demo_db_url)
    at = _open(demo_db_url, monkeypatch, view="Proposals", proposal="new")
    next(t for t in at.text_input if t.label == "Title").input("Half typed  ")
    next(t for t in at.text_area if t.label == "Problem it solves").input(" ")
    next(b for b in at.button if b.label == "Save as draft").click().run()
    assert not at.exception
    problems = [m.value for m in at.markdown if ":material/error:" in m.value]
    for words in (
        "is required",
        "give the estimated cost of at least one year",
        "choose at least one strategic driver it serves",
        "give at least one expected benefit",
    ):
        assert any(words in p for p in problems), (words, problems)
    assert read_scalar("SELECT COUNT(*) FROM proposal", url=demo_db_url) == before
    # What was typed stays for the next try.
    assert next(t for t in at.text_input if t.label == "Title").value == "Half typed  "
