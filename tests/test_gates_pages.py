"""The gates on the pages (Streamlit AppTest on the demo portfolio): the project's lifecycle,
submitting a gate as its manager, deciding it as the PMO, and the Gates & compliance page."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from data_access.core.db import read_df
from data_access.core.writes import Actor
from data_access.gates import reads
from data_access.recovery import reads as recovery_reads
from domain import gates
from domain.gates import TREND_WEEKS
from domain.portfolio_view import week_ends
from tests.auth_helpers import actor_of, open_app
from tests.conftest import DEMO_TODAY

# Page tests judge the demo by the app's clock (tests/conftest.py marks this file any_day).
pytestmark = pytest.mark.any_day

PROJECT = "PRJ-0001"  # Petra Projects' project; the demo keeps its gate open


def _phase(url: str) -> str:
    return read_df(f"SELECT phase FROM project WHERE code = '{PROJECT}'", url=url).iloc[0, 0]


def _shown(element) -> str:
    """An element's Markdown as the reader sees it (user text arrives escaped)."""
    return element.value.replace("\\", "")


def _button(at, label):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("tab", ["Gates", "Compliance", "My to-do", "Methodology"])
def test_gates_page_tabs_open(demo_db_url, monkeypatch, tab):
    at = open_app(demo_db_url, monkeypatch, "pages/gates.py", tab=tab)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_submit_then_decide_moves_the_phase(demo_db_url, monkeypatch):
    at = _lifecycle_as_pm(demo_db_url, monkeypatch)
    assert not at.error, [e.value for e in at.error]
    before = _phase(demo_db_url)
    assert any("Next gate" in m.value for m in at.markdown)
    # Submitting without the evidence is refused under the field, nothing written.
    _button(at, "Submit for decision").click().run()
    assert any("evidence" in e.value for e in at.error)
    assert (
        read_df(
            "SELECT COUNT(*) AS n FROM gate_review WHERE status = 'submitted' AND project_id = 1",
            url=demo_db_url,
        ).n[0]
        == 0
    )
    for field in at.text_input:
        if field.label == "Link":
            field.set_value("https://docs.example.org/vision")
        elif field.label == "Comment":
            field.set_value("Signed by the product owner")
    _button(at, "Submit for decision").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Gate submitted" in _shown(s) for s in at.success)

    admin = open_app(
        demo_db_url, monkeypatch, "pages/project.py", project=PROJECT, tab="Lifecycle and gates"
    )
    next(r for r in admin.radio if r.label == "Decision").set_value("go")
    next(t for t in admin.text_area if t.label == "Reason").set_value("Vision agreed")
    _button(admin, "Record the decision").click().run()
    assert not admin.error, [e.value for e in admin.error]
    assert _phase(demo_db_url) != before


def _decide_on_page(at, decision: str, reason: str):
    next(r for r in at.radio if r.label == "Decision").set_value(decision)
    next(t for t in at.text_area if t.label == "Reason").set_value(reason)
    _button(at, "Record the decision").click().run()


def test_the_second_approver_is_told_the_gate_was_decided_meanwhile(demo_db_url, monkeypatch):
    pending = reads.pending_gates(demo_db_url).iloc[0]
    first = open_app(
        demo_db_url,
        monkeypatch,
        "pages/project.py",
        project=pending.code,
        tab="Lifecycle and gates",
    )
    second = open_app(
        demo_db_url,
        monkeypatch,
        "pages/project.py",
        project=pending.code,
        tab="Lifecycle and gates",
    )
    _decide_on_page(first, "go", "Agreed")
    assert any("Decision recorded: Go" in _shown(s) for s in first.success)
    _decide_on_page(second, "stop", "Too late")
    assert any("decided meanwhile by Ada Admin: Go" in _shown(w) for w in second.warning)
    history = reads.gate_history(int(pending.project_id), demo_db_url)
    assert history.set_index("id").decision[int(pending.id)] == "go"


def test_a_gate_slide_offers_the_decision_in_the_meeting(demo_db_url, monkeypatch):
    from deck.sources import load_meeting

    slides = load_meeting(DEMO_TODAY, url=demo_db_url).slides
    number = next(i for i, s in enumerate(slides, 1) if s.kind == "gate")
    at = open_app(demo_db_url, monkeypatch, "pages/meeting.py", present="1", slide=str(number))
    assert not at.exception
    _button(at, "Decide the gate")


@pytest.mark.parametrize("rows", ["program", "project"])
def test_compliance_by_program_and_by_project(demo_db_url, monkeypatch, rows):
    at = open_app(demo_db_url, monkeypatch, "pages/gates.py", tab="Compliance")
    at.session_state["compliance_rows"] = rows
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("vega_lite_chart")) == 2


def _trend_points(at) -> pd.DataFrame:
    chart = next(
        c.proto
        for c in at.get("vega_lite_chart")
        if "per policy, week by week" in json.dumps(json.loads(c.proto.spec).get("title"))
    )
    spec = json.loads(chart.spec)
    rows = [r for d in spec.get("datasets", {}).values() for r in d] or [
        r
        for d in chart.datasets
        for r in convert_arrow_bytes_to_pandas_df(d.data.data).to_dict("records")
    ]
    return pd.DataFrame(rows)


def test_compliance_over_time_draws_every_policy_week_by_week(demo_db_url, monkeypatch):
    at = open_app(demo_db_url, monkeypatch, "pages/gates.py", tab="Compliance")
    assert not at.exception, [e.value for e in at.exception]
    points = _trend_points(at)
    assert set(points.policy) == set(gates.POLICIES.values())
    weeks = pd.to_datetime(points.week_end).dt.date
    assert set(weeks) == set(week_ends(DEMO_TODAY, TREND_WEEKS))
    assert points.share.between(0, 1).all()
    assert (points.projects == points.compliant + points.late + points.missing).all()


def test_the_weeks_the_worker_recorded_draw_as_those_worked_out(demo_db_url, monkeypatch):
    from data_access.core import clock
    from worker.jobs import record_compliance

    worked_out = _trend_points(
        open_app(demo_db_url, monkeypatch, "pages/gates.py", tab="Compliance")
    )
    assert record_compliance(clock.now(), demo_db_url) > 0  # seen at the next run
    recorded = _trend_points(open_app(demo_db_url, monkeypatch, "pages/gates.py", tab="Compliance"))
    columns = ["week_end", "policy", "compliant", "late", "missing", "projects"]
    pd.testing.assert_frame_equal(
        recorded[columns].sort_values(columns[:2]).reset_index(drop=True),
        worked_out[columns].sort_values(columns[:2]).reset_index(drop=True),
    )


def test_an_uploaded_evidence_file_can_be_downloaded_by_the_approver(demo_db_url, monkeypatch):
    from components.gates import actions

    lifecycle = reads.lifecycle(1, demo_db_url)
    _, phase = actions.current_phase(demo_db_url, 1)
    evidence = [
        {
            "criterion_id": c["id"],
            "file_name": "vision.pdf",
            "content": b"%PDF-1.7",
            "comment": "v1",
        }
        for c in phase["criteria"]
        if c["kind"] == "attested"
    ]
    actions.submit(
        demo_db_url,
        1,
        note="",
        evidence=evidence,
        on=lifecycle["phase_started_on"],
        expected_version=int(lifecycle["version"]),
        actor=Actor(3, "Petra Projects", "project_manager"),
    )
    at = open_app(
        demo_db_url, monkeypatch, "pages/project.py", project=PROJECT, tab="Lifecycle and gates"
    )
    assert any(b.label == "Download vision.pdf" for b in at.get("download_button"))


def test_my_todo_lists_the_escalations_and_gates_put_to_me(demo_db_url, monkeypatch):
    """The person an escalation is put to finds it in their to-do; the PMO finds the gates
    awaiting a decision there, each with a link to where it is done."""
    escalations = recovery_reads.escalations(DEMO_TODAY, open_only=True, url=demo_db_url)
    ask = escalations[escalations.asked_person_id.notna()].iloc[0]
    at = open_app(
        demo_db_url,
        monkeypatch,
        "pages/gates.py",
        actor=actor_of(demo_db_url, int(ask.asked_person_id)),
        tab="My to-do",
    )
    assert not at.exception and not at.error
    todo = at.dataframe[0].value
    mine = escalations[escalations.asked_person_id == ask.asked_person_id]
    answers = todo[todo["To do"].str.startswith("Answer the escalation: ")]
    assert sorted(answers["To do"].str.removeprefix("Answer the escalation: ")) == sorted(mine.ask)
    assert set(answers.Open) == {"/meeting"}

    at = open_app(demo_db_url, monkeypatch, "pages/gates.py", role="admin", tab="My to-do")
    todo = at.dataframe[0].value
    pending = reads.pending_gates(demo_db_url)
    assert len(pending) >= 1
    decide = todo[todo["To do"].str.startswith("Decide the ")]
    assert sorted(decide.Project) == sorted(pending.code + " · " + pending.name)
    assert set(decide.Open) == {"/gates?tab=Gates"}


def _agile(url: str) -> pd.DataFrame:
    df = reads.templates(url)
    return df[df.key == "agile"].sort_values("revision")


def _last(widgets, label):
    return [w for w in widgets if w.label == label][-1]


def _editor(url, monkeypatch):
    at = open_app(url, monkeypatch, "pages/gates.py", tab="Methodology")
    assert next(s for s in at.selectbox if s.label == "Template").value == "agile"
    return at


def test_a_pmo_admin_edits_a_template_as_a_new_revision(demo_db_url, monkeypatch):
    at = _editor(demo_db_url, monkeypatch)
    _button(at, "Add a phase").click().run()
    _last(at.text_input, "Phase name").set_value("Pilot")
    _last(at.text_input, "Gate at the end of the phase").set_value("Pilot accepted")
    _last(at.button, "Add a criterion").click().run()
    _last(at.text_input, "Criterion").set_value("Users signed the pilot report")
    _button(at, "Save as a new revision").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("new revision saved" in _shown(s) for s in at.success)
    revisions = _agile(demo_db_url)
    assert list(revisions.revision) == [1, 2]
    phases = reads.template(int(revisions.id.iloc[-1]), demo_db_url)["phases"]
    assert [p["name"] for p in phases][-1] == "Pilot"
    assert phases[-1]["criteria"][0]["label"] == "Users signed the pilot report"
    assert phases[-1]["approvers"] == ["pmo"]
    # The editor now shows revision 2, ready for the next edit.
    assert (
        next(s for s in at.selectbox if s.label == "Template")
        .format_func("agile")
        .endswith("(revision 2)")
    )


def test_a_bad_template_edit_is_shown_by_its_field_and_writes_nothing(demo_db_url, monkeypatch):
    at = _editor(demo_db_url, monkeypatch)
    next(t for t in at.text_input if t.label == "Phase name").set_value("")
    _last(at.multiselect, "Who decides the gate").set_value([])
    _button(at, "Save as a new revision").click().run()
    assert not at.exception
    assert {e.value for e in at.error} == {"is required", "a gate names at least one approver"}
    assert list(_agile(demo_db_url).revision) == [1]
    # What was typed is kept.
    assert next(t for t in at.text_input if t.label == "Phase name").value == ""
    assert _last(at.multiselect, "Who decides the gate").value == []


def test_a_stale_template_edit_is_refused(demo_db_url, monkeypatch):
    first = _editor(demo_db_url, monkeypatch)
    second = _editor(demo_db_url, monkeypatch)
    _last(first.text_input, "Phase name").set_value("Handover")
    _button(first, "Save as a new revision").click().run()
    assert any("new revision saved" in _shown(s) for s in first.success)
    _last(second.text_input, "Phase name").set_value("Transition to run")
    _button(second, "Save as a new revision").click().run()
    assert any("saved revision 2 of this template" in _shown(w) for w in second.warning)
    revisions = _agile(demo_db_url)
    assert list(revisions.revision) == [1, 2]
    phases = reads.template(int(revisions.id.iloc[-1]), demo_db_url)["phases"]
    assert phases[-1]["name"] == "Handover"


def test_the_closing_gate_offers_the_lesson_it_asks_for(demo_db_url, monkeypatch):
    """At the last phase's gate the submission is refused under the form until the project
    has a lesson, which the form beside it records without leaving the page."""
    from data_access.core.db import get_engine

    with get_engine(demo_db_url).begin() as conn:
        conn.exec_driver_sql(
            "UPDATE project_lifecycle SET phase_index = (SELECT json_array_length(phases) - 1"
            " FROM lifecycle_template t WHERE t.id = template_id) WHERE project_id = 1"
        )
        conn.exec_driver_sql("UPDATE lesson SET status = 'archived' WHERE project_id = 1")
    at = _lifecycle_as_pm(demo_db_url, monkeypatch)
    for field in at.text_input:
        if field.label == "Link":
            field.set_value("https://docs.example.org/closure")
        elif field.label == "Comment":
            field.set_value("Signed by the sponsor")
    _button(at, "Submit for decision").click().run()
    assert any("closing gate asks for at least one lesson" in e.value for e in at.error)
    assert reads.gate_history(1, demo_db_url).query("status == 'submitted'").empty

    key = "lesson_closing_1"
    at.text_input(key=f"{key}.title").set_value("Hand over the runbook early")
    at.text_area(key=f"{key}.what_happened").set_value("Operations saw the runbook a day late.")
    at.text_area(key=f"{key}.recommendation").set_value("Share the runbook a month ahead.")
    at.selectbox(key=f"{key}.category").set_value("quality")
    _button(at, "Record the lesson").click().run()
    assert any("Lesson recorded" in _shown(s) for s in at.success)
    _button(at, "Submit for decision").click().run()
    assert not at.error, [e.value for e in at.error]
    assert not reads.gate_history(1, demo_db_url).query("status == 'submitted'").empty


def _lifecycle_as_pm(url, monkeypatch):
    """The project page of PROJECT on its Lifecycle and gates tab, as its project manager."""
    return open_app(
        url,
        monkeypatch,
        "pages/project.py",
        role="project_manager",
        project=PROJECT,
        tab="Lifecycle and gates",
    )
