"""Stage gates on hand-made projects, on SQLite and PostgreSQL: criteria at and around their
thresholds, every decision, template versioning, the phase refused any other way, and two
approvers deciding at once."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from components.gates import actions
from data_access.core.db import get_engine, read_df, session_scope
from data_access.core.models import (
    COMPLIANCE_POLICIES,
    Action,
    AuditLog,
    GateReview,
    RiskAssessment,
)
from data_access.core.settings import get_settings
from data_access.core.sql import as_dates
from data_access.core.writes import (
    Actor,
    ConflictError,
    PermissionDenied,
    ValidationFailed,
    WriteError,
)
from data_access.gates import commands, history, reads
from data_access.gates.commands import CLOSING_NEEDS_LESSON, GateDecidedMeanwhile
from data_access.lessons import commands as lesson_commands
from data_access.updates import commands as core_commands
from domain import gates
from tests.factories import make_milestone, make_org, make_project, make_report, make_risk

ON = dt.date(2026, 11, 25)
DUE = ON + dt.timedelta(days=10)


def _actor(org, key, role):
    return Actor(org[key], key, role)


def _admin(org):
    return _actor(org, "admin", "admin")


def _pm(org):
    return _actor(org, "pm", "project_manager")


def _template_id(url, key="predictive", revision=1) -> int:
    df = reads.templates(url)
    return int(df[(df.key == key) & (df.revision == revision)].id.iloc[0])


def _follow(url, org, key="predictive", phase="Initiation", **project) -> int:
    """A project in `phase` that follows the template `key`, its gate planned at DUE."""
    pid = make_project(url, org, phase=phase, **project)
    with session_scope(url) as session:
        commands.assign_template(
            pid, _template_id(url, key), on=ON, session=session, actor=_pm(org)
        )
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("UPDATE project_lifecycle SET gate_due = :d"), {"d": DUE})
    return pid


def _lifecycle(url, pid):
    return reads.lifecycle(pid, url)


def _evidence(url, pid):
    _, phase = actions.current_phase(url, pid)
    return [
        {"criterion_id": c["id"], "link": "https://docs.example.org/x", "comment": "Signed"}
        for c in phase["criteria"]
        if c["kind"] == "attested"
    ]


def _submit(url, org, pid, on=ON, evidence=None) -> int:
    return actions.submit(
        url,
        pid,
        note="Ready",
        evidence=_evidence(url, pid) if evidence is None else evidence,
        on=on,
        expected_version=int(_lifecycle(url, pid)["version"]),
        actor=_pm(org),
    )


def _decide(url, org, gate_id, decision, *, actor=None, conditions=(), **extra):
    version = int(
        reads.gate_history(_project_of(url, gate_id), url).set_index("id").version[gate_id]
    )
    return actions.decide(
        url,
        gate_id,
        actor=actor or _admin(org),
        decision=decision,
        reason="Reviewed at the board",
        conditions=list(conditions),
        on=ON,
        expected_version=version,
        **extra,
    )


def _project_of(url, gate_id) -> int:
    return int(
        read_df(f"SELECT project_id FROM gate_review WHERE id = {gate_id}", url=url).iloc[0, 0]
    )


def _phase(url, pid) -> str:
    return read_df(f"SELECT phase FROM project WHERE id = {pid}", url=url).iloc[0, 0]


def _met(url, pid, on=ON) -> dict[str, tuple[bool, str]]:
    return {
        c["check"] or c["id"]: (c["met"], c["reason"])
        for c in actions.check_gate(url, pid, on, set())
    }


# --- the library ---------------------------------------------------------------------------


def test_three_templates_ship_with_phases_guidance_and_gates(db_url):
    df = reads.templates(db_url)
    assert sorted(df.key) == ["agile", "hybrid", "predictive"]
    for tid in df.id:
        t = reads.template(int(tid), db_url)
        assert len(t["phases"]) >= 3
        for phase in t["phases"]:
            assert phase["guidance"] and phase["deliverables"] and phase["gate"]
            assert {c["kind"] for c in phase["criteria"]} == {"auto", "attested"}
    predictive = reads.template(_template_id(db_url), db_url)
    assert [p["name"] for p in predictive["phases"]] == [
        "Starting up",
        "Initiation",
        "Delivery stages",
        "Closing",
    ]


# --- criteria at and around their thresholds ------------------------------------------------


def test_status_update_within_seven_days(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    assert _met(db_url, pid)["status_recent"] == (False, "No status update yet")
    make_report(db_url, pid, ON - dt.timedelta(days=7))
    met, reason = _met(db_url, pid)["status_recent"]
    assert met and "7 days ago" in reason
    assert not _met(db_url, pid, ON + dt.timedelta(days=1))["status_recent"][0]


def test_budget_approved_and_plan_baselined(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org, approved_budget=0.0)
    checks = _met(db_url, pid)
    assert checks["budget_approved"] == (False, "No approved budget is recorded")
    assert checks["plan_baselined"] == (False, "0 baselined milestones in the plan: fewer than 1")
    other = _follow(db_url, org, code="P-2")
    make_milestone(db_url, other, DUE)
    checks = _met(db_url, other)
    assert checks["budget_approved"][0]
    assert checks["plan_baselined"] == (True, "1 baselined milestones in the plan (at least 1)")


def test_high_risks_need_an_owner_and_a_response(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    make_risk(db_url, pid, 3, 3, last_assessed_on=ON)  # 9: Medium, not counted
    assert _met(db_url, pid)["high_risks_answered"][0]
    make_risk(db_url, pid, 2, 5, last_assessed_on=ON, owner_id=org["pm"], mitigation="Plan B")
    assert _met(db_url, pid)["high_risks_answered"][0]
    make_risk(db_url, pid, 2, 5, last_assessed_on=ON, owner_id=org["pm"], mitigation=" ")
    make_risk(db_url, pid, 5, 5, last_assessed_on=ON, mitigation="Plan C")
    assert _met(db_url, pid)["high_risks_answered"] == (
        False,
        "2 open High/Critical risk(s) without an owner or a response",
    )


def test_risks_reviewed_within_thirty_days(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    make_risk(db_url, pid, 1, 1, last_assessed_on=ON - dt.timedelta(days=30))
    assert _met(db_url, pid)["risks_reviewed"][0]
    make_risk(db_url, pid, 1, 1, last_assessed_on=ON - dt.timedelta(days=31))
    make_risk(db_url, pid, 1, 1, last_assessed_on=ON - dt.timedelta(days=90), status="closed")
    assert _met(db_url, pid)["risks_reviewed"] == (
        False,
        "1 open risk(s) not re-assessed for more than 30 days",
    )


def test_phase_milestones_are_those_baselined_by_the_gate(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org, phase="Execution")
    make_milestone(db_url, pid, DUE + dt.timedelta(days=1))
    make_milestone(db_url, pid, DUE - dt.timedelta(days=20), actual_date=ON)
    assert _met(db_url, pid)["phase_milestones_done"][0]
    make_milestone(db_url, pid, DUE)
    assert not _met(db_url, pid)["phase_milestones_done"][0]


# --- submitting --------------------------------------------------------------------------


def test_submission_needs_evidence_for_attested_criteria(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    with pytest.raises(ValidationFailed) as refused:
        _submit(db_url, org, pid, evidence=[])
    assert refused.value.errors == {
        "evidence.in-pid": "give a link or a file as evidence, and a comment"
    }
    bad = [{"criterion_id": "in-pid", "link": "docs/pid", "comment": "x"}]
    with pytest.raises(ValidationFailed) as refused:
        _submit(db_url, org, pid, evidence=bad)
    assert "https://" in refused.value.errors["evidence.in-pid"]
    filed = [
        {"criterion_id": "in-pid", "file_name": "pid.pdf", "content": b"%PDF", "comment": "v2"}
    ]
    gate_id = _submit(db_url, org, pid, evidence=filed)
    stored = reads.evidence(gate_id, db_url)
    assert stored[["criterion_id", "file_name", "comment"]].to_dict("records") == [
        {"criterion_id": "in-pid", "file_name": "pid.pdf", "comment": "v2"}
    ]
    assert reads.evidence_file(int(stored.id[0]), db_url) == ("pid.pdf", b"%PDF")
    # the snapshot keeps what the app found: no report and no milestone yet
    gate = reads.gate_history(pid, db_url).iloc[0]
    unmet = {c["check"] for c in gate.criteria if not c["met"]}
    assert unmet == {"status_recent", "plan_baselined"}
    assert gate.unmet == 2
    with pytest.raises(WriteError, match="already submitted"):
        _submit(db_url, org, pid, evidence=filed)


def test_only_the_projects_editors_submit(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    for key, role in (("other_pm", "project_manager"), ("viewer", "viewer")):
        with pytest.raises(PermissionDenied):
            actions.submit(
                db_url,
                pid,
                note="",
                evidence=_evidence(db_url, pid),
                on=ON,
                expected_version=1,
                actor=_actor(org, key, role),
            )
    assert reads.gate_history(pid, db_url).empty


# --- every decision ------------------------------------------------------------------------


def test_go_moves_the_project_to_the_next_phase(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    gate_id = _submit(db_url, org, pid)
    _decide(db_url, org, gate_id, "go")
    life = _lifecycle(db_url, pid)
    assert (life["phase_index"], life["phase_started_on"], life["gate_due"]) == (
        2,
        ON,
        ON + dt.timedelta(weeks=26),
    )
    assert _phase(db_url, pid) == "Execution"
    audit = read_df(
        f"SELECT action, entity FROM audit_log WHERE project_id = {pid} ORDER BY id", url=db_url
    )
    assert ("update", "gate_review") in set(map(tuple, audit.values))
    assert ("update", "project") in set(map(tuple, audit.values))


def test_go_with_conditions_creates_owned_actions(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    gate_id = _submit(db_url, org, pid)
    conditions = [{"title": "Sign the supplier contract", "owner_id": org["pm"], "due_date": DUE}]
    _decide(db_url, org, gate_id, "go_conditions", conditions=conditions)
    acts = as_dates(
        read_df(
            sa.select(Action.title, Action.owner_id, Action.due_date, Action.gate_review_id),
            url=db_url,
        ),
        ("due_date",),
    )
    assert acts.to_dict("records") == [
        {
            "title": "Sign the supplier contract",
            "owner_id": org["pm"],
            "due_date": DUE,
            "gate_review_id": gate_id,
        }
    ]
    assert _phase(db_url, pid) == "Execution"
    assert not _met(db_url, pid)["gate_actions_closed"][0]


@pytest.mark.parametrize("decision", ["hold", "recycle"])
def test_hold_and_recycle_keep_the_phase(db_url, decision):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    gate_id = _submit(db_url, org, pid)
    later = ON + dt.timedelta(days=21)
    _decide(db_url, org, gate_id, decision, next_due=later)
    life = _lifecycle(db_url, pid)
    assert (life["phase_index"], life["gate_due"], life["status"]) == (1, later, "active")
    assert _phase(db_url, pid) == "Initiation"
    # decided: the gate may be submitted again
    assert _submit(db_url, org, pid) != gate_id


def test_stop_cancels_the_project(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    _decide(db_url, org, _submit(db_url, org, pid), "stop")
    assert _lifecycle(db_url, pid)["status"] == "stopped"
    status = read_df(f"SELECT status FROM project WHERE id = {pid}", url=db_url).iloc[0, 0]
    assert status == "cancelled"
    with pytest.raises(WriteError, match="no open gate"):
        _submit(db_url, org, pid)


def _record_lesson(url, org, pid) -> int:
    with session_scope(url) as session:
        return lesson_commands.record_lesson(
            {
                "project_id": pid,
                "title": "Book the testers early",
                "what_happened": "The test team was booked two weeks late.",
                "recommendation": "Book the testers when the plan is baselined.",
                "category": "resources",
            },
            on=ON,
            session=session,
            actor=_pm(org),
        )


def test_the_closing_gate_asks_for_a_lesson_not_archived(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org, key="agile", phase="Closing")
    with pytest.raises(ValidationFailed) as refused:
        _submit(db_url, org, pid)
    assert refused.value.errors == {"lessons": CLOSING_NEEDS_LESSON}
    lesson_id = _record_lesson(db_url, org, pid)
    with session_scope(db_url) as session:
        lesson_commands.review_lesson(
            lesson_id, "archived", expected_version=1, session=session, actor=_admin(org)
        )
    with pytest.raises(ValidationFailed):
        _submit(db_url, org, pid)
    _record_lesson(db_url, org, pid)
    assert _submit(db_url, org, pid)
    assert not reads.gate_history(pid, db_url).empty


def test_only_the_closing_gate_asks_for_a_lesson(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org, key="agile", phase="Initiation")
    assert _submit(db_url, org, pid)


def test_go_at_the_last_gate_closes_the_lifecycle(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org, key="agile", phase="Closing")
    assert _lifecycle(db_url, pid)["phase_index"] == 2
    _record_lesson(db_url, org, pid)
    _decide(db_url, org, _submit(db_url, org, pid), "go")
    assert _lifecycle(db_url, pid)["status"] == "completed"
    assert _phase(db_url, pid) == "Closed"


def test_a_decision_is_checked_whole(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    gate_id = _submit(db_url, org, pid)
    version = int(reads.gate_history(pid, db_url).version[0])
    with pytest.raises(ValidationFailed) as refused:
        actions.decide(
            db_url,
            gate_id,
            actor=_admin(org),
            decision="go_conditions",
            reason=" ",
            conditions=[{"title": "", "owner_id": None, "due_date": ON - dt.timedelta(days=1)}],
            on=ON,
            expected_version=version,
        )
    assert refused.value.errors == {
        "reason": "is required: say why",
        "conditions.0.title": "is required",
        "conditions.0.owner_id": "choose who owns it",
        "conditions.0.due_date": "cannot be before the decision",
    }
    with pytest.raises(ValidationFailed) as refused:
        actions.decide(
            db_url,
            gate_id,
            actor=_admin(org),
            decision="maybe",
            reason="x",
            conditions=[],
            on=ON,
            expected_version=version,
        )
    assert set(refused.value.errors) == {"decision"}
    assert reads.gate_history(pid, db_url).status[0] == "submitted"


def test_only_the_named_approvers_decide(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org, sponsor_id=org["other_pm"])
    gate_id = _submit(db_url, org, pid)  # Initiation: sponsor, portfolio manager, PMO
    with pytest.raises(PermissionDenied):
        _decide(db_url, org, gate_id, "go", actor=_pm(org))
    _decide(db_url, org, gate_id, "hold", actor=_actor(org, "other_pm", "project_manager"))
    gate_id = _submit(db_url, org, pid)
    _decide(db_url, org, gate_id, "go", actor=_actor(org, "portfolio_manager", "portfolio_manager"))
    assert _phase(db_url, pid) == "Execution"


def test_two_approvers_deciding_at_once_never_both_win(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    gate_id = _submit(db_url, org, pid)
    version = int(reads.gate_history(pid, db_url).version[0])
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def decide(decision):
        start.wait()
        try:
            actions.decide(
                db_url,
                gate_id,
                actor=_admin(org),
                decision=decision,
                reason="Board",
                conditions=[],
                on=ON,
                expected_version=version,
            )
            outcomes.append(decision)
        except GateDecidedMeanwhile as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=decide, args=(d,)) for d in ("go", "stop")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o in ("go", "stop")]
    assert len(winners) == 1, outcomes
    loser = next(o for o in outcomes if o not in ("go", "stop"))
    assert "decided meanwhile by admin" in loser
    decided = reads.gate_history(pid, db_url).decision[0]
    assert decided == winners[0]
    # a late approver with the old version is told so too
    with pytest.raises(GateDecidedMeanwhile, match="decided meanwhile"):
        actions.decide(
            db_url,
            gate_id,
            actor=_admin(org),
            decision="hold",
            reason="x",
            conditions=[],
            on=ON,
            expected_version=version,
        )


# --- the phase changes no other way ----------------------------------------------------------


def test_editing_the_phase_is_refused_for_a_project_with_a_lifecycle(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    version = int(read_df(f"SELECT version FROM project WHERE id = {pid}", url=db_url).iloc[0, 0])
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as refused:
        core_commands.update_project(
            pid,
            {"phase": "Execution"},
            expected_version=version,
            session=session,
            actor=_admin(org),
        )
    assert "gate decision" in refused.value.errors["phase"]
    assert _phase(db_url, pid) == "Initiation"


def test_an_admin_exception_is_recorded_with_its_reason(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    life = _lifecycle(db_url, pid)
    kwargs = {
        "template_id": int(life["template_id"]),
        "phase_index": 2,
        "on": ON,
        "expected_version": int(life["version"]),
    }
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        commands.phase_exception(pid, reason="x", session=session, actor=_pm(org), **kwargs)
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as refused:
        commands.phase_exception(pid, reason="", session=session, actor=_admin(org), **kwargs)
    assert set(refused.value.errors) == {"reason"}
    with session_scope(db_url) as session:
        commands.phase_exception(
            pid, reason="Merged with PRJ-9", session=session, actor=_admin(org), **kwargs
        )
    assert _phase(db_url, pid) == "Execution"
    audit = read_df(
        "SELECT after FROM audit_log WHERE action = 'exception' AND entity = 'project_lifecycle'",
        url=db_url,
    )
    assert "Merged with PRJ-9" in str(audit.after[0])


# --- template versions -------------------------------------------------------------------------


def test_editing_a_template_makes_a_revision_and_keeps_projects_on_theirs(db_url):
    org = make_org(db_url)
    pid = _follow(db_url, org)
    first = _template_id(db_url)
    before = reads.template(first, db_url)
    phases = [dict(p) for p in before["phases"]]
    phases[1] = {**phases[1], "guidance": "New guidance", "weeks": 6}
    with session_scope(db_url) as session:
        second = commands.revise_template(
            first,
            {"phases": phases},
            expected_version=before["version"],
            session=session,
            actor=_admin(org),
        )
    assert reads.template(first, db_url)["phases"] == before["phases"]
    assert reads.template(second, db_url)["revision"] == 2
    assert int(_lifecycle(db_url, pid)["template_id"]) == first
    # moving the project to the new revision is an explicit, recorded act
    life = _lifecycle(db_url, pid)
    with session_scope(db_url) as session:
        commands.phase_exception(
            pid,
            template_id=second,
            phase_index=1,
            reason="Adopt revision 2",
            on=ON,
            expected_version=int(life["version"]),
            session=session,
            actor=_admin(org),
        )
    assert int(_lifecycle(db_url, pid)["template_id"]) == second
    other = _template_id(db_url, "agile")
    life = _lifecycle(db_url, pid)
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as refused:
        commands.phase_exception(
            pid,
            template_id=other,
            phase_index=0,
            reason="x",
            on=ON,
            expected_version=int(life["version"]),
            session=session,
            actor=_admin(org),
        )
    assert set(refused.value.errors) == {"template_id"}


def test_a_template_in_use_is_retired_not_deleted(db_url):
    org = make_org(db_url)
    _follow(db_url, org)
    used = _template_id(db_url)
    version = reads.template(used, db_url)["version"]
    with session_scope(db_url) as session, pytest.raises(WriteError, match="only retired"):
        commands.delete_template(used, expected_version=version, session=session, actor=_admin(org))
    with session_scope(db_url) as session:
        commands.set_template_status(
            used, "retired", expected_version=version, session=session, actor=_admin(org)
        )
    pid = make_project(db_url, org, code="P-2")
    with session_scope(db_url) as session, pytest.raises(ValidationFailed, match="retired"):
        commands.assign_template(pid, used, on=ON, session=session, actor=_admin(org))
    with session_scope(db_url) as session:
        copy = commands.copy_template(
            _template_id(db_url, "agile"),
            {"key": "agile-it", "name": "Agile for IT"},
            session=session,
            actor=_admin(org),
        )
    unused = reads.template(copy, db_url)
    with session_scope(db_url) as session:
        commands.delete_template(
            copy, expected_version=unused["version"], session=session, actor=_admin(org)
        )
    assert reads.template(copy, db_url) is None
    with session_scope(db_url) as session, pytest.raises(ConflictError):
        commands.set_template_status(
            used, "active", expected_version=version, session=session, actor=_admin(org)
        )


# --- the demo portfolio ----------------------------------------------------------------------


def test_demo_projects_follow_all_three_templates_with_gate_histories(demo_sqlite_path):
    url = f"sqlite:///{demo_sqlite_path}"
    used = read_df(
        "SELECT t.key, COUNT(*) AS n FROM project_lifecycle l "
        "JOIN lifecycle_template t ON t.id = l.template_id GROUP BY t.key",
        url=url,
    )
    assert set(used.key) == {"predictive", "agile", "hybrid"}
    assert used.n.sum() == 50
    decisions = (
        read_df(
            "SELECT decision, COUNT(*) AS n FROM gate_review WHERE status = 'decided' "
            "GROUP BY decision",
            url=url,
        )
        .set_index("decision")
        .n
    )
    assert set(decisions.index) == {"go", "go_conditions", "hold", "recycle", "stop"}
    assert decisions["go"] > decisions["go_conditions"] > decisions["recycle"]
    assert decisions["stop"] == 1
    assert not reads.pending_gates(url).empty
    # An active project's recorded phase is the stage of the phase its lifecycle is in.
    for row in read_df(
        "SELECT p.phase, l.phase_index, l.template_id FROM project p "
        "JOIN project_lifecycle l ON l.project_id = p.id WHERE l.status = 'active'",
        url=url,
    ).itertuples():
        phases = reads.template(int(row.template_id), url)["phases"]
        assert phases[row.phase_index]["stage"] == row.phase
    conditions = read_df(
        "SELECT COUNT(*) AS n FROM action WHERE gate_review_id IS NOT NULL", url=url
    )
    assert conditions.n[0] > 0


def test_gates_awaiting_decision_get_slides_and_decisions_show_as_changes(demo_db_url):
    from deck.sources import load_meeting
    from tests.conftest import DEMO_TODAY

    shown = load_meeting(DEMO_TODAY, url=demo_db_url)
    pending = reads.pending_gates(demo_db_url)
    overview = next(s for s in shown.slides if s.kind == "gates")
    assert overview.title == f"Gates awaiting a decision: {len(pending)}"
    gate_slides = [s for s in shown.slides if s.kind == "gate"]
    assert [s.project_id for s in gate_slides] == pending.project_id.head(10).tolist()
    criteria = gate_slides[0].blocks[0].table
    assert set(criteria.Met) <= {"yes", "no"} and len(criteria) > 0

    first = pending.iloc[0]
    admin = Actor(1, "Ada Admin", "admin")
    actions.decide(
        demo_db_url,
        int(first.id),
        actor=admin,
        decision="go",
        reason="Agreed in the room",
        conditions=[],
        on=DEMO_TODAY,
        expected_version=int(first.version),
    )
    since = DEMO_TODAY - dt.timedelta(days=1)
    after = load_meeting(DEMO_TODAY, since=since, url=demo_db_url)
    assert int(first.project_id) not in [s.project_id for s in after.slides if s.kind == "gate"]
    changes = next(s for s in after.slides if s.kind == "changes")
    gate_block = next(b for b in changes.blocks if b.heading == "Gate decisions")
    decided = reads.gates_decided(since, DEMO_TODAY, demo_db_url)
    assert (decided.id == first.id).any()
    go = int((decided.decision == "go").sum())
    assert gate_block.lines[0].text.startswith(f"{go} Go")
    assert f"{first.code} {first.gate}: Go" in [line.text for line in gate_block.lines]


# --- compliance (pure rules) -------------------------------------------------------------------

CONFIG = {
    "gate_status_days": 7,
    "status_late_days": 3,
    "risk_review_days": 30,
    "gate_min_milestones": 1,
    "gate_decide_days": 14,
}


def _facts(**values):
    base = {
        "project_id": 1,
        "code": "P-1",
        "name": "One",
        "program": "Core",
        "department": "IT",
        "phase": "Execution",
        "last_report": ON,
        "stale_risks": 0,
        "template_id": 1,
        "lifecycle_status": "active",
        "gate_due": ON,
        "pending_gate_id": None,
        "last_decided_on": None,
        "last_gate_unmet": None,
        "milestones": 1,
    }
    return pd.DataFrame([{**base, **values}])


def _states(**values) -> dict[str, tuple[str, str]]:
    result = gates.compliance(_facts(**values), CONFIG, ON)
    return {r.policy: (r.state, r.reason) for r in result.itertuples()}


@pytest.mark.parametrize(
    ("age", "state"), [(7, "compliant"), (8, "late"), (10, "late"), (11, "missing")]
)
def test_status_report_policy_at_its_thresholds(age, state):
    got = _states(last_report=ON - dt.timedelta(days=age))["Status report on time"]
    assert got[0] == state


@pytest.mark.parametrize(
    ("late_by", "state"), [(0, "compliant"), (1, "late"), (14, "late"), (15, "missing")]
)
def test_gate_policy_at_its_thresholds(late_by, state):
    got = _states(gate_due=ON - dt.timedelta(days=late_by))["Gate on time"]
    assert got[0] == state
    if late_by:
        assert got[1].startswith(f"Gate overdue by {late_by} day")


def test_other_policies_say_why():
    states = _states(
        template_id=None, stale_risks=2, milestones=0, last_decided_on=ON, last_gate_unmet=1
    )
    assert states["Gate on time"] == ("missing", "Follows no lifecycle template")
    assert states["Risks reviewed"][0] == "late"
    assert states["Baselines set"] == ("missing", "In Execution with 0 baselined milestones")
    assert states["Criteria met at last gate"][0] == "missing"
    assert _states(phase="Planning", milestones=0)["Baselines set"][0] == "compliant"


def test_the_recorded_policies_are_the_rules():
    assert tuple(gates.RULES) == COMPLIANCE_POLICIES == tuple(gates.POLICIES)


def _over_time(weekly: pd.DataFrame) -> pd.DataFrame:
    return gates.compliance_over_time(gates.state_counts(gates.weekly_states(weekly, CONFIG)))


def test_compliance_over_time_counts_each_policy_per_week():
    w1, w2 = ON - dt.timedelta(days=7), ON
    weekly = pd.concat(
        [
            _facts(project_id=1, week_end=w1, last_report=w1),
            _facts(project_id=2, week_end=w1, last_report=w1 - dt.timedelta(days=9)),
            _facts(project_id=1, week_end=w2, last_report=None, stale_risks=1),
        ]
    )
    out = _over_time(weekly).set_index(["week_end", "policy"])
    assert out.loc[(w1, "Status report on time"), ["compliant", "late", "missing"]].tolist() == [
        1,
        1,
        0,
    ]
    assert out.loc[(w1, "Status report on time")].share == pytest.approx(0.5)
    assert out.loc[(w2, "Status report on time")].missing == 1
    assert out.loc[(w2, "Risks reviewed")].late == 1
    assert set(out.index.get_level_values("policy")) == set(gates.POLICIES.values())
    assert (out.projects == out.compliant + out.late + out.missing).all()


# --- compliance over time (data layer: the facts as they stood each week) ----------------------

W1, W2 = dt.date(2026, 11, 15), dt.date(2026, 11, 22)


def _add(url, *rows):
    with session_scope(url) as session:
        session.add_all(rows)
        session.commit()


def test_weekly_facts_give_each_policy_as_it_stood_each_week(db_url):
    url, org = db_url, make_org(db_url)
    days = dt.timedelta
    # A: compliant at W1 on every policy's threshold; late or missing at W2.
    a = _follow(url, org, code="A", phase="Execution")
    tid = _template_id(url)
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE project_lifecycle SET gate_due = :due, phase_started_on = :start, "
                "created_at = :at WHERE project_id = :p"
            ),
            {"due": W2 - days(3), "start": W1 - days(60), "at": dt.datetime(2026, 9, 1), "p": a},
        )
    make_report(url, a, W1 - days(7))  # 7 days old at W1 (on time), 14 at W2 (missing)
    risk = make_risk(url, a, 2, 2, raised_on=W1 - days(40))
    _add(
        url,
        RiskAssessment(
            risk_id=risk, project_id=a, assessed_on=W1 - days(30), probability=2, impact=2
        ),
        GateReview(
            project_id=a,
            template_id=tid,
            phase_index=0,
            planned_on=W1 + days(1),
            status="decided",
            submitted_on=W1 - days(2),
            criteria=[],
            unmet=1,
            decision="go",
            decided_on=W1 + days(3),
        ),
    )
    make_milestone(url, a, W2, added_on=W1 - days(10), removed_on=W1 + days(2))
    # B: no lifecycle; reported 2 days before W1 (9 days at W2: late); its phase was
    # Planning until the day after W1; its only risk was closed before W1.
    b = make_project(url, org, code="B")
    make_report(url, b, W1 - days(2))
    make_risk(url, b, 3, 3, status="closed", closed_on=W1 - days(1))
    # C: created after W1, so it is absent from W1.
    c = make_project(url, org, code="C", phase="Initiation")
    make_report(url, c, W2)
    _add(
        url,
        AuditLog(
            at=dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC),
            action="update",
            entity="project",
            entity_id=b,
            before={"phase": "Planning"},
        ),
        AuditLog(
            at=dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC),
            action="create",
            entity="project",
            entity_id=c,
        ),
    )

    weekly = reads.weekly_facts([W1, W2], review_days=30, url=url)
    assert sorted(weekly[weekly.week_end == W1].project_id) == [a, b]
    assert sorted(weekly[weekly.week_end == W2].project_id) == [a, b, c]
    results = _over_time(weekly).set_index(["week_end", "policy"])

    def counts(week, policy):
        return results.loc[(week, policy), ["compliant", "late", "missing"]].tolist()

    assert counts(W1, "Status report on time") == [2, 0, 0]
    assert counts(W2, "Status report on time") == [1, 1, 1]
    assert counts(W1, "Risks reviewed") == [2, 0, 0]
    assert counts(W2, "Risks reviewed") == [2, 1, 0]
    # A's first gate was planned after W1 (decided W1+3); its next one due 3 days before W2.
    assert counts(W1, "Gate on time") == [1, 0, 1]  # B follows no lifecycle
    assert counts(W2, "Gate on time") == [0, 1, 2]
    assert counts(W1, "Criteria met at last gate") == [2, 0, 0]
    assert counts(W2, "Criteria met at last gate") == [2, 0, 1]
    assert counts(W1, "Baselines set") == [2, 0, 0]  # A 1 milestone, B still Planning
    assert counts(W2, "Baselines set") == [1, 0, 2]
    assert results.loc[(W1, "Status report on time")].share == pytest.approx(1.0)
    assert results.loc[(W2, "Status report on time")].share == pytest.approx(1 / 3)


def test_weekly_facts_show_the_gate_plan_and_lifecycle_as_they_were_then(db_url):
    url, org = db_url, make_org(db_url)
    days = dt.timedelta
    a = _follow(url, org, code="A", phase="Execution")
    # Since W2 the gate was re-planned (it was due 3 days before W1) and the project completed.
    with get_engine(url).begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE project_lifecycle SET gate_due = NULL, status = 'completed', "
                "created_at = :at WHERE project_id = :p"
            ),
            {"at": dt.datetime(2026, 9, 1), "p": a},
        )
    lifecycle_id = int(_lifecycle(url, a)["id"])

    def update(day: int, before: dict) -> AuditLog:
        at = dt.datetime.combine(W2 + days(day), dt.time(9), tzinfo=dt.UTC)
        return AuditLog(
            at=at,
            action="update",
            entity="project_lifecycle",
            entity_id=lifecycle_id,
            project_id=a,
            before=before,
        )

    _add(
        url,
        update(1, {"gate_due": (W1 - days(3)).isoformat()}),
        update(2, {"gate_due": (W2 + days(30)).isoformat()}),  # re-planned twice: the first counts
        update(3, {"status": "active"}),
    )
    weekly = reads.weekly_facts([W1, W2], review_days=30, url=url).set_index("week_end")
    assert weekly.gate_due.tolist() == [W1 - days(3), W1 - days(3)]
    assert weekly.lifecycle_status.tolist() == ["active", "active"]
    states = gates.weekly_states(weekly.reset_index(), CONFIG).set_index("week_end")
    assert states.gate.tolist() == ["late", "late"]  # 3 and 10 days overdue (grace: 14)


def test_the_worker_records_each_past_week_once_and_later_edits_leave_it(db_url):
    from worker.jobs import record_compliance

    url, org = db_url, make_org(db_url)
    a = make_project(url, org, code="A")
    b = make_project(url, org, code="B")
    make_report(url, a, ON - dt.timedelta(days=3))
    now = dt.datetime.combine(ON, dt.time(12), tzinfo=dt.UTC)
    past = gates.ended_weeks(ON)
    assert len(past) == gates.TREND_WEEKS - 1 and past[-1] < ON
    assert record_compliance(now, url) == 2 * len(past)
    assert record_compliance(now, url) == 0  # each week once

    def worked_out() -> pd.DataFrame:
        weekly = reads.weekly_facts(past, review_days=30, url=url)
        return _sorted(gates.state_counts(gates.weekly_states(weekly, get_settings(url))))

    recorded = _sorted(history.compliance_counts(past, None, url))
    pd.testing.assert_frame_equal(recorded, worked_out(), check_dtype=False)
    only_a = history.compliance_counts(past, [a], url)
    assert (only_a.groupby(["week_end", "policy"]).n.sum() == 1).all()

    # A report entered today, dated last week, changes what the history says of that week,
    # not what was recorded when it ended.
    make_report(url, b, past[-1])
    assert not worked_out().equals(recorded)
    assert _sorted(history.compliance_counts(past, None, url)).equals(recorded)

    # A week nobody recorded (the worker was stopped) is worked out, the later ones kept.
    with get_engine(url).begin() as conn:
        conn.execute(sa.text("DELETE FROM compliance_week WHERE week_end = :w"), {"w": past[3]})
    assert history.recorded_weeks(past, url) == set(past) - {past[3]}
    assert gates.weeks_to_work_out(past, history.recorded_weeks(past, url)) == past[3:]
    assert record_compliance(now, url) == 2


def _sorted(counts: pd.DataFrame) -> pd.DataFrame:
    return counts.sort_values(["week_end", "policy", "state"]).reset_index(drop=True)


def test_demo_gate_history_lies_in_the_past(demo_sqlite_path):
    from tests.conftest import DEMO_TODAY

    url = f"sqlite:///{demo_sqlite_path}"
    latest = read_df(
        "SELECT MAX(submitted_on) AS submitted, MAX(decided_on) AS decided, "
        "MAX(phase_started_on) AS started FROM gate_review, project_lifecycle",
        url=url,
    ).iloc[0]
    assert all(str(v)[:10] <= DEMO_TODAY.isoformat() for v in latest)


# --- the template editor -----------------------------------------------------------------------


def _revise(url, org, template_id, phases, version=None):
    with session_scope(url) as session:
        return commands.revise_template(
            template_id,
            {"phases": phases},
            expected_version=reads.template(template_id, url)["version"]
            if version is None
            else version,
            session=session,
            actor=_admin(org),
        )


def _revisions(url) -> int:
    return int(read_df("SELECT COUNT(*) AS n FROM lifecycle_template", url=url).n[0])


def test_the_checks_the_editor_offers_are_the_checks_the_app_runs():
    from data_access.core.models import CHECK_NAMES

    assert set(CHECK_NAMES) == set(gates.CHECKS) == set(gates.CHECK_LABELS)


def test_phases_are_added_moved_and_removed_in_a_new_revision(db_url):
    org = make_org(db_url)
    first = _template_id(db_url, "agile")
    before = reads.template(first, db_url)
    discovery, increments, transition = (dict(p) for p in before["phases"])
    pilot = {
        "name": "Pilot",
        "stage": "Execution",
        "weeks": 6,
        "guidance": "Run the pilot with one team.",
        "deliverables": ["Pilot report"],
        "links": ["https://intranet.example.org/pmo/training/pilot"],
        "gate": "Pilot accepted",
        "approvers": ["sponsor", "pmo"],
        "criteria": [
            {"kind": "auto", "check": "status_recent", "label": "Reporting", "must": True},
            {"kind": "attested", "check": "", "label": "Users signed off", "must": False},
        ],
    }
    increments["criteria"] = increments["criteria"][1:]  # one criterion removed
    second = _revise(db_url, org, first, [discovery, pilot, transition, increments])
    after = reads.template(second, db_url)
    assert after["revision"] == 2 and after["key"] == "agile"
    assert [p["name"] for p in after["phases"]] == [
        "Discovery",
        "Pilot",
        "Transition",
        "Release increments",
    ]
    # Criteria that were there keep their ids (gate records name them); new ones get fresh ids.
    assert after["phases"][3]["criteria"] == increments["criteria"]
    new_ids = [c["id"] for c in after["phases"][1]["criteria"]]
    old_ids = {c["id"] for p in before["phases"] for c in p["criteria"]}
    assert len(set(new_ids)) == 2 and not set(new_ids) & old_ids
    assert reads.template(first, db_url) == before


def test_every_problem_of_an_edited_template_is_named_by_its_field(db_url):
    org = make_org(db_url)
    first = _template_id(db_url, "agile")
    phases = [dict(p) for p in reads.template(first, db_url)["phases"]]
    phases[0] = {**phases[0], "name": "  ", "links": ["https://ok.example.org", "ftp://files"]}
    phases[1] = {
        **phases[1],
        "approvers": ["boss"],
        "criteria": [
            {"kind": "auto", "check": "no_such_check", "label": "x"},
            {"kind": "attested", "label": ""},
        ],
    }
    phases[2] = {**phases[2], "name": "discovery ", "gate": "", "weeks": 0, "approvers": []}
    count = _revisions(db_url)
    with pytest.raises(ValidationFailed) as refused:
        _revise(db_url, org, first, phases)
    errors = refused.value.errors
    assert errors == {
        "phases.0.name": "is required",
        "phases.0.links.1": "must be a web address starting with https:// or http://",
        "phases.1.approvers.0": "approver must be one of: sponsor, portfolio_manager, pmo",
        "phases.1.criteria.0.check": "is not a check the app knows",
        "phases.1.criteria.1.label": "is required",
        "phases.2.gate": "is required",
        "phases.2.weeks": "must be at least 1",
        "phases.2.approvers": "a gate names at least one approver",
    }
    assert _revisions(db_url) == count
    # Rules across phases, once each phase is right on its own.
    phases = [dict(p) for p in reads.template(first, db_url)["phases"]]
    phases[2] = {**phases[2], "name": "discovery"}
    with pytest.raises(ValidationFailed) as refused:
        _revise(db_url, org, first, phases)
    assert refused.value.errors == {"phases.2.name": "another phase has this name"}
    with pytest.raises(ValidationFailed, match="at least two phases"):
        _revise(db_url, org, first, phases[:1])
    assert _revisions(db_url) == count


def test_a_revision_based_on_an_older_one_is_refused(db_url):
    org = make_org(db_url)
    first = _template_id(db_url, "hybrid")
    opened = reads.template(first, db_url)
    phases = [dict(p) for p in opened["phases"]]
    _revise(db_url, org, first, [{**phases[0], "weeks": 5}, *phases[1:]])
    count = _revisions(db_url)
    with pytest.raises(ConflictError, match="saved revision 2 of this template since you opened"):
        _revise(db_url, org, first, [{**phases[0], "weeks": 7}, *phases[1:]])
    with pytest.raises(ConflictError):
        _revise(db_url, org, first, phases, version=opened["version"] - 1)
    with pytest.raises(PermissionDenied), session_scope(db_url) as session:
        commands.revise_template(
            first,
            {"phases": phases},
            expected_version=opened["version"],
            session=session,
            actor=_pm(org),
        )
    assert _revisions(db_url) == count
