"""Property tests: whatever a user (or a script) throws at the write functions, each write is
either stored verbatim or refused with ValidationFailed and its words, never another
exception, and a refusal leaves every table and the data version as they were.
Run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from data_access.core.db import data_version, get_engine, read_df, session_scope
from data_access.core.models import RAID_KINDS, Milestone, Project, RaidItem, Risk, StatusReport
from data_access.core.records import record
from data_access.core.writes import SYSTEM, ValidationFailed
from data_access.updates import commands
from data_access.updates import raid_commands as raid
from domain import spreadsheets
from tests.factories import make_milestone, make_org, make_project, make_risk

PROPERTY = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.sampled_from(
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert('x')</script>",
        "'; DROP TABLE project; --",
        "Robert'); DELETE FROM risk WHERE 1=1;--",
        "1 OR 1=1",
        "%s %(name)s {0} :param",
        '=HYPERLINK("http://evil")',
        "\u202eRTL override",
        "emoji 😀 and ß and 漢字",
        "nul\x00inside",
        "   ",
        "",
        "\\",
        "line\nbreak\r\n",
    ]
)
# Long texts at the 4,000-character limit, built cheaply (drawing 4,000 characters one by one
# makes hypothesis slow).
LONG = st.builds(lambda n, c: c * n, st.integers(min_value=3995, max_value=4005), st.characters())
TEXT = st.one_of(NASTY, st.text(max_size=250), LONG)
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, 100, 100.000001, 1e13, 1e13 + 2, -0.0, 2**63, 5e-324]),
    NASTY,
)
SMALL_INT = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.floats(), NASTY)


def mostly(valid, nasty=NUMBER):
    """Valid values three times in four, so that the stored path is exercised as well."""
    return st.tuples(st.integers(min_value=0, max_value=3), valid, nasty).map(
        lambda t: t[2] if t[0] == 0 else t[1]
    )


NAME = mostly(st.text(min_size=1, max_size=60).filter(str.strip), TEXT)
SCORE = mostly(st.integers(min_value=1, max_value=5), SMALL_INT)
PERSON = mostly(st.one_of(st.none(), st.integers(min_value=1, max_value=5)), SMALL_INT)
TABLES = [t.name for t in SQLModel.metadata.sorted_tables]


def _state(url: str) -> dict:
    with get_engine(url).connect() as conn:
        counts = {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in TABLES}
    return {**counts, "_version": data_version(url)}


def _attempt(url: str, write):
    """Run one write; a refusal must leave everything as it was. Returns the result or None."""
    before = _state(url)
    try:
        result = write()
    except ValidationFailed as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        assert _state(url) == before
        event("refused: " + ", ".join(sorted(exc.errors)))
        return None
    event("stored")
    return result


def _same_number(stored, given) -> bool:
    return float(stored) == float(given)


@PROPERTY
@given(
    name=NAME,
    description=TEXT,
    code=mostly(st.text(min_size=1, max_size=30).filter(str.strip), NASTY),
    budget=mostly(st.floats(min_value=0, max_value=1e13)),
    percent=mostly(st.floats(min_value=0, max_value=100)),
)
def test_create_project(db_url, name, description, code, budget, percent):
    org = _org(db_url)
    data = {
        "code": code,
        "name": name,
        "description": description,
        "program_id": org["program"],
        "department_id": org["department"],
        "baseline_start": dt.date(2026, 1, 1),
        "baseline_finish": dt.date(2026, 12, 31),
        "forecast_finish": dt.date(2026, 12, 31),
        "approved_budget": budget,
        "percent_complete": percent,
    }

    def write():
        with session_scope(db_url) as session:
            return commands.create_project(data, session=session, actor=SYSTEM)

    new_id = _attempt(db_url, write)
    if new_id is not None:
        row = record(Project, new_id, db_url)
        assert (row["code"], row["name"]) == (code.strip(), name.strip())
        assert row["description"] == description
        assert _same_number(row["approved_budget"], budget)
        assert _same_number(row["percent_complete"], percent)


@PROPERTY
@given(
    title=NAME,
    mitigation=TEXT,
    probability=SCORE,
    impact=SCORE,
    owner=PERSON,
    kind=mostly(st.just("threat"), TEXT),
)
def test_create_and_reassess_risk(db_url, title, mitigation, probability, impact, owner, kind):
    org = _org(db_url)
    pid = _project(db_url, org)
    data = {
        "project_id": pid,
        "title": title,
        "mitigation": mitigation,
        "probability": probability,
        "impact": impact,
        "owner_id": owner,
        "kind": kind,
    }

    def create():
        with session_scope(db_url) as session:
            return commands.create_risk(
                data, raised_on=dt.date(2026, 3, 1), session=session, actor=SYSTEM
            )

    new_id = _attempt(db_url, create)
    if new_id is not None:
        row = record(Risk, new_id, db_url)
        assert (row["title"], row["mitigation"]) == (title.strip(), mitigation)
        assert (row["probability"], row["impact"]) == (probability, impact)
    # The same values as a re-assessment of an existing risk.
    rid = make_risk(db_url, pid, 2, 2)
    changes = {
        "title": title,
        "mitigation": mitigation,
        "probability": probability,
        "impact": impact,
        "owner_id": owner,
    }

    def update():
        with session_scope(db_url) as session:
            return commands.update_risk(
                rid,
                changes,
                assessed_on=dt.date(2026, 3, 2),
                expected_version=1,
                session=session,
                actor=SYSTEM,
                note=mitigation,
            )

    if _attempt(db_url, update) is not None:
        row = record(Risk, rid, db_url)
        assert (row["title"], row["mitigation"], row["version"]) == (title.strip(), mitigation, 2)


@PROPERTY
@given(
    summary=TEXT,
    blockers=TEXT,
    reason=TEXT,
    percent=mostly(st.floats(min_value=0, max_value=100)),
    cost=mostly(st.floats(min_value=0, max_value=1e13)),
    rag=mostly(st.sampled_from(["G", "A", "R"]), TEXT),
    override=mostly(st.one_of(st.none(), st.sampled_from(["G", "A", "R"])), TEXT),
)
def test_submit_status_report(db_url, summary, blockers, reason, percent, cost, rag, override):
    org = _org(db_url)
    pid = _project(db_url, org)
    data = {
        "project_id": pid,
        "report_date": dt.date(2026, 11, 20),
        "summary": summary,
        "blockers": blockers,
        "schedule_rag": rag,
        "override_rag": override,
        "override_reason": reason,
        "percent_complete": percent,
        "cost_to_date": cost,
        "forecast_at_completion": 100_000,
    }

    def write():
        with session_scope(db_url) as session:
            return commands.submit_status_report(data, session=session, actor=SYSTEM)

    new_id = _attempt(db_url, write)
    if new_id is not None:
        row = record(StatusReport, new_id, db_url)
        assert (row["summary"], row["blockers"], row["schedule_rag"]) == (summary, blockers, rag)
        assert _same_number(row["percent_complete"], percent)
        project = record(Project, pid, db_url)
        assert _same_number(project["actual_cost"], cost)


@PROPERTY
@given(name=NAME, reason=TEXT, baseline=st.dates(), forecast=st.dates())
def test_milestone_add_move_rebaseline(db_url, name, reason, baseline, forecast):
    org = _org(db_url)
    pid = _project(db_url, org)
    data = {"project_id": pid, "name": name, "baseline_date": baseline, "forecast_date": forecast}

    def add():
        with session_scope(db_url) as session:
            return commands.add_milestone(
                data, reported_on=dt.date(2026, 3, 1), session=session, actor=SYSTEM
            )

    new_id = _attempt(db_url, add)
    if new_id is not None:
        row = record(Milestone, new_id, db_url)
        assert (row["name"], row["baseline_date"], row["forecast_date"]) == (
            name.strip(),
            baseline,
            forecast,
        )
    mid = make_milestone(db_url, pid, dt.date(2026, 6, 1))

    def rebaseline():
        with session_scope(db_url) as session:
            return commands.rebaseline_milestone(
                mid,
                baseline,
                reason=reason,
                reported_on=dt.date(2026, 3, 1),
                expected_version=1,
                session=session,
                actor=SYSTEM,
            )

    if _attempt(db_url, rebaseline) is not None:
        history = read_df(
            "SELECT reason FROM milestone_history WHERE milestone_id = :m", {"m": mid}, db_url
        )
        assert history.reason.tolist() == [reason]


@PROPERTY
@given(
    title=NAME,
    description=TEXT,
    kind=mostly(st.sampled_from(RAID_KINDS), TEXT),
    provider=mostly(st.none(), SMALL_INT),
    due=st.one_of(st.none(), st.dates(), TEXT),
)
def test_create_raid_item(db_url, title, description, kind, provider, due):
    org = _org(db_url)
    pid = _project(db_url, org)
    data = {
        "project_id": pid,
        "kind": kind,
        "title": title,
        "description": description,
        "provider_project_id": provider,
        "due_date": due,
    }

    def write():
        with session_scope(db_url) as session:
            return raid.create_raid_item(
                data, raised_on=dt.date(2026, 3, 1), session=session, actor=SYSTEM
            )

    new_id = _attempt(db_url, write)
    if new_id is not None:
        row = record(RaidItem, new_id, db_url)
        assert (row["title"], row["description"], row["kind"]) == (title.strip(), description, kind)


CELL = st.one_of(
    NASTY, st.text(max_size=30), NUMBER, st.dates(), st.datetimes(), st.booleans(), st.none()
)


@settings(max_examples=50, deadline=None)
@given(kind=st.sampled_from(["projects", "milestones", "risks", "raid"]), data=st.data())
def test_import_parsing_never_fails_on_any_cell(kind, data):
    """Any cell in any column gives either import values or a row-numbered problem."""
    columns = [c.title for c in spreadsheets.TEMPLATES[kind]]
    rows = data.draw(
        st.lists(st.lists(CELL, min_size=len(columns), max_size=len(columns)), max_size=4)
    )
    table = pd.DataFrame(rows, columns=columns, dtype=object)
    parsed = spreadsheets.parse(kind, table, spreadsheets.Lookups())
    numbers = {row for row, _ in parsed.rows} | set(parsed.errors)
    blank = {i + 2 for i, cells in enumerate(rows) if all(map(spreadsheets.is_empty, cells))}
    assert numbers | blank == set(range(2, len(rows) + 2))
    assert not numbers & blank
    assert parsed.file_errors == (
        [] if numbers else ["The file has no rows to import below the header."]
    )


# --- small helpers: one organisation and project per test, reused across examples ------------

_orgs: dict[str, dict] = {}


def _org(url: str) -> dict:
    if url not in _orgs or _count(url, "department") == 0:
        _orgs[url] = make_org(url)
    return _orgs[url]


def _count(url: str, table: str) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()


def _project(url: str, org: dict) -> int:
    existing = read_df("SELECT id FROM project WHERE code = 'PROP-1'", url=url)
    return int(existing.id.item()) if len(existing) else make_project(url, org, code="PROP-1")


@pytest.fixture(autouse=True)
def _forget_orgs():
    _orgs.clear()
    yield
