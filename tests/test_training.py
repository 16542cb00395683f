"""Competence: a course's state at the 90-day and expiry thresholds, the matrix, the gap of a
project's manager on SQLite and PostgreSQL, and the pages showing them on the demo."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from charts.training import competence_heatmap
from data_access.core import clock
from data_access.core.db import read_df, session_scope
from data_access.core.settings import get_settings
from data_access.core.training_models import CompetenceRule, Course, TrainingRecord
from data_access.core.writes import (
    Actor,
    ConflictError,
    PermissionDenied,
    ValidationFailed,
    WriteError,
)
from data_access.training import commands, reads
from domain import training
from domain.formatting import fmt_date
from domain.risk_bands import band_of
from tests.auth_helpers import open_app
from tests.factories import _insert, make_org, make_project, make_risk
from tests.smtp_server import SmtpServer
from worker import jobs

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
        _insert(db_url, CompetenceRule, applies_to="large", course_id=name)
    _insert(db_url, CompetenceRule, applies_to="small", course_id=course["Onboarding"])
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
    required = reads.required_for(["large"], url=db_url)
    held = reads.records(org["pm"], url=db_url)
    # Expired is a gap; expiring within 90 days still counts as held.
    assert training.gap(required, held, ON) == ["PRINCE2 (expired)"]
    assert training.gap(reads.required_for(["small"], url=db_url), held, ON) == []
    assert training.gap(["Agile"], held, ON) == ["Agile (missing)"]


def test_a_projects_highest_open_risk_adds_what_its_level_asks_at_the_band_thresholds(db_url):
    """Default bands: High from 10, Critical from 15. A Critical project asks for the High
    list too; closed risks and opportunities do not count."""
    org = make_org(db_url)
    project = make_project(db_url, org, approved_budget=100_000.0)
    for applies_to, name in (
        ("small", "Onboarding"),
        ("risk_high", "Risk"),
        ("risk_critical", "PMP"),
    ):
        _insert(db_url, CompetenceRule, applies_to=applies_to, course_id=_course(db_url, name))
    make_risk(db_url, project, 5, 5, status="closed", closed_on=dt.date(2026, 2, 1))
    make_risk(db_url, project, 5, 5, kind="opportunity", response="exploit")
    settings = get_settings(db_url)
    seen = []
    for probability, impact in ((3, 3), (2, 5), (3, 4), (3, 5)):
        make_risk(db_url, project, probability, impact)
        score = reads.highest_open_risk(project, url=db_url)
        band = band_of(score, settings)
        classes = training.rule_classes("small", band)
        seen.append(
            (score, training.described("small", band), reads.required_for(classes, url=db_url))
        )
    assert seen == [
        (9, "a small project", ["Onboarding"]),
        (10, "a small project with a High risk", ["Onboarding", "Risk"]),
        (12, "a small project with a High risk", ["Onboarding", "Risk"]),
        (15, "a small project with a Critical risk", ["Onboarding", "PMP", "Risk"]),
    ]
    assert reads.highest_open_risk(make_project(db_url, org, code="P-2"), url=db_url) is None


def test_competence_tab_and_warning_on_the_demo(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/lessons.py", tab="Competence")
    assert not at.error, [e.value for e in at.error]
    assert any("project managers ×" in c.value for c in at.caption)
    # The PMO's rule, by size and by risk level, each line with the demo's courses.
    rule = {m.label: m.value for m in at.multiselect if "rojects" in m.label}
    assert len(rule) == 5 and all(rule.values()), rule
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
    cells = spec["layer"][0]  # the coloured cells; their marks are the second layer
    assert cells["encoding"]["color"]["scale"]["domain"] == [
        training.STATE_LABELS[s] for s in training.STATES
    ]
    assert cells["encoding"]["x"]["axis"]["labelOverlap"] is False


# --- writes -------------------------------------------------------------------------------

ADMIN = Actor(person_id=None, name="test admin", role="admin")


def _write(url, fn, *args, actor=ADMIN, **kwargs):
    with session_scope(url) as session:
        return fn(*args, session=session, actor=actor, **kwargs)


def _course(url, name="PRINCE2 Foundation", months=36):
    values = {"name": name, "kind": "certification", "provider": "PeopleCert"}
    return _write(url, commands.add_course, values | {"valid_months": months})


def test_catalogue_is_the_pmos_checked_and_audited(db_url):
    org = make_org(db_url)
    pm = Actor(org["pm"], "Pm", "project_manager")
    with pytest.raises(PermissionDenied):
        _write(db_url, commands.add_course, {"name": "PMP"}, actor=pm)
    course = _course(db_url)
    with pytest.raises(ValidationFailed) as bad:
        _write(
            db_url,
            commands.add_course,
            {"name": "prince2 foundation", "kind": "diploma", "valid_months": 0},
        )
    assert set(bad.value.errors) == {"kind", "valid_months"}
    with pytest.raises(ValidationFailed) as taken:  # same name, other case
        _write(db_url, commands.add_course, {"name": "prince2 FOUNDATION"})
    assert taken.value.errors == {"name": "another course already has this name"}
    with pytest.raises(ValidationFailed) as long:
        _write(db_url, commands.add_course, {"name": "x" * 201, "valid_months": 121})
    assert set(long.value.errors) == {"name", "valid_months"}
    row = _write(db_url, commands.edit_course, course, {"valid_months": 60}, expected_version=1)
    assert row["version"] == 2
    with pytest.raises(ConflictError):  # based on version 1, saved meanwhile
        _write(db_url, commands.edit_course, course, {"provider": "Axelos"}, expected_version=1)
    _write(
        db_url,
        commands.set_required_courses,
        "large",
        [course],
        expected=[],
    )
    record = _write(
        db_url,
        commands.record_training,
        {"person_id": org["pm"], "course_id": course, "completed_on": ON - 10 * DAY},
        on=ON,
    )
    with pytest.raises(WriteError, match="1 training record refer"):
        _write(db_url, commands.retire_course, course, expected_version=2)
    _write(db_url, commands.delete_training, record, expected_version=1)
    _write(db_url, commands.retire_course, course, expected_version=2)
    assert reads.courses(url=db_url).empty and reads.rule(url=db_url).empty
    actions = read_df(
        "SELECT entity, action FROM audit_log WHERE entity IN "
        "('course', 'training_record', 'competence_rule') ORDER BY id",
        url=db_url,
    )
    assert actions.action.tolist().count("refused") == 1
    assert ("competence_rule", "delete") in set(actions.itertuples(index=False, name=None))


def test_recording_a_completion_at_its_thresholds(db_url):
    org = make_org(db_url)
    course = _course(db_url, months=36)
    onboarding = _course(db_url, "Onboarding", months=None)
    pm = Actor(org["pm"], "Pm", "project_manager")
    viewer = Actor(org["viewer"], "Viewer", "viewer")
    done = dt.date(2024, 1, 31)

    def record(values, actor=ADMIN):
        data = {"person_id": org["pm"], "course_id": course, "completed_on": done} | values
        return _write(db_url, commands.record_training, data, on=ON, actor=actor)

    with pytest.raises(ValidationFailed) as bad:  # every problem at once, under its field
        record({"completed_on": ON + DAY, "expires_on": ON, "course_id": 999})
    assert set(bad.value.errors) == {"completed_on", "expires_on", "course_id"}
    assert "future" in bad.value.errors["completed_on"]
    with pytest.raises(ValidationFailed) as same_day:
        record({"expires_on": done})
    assert same_day.value.errors == {"expires_on": "must be after the completion date"}
    with pytest.raises(ValidationFailed) as empty:
        record({"completed_on": None, "person_id": None})
    assert set(empty.value.errors) == {"completed_on", "person_id"}
    # Someone else's training is the PMO's; a viewer records nothing, not even their own.
    for actor, person in ((pm, org["other_pm"]), (viewer, org["viewer"])):
        with pytest.raises(PermissionDenied):
            record({"person_id": person}, actor=actor)
    # A person records their own; expiry follows the course's validity (31 Jan + 36 months).
    first = record({}, actor=pm)
    [row] = reads.records(org["pm"], url=db_url).to_dict("records")
    assert (row["completed_on"], row["expires_on"]) == (done, dt.date(2027, 1, 31))
    # Completed today is allowed; a course that never expires gets no expiry.
    assert record({"course_id": onboarding, "completed_on": ON}) > first
    held = reads.records(org["pm"], url=db_url).set_index("course")
    assert held.expires_on["Onboarding"] is None
    with pytest.raises(ValidationFailed) as twice:
        record({"completed_on": ON - DAY})
    assert "already recorded" in twice.value.errors["course_id"]
    # A renewal: new dates on the same record; a stale one is refused.
    renewed = {"completed_on": ON, "expires_on": ON + 1000 * DAY}
    _write(db_url, commands.edit_training, first, renewed, expected_version=1, on=ON, actor=pm)
    with pytest.raises(ConflictError):
        _write(db_url, commands.edit_training, first, renewed, expected_version=1, on=ON)
    with pytest.raises(ValidationFailed) as future:
        _write(
            db_url,
            commands.edit_training,
            first,
            {"completed_on": ON + DAY},
            expected_version=2,
            on=ON,
        )
    assert set(future.value.errors) == {"completed_on"}
    with pytest.raises(ValidationFailed):  # moving it to someone else is the PMO's
        _write(
            db_url,
            commands.edit_training,
            first,
            {"person_id": org["other_pm"]},
            expected_version=2,
            on=ON,
            actor=pm,
        )
    with pytest.raises(PermissionDenied):
        _write(
            db_url,
            commands.delete_training,
            first,
            expected_version=2,
            actor=Actor(org["other_pm"], "Other Pm", "project_manager"),
        )
    assert training.state(ON, ON + 1000 * DAY, ON) == "held"


def test_competence_rule_is_edited_with_a_stale_save_refused(db_url):
    make_org(db_url)
    a, b = _course(db_url, "Agile"), _course(db_url, "Budget")
    _write(db_url, commands.set_required_courses, "medium", [a, b], expected=[])
    assert reads.required_for(["medium"], url=db_url) == ["Agile", "Budget"]
    with pytest.raises(ConflictError) as stale:
        _write(db_url, commands.set_required_courses, "medium", [a], expected=[])
    assert stale.value.current["course_ids"] == sorted([a, b])
    assert stale.value.current["_changed_by"] == "test admin"
    _write(db_url, commands.set_required_courses, "medium", [b], expected=[b, a])
    assert reads.required_for(["medium"], url=db_url) == ["Budget"]
    _write(db_url, commands.set_required_courses, "risk_critical", [a], expected=[])
    assert reads.required_for(["medium", "risk_critical"], url=db_url) == ["Agile", "Budget"]
    with pytest.raises(ValidationFailed):
        _write(db_url, commands.set_required_courses, "huge", [b], expected=[b])
    with pytest.raises(ValidationFailed):
        _write(db_url, commands.set_required_courses, "small", [999], expected=[])
    with pytest.raises(PermissionDenied):
        _write(
            db_url,
            commands.set_required_courses,
            "small",
            [a],
            expected=[],
            actor=Actor(None, "pm", "project_manager"),
        )


def test_certificates_lapsing_within_30_days_are_reminded_once(db_url, monkeypatch):
    org = make_org(db_url)
    today = clock.today()
    courses = {n: _course(db_url, n) for n in ("PMP", "Scrum", "Risk", "Agile")}
    for person, name, left in (
        ("pm", "PMP", 30),  # the last day reminded
        ("pm", "Scrum", 31),  # not yet
        ("pm", "Risk", -1),  # lapsed yesterday: the to-do list says it, no mail
        ("other_pm", "Agile", 0),  # lapses today
    ):
        expires = today + left * DAY
        _insert(
            db_url,
            TrainingRecord,
            person_id=org[person],
            course_id=courses[name],
            completed_on=expires - 700 * DAY,
            expires_on=expires,
        )
    now = clock.now()
    with SmtpServer() as smtp:
        monkeypatch.setenv("PMO_SMTP_URL", smtp.url)
        for _ in range(2):  # however often the worker runs
            jobs.plan_reminders(now, db_url)
            jobs.send_pending(now, db_url)
    sent = sorted((rcpt[0], m["Subject"]) for rcpt, m in smtp.mailbox.received)
    assert sent == [
        ("other_pm@example.org", f"Your Agile expires on {fmt_date(today)}"),
        ("pm@example.org", f"Your PMP expires on {fmt_date(today + 30 * DAY)}"),
    ]
    assert all(m["X-PMO-Kind"] == "reminder" for _, m in smtp.mailbox.received)
    assert "/lessons?tab=Competence" in smtp.mailbox.received[0][1].get_body().get_content()
