"""Lessons learned on SQLite and PostgreSQL: recording and reviewing with permissions, stale
edits, marks; full-text search by each database's engine (words, phrases, accents); and the
relevance rule on hand-made lessons (which three a project sees, and why)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from benchmarks.lessons import LESSONS, lesson_rows
from data_access.core.db import get_engine, session_scope
from data_access.core.lesson_models import Lesson
from data_access.core.writes import Actor, ConflictError, PermissionDenied, ValidationFailed
from data_access.lessons import commands, reads
from domain import lessons as rule
from tests.factories import make_org, make_project, make_risk

ON = dt.date(2026, 11, 25)


def _actor(org, key, role):
    return Actor(org[key], key, role)


def _lesson(**overrides):
    values = {
        "title": "Book the test lab early",
        "what_happened": "The shared test lab was booked out for six weeks before go-live.",
        "kind": "avoid",
        "recommendation": "Reserve the lab at the planning gate, with a named owner.",
        "category": "schedule",
        "phase": "Execution",
        "tags": "Testing, lab, testing",
    }
    return {**values, **overrides}


def _record(url, org, key="pm", role="project_manager", **overrides):
    with session_scope(url) as s:
        return commands.record_lesson(
            _lesson(**overrides), on=ON, session=s, actor=_actor(org, key, role)
        )


def test_anyone_but_a_viewer_records_a_lesson_linked_to_its_project(db_url):
    org = make_org(db_url)
    project = make_project(db_url, org, approved_budget=3_000_000.0)
    lesson_id = _record(db_url, org, project_id=project)
    row = reads.lessons(url=db_url).set_index("id").loc[lesson_id]
    assert (row.status, row.project_size, row.department_id) == (
        "draft",
        "large",
        org["department"],
    )
    assert row.tags == "testing, lab" and row.author == "Pm"
    with pytest.raises(PermissionDenied), session_scope(db_url) as s:
        commands.record_lesson(_lesson(), on=ON, session=s, actor=_actor(org, "viewer", "viewer"))
    assert len(reads.lessons(url=db_url)) == 1


def test_every_bad_field_is_reported_at_once_and_nothing_is_written(db_url):
    org = make_org(db_url)
    with pytest.raises(ValidationFailed) as exc:
        _record(db_url, org, title="x", category="weather", what_happened="", project_id=999)
    assert {"title", "category", "what_happened"} <= set(exc.value.errors)
    with pytest.raises(ValidationFailed) as exc:
        _record(db_url, org, project_id=999)
    assert set(exc.value.errors) == {"project_id"}
    assert reads.lessons(url=db_url).empty


def test_a_stale_edit_is_refused_and_only_the_pmo_reviews(db_url):
    org = make_org(db_url)
    lesson_id = _record(db_url, org)
    pm, admin = _actor(org, "pm", "project_manager"), _actor(org, "admin", "admin")
    with session_scope(db_url) as s:
        commands.edit_lesson(
            lesson_id, {"title": "Book the lab"}, expected_version=1, session=s, actor=pm
        )
    with pytest.raises(ConflictError), session_scope(db_url) as s:
        commands.edit_lesson(lesson_id, {"title": "Other"}, expected_version=1, session=s, actor=pm)
    with pytest.raises(PermissionDenied), session_scope(db_url) as s:
        commands.edit_lesson(
            lesson_id,
            {"title": "Mine now"},
            expected_version=2,
            session=s,
            actor=_actor(org, "other_pm", "project_manager"),
        )
    with pytest.raises(PermissionDenied), session_scope(db_url) as s:
        commands.review_lesson(lesson_id, "accepted", expected_version=2, session=s, actor=pm)
    with session_scope(db_url) as s:
        commands.review_lesson(lesson_id, "merged", expected_version=2, session=s, actor=admin)
    assert reads.lessons(status="merged", url=db_url).title.tolist() == ["Book the lab"]


def test_marks_count_once_per_person(db_url):
    org = make_org(db_url)
    lesson_id = _record(db_url, org)
    for key in ("pm", "pm", "other_pm"):
        with session_scope(db_url) as s:
            commands.mark_lesson(
                lesson_id,
                "useful",
                project_id=None,
                on=ON,
                session=s,
                actor=_actor(org, key, "project_manager"),
            )
    with session_scope(db_url) as s:
        commands.mark_lesson(
            lesson_id, "applied", project_id=None, on=ON, session=s, actor=_actor(org, "pm", "x")
        )
    row = reads.lessons(url=db_url).iloc[0]
    assert (row.useful, row.applied) == (2, 1)
    assert reads.marked_by(org["pm"], url=db_url) == {(lesson_id, "useful"), (lesson_id, "applied")}


# --- full-text search ---------------------------------------------------------------------------


def test_search_finds_words_phrases_and_ignores_accents(db_url):
    org = make_org(db_url)
    lab = _record(db_url, org)
    supplier = _record(
        db_url,
        org,
        title="Supplier contract signed late",
        what_happened="The network supplier signed the contract three weeks after kick-off.",
        recommendation="Start procurement of the réseau équipement before the planning gate.",
        category="procurement",
        tags="contract",
    )

    def found(q):
        return reads.search(q, url=db_url).id.tolist()

    assert found("lab") == [lab]
    assert found("suppliers") == [supplier]  # stemming: plural finds singular
    assert found("contract LAB") == []  # every word is required
    assert found('"test lab"') == [lab]
    assert found('"lab test"') == []  # a phrase keeps its order
    assert found("reseau equipement") == [supplier]  # accents folded in the query ...
    assert found("RÉSEAU Équipement") == [supplier]  # ... and in the text
    assert set(found('planning "gate"')) == {lab, supplier}
    assert found('"; DROP TABLE lesson; --') == [] and found("") == []
    with session_scope(db_url) as s:  # the index follows edits
        commands.edit_lesson(
            lab,
            {"title": "Book the integration rig"},
            expected_version=1,
            session=s,
            actor=_actor(org, "pm", "project_manager"),
        )
    assert found("rig") == [lab] and found('"test lab"') == [lab]
    assert found('"book the lab"') == []


# --- the relevance rule ------------------------------------------------------------------------


def _hand_made(**columns):
    base = {
        "kind": "avoid",
        "status": "accepted",
        "useful": 0,
        "applied": 0,
        "project_size": "medium",
        "department_id": 9,
        "category": "quality",
        "phase": "Closing",
        "recorded_on": ON - dt.timedelta(days=400),
    }
    return {**base, **columns}


CONTEXT = {
    "id": 1,
    "phase": "Planning",
    "department_id": 1,
    "approved_budget": 500_000.0,  # medium
    "risk_categories": ["Commercial", "People"],  # cost, resources
}


def test_a_project_sees_the_three_most_relevant_lessons_and_why():
    lessons = pd.DataFrame(
        [
            _hand_made(
                id=1,
                title="same phase, same department, same size",
                phase="Planning",
                department_id=1,
            ),
            _hand_made(
                id=2,
                title="same phase only, large, old",
                phase="Planning",
                project_size="large",
                recorded_on=ON - dt.timedelta(days=900),
            ),
            _hand_made(
                id=3, title="risk category and department", category="cost", department_id=1
            ),
            _hand_made(
                id=4, title="nothing shared, much liked", useful=20, applied=5, recorded_on=ON
            ),
            _hand_made(
                id=5,
                title="same phase, small, liked",
                phase="Planning",
                project_size="small",
                useful=2,
            ),
            _hand_made(
                id=6,
                title="risk category, new",
                category="resources",
                recorded_on=ON - dt.timedelta(days=10),
            ),
        ]
    )
    seen = rule.rank(lessons, CONTEXT, ON)
    assert seen.id.tolist() == [1, 3, 5]
    reasons = dict(zip(seen.id, seen.reason, strict=True))
    assert reasons[1].startswith(
        "same phase (Planning) · your department · medium project like yours"
    )
    assert "cost, like your open risks" in reasons[3]
    assert "useful to 2, applied by 0" in reasons[5]
    # Popularity alone never makes a lesson relevant.
    assert 4 not in rule.rank(lessons, CONTEXT, ON, top=10).id.tolist()


def test_ties_go_to_the_newer_lesson_and_nothing_relevant_shows_nothing():
    lessons = pd.DataFrame(
        [
            _hand_made(
                id=1, title="older", phase="Planning", recorded_on=ON - dt.timedelta(days=800)
            ),
            _hand_made(
                id=2, title="newer", phase="Planning", recorded_on=ON - dt.timedelta(days=750)
            ),
        ]
    )
    assert rule.rank(lessons, CONTEXT, ON).id.tolist() == [2, 1]
    assert rule.rank(lessons, {**CONTEXT, "phase": "Execution"}, ON).empty


def test_candidates_and_context_come_from_the_database(db_url):
    org = make_org(db_url)
    here = make_project(db_url, org, code="P-1", phase="Planning")
    other = make_project(db_url, org, code="P-2")
    make_risk(db_url, here, 3, 3, category="Commercial")
    own = _record(db_url, org, project_id=here)
    theirs = _record(db_url, org, project_id=other, phase="Planning", category="cost")
    context = reads.project_context(here, url=db_url)
    assert context["phase"] == "Planning" and context["risk_categories"] == ["Commercial"]
    offered = reads.candidates(here, url=db_url)
    assert offered.id.tolist() == [theirs] and own not in offered.id.tolist()
    seen = rule.rank(offered, context, ON)
    assert seen.reason.iloc[0].startswith("same phase (Planning) · cost, like your open risks")


def test_only_lessons_that_share_something_with_the_project_are_read(db_url):
    """The phase, the department or a category of its open risks: what the rule asks of a
    lesson before it weighs anything else."""
    org = make_org(db_url)
    here = make_project(db_url, org, code="P-1", phase="Planning")
    elsewhere = {"department_id": org["other_department"], "phase": "Execution"}
    found = {
        "phase": _record(db_url, org, **{**elsewhere, "phase": "Planning"}),
        "category": _record(db_url, org, **elsewhere, category="cost"),
        "department": _record(db_url, org, phase="Execution", department_id=org["department"]),
    }
    nothing = _record(db_url, org, **elsewhere, category="quality")
    everything = reads.candidates(here, url=db_url)
    assert set(everything.id) == {*found.values(), nothing}
    sharing = reads.Sharing("Planning", org["department"], ("cost",))
    read = reads.candidates(here, sharing=sharing, url=db_url)
    assert set(read.id) == set(found.values())
    context = {**reads.project_context(here, url=db_url), "risk_categories": ["Commercial"]}
    assert rule.rank(everything, context, ON, top=10).id.tolist() == (
        rule.rank(read, context, ON, top=10).id.tolist()
    )


def test_search_answers_from_the_index_at_twenty_thousand_lessons(db_url):
    """20,000 lessons, a word and a phrase: the best 50, and the one lesson the phrase names.
    How quick it is, the benchmark says (benchmarks/lessons.py)."""
    org = make_org(db_url)
    with get_engine(db_url).begin() as conn:
        conn.execute(sa.insert(Lesson.__table__), lesson_rows(LESSONS, org["pm"], ON))
    hits = reads.search("contract budget", url=db_url)
    phrase = reads.search('"lesson 19999"', url=db_url)
    assert len(hits) == 50 and phrase.title.tolist() == ["Lesson 19999 about supplier"]


def _close_risk_with_lesson(url, org, risk_id, project, **lesson):
    """What the risk form does when a risk is closed with "what did we learn?": the close
    and the lesson staged in one session, committed together."""
    from data_access.core.writes import commit
    from data_access.updates import commands as updates

    pm = _actor(org, "pm", "project_manager")
    with session_scope(url) as s:
        updates.stage_risk_update(
            risk_id, {"status": "closed"}, assessed_on=ON, expected_version=1, session=s, actor=pm
        )
        commands.stage_lesson(
            _lesson(project_id=project, risk_id=risk_id, **lesson), on=ON, session=s, actor=pm
        )
        commit(s)


def _risk_status(url, risk_id) -> str:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(f"SELECT status FROM risk WHERE id = {risk_id}")).scalar()


def test_a_risk_closed_with_a_lesson_writes_both_linked(db_url):
    org = make_org(db_url)
    project = make_project(db_url, org)
    risk_id = make_risk(db_url, project, 4, 4)
    _close_risk_with_lesson(db_url, org, risk_id, project)
    assert _risk_status(db_url, risk_id) == "closed"
    row = reads.lessons(url=db_url).iloc[0]
    assert (row.project_id, row.status) == (project, "draft")
    with get_engine(db_url).connect() as conn:
        assert conn.execute(sa.text("SELECT risk_id FROM lesson")).scalar() == risk_id


def test_a_failing_lesson_leaves_the_risk_open(db_url):
    org = make_org(db_url)
    project = make_project(db_url, org)
    risk_id = make_risk(db_url, project, 4, 4)
    with pytest.raises(ValidationFailed) as exc:
        _close_risk_with_lesson(db_url, org, risk_id, project, recommendation="short")
    assert set(exc.value.errors) == {"recommendation"}
    assert _risk_status(db_url, risk_id) == "open"
    assert reads.lessons(url=db_url).empty


def test_a_lesson_links_only_a_risk_of_its_own_project(db_url):
    org = make_org(db_url)
    project, other = make_project(db_url, org), make_project(db_url, org, code="P-2")
    risk_id = make_risk(db_url, other, 2, 2)
    with pytest.raises(ValidationFailed) as exc:
        _record(db_url, org, project_id=project, risk_id=risk_id)
    assert exc.value.errors == {"risk_id": "belongs to another project than the lesson"}


def _merge_into_guidance(url, org, lesson_id, template_key="predictive", **lesson):
    """What the lessons review does on "Turn into guidance": a new template revision with the
    phase's guidance changed, and the lesson merged with the link, committed together."""
    from data_access.core.writes import commit
    from data_access.gates import commands as gates
    from data_access.gates import reads as gate_reads

    admin = _actor(org, "admin", "admin")
    templates = gate_reads.templates(url)
    template = templates[templates.key == template_key].iloc[0]
    phases = gate_reads.template(int(template.id), url)["phases"]
    revised = [{**phases[0], "guidance": "Reserve the test lab at the planning gate."}, *phases[1:]]
    with session_scope(url) as s:
        new_id = gates.stage_template_revision(
            int(template.id),
            {"phases": revised},
            expected_version=int(template.version),
            session=s,
            actor=admin,
        )
        commands.stage_merged_into_guidance(
            lesson_id,
            template_id=new_id,
            phase=lesson.get("phase", phases[0]["name"]),
            expected_version=lesson.get("version", 1),
            session=s,
            actor=admin,
        )
        commit(s)
    return int(template.revision), new_id


def test_a_lesson_turned_into_guidance_makes_a_revision_and_keeps_the_link(db_url):
    from data_access.gates import reads as gate_reads

    org = make_org(db_url)
    lesson_id = _record(db_url, org)
    revision, new_id = _merge_into_guidance(db_url, org, lesson_id)
    new = gate_reads.template(new_id, db_url)
    assert new["revision"] == revision + 1
    assert new["phases"][0]["guidance"] == "Reserve the test lab at the planning gate."
    row = reads.lessons(url=db_url).set_index("id").loc[lesson_id]
    assert (row.status, row.guidance_key, row.guidance_revision, row.guidance_phase) == (
        "merged",
        "predictive",
        revision + 1,
        new["phases"][0]["name"],
    )


def test_a_stale_lesson_leaves_the_template_unrevised(db_url):
    from data_access.gates import reads as gate_reads

    org = make_org(db_url)
    lesson_id = _record(db_url, org)
    before = len(gate_reads.templates(db_url))
    with pytest.raises(ConflictError):
        _merge_into_guidance(db_url, org, lesson_id, version=7)
    with pytest.raises(ValidationFailed) as exc:
        _merge_into_guidance(db_url, org, lesson_id, phase="No such phase")
    assert exc.value.errors == {"phase": "choose a phase of the template"}
    assert len(gate_reads.templates(db_url)) == before
    assert reads.lessons(url=db_url).status.tolist() == ["draft"]
