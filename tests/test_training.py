"""Competence: a course's state at the 90-day and expiry thresholds, the matrix, the gap of a
project's manager on SQLite and PostgreSQL, and the pages showing them on the demo."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from charts.training import competence_heatmap
from data_access.core.training_models import CompetenceRule, Course, TrainingRecord
from data_access.training import reads
from domain import training
from tests.auth_helpers import open_app
from tests.factories import _insert, make_org, make_project

ON = dt.date(2026, 11, 25)
DAY = dt.timedelta(days=1)


def test_state_at_its_thresholds():
    done = ON - 400 * DAY
    assert training.state(None, None, ON) == "missing"
    assert training.state(done, None, ON) == "held"  # never expires
    assert training.state(done, ON + 91 * DAY, ON) == "held"
    assert training.state(done, ON + 90 * DAY, ON) == "expiring"
    assert training.state(done, ON, ON) == "expiring"  # still valid on its last day
    assert training.state(done, ON - DAY, ON) == "expired"


def test_matrix_has_every_person_by_every_course():
    people = pd.DataFrame({"person_id": [1, 2], "person": ["Ann", "Bo"]})
    courses = pd.DataFrame({"course_id": [10, 11], "course": ["PMP", "Onboarding"]})
    records = pd.DataFrame(
        {
            "person_id": [1, 2],
            "course_id": [10, 10],
            "completed_on": [ON - 900 * DAY, ON - 100 * DAY],
            "expires_on": [ON - DAY, ON + 30 * DAY],
        }
    )
    grid = training.matrix(people, courses, records, ON).set_index(["person", "course"])
    assert grid.state.to_dict() == {
        ("Ann", "PMP"): "expired",
        ("Ann", "Onboarding"): "missing",
        ("Bo", "PMP"): "expiring",
        ("Bo", "Onboarding"): "missing",
    }


def test_gap_of_a_manager_for_a_large_project(db_url):
    org = make_org(db_url)
    project = make_project(db_url, org, approved_budget=5_000_000.0)
    course = {
        name: _insert(db_url, Course, name=name, kind="certification", provider="x")
        for name in ("Onboarding", "PRINCE2", "Risk")
    }
    for name in course.values():
        _insert(db_url, CompetenceRule, project_size="large", course_id=name)
    _insert(db_url, CompetenceRule, project_size="small", course_id=course["Onboarding"])
    for name, expires in (("Onboarding", None), ("PRINCE2", ON - DAY), ("Risk", ON + 10 * DAY)):
        _insert(
            db_url,
            TrainingRecord,
            person_id=org["pm"],
            course_id=course[name],
            completed_on=ON - 800 * DAY,
            expires_on=expires,
        )
    manager = reads.project_manager(project, url=db_url)
    assert manager["manager"] == "Pm"
    required = reads.required_for("large", url=db_url)
    held = reads.records(org["pm"], url=db_url)
    # Expired is a gap; expiring within 90 days still counts as held.
    assert training.gap(required, held, ON) == ["PRINCE2 (expired)"]
    assert training.gap(reads.required_for("small", url=db_url), held, ON) == []
    assert training.gap(["Agile"], held, ON) == ["Agile (missing)"]


def test_competence_tab_and_warning_on_the_demo(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py", tab="Competence")
    assert not at.error, [e.value for e in at.error]
    assert any("project managers ×" in c.value for c in at.caption)
    # The demo project manager sees their own lapsing certifications.
    at = open_app(
        demo_db_url, monkeypatch, "pages/lessons.py", role="project_manager", tab="Competence"
    )
    mine = [w.value.replace("\\", "") for w in at.warning]
    assert any("Risk management workshop** expired on" in w for w in mine), mine
    assert any("PRINCE2 Foundation** expires on" in w for w in mine), mine
    # The demo project manager's project: they lack what its size asks.
    at = open_app(demo_db_url, monkeypatch, "pages/project.py", project="PRJ-0001")
    warnings = [w.value for w in at.warning]
    shown = [w.replace("\\", "") for w in warnings]  # user text arrives escaped
    assert any("lacks: Risk management workshop (expired)" in w for w in shown), warnings


def test_heatmap_names_every_state_in_its_legend():
    grid = pd.DataFrame(
        {
            "person": ["Ann", "Bo"],
            "course": ["PMP", "PMP"],
            "state": ["expired", "held"],
            "expires_on": [ON - DAY, None],
        }
    )
    spec = competence_heatmap(grid).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == [
        training.STATE_LABELS[s] for s in training.STATES
    ]
    assert spec["encoding"]["x"]["axis"]["labelOverlap"] is False
