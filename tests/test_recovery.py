"""Path to green on hand-made projects, on SQLite and PostgreSQL: when an update must carry a
recovery plan, the back-to-green history and its slips, recovery actions, escalations from
raised to answered or overdue, the report date and summary rules, and stale saves refused."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.core.db import read_df, session_scope
from data_access.core.writes import (
    Actor,
    ConflictError,
    PermissionDenied,
    ValidationFailed,
    WriteError,
)
from data_access.meeting import escalations, reviews
from data_access.recovery import reads
from data_access.updates import recovery
from data_access.updates.recovery import plan_need
from deck.sources import load_meeting
from domain.recovery import on_time_until
from tests.factories import make_org, make_project, make_report

D = dt.date
TODAY = D(2026, 11, 27)
RED = {"schedule_rag": "R", "cost_rag": "G", "scope_rag": "G", "risk_rag": "G"}
AMBER = {**RED, "schedule_rag": "A"}
GREEN = {**RED, "schedule_rag": "G"}


def _pm(org) -> Actor:
    return Actor(org["pm"], "Pm", "project_manager")


def _admin(org) -> Actor:
    return Actor(org["admin"], "Admin", "admin")


def _report(pid, day, rag=RED, summary="Integration tests failing"):
    return {"project_id": pid, "report_date": day, "summary": summary, **rag}


def _plan(green: dt.date, cause="supplier", confidence="medium"):
    return {"cause": cause, "expected_green_date": green, "confidence": confidence, "note": ""}


def _submit(url, org, report, plan=None, *, new=(), done=None, latest=None, settings=None):
    with session_scope(url) as session:
        return recovery.submit_update(
            report,
            plan or {},
            new_actions=list(new),
            done_actions=done or {},
            settings=settings or {},
            today=TODAY,
            session=session,
            actor=_pm(org),
            expected_latest_report=latest,
        )


DUE = D(2026, 12, 11)
HELD = D(2026, 11, 25)


def _action(org, title="Second supplier on board", due=DUE):
    return {"title": title, "owner_id": org["pm"], "due_date": due}


@pytest.mark.parametrize(
    ("overall", "amber_setting", "need"),
    [
        ("R", "off", "required"),
        ("R", "asked", "required"),
        ("A", "off", None),
        ("A", "asked", "asked"),
        ("A", "required", "required"),
        ("G", "required", None),
    ],
)
def test_when_a_plan_is_needed(overall, amber_setting, need):
    assert plan_need(overall, amber_setting) == need


def test_a_red_update_without_a_plan_is_refused_with_every_problem(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with pytest.raises(ValidationFailed) as err:
        _submit(db_url, org, _report(pid, D(2026, 11, 20)))
    assert set(err.value.errors) == {"recovery_cause", "expected_green_date", "recovery_actions"}
    assert read_df("SELECT COUNT(*) AS n FROM status_report", url=db_url).n[0] == 0


def test_amber_follows_the_pmo_setting(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with pytest.raises(ValidationFailed):
        _submit(
            db_url,
            org,
            _report(pid, D(2026, 11, 13), AMBER),
            settings={"recovery_plan_amber": "required"},
        )
    # Asked (the default): the update goes in without a plan.
    _submit(db_url, org, _report(pid, D(2026, 11, 13), AMBER))
    # A Green update needs none whatever the setting.
    _submit(
        db_url,
        org,
        _report(pid, D(2026, 11, 20), GREEN),
        settings={"recovery_plan_amber": "required"},
    )
    assert read_df("SELECT COUNT(*) AS n FROM recovery_plan", url=db_url).n[0] == 0


def test_plan_cause_must_be_in_the_pmo_list_and_date_after_the_report(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with pytest.raises(ValidationFailed) as err:
        _submit(
            db_url,
            org,
            _report(pid, D(2026, 11, 20)),
            _plan(D(2026, 11, 1), cause="weather"),
            new=[_action(org)],
        )
    assert err.value.errors["recovery_cause"].startswith("is required")
    assert err.value.errors["expected_green_date"] == "cannot be before the report date"
    # The PMO's own list decides.
    _submit(
        db_url,
        org,
        _report(pid, D(2026, 11, 20)),
        _plan(D(2027, 1, 15), cause="weather"),
        new=[_action(org)],
        settings={"recovery_causes": "weather, politics"},
    )
    assert reads.latest_plan(pid, url=db_url)["cause"] == "weather"


def test_back_to_green_history_counts_slips_in_the_current_episode(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    make_report(db_url, pid, D(2026, 9, 25), overall_rag="G")
    weeks = [D(2026, 10, 2) + dt.timedelta(weeks=i) for i in range(6)]
    # Expected date: set, kept, slipped, slipped, pulled in, slipped: three slips.
    greens = [
        D(2026, 12, 1),
        D(2026, 12, 1),
        D(2026, 12, 15),
        D(2027, 1, 15),
        D(2027, 1, 8),
        D(2027, 2, 1),
    ]
    new = [_action(org, "Re-plan the cut-over", due=D(2026, 10, 30))]
    for week, green in zip(weeks, greens, strict=True):
        _submit(db_url, org, _report(pid, week), _plan(green), new=new)
        new = []
    history = reads.green_date_history([pid], url=db_url)
    assert history.expected_green_date.tolist() == greens
    assert history.slipped.tolist() == [False, False, True, True, False, True]
    status = reads.recovery_status(TODAY, [pid], url=db_url).iloc[0]
    assert status.off_green_since == D(2026, 10, 2)
    assert status.expected_green_date == D(2027, 2, 1)
    assert status.first_green_date == D(2026, 12, 1)
    assert (status.plans, status.slips) == (6, 3)
    assert (status.open_actions, status.overdue_actions) == (1, 1)
    # Back to Green closes the episode: a new Red starts counting afresh.
    make_report(db_url, pid, D(2026, 11, 13), overall_rag="G")
    make_report(db_url, pid, D(2026, 11, 20), overall_rag="R")
    status = reads.recovery_status(TODAY, [pid], url=db_url).iloc[0]
    assert status.off_green_since == D(2026, 11, 20)
    assert (status.plans, status.slips) == (0, 0)
    assert status.expected_green_date is None


def test_the_plan_is_carried_over_and_actions_are_closed_with_their_version(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    first = _submit(
        db_url, org, _report(pid, D(2026, 11, 13)), _plan(D(2027, 1, 15)), new=[_action(org)]
    )
    assert reads.latest_plan(pid, url=db_url) == {
        "cause": "supplier",
        "expected_green_date": D(2027, 1, 15),
        "confidence": "medium",
        "note": "",
    }
    actions = reads.recovery_actions([pid], url=db_url)
    assert actions[["title", "owner", "status"]].to_dict("records") == [
        {"title": "Second supplier on board", "owner": "Pm", "status": "open"}
    ]
    # An action like the meeting's, shown on the project's path-to-green slide rather than
    # among the review's own actions.
    assert reviews.review_actions(None, url=db_url).empty
    assert reads.recovery_actions(None, open_only=True, url=db_url).id.tolist() == [
        int(actions.id[0])
    ]
    aid, version = int(actions.id[0]), int(actions.version[0])
    # Marking the last action done leaves a required plan without actions: refused.
    with pytest.raises(ValidationFailed) as err:
        _submit(
            db_url, org, _report(pid, D(2026, 11, 20)), _plan(D(2027, 1, 15)), done={aid: version}
        )
    assert "recovery_actions" in err.value.errors
    # Someone else closed it meanwhile: the PM's save on the old version is refused.
    with session_scope(db_url) as session:
        reviews.close_action(
            aid, closed_on=TODAY, expected_version=version, session=session, actor=_admin(org)
        )
    with pytest.raises(ConflictError):
        _submit(
            db_url,
            org,
            _report(pid, D(2026, 11, 20)),
            _plan(D(2027, 1, 15)),
            new=[_action(org, "Escalate to the sponsor")],
            done={aid: version},
            latest=first,
        )
    assert read_df("SELECT COUNT(*) AS n FROM status_report", url=db_url).n[0] == 1


def test_a_stale_update_is_refused(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    _submit(db_url, org, _report(pid, D(2026, 11, 13), GREEN), latest=0)
    with pytest.raises(ConflictError):
        _submit(db_url, org, _report(pid, D(2026, 11, 20), GREEN), latest=0)


@pytest.mark.parametrize(
    ("day", "summary", "errors"),
    [
        (
            D(2025, 12, 31),
            "Fine",
            {"report_date": "cannot be before the project's start (01 Jan 2026)"},
        ),
        (D(2026, 11, 28), "Fine", {"report_date": "cannot be after today (27 Nov 2026)"}),
        (
            D(2026, 11, 27),
            "  ",
            {"summary": "is required: say in a sentence or two where the project stands"},
        ),
    ],
)
def test_report_date_and_summary_rules(db_url, day, summary, errors):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    with pytest.raises(ValidationFailed) as err:
        _submit(db_url, org, _report(pid, day, GREEN, summary=summary))
    assert err.value.errors == errors


def _review(url, org, held_on=HELD) -> int:
    with session_scope(url) as session:
        return reviews.create_review(
            {"title": "November review", "held_on": held_on}, session=session, actor=_admin(org)
        )


def test_an_escalation_from_raised_to_answered(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org, sponsor_id=org["other_pm"])
    ask = {
        "project_id": pid,
        "ask": "Approve 40 k for a second supplier",
        "reason": "The first supplier cannot deliver before March",
        "asked_of": "sponsor",
        "needed_by": D(2026, 12, 4),
    }
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        escalations.raise_escalation(
            ask, today=TODAY, session=session, actor=Actor(org["viewer"], "V", "viewer")
        )
    with session_scope(db_url) as session, pytest.raises(ValidationFailed) as err:
        escalations.raise_escalation(
            {**ask, "ask": " ", "needed_by": D(2026, 11, 1)},
            today=TODAY,
            session=session,
            actor=_pm(org),
        )
    assert err.value.errors == {"ask": "is required", "needed_by": "cannot be in the past"}
    with session_scope(db_url) as session:
        eid = escalations.raise_escalation(ask, today=TODAY, session=session, actor=_pm(org))
    listed = reads.escalations(TODAY, open_only=True, url=db_url)
    assert listed[["id", "asked_person", "raised_by", "status", "overdue"]].to_dict("records") == [
        {
            "id": eid,
            "asked_person": "Other Pm",
            "raised_by": "Pm",
            "status": "open",
            "overdue": False,
        }
    ]
    # In the to-do of the person asked, and of nobody else.
    assert reads.escalations(TODAY, asked_person_id=org["other_pm"], url=db_url).id.tolist() == [
        eid
    ]
    assert reads.escalations(TODAY, asked_person_id=org["pm"], url=db_url).empty
    # Past its date, unanswered: overdue, and counted on the recovery view.
    later = D(2026, 12, 7)
    assert reads.escalations(later, url=db_url).overdue.tolist() == [True]
    assert reads.recovery_status(later, [pid], url=db_url).overdue_escalations[0] == 1
    rid = _review(db_url, org)
    version = int(listed.version[0])
    with session_scope(db_url) as session, pytest.raises(PermissionDenied):
        escalations.answer_escalation(
            eid,
            {"title": "No"},
            review_id=rid,
            expected_version=version,
            session=session,
            actor=_pm(org),
        )
    with session_scope(db_url) as session:
        did = escalations.answer_escalation(
            eid,
            {"title": "Second supplier approved", "description": "Up to 40 k"},
            review_id=rid,
            expected_version=version,
            session=session,
            actor=_admin(org),
        )
    done = reads.escalations(later, url=db_url).iloc[0]
    assert (done.status, done.decision, done.answered_on, done.overdue) == (
        "answered",
        "Second supplier approved",
        D(2026, 11, 25),
        False,
    )
    assert reviews.review_decisions(rid, url=db_url).id.tolist() == [did]
    with session_scope(db_url) as session, pytest.raises(WriteError):
        escalations.answer_escalation(
            eid,
            {"title": "Again"},
            review_id=rid,
            expected_version=version + 1,
            session=session,
            actor=_admin(org),
        )


def test_an_escalation_answered_meanwhile_is_a_conflict(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org)
    ask = {
        "project_id": pid,
        "ask": "Decide the scope cut",
        "reason": "Two features cannot both make the release",
        "asked_of": "steering_group",
        "needed_by": D(2026, 12, 4),
    }
    with session_scope(db_url) as session:
        eid = escalations.raise_escalation(ask, today=TODAY, session=session, actor=_pm(org))
    rid = _review(db_url, org)
    with session_scope(db_url) as session, pytest.raises(ConflictError):
        escalations.answer_escalation(
            eid,
            {"title": "Cut feature B"},
            review_id=rid,
            expected_version=7,
            session=session,
            actor=_admin(org),
        )
    assert reviews.review_decisions(rid, url=db_url).empty


def test_the_review_shows_the_path_to_green_and_its_escalations(db_url):
    org = make_org(db_url)
    # Forecast finish half a year late: the schedule, hence the project, is Red.
    pid = make_project(db_url, org, forecast_finish=D(2027, 6, 30))
    _submit(db_url, org, _report(pid, D(2026, 11, 13)), _plan(D(2027, 1, 15)), new=[_action(org)])
    _submit(db_url, org, _report(pid, D(2026, 11, 20)), _plan(D(2027, 2, 26)))
    ask = {
        "project_id": pid,
        "ask": "Approve a second supplier",
        "reason": "The first cannot deliver before March",
        "asked_of": "steering_group",
        "needed_by": D(2026, 11, 30),
    }
    with session_scope(db_url) as session:
        eid = escalations.raise_escalation(ask, today=TODAY, session=session, actor=_pm(org))
    rid = _review(db_url, org, held_on=TODAY)
    slides = load_meeting(TODAY, review_id=rid, url=db_url).slides
    kinds = [s.kind for s in slides]
    path = slides[kinds.index("path")]
    assert slides[kinds.index("path") - 1].kind == "project"
    assert path.subtitle.endswith(
        "back to Green by 26 Feb 2027 (slipped 1×, confidence medium) · cause: supplier"
    )
    asked, actions, chart = path.blocks
    assert [line.text for line in asked.lines] == [
        "Asks the steering group: Approve a second supplier by 30 Nov 2026. "
        "Why: The first cannot deliver before March"
    ]
    assert [line.text for line in actions.lines] == [
        "Second supplier on board (Pm, due 11 Dec 2026)"
    ]
    assert chart.data.expected_green_date.tolist() == [D(2027, 1, 15), D(2027, 2, 26)]
    listed = slides[kinds.index("escalations")].blocks[0].table
    assert listed.Asks.tolist() == ["Approve a second supplier"]
    # Past its date it is overdue, in red.
    late = load_meeting(D(2026, 12, 1), review_id=rid, url=db_url).slides
    table = next(s for s in late if s.kind == "escalations").blocks[0].table
    assert table["_colour_By"].notna().tolist() == [True]
    # Answered in the review: the slide records the decision, nothing is left to answer.
    with session_scope(db_url) as session:
        escalations.answer_escalation(
            eid,
            {"title": "Second supplier approved"},
            review_id=rid,
            expected_version=1,
            session=session,
            actor=_admin(org),
        )
    slides = load_meeting(TODAY, review_id=rid, url=db_url).slides
    path = next(s for s in slides if s.kind == "path")
    assert [line.text for line in path.blocks[0].lines] == ["Answered: Second supplier approved"]
    assert "escalations" not in [s.kind for s in slides]


def test_an_update_counts_on_time_up_to_the_pmo_days_after_its_reporting_day():
    assert on_time_until(D(2026, 11, 27), {"status_on_time_days": 3}) == D(2026, 11, 30)
    assert on_time_until(D(2026, 11, 27), {"status_on_time_days": 0}) == D(2026, 11, 27)
