"""Training on the pages (Streamlit AppTest on the demo portfolio): recording a completion turns
its matrix cell from missing to held, a wrong date is said under its field with what was typed
kept, the competence warning when a manager is assigned, and lapsing certifications in the
project manager's to-do list."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.core import clock
from data_access.core.db import read_df, session_scope
from data_access.core.lesson_models import SMALL_BELOW
from data_access.core.writes import Actor
from data_access.training import commands
from data_access.updates import commands as risk_commands
from tests.auth_helpers import open_app
from tests.factories import make_project

pytestmark = pytest.mark.any_day
DAY = dt.timedelta(days=1)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _missing(at) -> int:
    [summary] = [c.value for c in at.caption if "project managers ×" in c.value]
    return int(summary.split(" · ")[-1].split()[0])


def _demo_pm(url) -> int:
    return int(
        read_df("SELECT manager_id FROM project WHERE code = 'PRJ-0001'", url=url).iloc[0, 0]
    )


def _course(url, name) -> int:
    return int(read_df("SELECT id FROM course WHERE name = :n", {"n": name}, url=url).iloc[0, 0])


def test_recording_a_completion_changes_its_matrix_cell(demo_db_url, monkeypatch):
    today = clock.today()
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py", tab="Competence")
    assert not at.error, [e.value for e in at.error]
    missing = _missing(at)
    pm, practitioner = _demo_pm(demo_db_url), _course(demo_db_url, "PRINCE2 Practitioner")
    at.selectbox(key="training_new.person_id").set_value(pm)
    at.selectbox(key="training_new.course_id").set_value(practitioner)
    # Expiry before completion: said under its field, nothing saved, what was typed kept.
    at.date_input(key="training_new.completed_on").set_value(today - 10 * DAY)
    at.date_input(key="training_new.expires_on").set_value(today - 20 * DAY)
    _button(at, "Record").click().run()
    problems = [m.value for m in at.markdown if ":material/error:" in m.value]
    assert problems == [":red[:material/error: must be after the completion date]"], problems
    assert at.date_input(key="training_new.completed_on").value == today - 10 * DAY
    assert _missing(at) == missing
    # Without an expiry it follows the course's validity (36 months): the cell is held.
    at.date_input(key="training_new.expires_on").set_value(None)
    _button(at, "Record").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Training recorded" in s.value for s in at.success)
    assert _missing(at) == missing - 1
    stored = read_df(
        "SELECT expires_on FROM training_record WHERE person_id = :p AND course_id = :c",
        {"p": pm, "c": practitioner},
        url=demo_db_url,
    )
    assert str(stored.expires_on.iloc[0])[:10] > (today + 2 * 365 * DAY).isoformat()


def test_competence_warning_when_a_manager_is_assigned(demo_db_url, monkeypatch):
    """Choosing the manager of a large project on its record shows what they lack; saving is
    not blocked."""
    at = open_app(
        demo_db_url,
        monkeypatch,
        "pages/updates.py",
        project="PRJ-0001",
        section="Project",
    )
    assert not at.error, [e.value for e in at.error]
    shown = [w.value.replace("\\", "") for w in at.warning]
    assert any("lacks for a" in w and "Risk management workshop (expired)" in w for w in shown), (
        shown
    )
    # A new manager who never trained: their gap shows at saving, and the save goes through.
    newcomer = int(
        read_df(
            "SELECT MIN(id) FROM person WHERE active AND id NOT IN "
            "(SELECT person_id FROM training_record)",
            url=demo_db_url,
        ).iloc[0, 0]
    )
    manager = next(s for s in at.selectbox if s.key.endswith("-manager_id"))
    manager.set_value(newcomer)
    _button(at, "Save project").click().run()
    assert not at.exception
    shown = [w.value.replace("\\", "") for w in at.warning]
    assert any("lacks for a" in w and "PMO onboarding (missing)" in w for w in shown), shown
    saved = read_df("SELECT manager_id FROM project WHERE code = 'PRJ-0001'", url=demo_db_url)
    assert int(saved.iloc[0, 0]) == newcomer


def test_a_critical_risk_adds_what_the_rule_asks_of_a_projects_manager(demo_db_url, monkeypatch):
    """A new small project of the demo project manager asks only for what they hold; once a
    Critical risk is raised on it, the rule's risk lines ask for more, and the project page
    says what they lack."""
    org = read_df(
        "SELECT program_id AS program, department_id AS department, manager_id AS pm "
        "FROM project WHERE code = 'PRJ-0001'",
        url=demo_db_url,
    ).iloc[0]
    # Its own project: the demo's risks differ from day to day.
    pid = make_project(
        demo_db_url,
        {k: int(v) for k, v in org.items()},
        code="SMALL-1",
        approved_budget=SMALL_BELOW / 2,
        forecast_at_completion=SMALL_BELOW / 2,
    )

    def lacking() -> list[str]:
        at = open_app(demo_db_url, monkeypatch, "pages/project.py", project="SMALL-1")
        assert not at.exception
        return [w.value.replace("\\", "") for w in at.warning if "lacks" in w.value]

    assert lacking() == []
    with session_scope(demo_db_url) as s:
        risk_commands.create_risk(
            {
                "project_id": pid,
                "title": "Key supplier may fail",
                "probability": 3,
                "impact": 5,
            },
            raised_on=clock.today(),
            session=s,
            actor=Actor(1, "Ada Admin", "admin"),
        )
    [warning] = lacking()
    assert "manages a small project with a Critical risk but lacks:" in warning
    assert "PRINCE2 Practitioner (missing)" in warning  # the Critical line of the demo rule
    assert "Risk management workshop (expired)" in warning  # the High line, asked too


def test_lapsing_certifications_are_in_the_pms_to_do(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/gates.py", role="project_manager")
    assert not at.error, [e.value for e in at.error]
    todo = at.dataframe[0].value
    mine = todo[todo["To do"].str.contains("Renew")]
    assert set(mine["To do"]) >= {
        "Renew Risk management workshop",
        "Renew PRINCE2 Foundation",
    }, todo["To do"].tolist()
    assert set(mine.Open) == {"/lessons?tab=Competence"}


def test_a_stale_correction_is_refused_with_who_changed_what(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py", tab="Competence")
    record_id = at.selectbox(key="training_pick").value
    with session_scope(demo_db_url) as session:  # someone else renews it meanwhile
        commands.edit_training(
            record_id,
            {"expires_on": clock.today() + 400 * DAY},
            expected_version=1,
            on=clock.today(),
            session=session,
            actor=Actor(None, "Dana PMO", "admin"),
        )
    key = f"training_{record_id}.expires_on"
    at.date_input(key=key).set_value(clock.today() + 500 * DAY)
    _button(at, "Save").click().run()
    [conflict] = [w.value for w in at.warning if "since you opened it" in w.value]
    assert conflict.startswith("**Dana PMO saved this since you opened it.**"), conflict
    assert "Expires on" in conflict
    assert at.date_input(key=key).value == clock.today() + 500 * DAY  # what was typed is kept


def test_the_admin_and_portfolio_pages_show_the_competence_matrix(demo_db_url, monkeypatch):
    """The same matrix as Lessons › Competence, with the same counts; on the overview it is
    read only once its panel is opened."""
    lessons = open_app(demo_db_url, monkeypatch, "pages/lessons.py", tab="Competence")
    admin = open_app(demo_db_url, monkeypatch, "pages/admin.py", tab="Competence")
    assert _missing(admin) == _missing(lessons) > 0
    overview = open_app(demo_db_url, monkeypatch, "pages/portfolio.py")
    assert not [c for c in overview.caption if "project managers ×" in c.value]
    overview.session_state["competence"] = True  # as a click on the panel does
    overview.run()
    assert _missing(overview) == _missing(lessons)
