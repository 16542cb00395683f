"""Schedule import from MS Project / Primavera files: real files through MPXJ, real databases.

Files are read in a child process with MPXJ (Java); the fixtures are MPXJ's own test files,
the richer schedules are written by MPXJ's MSPDI writer (tests/schedule_samples.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import signal
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from components.schedules.bulk import import_files
from data_access.core.db import data_version, get_engine, read_df
from data_access.core.models import Person
from data_access.core.writes import Actor, ConflictError, PermissionDenied, ValidationFailed
from data_access.schedules import commands as schedule_commands
from data_access.schedules import reads
from data_access.schedules.files import (
    MAX_BYTES,
    read_files,
    read_uploads,
    reader_pid,
    write_mspdi,
)
from data_access.schedules.plan import PlanAllocation
from domain.schedules import export_schedule, plan_from, weekly_allocations
from tests.factories import _insert, make_org, make_project
from tests.schedule_samples import fixture_folder, generated_schedule, write_schedule
from tests.test_capacity import allocate

TODAY = dt.date(2026, 2, 2)

# (tasks, milestone tasks, named resources, start, finish) as MPXJ 16.10 reads each file; the
# fixtures README counts MS Project's unnamed resource 0 too, which is not a person.
EXPECTED = {
    "sample.mpp": (23, 1, 2, "2003-01-07", "2003-03-18"),
    "sample98.mpp": (19, 1, 2, "2003-01-07", "2003-03-18"),
    "mpp9baseline.mpp": (15, 1, 2, "2006-08-24", "2006-09-14"),
    "sample.xml": (20, 1, 2, "2003-01-07", "2003-03-18"),
    "baselines.xml": (2, 0, 1, "2008-01-30", "2008-01-31"),
    "resource-rates-test.xer": (2, 0, 2, "2022-08-22", "2022-09-30"),
    "percent-complete-8.4.xer": (13, 0, 0, "2015-02-24", "2015-07-13"),
    "invalid-8.4.xer": (13, 0, 0, "2015-02-24", "2015-07-13"),
    "planner-sample.planner": (2, 0, 1, "2007-02-22", "2007-03-21"),
}


@pytest.fixture(scope="module")
def fixtures() -> dict[str, object]:
    """Every fixture file read once, in one child process (one JVM for all of them)."""
    folder = fixture_folder()
    paths = sorted(folder / name for name in EXPECTED)
    return {r.name: r for r in read_files(paths)}


# Richer schedules written by MPXJ's MSPDI writer and read back, as a user's files would be.
GENERATED = {
    "30": {"tasks": 30},
    "30 slipped": {"tasks": 30, "slip_days": 5},
    "20": {"tasks": 20},
    "10 done early": {"tasks": 10, "completed": 1, "status_date": dt.date(2026, 1, 5)},
    "200": {"tasks": 200},
    "200 slipped": {
        "tasks": 200,
        "slip_days": 10,
        "completed": 2,
        "status_date": dt.date(2026, 3, 16),
    },
    "20 team": {"tasks": 20, "team_hours": 4},
    "20 team busier": {"tasks": 20, "team_hours": 6},
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("generated")
    paths = [
        write_schedule(folder / f"{n}.xml", generated_schedule(**spec))
        for n, spec in enumerate(GENERATED.values())
    ]
    results = read_files(paths)
    assert all(r.ok for r in results), [r.reason for r in results]
    return {label: r.schedule for label, r in zip(GENERATED, results, strict=True)}


def _actor(org, key="admin", role="admin") -> Actor:
    return Actor(org[key], key.title(), role)


def _count(url, table, where="1 = 1") -> int:
    return int(read_df(f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", url=url).n.item())


def _import(
    url,
    schedule,
    *,
    actor,
    project_id=None,
    org=None,
    name="plan.xml",
    follow=(),
    confirmed=(),
    replace_typed=False,
):
    """Preview then write, as the page does: returns (project id, changes written, preview)."""
    plan = plan_from(schedule, follow=frozenset(follow), today=TODAY)
    seen = schedule_commands.preview_for(
        plan, project_id, confirmed=frozenset(confirmed), replace_typed=replace_typed, url=url
    )
    new = None
    if project_id is None:
        new = {
            "code": "SCHED-1",
            "name": plan.title or "Imported",
            "program_id": org["program"],
            "department_id": org["department"],
        }
    pid, count = schedule_commands.import_schedule(
        seen, project_id=project_id, new_project=new, file_name=name, url=url, actor=actor
    )
    return pid, count, seen


# --- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_file_reads_with_its_counts_and_dates(fixtures, name):
    result = fixtures[name]
    assert result.ok, result.reason
    tasks, milestones, resources, start, finish = EXPECTED[name]
    schedule = result.schedule
    assert len(schedule["tasks"]) == tasks
    assert sum(t["milestone"] for t in schedule["tasks"]) == milestones
    assert len(schedule["resources"]) == resources
    assert (schedule["start"], schedule["finish"]) == (start, finish)


def test_a_damaged_calendar_is_said_clearly(fixtures):
    """MPXJ reads invalid-8.4.xer's cut-short calendar as a standard week, silently; the
    preview says which calendar and what that means. The sound files have nothing to say."""
    [problem] = fixtures["invalid-8.4.xer"].schedule["file_problems"]
    assert "\u201cTest - Invalid\u201d is damaged" in problem
    assert all(
        not r.schedule["file_problems"] for n, r in fixtures.items() if n != "invalid-8.4.xer"
    )
    plan = plan_from(fixtures["invalid-8.4.xer"].schedule, today=dt.date(2015, 7, 1))
    assert problem in plan.warnings


def test_baseline_of_the_mpp9_fixture_becomes_the_milestone_baseline(fixtures):
    schedule = fixtures["mpp9baseline.mpp"].schedule
    plan = plan_from(schedule, today=TODAY)
    assert plan.project["baseline_finish"] == dt.date(2006, 9, 13)  # the summary's baseline 0
    assert plan.project["forecast_finish"] == dt.date(2006, 9, 14)
    assert plan.project["percent_complete"] == 50.0
    [milestone] = plan.milestones
    task = next(t for t in schedule["tasks"] if t["milestone"])
    assert milestone.uid == task["uid"]
    assert milestone.baseline_date == dt.date.fromisoformat(task["baseline_finish"]["0"])


def test_bad_files_are_refused_with_a_reason(tmp_path):
    folder = fixture_folder()
    truncated = tmp_path / "truncated.mpp"
    truncated.write_bytes((folder / "sample.mpp").read_bytes()[:5000])
    text = tmp_path / "notes.mpp"
    text.write_text("Minutes of the steering group, not a schedule.\n" * 50)
    empty = tmp_path / "empty.xer"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.mpp"
    with huge.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: big on paper, no disk used
    locked = Path(__file__).parent / "fixtures" / "msproject" / "password-protected-mpp9.mpp"
    results = read_files([truncated, text, empty, huge, locked, folder / "sample.mpp"])
    reasons = {r.name: r.reason for r in results}
    assert reasons["password-protected-mpp9.mpp"] == (
        "The file is password-protected; save it without a password and upload it again."
    )
    assert "damaged or truncated" in reasons["truncated.mpp"]
    assert "not a schedule file" in reasons["notes.mpp"]
    assert reasons["empty.xer"] == "The file is empty."
    assert "at most 50 MB" in reasons["huge.mpp"]
    assert results[-1].ok  # a bad file does not stop the good one after it


def test_the_reader_is_kept_between_files_and_replaced_after_a_timeout_or_a_crash(tmp_path):
    folder = fixture_folder()
    big = write_schedule(tmp_path / "big.xml", generated_schedule(1000))
    read_files([folder / "sample.mpp"])
    kept = reader_pid()
    read_files([folder / "sample98.mpp"])
    assert reader_pid() == kept  # one JVM for file after file

    # A warm reader once read the thousand tasks in 0.099 s: parsing them and writing the
    # answer back cannot take under 2 ms, however warm it is.
    [result] = read_files([big], seconds_per_file=0.002)
    assert not result.ok and "longer than" in result.reason
    assert reader_pid() is None  # the stuck reader was killed
    [result] = read_files([folder / "sample.xml"])
    assert result.ok, result.reason

    os.kill(reader_pid(), signal.SIGKILL)  # a reader that died between files
    [result] = read_files([folder / "sample.mpp"])
    assert result.ok, result.reason


def test_a_zip_brings_every_schedule_and_skips_the_rest():
    folder = fixture_folder()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(folder / "sample.mpp", "export/sample.mpp")
        archive.write(folder / "README.md", "export/README.md")
        archive.writestr("export/broken.xer", b"ERMHDR\t8.4\tbroken")
    results = {r.name: r for r in read_uploads([("server.zip", buffer.getvalue())])}
    assert results["server.zip/export/sample.mpp"].ok
    assert "not a schedule file type" in results["export/README.md"].reason
    assert not results["server.zip/export/broken.xer"].ok


# --- the plan -----------------------------------------------------------------------------


def test_plan_takes_the_chosen_baseline_and_followed_tasks(generated):
    schedule = generated["30"]
    plan0 = plan_from(schedule, today=TODAY)
    plan1 = plan_from(schedule, baseline=1, today=TODAY)
    assert [m.name for m in plan0.milestones] == ["Phase 1 done", "Phase 2 done", "Phase 3 done"]
    assert all(
        m1.baseline_date == m0.baseline_date - dt.timedelta(days=14)
        for m0, m1 in zip(plan0.milestones, plan1.milestones, strict=True)
    )
    assert plan0.project["approved_budget"] == 3 * 8000
    assert any("no baseline 1 for the project" in w for w in plan1.warnings)
    followed = plan_from(schedule, follow=frozenset({1}), today=TODAY)
    assert [m.name for m in followed.milestones][0] == "Phase 1"


def test_plan_warns_of_actuals_after_the_status_date(generated):
    schedule = generated["10 done early"]
    plan = plan_from(schedule, today=TODAY)
    assert plan.milestones[0].actual_date is None
    assert any("after the status date" in w for w in plan.warnings)


# --- writing ------------------------------------------------------------------------------


def test_a_fixture_file_becomes_a_new_project_with_milestones_history_and_audit(db_url, fixtures):
    org = make_org(db_url)
    schedule = fixtures["mpp9baseline.mpp"].schedule
    pid, count, seen = _import(db_url, schedule, actor=_actor(org), org=org, name="mpp9.mpp")
    project = read_df("SELECT * FROM project WHERE id = :id", {"id": pid}, url=db_url).iloc[0]
    assert str(project.baseline_finish)[:10] == "2006-09-13"
    assert str(project.forecast_finish)[:10] == "2006-09-14"
    assert project.percent_complete == 50.0
    assert _count(db_url, "milestone", f"project_id = {pid}") == 1
    assert _count(db_url, "milestone_history", f"project_id = {pid} AND change = 'created'") == 1
    assert _count(db_url, "schedule_link", f"project_id = {pid}") == 1
    assert _count(db_url, "audit_log", f"project_id = {pid} AND entity = 'milestone'") == 1
    assert _count(db_url, "schedule_import", f"project_id = {pid}") == 1
    assert count == len(seen.changes) > 0


def test_reimport_moves_milestones_into_history_and_an_unchanged_file_writes_nothing(
    db_url, generated
):
    org = make_org(db_url)
    actor = _actor(org)
    first = generated["200"]
    pid, _, _ = _import(db_url, first, actor=actor, org=org)
    assert _count(db_url, "milestone", f"project_id = {pid}") == 20

    before = data_version(db_url)
    _, count, seen = _import(db_url, first, actor=actor, project_id=pid)
    assert (count, seen.changes, data_version(db_url)) == (0, (), before)

    # The slipped version, written by MPXJ and read back from the file.
    _, count, seen = _import(db_url, generated["200 slipped"], actor=actor, project_id=pid)
    moved = {c.name for c in seen.changes if c.entity == "milestone" and c.field == "forecast_date"}
    assert len(moved) == 18 and count > 0
    assert _count(db_url, "milestone", f"project_id = {pid}") == 20  # moved, not duplicated
    history = read_df(
        "SELECT change, reported_on FROM milestone_history"
        " WHERE project_id = :p AND change <> 'created'",
        {"p": pid},
        url=db_url,
    )
    assert sorted(history.change.value_counts().items()) == [("completed", 2), ("forecast", 18)]
    assert {str(d)[:10] for d in history.reported_on} == {"2026-03-16"}  # the file's status date
    slip = read_df(
        "SELECT forecast_date, baseline_date FROM milestone"
        " WHERE project_id = :p AND name = 'Phase 5 done'",
        {"p": pid},
        url=db_url,
    ).iloc[0]
    assert (
        dt.date.fromisoformat(str(slip.forecast_date)[:10])
        - dt.date.fromisoformat(str(slip.baseline_date)[:10])
    ).days == 10


def test_a_milestone_gone_from_the_file_is_removed_and_keeps_its_history(db_url, generated):
    org = make_org(db_url)
    actor = _actor(org)
    pid, _, _ = _import(db_url, generated["30"], actor=actor, org=org)
    _import(db_url, generated["20"], actor=actor, project_id=pid)
    removed = read_df(
        "SELECT name FROM milestone WHERE project_id = :p AND removed_on IS NOT NULL",
        {"p": pid},
        url=db_url,
    )
    assert list(removed.name) == ["Phase 3 done"]
    assert _count(db_url, "milestone_history", f"project_id = {pid} AND change = 'removed'") == 1


def test_a_change_made_after_the_preview_refuses_the_import(db_url, generated):
    org = make_org(db_url)
    actor = _actor(org)
    pid, _, _ = _import(db_url, generated["30"], actor=actor, org=org)
    plan = plan_from(generated["30 slipped"], today=TODAY)
    seen = schedule_commands.preview_for(plan, pid, url=db_url)
    with get_engine(db_url).begin() as conn:  # someone moves a milestone meanwhile
        conn.execute(
            sa.text(
                "UPDATE milestone SET forecast_date = :d, version = version + 1"
                " WHERE project_id = :p AND name = 'Phase 1 done'"
            ),
            {"d": dt.date(2026, 6, 1), "p": pid},
        )
    before = _count(db_url, "milestone_history")
    with pytest.raises(ConflictError):
        schedule_commands.import_schedule(
            seen, project_id=pid, new_project=None, file_name="v2.xml", url=db_url, actor=actor
        )
    assert _count(db_url, "milestone_history") == before


def test_someone_who_may_not_edit_the_project_writes_nothing(db_url, generated):
    org = make_org(db_url)
    pid = make_project(db_url, org, manager_id=org["pm"])
    before = data_version(db_url)
    with pytest.raises(PermissionDenied):
        _import(
            db_url,
            generated["30"],
            actor=_actor(org, "other_pm", "project_manager"),
            project_id=pid,
        )
    assert _count(db_url, "milestone", f"project_id = {pid}") == 0
    assert data_version(db_url) == before


def test_bulk_import_reports_per_file_and_a_bad_file_writes_nothing(db_url, tmp_path):
    org = make_org(db_url)
    folder = fixture_folder()
    truncated = tmp_path / "broken.mpp"
    truncated.write_bytes((folder / "sample.mpp").read_bytes()[:4000])
    files = [folder / "mpp9baseline.mpp", truncated, folder / "sample.xml"]
    run = lambda: import_files(  # noqa: E731
        read_files(files),
        program_id=org["program"],
        department_id=org["department"],
        baseline=0,
        today=TODAY,
        url=db_url,
        actor=_actor(org),
    )
    outcomes = {o.name: o for o in run()}
    assert outcomes["mpp9baseline.mpp"].status == "created"
    assert outcomes["sample.xml"].status == "created"
    assert outcomes["broken.mpp"].status == "refused"
    assert _count(db_url, "project") == 2
    again = {o.name: o.status for o in run()}
    assert again == {
        "mpp9baseline.mpp": "unchanged",
        "broken.mpp": "refused",
        "sample.xml": "unchanged",
    }
    assert _count(db_url, "project") == 2


def test_two_thousand_tasks_import_whole(db_url, tmp_path):
    """A 2,000-task schedule gives its 200 milestones (how quick: the benchmark says)."""
    org = make_org(db_url)
    path = write_schedule(tmp_path / "big.xml", generated_schedule(2000))
    [result] = read_files([path])
    pid, count, seen = _import(db_url, result.schedule, actor=_actor(org), org=org)
    assert _count(db_url, "milestone", f"project_id = {pid}") == 200


def test_export_writes_ms_project_xml_that_reads_back_and_reimports_onto_itself(
    db_url, generated, tmp_path
):
    org = make_org(db_url)
    actor = _actor(org)
    pid, _, _ = _import(db_url, generated["30"], actor=actor, org=org)
    project, milestones = reads.export_source(pid, url=db_url)
    path = tmp_path / "export.xml"
    path.write_bytes(write_mspdi(export_schedule(project, milestones, TODAY)))
    [result] = read_files([path])
    assert result.ok and result.schedule["file_type"] == "MSPDI"
    back = plan_from(result.schedule, today=TODAY)
    assert [(m.name, m.baseline_date, m.forecast_date) for m in back.milestones] == [
        (m["name"], m["baseline_date"], m["forecast_date"]) for m in milestones
    ]
    # The exported tasks keep the imported task ids: importing the export changes no milestone.
    seen = schedule_commands.preview_for(back, pid, url=db_url)
    assert [c for c in seen.changes if c.entity == "milestone"] == []


def test_an_empty_schedule_is_refused_and_writes_nothing(db_url, tmp_path):
    org = make_org(db_url)
    path = write_schedule(tmp_path / "empty.xml", {"title": "Nothing planned", "tasks": []})
    [outcome] = import_files(
        read_files([path]),
        program_id=org["program"],
        department_id=org["department"],
        baseline=0,
        today=TODAY,
        url=db_url,
        actor=_actor(org),
    )
    assert (outcome.status, outcome.detail) == ("refused", "The schedule has no tasks.")
    assert _count(db_url, "project") == 0


def test_a_file_without_baselines_never_overwrites_stored_baselines(db_url, generated):
    org = make_org(db_url)
    actor = _actor(org)
    pid, _, _ = _import(db_url, generated["30"], actor=actor, org=org)
    unbaselined = copy.deepcopy(generated["30 slipped"])
    for task in unbaselined["tasks"]:
        task["baseline_start"], task["baseline_finish"], task["baseline_cost"] = {}, {}, {}
    _, count, seen = _import(db_url, unbaselined, actor=actor, project_id=pid)
    assert {c.field for c in seen.changes} == {"forecast_date", "forecast_finish"}
    assert any("an existing one keeps its own" in w for w in seen.warnings)
    stored = read_df(
        "SELECT baseline_date, forecast_date FROM milestone WHERE project_id = :p",
        {"p": pid},
        url=db_url,
    )
    slips = {
        (dt.date.fromisoformat(str(f)[:10]) - dt.date.fromisoformat(str(b)[:10])).days
        for b, f in zip(stored.baseline_date, stored.forecast_date, strict=True)
    }
    assert slips == {5}  # the slip shows against the stored baseline


# --- resources and assignments --------------------------------------------------------------


def _work(resource, hours, start, finish):
    return {"resource_uid": resource, "work_hours": hours, "start": start, "finish": finish}


def test_assignments_become_hours_a_week_merged_over_equal_weeks():
    rows = weekly_allocations(
        [
            # 40 h over two weeks (10 working days): 20 h a week, one row
            _work(1, 40, "2026-01-05", "2026-01-16"),
            # 8 h on a Wednesday of the second week: that week becomes 28 h, a row of its own
            _work(1, 8, "2026-01-14", "2026-01-14"),
            # a weekend-only assignment counts on its first day
            _work(2, 6, "2026-01-10", "2026-01-11"),
            _work(2, 0, "2026-01-05", "2026-01-09"),  # no work: nothing
        ]
    )
    monday = dt.date(2026, 1, 5)
    assert rows == (
        PlanAllocation(1, monday, monday + dt.timedelta(days=4), 20.0),
        PlanAllocation(1, monday + dt.timedelta(days=7), monday + dt.timedelta(days=11), 28.0),
        PlanAllocation(2, monday, monday + dt.timedelta(days=4), 6.0),
    )


def test_an_assignment_across_weeks_is_spread_by_working_days():
    # Thursday to next Tuesday: 4 working days, 2 in each ISO week; 12 h -> 6 h + 6 h
    rows = weekly_allocations([_work(1, 12, "2026-01-08", "2026-01-13")])
    assert rows == (PlanAllocation(1, dt.date(2026, 1, 5), dt.date(2026, 1, 16), 6.0),)


def test_a_fixture_and_a_written_schedule_carry_their_assignments(fixtures, tmp_path):
    sample = fixtures["sample.xml"].schedule
    assert {(a["task_uid"], a["resource_uid"], a["work_hours"]) for a in sample["assignments"]} >= {
        (2, 1, 200.0)
    }
    [written] = read_files(
        [write_schedule(tmp_path / "team.xml", generated_schedule(20, team_hours=4))]
    )
    schedule = written.schedule
    assert [(r["name"], r["email"]) for r in schedule["resources"]] == [
        ("Ann Lee", "ann.lee@example.org"),
        ("Bob Stone", "bob.stone@example.org"),
    ]
    plan = plan_from(schedule, today=TODAY)
    # 20 tasks: phases 1 and 2 (8 work tasks each, week k of the phase); Ann 4 h a task
    ann = [(a.start, a.end, a.hours_per_week) for a in plan.allocations if a.resource_uid == 1]
    assert ann[0] == (dt.date(2026, 1, 5), dt.date(2026, 1, 9), 4.0)
    assert ann[1] == (dt.date(2026, 1, 12), dt.date(2026, 2, 27), 8.0)
    bob = [(a.start, a.end, a.hours_per_week) for a in plan.allocations if a.resource_uid == 2]
    assert bob == [(dt.date(2026, 1, 5), dt.date(2026, 1, 16), 2.0)]


def _allocations(url, pid) -> list[tuple]:
    rows = read_df(
        "SELECT p.name, a.start_date, a.end_date, a.hours_per_week FROM allocation a"
        " JOIN person p ON p.id = a.person_id WHERE a.project_id = :p"
        " ORDER BY p.name, a.start_date",
        {"p": pid},
        url=url,
    )
    return [
        (r.name, str(r.start_date)[:10], str(r.end_date)[:10], float(r.hours_per_week))
        for r in rows.itertuples()
    ]


def _ann(url, org) -> int:
    return _insert(
        url, Person, name="Ann Lee", email="ann.lee@example.org", department_id=org["department"]
    )


def _typed(url, person: int, project: int, start: dt.date, end: dt.date) -> int:
    """An allocation of 10 h a week typed in by hand (no import wrote it)."""
    return allocate(url, person, project, start, end, 10)


def test_assignments_become_allocations_by_week_and_new_people_only_when_confirmed(
    db_url, generated
):
    org = make_org(db_url)
    actor = _actor(org)
    _ann(db_url, org)
    pid, _, seen = _import(db_url, generated["20 team"], actor=actor, org=org)
    assert any("Bob Stone is nobody here and not confirmed" in w for w in seen.warnings)
    ann = [
        ("Ann Lee", "2026-01-05", "2026-01-09", 4.0),
        ("Ann Lee", "2026-01-12", "2026-02-27", 8.0),
        ("Ann Lee", "2026-03-02", "2026-03-06", 4.0),
    ]
    assert _allocations(db_url, pid) == ann
    assert _count(db_url, "person", "name = 'Bob Stone'") == 0
    assert _count(db_url, "audit_log", f"project_id = {pid} AND entity = 'allocation'") == 3

    # Confirmed: Bob is created in the project's department, his hours come in, Ann's stay.
    _, _, seen = _import(db_url, generated["20 team"], actor=actor, project_id=pid, confirmed={2})
    assert {(c.entity, c.action) for c in seen.changes} == {
        ("person", "create"),
        ("allocation", "create"),
    }
    bob = read_df("SELECT department_id FROM person WHERE name = 'Bob Stone'", url=db_url)
    assert list(bob.department_id) == [org["department"]]
    assert _allocations(db_url, pid) == [*ann, ("Bob Stone", "2026-01-05", "2026-01-16", 2.0)]

    before = data_version(db_url)
    _, count, seen = _import(db_url, generated["20 team"], actor=actor, project_id=pid)
    assert (count, seen.changes, data_version(db_url)) == (0, (), before)


def test_reimport_replaces_the_imported_allocations_and_keeps_those_typed_in(db_url, generated):
    org = make_org(db_url)
    actor = _actor(org)
    ann = _ann(db_url, org)
    pid, _, _ = _import(db_url, generated["20 team"], actor=actor, org=org, confirmed={2})
    typed = _typed(db_url, ann, pid, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    _, _, seen = _import(db_url, generated["20 team busier"], actor=actor, project_id=pid)
    removed = [c for c in seen.changes if c.entity == "allocation" and c.action == "remove"]
    assert len(removed) == 4 and typed not in {c.record_id for c in removed}
    assert _allocations(db_url, pid) == [
        ("Ann Lee", "2026-01-05", "2026-01-09", 6.0),
        ("Ann Lee", "2026-01-12", "2026-02-27", 12.0),
        ("Ann Lee", "2026-03-02", "2026-03-06", 6.0),
        ("Ann Lee", "2026-06-01", "2026-06-30", 10.0),
        ("Bob Stone", "2026-01-05", "2026-01-16", 3.0),
    ]
    assert (
        _count(db_url, "audit_log", f"project_id = {pid} AND entity = 'allocation'") == 12
    )  # 4 + 4 out + 4 in


def _typed_january(url, org) -> tuple[int, int, int]:
    """Ann, a project, and her January on it typed in by hand: (ann, project, allocation)."""
    ann = _ann(url, org)
    pid = make_project(url, org)
    return ann, pid, _typed(url, ann, pid, dt.date(2026, 1, 5), dt.date(2026, 1, 30))


def test_the_preview_names_hand_typed_hours_the_file_overlaps_and_the_write_refuses_them(
    db_url, generated
):
    """Ann is already on the project for January by hand: the preview says so before anything
    is written; imported anyway, the allocation write refuses the overlap, and with it the
    whole import."""
    org = make_org(db_url)
    _, pid, typed = _typed_january(db_url, org)
    plan = plan_from(generated["20 team"], today=TODAY)
    seen = schedule_commands.preview_for(plan, pid, confirmed=frozenset({2}), url=db_url)
    assert seen.clashing == {typed}
    [warning] = [w for w in seen.warnings if "typed in by hand" in w]
    assert warning.startswith("Ann Lee is already on this project from 05 Jan 2026 to 30 Jan")
    assert "10 h a week" in warning
    assert not any(c.record_id == typed for c in seen.changes if c.action == "remove")
    before = data_version(db_url)
    with pytest.raises(ValidationFailed):
        _import(db_url, generated["20 team"], actor=_actor(org), project_id=pid, confirmed={2})
    assert data_version(db_url) == before
    assert _count(db_url, "person", "name = 'Bob Stone'") == 0
    assert _count(db_url, "allocation") == 1
    assert _count(db_url, "milestone") + _count(db_url, "schedule_import") == 0


def test_the_file_replaces_hand_typed_hours_when_the_user_says_so(db_url, generated):
    org = make_org(db_url)
    actor = _actor(org)
    ann, pid, typed = _typed_january(db_url, org)
    # Ann's June, typed in too, is beyond the file's hours: it stays.
    _typed(db_url, ann, pid, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    _, count, seen = _import(
        db_url, generated["20 team"], actor=actor, project_id=pid, replace_typed=True
    )
    assert seen.clashing == {typed} and not any("typed in by hand" in w for w in seen.warnings)
    [removed] = [c for c in seen.changes if c.action == "remove"]
    assert (removed.record_id, removed.name, removed.old) == (typed, "Ann Lee", 10)
    assert _allocations(db_url, pid) == [
        ("Ann Lee", "2026-01-05", "2026-01-09", 4.0),
        ("Ann Lee", "2026-01-12", "2026-02-27", 8.0),
        ("Ann Lee", "2026-03-02", "2026-03-06", 4.0),
        ("Ann Lee", "2026-06-01", "2026-06-30", 10.0),
    ]
    deleted = f"entity = 'allocation' AND entity_id = {typed} AND action = 'delete'"
    assert _count(db_url, "audit_log", deleted) == 1
    # The file's hours are the import's now: a re-import changes nothing, June stays typed.
    _, count, seen = _import(db_url, generated["20 team"], actor=actor, project_id=pid)
    assert (count, seen.clashing) == (0, frozenset())
