"""Writes bump the versions of the tables they change, and no other; a cached read is kept
until a table it read (itself, or through a cached read it used) changes, or a restore moves
every version on. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable
from typing import NamedTuple

import pandas as pd
import pytest
import sqlalchemy as sa

from components.common import data
from components.common.cache import data_cache
from components.common.data import fresh_version
from components.gates import data as gate_data
from components.meeting import data as meeting_data
from components.portfolio import data as portfolio_data
from components.recovery import data as recovery_data
from data_access.admin.commands import create_person, update_person, update_settings
from data_access.core import backup, clock
from data_access.core.db import (
    PROJECT_FIGURES,
    bump_data_version,
    get_engine,
    note_tables_read,
    read_df,
    read_scalar,
    session_scope,
    table_versions,
    tables_named,
)
from data_access.core.models import Person, Project
from data_access.core.writes import Actor, fetch_row
from data_access.meeting.reviews import create_review
from data_access.updates.commands import (
    add_milestone,
    create_risk,
    move_milestone,
    submit_status_report,
    update_project,
    update_risk,
)
from domain.filters import PortfolioFilter
from tests.e2e.harness import eventually
from tests.factories import make_milestone, make_org, make_project, make_report, make_risk

ADMIN = Actor(person_id=None, name="test admin", role="admin")
DAYS_20 = dt.timedelta(days=20)


def _changed(before, after) -> set[str]:
    old = dict(before)
    return {table for table, version in after if old.get(table, 0) != version}


def test_callers_get_a_copy_unless_the_read_is_declared_read_only(db_url):
    make_org(db_url)

    def frame(version):
        return read_df("SELECT name FROM department", url=version[0])

    copied, kept = data_cache()(frame), data_cache(copies=False)(frame)
    version = fresh_version(db_url)
    first = copied(version)
    first["name"] = "changed by a caller"
    assert "changed by a caller" not in copied(version).name.tolist()
    assert kept(version) is kept(version)


def test_a_write_bumps_the_tables_it_changed_and_no_other(db_url):
    make_org(db_url)
    counter, before = table_versions(db_url)
    with session_scope(db_url) as session:
        create_review(
            {"title": "Weekly review", "held_on": dt.date(2026, 12, 7)},
            session=session,
            actor=ADMIN,
        )
    counter_after, after = table_versions(db_url)
    assert counter_after == counter + 1
    assert _changed(before, after) == {"review", "audit_log"}
    with session_scope(db_url) as session:
        create_person(
            {"name": "Nia New", "email": "nia@example.org", "role": "viewer"},
            session=session,
            actor=ADMIN,
        )
    assert _changed(after, table_versions(db_url)[1]) == {"person", "audit_log"}


def test_a_cached_read_is_kept_until_a_table_it_read_changes(db_url):
    make_org(db_url)
    runs = []

    @data_cache()
    def people(version):
        runs.append("people")
        return read_df("SELECT name FROM person ORDER BY id", url=version[0])

    @data_cache()
    def headcount(version, label: str):
        runs.append("headcount")
        return f"{label}: {len(people(version))}"

    assert headcount(fresh_version(db_url), "People") == "People: 5"
    assert headcount(fresh_version(db_url), "People") == "People: 5"
    assert runs == ["headcount", "people"]
    # A review does not touch the people: both reads are kept.
    with session_scope(db_url) as session:
        create_review({"title": "R", "held_on": dt.date(2026, 12, 7)}, session=session, actor=ADMIN)
    assert headcount(fresh_version(db_url), "People") == "People: 5"
    assert runs == ["headcount", "people"]
    # A new person: the outer read is recomputed too, though it read no table itself.
    with session_scope(db_url) as session:
        create_person(
            {"name": "Nia New", "email": "nia@example.org", "role": "viewer"},
            session=session,
            actor=ADMIN,
        )
    assert headcount(fresh_version(db_url), "People") == "People: 6"
    assert runs == ["headcount", "people"] * 2
    # Another key is its own entry.
    assert headcount(fresh_version(db_url), "Staff") == "Staff: 6"
    assert runs == ["headcount", "people"] * 2 + ["headcount"]
    # A restore moves every version on: nothing cached before it is served after it.
    backup._move_data_version_past(
        db_url, read_scalar("SELECT version FROM data_version", url=db_url)
    )
    assert headcount(fresh_version(db_url), "Staff") == "Staff: 6"
    assert runs[-2:] == ["headcount", "people"]


def test_a_status_update_moves_the_projects_figures_not_what_else_is_read_of_projects(db_url):
    org = make_org(db_url)
    pid = make_project(db_url, org, code="P-1")
    runs = []

    @data_cache()
    def names(version):
        runs.append("names")
        return read_df(
            "SELECT p.code, p.name, l.version FROM project p "
            "LEFT JOIN lesson l ON l.project_id = p.id",
            url=version[0],
        )

    @data_cache()
    def figures(version):
        runs.append("figures")
        return read_df("SELECT pr.code, pr.actual_cost FROM project AS pr", url=version[0])

    @data_cache()
    def rows(version):  # the version a form checks before it saves
        runs.append("rows")
        return read_df(sa.select(Project.id, Project.version), url=version[0])

    def read_all():
        version = fresh_version(db_url)
        return names(version), figures(version), rows(version)

    read_all()
    counter, before = table_versions(db_url)
    _turn_red(db_url, pid, dt.date(2026, 11, 25))  # its cost to date moves the project's
    after = table_versions(db_url)[1]
    assert _changed(before, after) == {"status_report", "audit_log", PROJECT_FIGURES}
    _, cost, version = read_all()
    assert runs == ["names", "figures", "rows", "figures", "rows"]
    assert cost.actual_cost.tolist() == [80_000.0]
    assert version.version.tolist() == [2]
    # A change of anything else of the project: every read of projects again.
    with session_scope(db_url) as session:
        update_project(pid, {"name": "Renamed"}, expected_version=2, session=session, actor=ADMIN)
    assert _changed(after, table_versions(db_url)[1]) == {"project", "audit_log"}
    read_all()
    assert runs[5:] == ["names", "figures", "rows"]


@pytest.mark.parametrize(
    ("sql", "reads_figures"),
    [
        ("SELECT * FROM project WHERE id = 1", True),
        ("SELECT p.* FROM milestone m JOIN project p ON p.id = m.project_id", True),
        ("SELECT m.*, p.name FROM milestone m JOIN project p ON p.id = m.project_id", False),
        ("SELECT COUNT(*) FROM project", False),
        ("SELECT p.percent_complete FROM project p", True),
        ("SELECT percent_complete FROM project", True),
        ("SELECT s.percent_complete FROM status_report s JOIN project p ON p.id = 1", False),
        # A subquery's star reads what the subquery's own list names ...
        ("SELECT * FROM (SELECT p.id, p.name FROM project p) ranked WHERE id > 1", False),
        ("SELECT * FROM (SELECT p.id, p.actual_cost FROM project p) ranked", True),
        ("SELECT * FROM (SELECT * FROM project) ranked", True),
        # ... unless projects are joined to it.
        (
            "SELECT * FROM (SELECT r.project_id FROM risk r) x JOIN project p ON p.id = 1",
            True,
        ),
    ],
)
def test_a_read_depends_on_the_projects_figures_only_when_it_may_show_them(sql, reads_figures):
    assert (PROJECT_FIGURES in tables_named(sql)) is reads_figures


# --- reads of one row per project: only the projects a write changed are read again --------


class Read(NamedTuple):
    name: str
    fn: Callable  # a cached read of one row per project
    by: str  # the column naming each row's project
    args: tuple
    order: tuple[str, ...]  # the columns that order a full read's rows


def portfolio_reads(today: dt.date) -> list[Read]:
    """The app's reads of one row per project, with the arguments the pages give them."""
    return [
        Read("health", data.portfolio_health, "id", (today,), ("id",)),
        Read("as of", portfolio_data.health_as_of, "id", (today - dt.timedelta(3),), ("id",)),
        Read(
            "weekly",
            portfolio_data.weekly_overall,
            "project_id",
            (today, 8),
            ("project_id", "week_end"),
        ),
        Read("gate facts", gate_data.facts, "project_id", (today,), ("project_id",)),
        Read(
            "compliance",
            gate_data.compliance,
            "project_id",
            (today, PortfolioFilter()),
            ("project_id", "policy"),
        ),
        Read("recovery", recovery_data.statuses, "project_id", (today,), ("project_id",)),
    ]


def _sorted(df: pd.DataFrame, *by: str) -> pd.DataFrame:
    # A full read has no set row order (PostgreSQL returns an updated row last).
    return df.sort_values(list(by)).reset_index(drop=True)


def _turn_red(url: str, project_id: int, day: dt.date) -> None:
    """A status update that turns the project red."""
    with session_scope(url) as session:
        submit_status_report(
            {
                "project_id": project_id,
                "report_date": day,
                **{f"{d}_rag": "R" for d in ("schedule", "cost", "scope", "risk")},
                "summary": "Supplier late",
                "percent_complete": 55.0,
                "cost_to_date": 80_000.0,
                "forecast_at_completion": 140_000.0,
            },
            session=session,
            actor=ADMIN,
        )


def _slip_milestone(url: str, milestone_id: int, to: dt.date, day: dt.date) -> None:
    with session_scope(url) as session:
        move_milestone(
            milestone_id,
            to,
            reason="Vendor slipped",
            reported_on=day,
            expected_version=1,
            session=session,
            actor=ADMIN,
        )


def _rename_manager(url: str, person_id: int) -> None:
    with session_scope(url) as session:
        person = fetch_row(session, Person, person_id)
        update_person(
            person_id,
            {"name": "Pat Renamed"},
            expected_version=person["version"],
            session=session,
            actor=ADMIN,
        )


def _raise_critical_risk(url: str, project_id: int, day: dt.date) -> None:
    with session_scope(url) as session:
        create_risk(
            {"project_id": project_id, "title": "Engineer leaving", "probability": 5, "impact": 5},
            raised_on=day,
            session=session,
            actor=ADMIN,
        )


def test_health_is_read_again_only_for_the_projects_a_write_changed(db_url):
    org = make_org(db_url)
    today = dt.date(2026, 11, 25)
    pids = [make_project(db_url, org, code=f"P-{i}") for i in range(1, 5)]
    milestones = {}
    for pid in pids:
        make_report(db_url, pid, dt.date(2026, 11, 13))
        make_report(db_url, pid, dt.date(2026, 11, 20), schedule_rag="A", overall_rag="A")
        milestones[pid] = make_milestone(db_url, pid, dt.date(2026, 12, 15))
        make_risk(db_url, pid, 2, 3)
    calls: list = []

    def recorded(read):
        @data_cache(by_project=read.by)
        def cached(version, *args, _project_ids=None):
            calls.append((read.name, _project_ids))
            return read.fn.__wrapped__(version, *args, _project_ids=_project_ids)

        return cached

    reads = portfolio_reads(today)
    cached = [(read, recorded(read)) for read in reads]

    def check(read_again: list[int] | None, kept_whole: tuple[str, ...] = ()) -> None:
        """Every read equals a full read; each was called for `read_again` (None: all), but
        those `kept_whole` (they read no table the write changed)."""
        calls.clear()
        version = fresh_version(db_url)
        for read, fn in cached:
            full = read.fn.__wrapped__(version, *read.args)
            kept = fn(version, *read.args)
            pd.testing.assert_frame_equal(_sorted(kept, *read.order), _sorted(full, *read.order))
        assert calls == [(r.name, read_again) for r in reads if r.name not in kept_whole]

    check(None)  # the first read of each is a full one
    _turn_red(db_url, pids[0], today)
    check([pids[0]])
    _slip_milestone(db_url, milestones[pids[1]], dt.date(2026, 11, 20), today)
    # Neither the weekly RAG nor the path to green reads milestones or risks.
    check([pids[1]], kept_whole=("weekly", "recovery"))
    _raise_critical_risk(db_url, pids[2], today)
    check([pids[2]], kept_whole=("weekly", "recovery"))
    with session_scope(db_url) as session:
        update_project(
            pids[3],
            {"forecast_finish": dt.date(2027, 6, 30)},
            expected_version=1,
            session=session,
            actor=ADMIN,
        )
    check([pids[3]])
    # A write that cannot say which projects it changed: every project is read again.
    with get_engine(db_url).begin() as conn:
        conn.execute(sa.text("UPDATE risk SET impact = 1 WHERE project_id = :p"), {"p": pids[0]})
        bump_data_version(conn)
    check(None, kept_whole=("weekly", "recovery"))
    # A write to a table not kept per project (a manager's name): every project again.
    _rename_manager(db_url, org["pm"])
    check(None, kept_whole=("weekly", "recovery"))  # the path to green names nobody


CHANGE_KEYS = {
    "health": "project_id",
    "risks_new": "risk_id",
    "risks_closed": "risk_id",
    "risks_band": "risk_id",
    "milestones": "milestone_id",
    "projects_new": "project_id",
    "projects_closed": "project_id",
}


def test_the_meetings_changes_are_read_again_only_for_the_projects_a_write_changed(db_url):
    org = make_org(db_url)
    # Real days: a closure is found in the audit trail, stamped with the app's clock.
    today = clock.today()
    since = today - dt.timedelta(days=10)
    pids = [make_project(db_url, org, code=f"P-{i}") for i in range(1, 6)]
    milestones, risks = {}, {}
    for pid in pids:
        make_report(db_url, pid, since - dt.timedelta(days=3))
        make_report(db_url, pid, since + dt.timedelta(days=2))  # no change in health
        with session_scope(db_url) as session:
            milestones[pid] = add_milestone(
                {
                    "project_id": pid,
                    "name": "Go live",
                    "baseline_date": today + DAYS_20,
                    "forecast_date": today + DAYS_20,
                },
                reported_on=since - dt.timedelta(days=5),
                session=session,
                actor=ADMIN,
            )
        with session_scope(db_url) as session:
            risks[pid] = create_risk(
                {"project_id": pid, "title": "Vendor", "probability": 2, "impact": 3},
                raised_on=since - dt.timedelta(days=5),
                session=session,
                actor=ADMIN,
            )
    calls: list = []

    @data_cache(by_project="project_id")
    def tables(version, _project_ids=None):
        calls.append(_project_ids)
        raw = meeting_data.change_tables.__wrapped__
        return raw(version, since, today, _project_ids=_project_ids)

    def check(read_again: list[int] | None, found: dict[str, int]) -> None:
        """The kept tables equal a full read, which has `found` rows in these tables; they
        were read again for `read_again` (None: every project)."""
        calls.clear()
        version = fresh_version(db_url)
        full = meeting_data.change_tables.__wrapped__(version, since, today)
        kept = tables(version)
        assert calls == [read_again]
        assert {name: len(df) for name, df in full.items() if len(df)} == found
        for name, key in CHANGE_KEYS.items():
            pd.testing.assert_frame_equal(
                _sorted(kept[name], key), _sorted(full[name], key), check_dtype=len(full[name]) > 0
            )

    check(None, {})  # the first read is a full one; nothing changed in the window yet
    _turn_red(db_url, pids[0], today)
    check([pids[0]], {"health": 1})
    _slip_milestone(db_url, milestones[pids[1]], today + DAYS_20 + DAYS_20, today)
    check([pids[1]], {"health": 1, "milestones": 1})
    _raise_critical_risk(db_url, pids[2], today)
    check([pids[2]], {"health": 1, "milestones": 1, "risks_new": 1})
    with session_scope(db_url) as session:
        update_risk(
            risks[pids[3]],
            {"probability": 5, "impact": 4},
            assessed_on=today,
            expected_version=1,
            session=session,
            actor=ADMIN,
        )
    check([pids[3]], {"health": 1, "milestones": 1, "risks_new": 1, "risks_band": 1})
    with session_scope(db_url) as session:
        update_project(
            pids[4],
            {"status": "completed", "actual_finish": today},
            expected_version=1,
            session=session,
            actor=ADMIN,
        )
    everything = {
        "health": 1,
        "milestones": 1,
        "risks_new": 1,
        "risks_band": 1,
        "projects_closed": 1,
    }
    check([pids[4]], everything)
    # Other risk bands (a setting, not kept per project): every project is read again.
    with session_scope(db_url) as session:
        update_settings(
            {"band_high_from": 12},
            expected_versions={"band_high_from": 1},
            session=session,
            actor=ADMIN,
        )
    check(None, {**everything, "risks_band": 1})


# --- sessions of one process missing the same entry at once compute it once -----------------


def _waiting(thread: threading.Thread) -> bool:
    """True once `thread` is blocked waiting for an event (another session's read)."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "wait" and frame.f_globals.get("__name__") == "threading":
            return True
        frame = frame.f_back
    return False


def test_sessions_missing_the_same_read_at_once_compute_it_once():
    calls, entered = [], threading.Event()
    release = {1: threading.Event(), 2: threading.Event()}  # by data version

    @data_cache()
    def slow(version, label: str):
        calls.append((label, version[1]))
        note_tables_read({"t"})
        entered.set()
        release[version[1]].wait(30)
        if label == "fails once" and len(calls) == 1:
            raise RuntimeError("this session's read failed")
        return f"{label} at {version[1]}"

    results: dict[str, object] = {}

    def session(name: str, label: str, counter: int = 1) -> threading.Thread:
        def run():
            try:
                results[name] = slow(("sqlite://one-read", counter, (("t", counter),)), label)
            except RuntimeError as exc:
                results[name] = exc

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    first = session("first", "same")
    entered.wait(30)
    second = session("second", "same")
    eventually(lambda: _waiting(second), timeout_ms=30_000)
    # A session at a newer data version does not wait for a read of the older one.
    newer = session("newer", "same", counter=2)
    eventually(lambda: len(calls) == 2, timeout_ms=30_000)
    release[1].set()
    first.join(30), second.join(30)
    release[2].set()
    newer.join(30)
    assert calls == [("same", 1), ("same", 2)]
    assert results == {"first": "same at 1", "second": "same at 1", "newer": "same at 2"}

    # When the session computing it fails, the waiting one computes it itself.
    calls.clear(), results.clear(), entered.clear(), release[1].clear()
    first = session("first", "fails once")
    entered.wait(30)
    second = session("second", "fails once")
    eventually(lambda: _waiting(second), timeout_ms=30_000)
    release[1].set()
    first.join(30), second.join(30)
    assert calls == [("fails once", 1)] * 2
    assert isinstance(results["first"], RuntimeError) and results["second"] == "fails once at 1"


def _shown(slides_by_project: dict) -> dict:
    """What each project's slides say: titles, lines, texts, table and chart rows."""

    def rows(df):
        return None if df is None else df.astype(str).to_dict("records")

    return {
        pid: [
            (s.title, s.subtitle)
            + tuple(
                (b.heading, b.text, b.more, [line.text for line in b.lines], rows(b.table))
                + (rows(b.data),)
                for b in s.blocks
            )
            for s in slides
        ]
        for pid, slides in slides_by_project.items()
    }


def test_the_meetings_project_slides_are_built_again_only_for_the_projects_a_write_changed(
    db_url,
):
    org = make_org(db_url)
    today = dt.date(2026, 11, 25)
    pids = [make_project(db_url, org, code=f"P-{i}") for i in range(1, 4)]
    milestones = {}
    for pid in pids:  # amber: every one is presented
        make_report(db_url, pid, dt.date(2026, 11, 20), schedule_rag="A", overall_rag="A")
        milestones[pid] = make_milestone(db_url, pid, dt.date(2026, 12, 15))
        make_risk(db_url, pid, 2, 3)
    presented = tuple(sorted(pids))
    calls: list = []

    @data_cache(by_project="project_id")
    def slides(version, _project_ids=None):
        calls.append(_project_ids)
        raw = meeting_data.project_slides.__wrapped__
        return raw(version, today, None, presented, _project_ids=_project_ids)

    def check(read_again: list[int] | None) -> None:
        calls.clear()
        version = fresh_version(db_url)
        full = meeting_data.project_slides.__wrapped__(version, today, None, presented)
        kept = slides(version)
        assert calls == [read_again]
        assert _shown(dict(zip(kept.project_id, kept.slides, strict=True))) == _shown(
            dict(zip(full.project_id, full.slides, strict=True))
        )

    check(None)
    _turn_red(db_url, pids[0], today)
    check([pids[0]])
    _slip_milestone(db_url, milestones[pids[1]], dt.date(2027, 1, 20), today)
    check([pids[1]])
    # A manager renamed (a table not kept per project): every project's slides again.
    _rename_manager(db_url, org["pm"])
    check(None)
