"""Friday afternoon: many project managers save at the same time (PostgreSQL and SQLite).

60 writer threads run through the real write functions at once: each moves its own project,
milestone and risk forward (status updates, milestone moves, risk re-assessments), and in
groups of 5 they also edit one shared milestone and one shared risk from the same version, so
that exactly one of each group wins every round and the other four get a conflict.

Afterwards every write is accounted for: each committed one is stored exactly once with its
audit row and its history row, each refused one is nowhere, and the totals are the exact
numbers the plan predicts.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass
from functools import partial

import sqlalchemy as sa
from sqlmodel import Session

from data_access.core.db import data_version, get_engine, session_scope
from data_access.core.writes import Actor, ConflictError
from tests.factories import make_milestone, make_org, make_project, make_risk
from tests.tracked_writes import (
    KINDS,
    milestone_token,
    move,
    reassess,
    status_update,
    stored,
    version_of,
)

WRITERS = 60
GROUP = 5  # writers sharing one milestone and one risk
GROUPS = WRITERS // GROUP
ROUNDS = 5
# PostgreSQL connections the writers share (the server is shared with other test runs: stay
# well under its max_connections of 100).
CONNECTIONS = 30
WAIT_S = 300  # only a guard against a hang, never a pass/fail criterion


@dataclass(frozen=True)
class Outcome:
    kind: str
    table: str
    row_id: int
    token: str
    result: str  # "committed" or "conflict"
    shared: bool


def test_concurrent_writers_lose_and_duplicate_nothing(db_url):
    org = make_org(db_url)
    own = [_project_with_milestone_and_risk(db_url, org, f"LOAD-{w}") for w in range(WRITERS)]
    shared = [_project_with_milestone_and_risk(db_url, org, f"SHARED-{g}") for g in range(GROUPS)]
    version_before = data_version(db_url)
    open_session, engine = _sessions(db_url)
    outcomes: list[Outcome] = []
    errors: list[str] = []
    barriers = [threading.Barrier(GROUP, timeout=WAIT_S) for _ in range(GROUPS)]

    def attempt(kind, table, row_id, token, write, shared_row=False):
        try:
            with open_session() as session:
                write(session, token)
            result = "committed"
        except ConflictError:
            result = "conflict"
        except Exception as exc:  # anything else is a failure the test reports
            errors.append(f"{kind} {token}: {exc!r}")
            return
        outcomes.append(Outcome(kind, table, row_id, token, result, shared_row))

    def writer(w: int) -> None:
        actor = Actor(person_id=org["pm"], name=f"writer {w}", role="project_manager")
        project, milestone, risk = own[w]
        _, shared_milestone, shared_risk = shared[w // GROUP]
        barrier = barriers[w // GROUP]
        probability = 5
        try:
            for r in range(ROUNDS):
                version = 1 + r  # one commit per round on each row
                attempt(
                    "status",
                    "project",
                    project,
                    f"load-{w}-{r}-status",
                    lambda s, t, r=r: status_update(s, actor, project, t, float(r + 1)),
                )
                attempt(
                    "milestone",
                    "milestone",
                    milestone,
                    milestone_token((w * ROUNDS + r) * 2),
                    lambda s, t, v=version: move(s, actor, milestone, t, v),
                )
                probability = probability % 5 + 1  # another value each round: a re-assessment
                attempt(
                    "risk",
                    "risk",
                    risk,
                    f"load-{w}-{r}-risk",
                    lambda s, t, p=probability, v=version: reassess(s, actor, risk, t, p, v),
                )
                # The group saves the shared rows at the same moment, from the same version.
                barrier.wait()
                attempt(
                    "milestone",
                    "milestone",
                    shared_milestone,
                    milestone_token((w * ROUNDS + r) * 2 + 1),
                    lambda s, t, v=version: move(s, actor, shared_milestone, t, v),
                    shared_row=True,
                )
                barrier.wait()
                attempt(
                    "risk",
                    "risk",
                    shared_risk,
                    f"load-{w}-{r}-shared-risk",
                    lambda s, t, r=r, v=version: reassess(s, actor, shared_risk, t, 1 + r % 4, v),
                    shared_row=True,
                )
        except threading.BrokenBarrierError as exc:
            errors.append(f"writer {w}: {exc!r}")

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    engine.dispose()
    assert not any(t.is_alive() for t in threads), "writers still running"
    assert errors == []

    # The writers' own account: exactly one winner per group and round on each shared row.
    tally = Counter((o.kind, o.shared, o.result) for o in outcomes)
    per_kind = WRITERS * ROUNDS
    assert tally == {
        ("status", False, "committed"): per_kind,
        ("milestone", False, "committed"): per_kind,
        ("risk", False, "committed"): per_kind,
        ("milestone", True, "committed"): GROUPS * ROUNDS,
        ("milestone", True, "conflict"): GROUPS * ROUNDS * (GROUP - 1),
        ("risk", True, "committed"): GROUPS * ROUNDS,
        ("risk", True, "conflict"): GROUPS * ROUNDS * (GROUP - 1),
    }
    committed = [o for o in outcomes if o.result == "committed"]
    refused = {o.token for o in outcomes if o.result == "conflict"}

    # The database's account: each committed write once in its record/history row and once
    # in the audit log; no refused write anywhere.
    found = stored(db_url)
    for kind in KINDS:
        expected = Counter(o.token for o in committed if o.kind == kind)
        assert found[kind]["record"] == expected, kind
        assert found[kind]["audit"] == expected, kind
        assert not refused & (found[kind]["record"].keys() | found[kind]["audit"].keys())

    # Every row moved exactly once per committed write; nothing else was written.
    for (table, row_id), writes in Counter((o.table, o.row_id) for o in committed).items():
        assert version_of(db_url, table, row_id) == 1 + writes, (table, row_id)
    counts = Counter(o.kind for o in committed)
    assert data_version(db_url) - version_before == len(committed)
    with get_engine(db_url).connect() as conn:
        total = {
            t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar()
            for t in ("status_report", "milestone_history", "risk_assessment", "audit_log")
        }
    # A status update also carries its figures onto the project: a second audit row.
    assert total == {
        "status_report": counts["status"],
        "milestone_history": counts["milestone"],
        "risk_assessment": counts["risk"],
        "audit_log": 2 * counts["status"] + counts["milestone"] + counts["risk"],
    }
    print(
        f"\n{len(outcomes)} writes by {WRITERS} writers: {len(committed)} committed "
        f"({dict(counts)}), {len(refused)} refused with a conflict"
    )


def _sessions(url: str):
    """SQLite: the app's own sessions (writers take turns on the one file). PostgreSQL: a pool
    as large as a couple of app processes' together, so writers really overlap."""
    if url.startswith("sqlite"):
        return partial(session_scope, url), get_engine(url)
    engine = sa.create_engine(url, pool_size=CONNECTIONS, max_overflow=0, pool_timeout=WAIT_S)
    return partial(Session, engine, expire_on_commit=False), engine


def _project_with_milestone_and_risk(url, org, code) -> tuple[int, int, int]:
    project = make_project(url, org, code)
    milestone = make_milestone(url, project, dt.date(2026, 12, 1))
    return project, milestone, make_risk(url, project, probability=5, impact=3)
