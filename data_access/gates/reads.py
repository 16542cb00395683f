"""Reads of the methodology: templates, a project's lifecycle, gate facts, history and evidence.

Everything a gate criterion or a compliance policy needs is counted in one SQL query
(`gate_facts`), for one project or for the whole portfolio.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import get_engine, read_df
from data_access.core.models import GateEvidence, LifecycleTemplate
from data_access.core.sql import as_dates, days_between, in_scope, scoped_query

TEMPLATES_SQL = """
SELECT t.id, t.key, t.revision, t.name, t.description, t.status, t.version,
       (SELECT COUNT(*) FROM project_lifecycle l WHERE l.template_id = t.id) AS projects
FROM lifecycle_template t
ORDER BY t.key, t.revision DESC
"""


def templates(url: str | None = None) -> pd.DataFrame:
    """Every template revision, newest revision of each first, with how many projects use it."""
    return read_df(TEMPLATES_SQL, url=url)


def template(template_id: int, url: str | None = None) -> dict[str, Any] | None:
    """One template revision with its phases (plain values)."""
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(LifecycleTemplate.__table__).where(LifecycleTemplate.id == template_id)
        ).first()
    return dict(row._mapping) if row else None


LIFECYCLE_SQL = """
SELECT l.id, l.project_id, l.template_id, l.phase_index, l.phase_started_on, l.gate_due,
       l.status, l.version, t.name AS template, t.key AS template_key, t.revision
FROM project_lifecycle l JOIN lifecycle_template t ON t.id = l.template_id
WHERE l.project_id = :project_id
"""


def lifecycle(project_id: int, url: str | None = None) -> dict[str, Any] | None:
    """Where the project stands in its lifecycle, or None when it follows no template."""
    df = as_dates(
        read_df(LIFECYCLE_SQL, {"project_id": project_id}, url=url),
        ("phase_started_on", "gate_due"),
    )
    return df.iloc[0].to_dict() if len(df) else None


# Counted per project with grouped sub-queries (one pass over each table, not one per project).
FACTS_SQL = """
SELECT p.id AS project_id, p.code, p.name, p.phase, p.status, p.approved_budget, p.manager_id,
       p.sponsor_id, pm.name AS manager, pg.name AS program, d.name AS department,
       p.program_id, p.department_id,
       l.template_id, l.phase_index, l.gate_due, l.status AS lifecycle_status,
       l.version AS lifecycle_version,
       sr.last_report,
       COALESCE(ms.milestones, 0) AS milestones,
       (SELECT COUNT(*) FROM milestone m
         WHERE m.project_id = p.id AND m.removed_on IS NULL AND m.actual_date IS NULL
           AND m.baseline_date <= l.gate_due) AS open_phase_milestones,
       COALESCE(rk.high_risks_unanswered, 0) AS high_risks_unanswered,
       COALESCE(rk.stale_risks, 0) AS stale_risks,
       COALESCE(ga.open_gate_actions, 0) AS open_gate_actions,
       pend.id AS pending_gate_id,
       last.decided_on AS last_decided_on, last.unmet AS last_gate_unmet,
       last.decision AS last_decision
FROM project p
JOIN program pg ON pg.id = p.program_id
JOIN department d ON d.id = p.department_id
LEFT JOIN person pm ON pm.id = p.manager_id
LEFT JOIN project_lifecycle l ON l.project_id = p.id
LEFT JOIN (SELECT project_id, MAX(report_date) AS last_report FROM status_report
           WHERE {only} GROUP BY project_id) sr ON sr.project_id = p.id
LEFT JOIN (SELECT project_id, COUNT(*) AS milestones FROM milestone
           WHERE removed_on IS NULL AND {only} GROUP BY project_id) ms ON ms.project_id = p.id
LEFT JOIN (SELECT project_id,
                  SUM(CASE WHEN probability * impact >= :high_from
                            AND (owner_id IS NULL OR TRIM(mitigation) = '') THEN 1 ELSE 0 END)
                      AS high_risks_unanswered,
                  SUM(CASE WHEN last_assessed_on < :stale_before THEN 1 ELSE 0 END) AS stale_risks
           FROM risk WHERE status = 'open' AND {only} GROUP BY project_id) rk
  ON rk.project_id = p.id
LEFT JOIN (SELECT g.project_id, COUNT(*) AS open_gate_actions
           FROM action a JOIN gate_review g ON g.id = a.gate_review_id
           WHERE a.status = 'open' GROUP BY g.project_id) ga ON ga.project_id = p.id
LEFT JOIN gate_review pend ON pend.project_id = p.id AND pend.status = 'submitted'
LEFT JOIN (SELECT project_id, MAX(id) AS id FROM gate_review WHERE status = 'decided'
           GROUP BY project_id) lastid ON lastid.project_id = p.id
LEFT JOIN gate_review last ON last.id = lastid.id
WHERE {only_p}
ORDER BY p.code
"""


def gate_facts(
    on: dt.date,
    *,
    high_from: int,
    review_days: int,
    project_ids: Sequence[int] | None = None,
    url: str | None = None,
) -> pd.DataFrame:
    """Per project (of `project_ids`, None: every one): what the gate criteria and compliance
    policies read, counted in SQL."""
    params = {"high_from": high_from, "stale_before": on - dt.timedelta(days=review_days)}
    # Some projects: every grouped sub-query reads only their rows (no pass over the table).
    sql = FACTS_SQL.format(
        only="1 = 1" + in_scope("project_id", project_ids, url),
        only_p="1 = 1" + in_scope("p.id", project_ids, url),
    )
    df = read_df(scoped_query(sql, params, project_ids, url), params, url=url)
    return as_dates(df, ("gate_due", "last_report", "last_decided_on"))


# The compliance facts at each week's end, for every project that existed then, from the
# history, in one query. No range join of each history row to the weeks (26 x 240,000 rows at
# tier L): each dated event falls in the week `k` whose end is the first on or after it, the
# events are summed per project and week, and a running total over the weeks gives the state
# at each week's end: the latest report, the milestones added minus removed, the risks whose
# assessment then in force was older than the review period (a stale stretch adds 1 from the
# week it starts being stale and takes it off the week it is re-assessed or closed). Gate
# reviews (few) are matched to each week: the first not yet decided gives the gate due and
# whether it waited for a decision; the latest decided one its unmet criteria.
WEEKLY_FACTS_SQL = """
WITH weeks(k, week_end, day_after) AS (VALUES {weeks}),
created AS (
    SELECT entity_id AS project_id, MIN(at) AS at FROM audit_log
    WHERE entity = 'project' AND action = 'create' GROUP BY entity_id
),
reported AS (
    SELECT project_id, {week_of_report} AS k, MAX(report_date) AS last_report
    FROM status_report WHERE report_date <= :last_end GROUP BY project_id, {week_of_report}
),
planned AS (
    SELECT project_id, k, SUM(n) AS n FROM (
        SELECT project_id, {week_added} AS k, 1 AS n FROM milestone WHERE added_on <= :last_end
        UNION ALL
        SELECT project_id, {week_removed}, -1 FROM milestone
        WHERE removed_on <= :last_end AND added_on <= :last_end
    ) e GROUP BY project_id, k
),
assessed AS (
    SELECT a.risk_id, a.assessed_on, a.status,
           LEAD(a.assessed_on) OVER (PARTITION BY a.risk_id ORDER BY a.assessed_on, a.id)
               AS replaced_on
    FROM risk_assessment a WHERE a.assessed_on <= :last_end
    UNION ALL
    -- Risks written without assessments count as assessed when raised.
    SELECT r.id, r.raised_on, 'open', NULL FROM risk r
    WHERE NOT EXISTS (SELECT 1 FROM risk_assessment a WHERE a.risk_id = r.id)
),
stretches AS (
    SELECT r.project_id, {week_stale} AS k_from,
           CASE WHEN {week_replaced} < {week_closed} THEN {week_replaced} ELSE {week_closed} END
               AS k_to
    FROM assessed s JOIN risk r ON r.id = s.risk_id
    WHERE s.status = 'open' AND (s.replaced_on IS NULL OR s.replaced_on > :first_end)
      -- Most assessments are followed by the next in time: no stretch to count.
      AND (s.replaced_on IS NULL OR {assessment_days} > :review_days)
),
stale AS (
    SELECT project_id, k, SUM(n) AS n FROM (
        SELECT project_id, k_from AS k, 1 AS n FROM stretches WHERE k_from < k_to
        UNION ALL
        SELECT project_id, k_to, -1 FROM stretches WHERE k_from < k_to
    ) e GROUP BY project_id, k
),
reviews AS (
    SELECT g.project_id, w.k,
           MIN(CASE WHEN g.decided_on IS NULL OR g.decided_on > w.week_end THEN g.id END)
               AS next_id,
           MAX(CASE WHEN g.decided_on <= w.week_end THEN g.id END) AS last_id,
           MAX(CASE WHEN g.submitted_on <= w.week_end
                     AND (g.decided_on IS NULL OR g.decided_on > w.week_end) THEN g.id END)
               AS pending_id,
           MIN(g.submitted_on) AS first_submitted
    FROM gate_review g CROSS JOIN weeks w
    GROUP BY g.project_id, w.k
),
running AS (
    SELECT p.id AS project_id, w.k, w.week_end, w.day_after,
           MAX(rp.last_report) OVER running_weeks AS last_report,
           SUM(COALESCE(pl.n, 0)) OVER running_weeks AS milestones,
           SUM(COALESCE(st.n, 0)) OVER running_weeks AS stale_risks
    FROM project p
    CROSS JOIN weeks w
    LEFT JOIN reported rp ON rp.project_id = p.id AND rp.k = w.k
    LEFT JOIN planned pl ON pl.project_id = p.id AND pl.k = w.k
    LEFT JOIN stale st ON st.project_id = p.id AND st.k = w.k
    WINDOW running_weeks AS (PARTITION BY p.id ORDER BY w.k ROWS UNBOUNDED PRECEDING)
)
SELECT f.project_id, f.week_end, p.phase, f.last_report, f.stale_risks, f.milestones,
       CASE WHEN l.created_at < f.day_after OR l.phase_started_on <= f.week_end
                 OR rv.first_submitted <= f.week_end THEN l.template_id END AS template_id,
       CASE WHEN nx.id IS NOT NULL THEN 'active' ELSE l.status END AS lifecycle_status,
       COALESCE(nx.planned_on, l.gate_due) AS gate_due, rv.pending_id AS pending_gate_id,
       last.decided_on AS last_decided_on, last.unmet AS last_gate_unmet
FROM running f
JOIN project p ON p.id = f.project_id
LEFT JOIN created c ON c.project_id = f.project_id
LEFT JOIN project_lifecycle l ON l.project_id = f.project_id
LEFT JOIN reviews rv ON rv.project_id = f.project_id AND rv.k = f.k
LEFT JOIN gate_review nx ON nx.id = rv.next_id
LEFT JOIN gate_review last ON last.id = rv.last_id
WHERE c.at IS NULL OR c.at < f.day_after
"""


# Updates audited after the first week's end, oldest first: what each changed held before.
CHANGES_SQL = sa.text("""
SELECT CASE WHEN entity = 'project' THEN entity_id ELSE project_id END AS project_id,
       entity, at AS changed_at, before
FROM audit_log
WHERE entity IN ('project', 'project_lifecycle') AND action = 'update' AND at >= :after
ORDER BY id
""").bindparams(sa.bindparam("after", type_=sa.DateTime()))
# The facts a later update would otherwise show in the past: the project's phase, and its
# lifecycle's planned gate and status (a gate re-planned, a project completed since).
UNDONE = {
    ("project", "phase"): "phase",
    ("project_lifecycle", "gate_due"): "gate_due",
    ("project_lifecycle", "status"): "lifecycle_status",
}


def _as_it_stood(df: pd.DataFrame, first_end: dt.date, url: str | None) -> pd.DataFrame:
    """Each project's phase, planned gate and lifecycle status at each week's end: the audited
    updates after it undone (the first update of a field after the week's end holds the value
    it had then; an audit row holds only the fields it changed)."""
    after = dt.datetime.combine(first_end + dt.timedelta(days=1), dt.time())
    changes = read_df(CHANGES_SQL, {"after": after}, url=url)
    if changes.empty:
        return df
    changes["changed_at"] = pd.to_datetime(changes.changed_at, utc=True, format="ISO8601")
    befores = [loaded_json(b or "{}") for b in changes.before]
    ends = {end: pd.Timestamp(end + dt.timedelta(days=1), tz="UTC") for end in df.week_end}
    for (entity, field), column in UNDONE.items():
        has = [entity == e and field in b for e, b in zip(changes.entity, befores, strict=True)]
        undo = changes[has].assign(value=[b[field] for b, h in zip(befores, has, strict=True) if h])
        if column == "gate_due":
            undo["value"] = [dt.date.fromisoformat(v[:10]) if v else None for v in undo.value]
        for end, rows in df.groupby("week_end"):
            then = (
                undo[undo.changed_at >= ends[end]]
                .drop_duplicates("project_id")
                .set_index("project_id")
                .value
            )
            hit = rows.project_id.isin(then.index)
            df.loc[rows.index[hit], column] = rows.project_id[hit].map(then).to_numpy()
    return df


def weekly_facts(
    week_ends: list[dt.date], *, review_days: int, url: str | None = None
) -> pd.DataFrame:
    """Per project that existed at each week's end: the compliance facts as they stood then
    (the columns `gate_facts` gives the compliance rules, plus week_end). `week_ends` are 7
    days apart but for the last, which may be earlier (today)."""
    ends = sorted(week_ends)
    first, last = ends[0], ends[-1]
    params: dict = {"first_end": first, "last_end": last, "weeks": len(ends)}
    params["review_days"] = review_days
    params["last_day"] = (last - first).days
    rows, binds = [], []
    for i, end in enumerate(ends):
        # Audit times are UTC; a week's last day ends at midnight UTC.
        params |= {f"e{i}": end, f"a{i}": dt.datetime.combine(end + dt.timedelta(1), dt.time())}
        rows.append(f"({i}, :e{i}, :a{i})")
        binds += [
            sa.bindparam(f"e{i}", type_=sa.Date()),
            sa.bindparam(f"a{i}", type_=sa.DateTime()),
        ]
    sqlite = get_engine(url).dialect.name == "sqlite"

    def week_of(day: str, plus: int = 0) -> str:
        # Days after the first week's end, then the week it falls in (after the last: none).
        n = days_between(day, ":first_end", sqlite) + (f" + {plus}" if plus else "")
        return (
            f"COALESCE(CASE WHEN {n} <= 0 THEN 0 WHEN {n} > :last_day THEN :weeks "
            f"ELSE ({n} + 6) / 7 END, :weeks)"
        )

    sql = WEEKLY_FACTS_SQL.format(
        weeks=", ".join(rows),
        week_of_report=week_of("report_date"),
        week_added=week_of("added_on"),
        week_removed=week_of("removed_on"),
        # Stale from the week whose end is more than review_days after the assessment.
        week_stale=week_of("s.assessed_on", review_days + 1),
        week_replaced=week_of("s.replaced_on"),
        week_closed=week_of("r.closed_on"),
        assessment_days=days_between("s.replaced_on", "s.assessed_on", sqlite),
    )
    statement = sa.text(sql).bindparams(
        sa.bindparam("first_end", type_=sa.Date()),
        sa.bindparam("last_end", type_=sa.Date()),
        *binds,
    )
    df = read_df(statement, params, url=url)
    df = as_dates(df, ("week_end", "last_report", "gate_due", "last_decided_on"))
    return _as_it_stood(df, first, url)


HISTORY_SQL = """
SELECT g.id, g.project_id, g.phase_index, g.template_id, g.planned_on, g.status, g.submitted_on,
       s.name AS submitted_by, g.note, g.decision, g.decided_on, dp.name AS decided_by,
       g.reason, g.unmet, g.criteria, g.version,
       (SELECT COUNT(*) FROM action a WHERE a.gate_review_id = g.id) AS conditions,
       (SELECT COUNT(*) FROM action a WHERE a.gate_review_id = g.id AND a.status = 'open')
           AS open_conditions
FROM gate_review g
LEFT JOIN person s ON s.id = g.submitted_by_id
LEFT JOIN person dp ON dp.id = g.decided_by_id
WHERE g.project_id = :project_id
ORDER BY g.id DESC
"""


def gate_history(project_id: int, url: str | None = None) -> pd.DataFrame:
    """Every gate submission of a project and its decision, latest first."""
    df = read_df(HISTORY_SQL, {"project_id": project_id}, url=url)
    df["criteria"] = df.criteria.map(loaded_json)
    return as_dates(df, ("planned_on", "submitted_on", "decided_on"))


PENDING_SQL = """
SELECT g.id, g.project_id, p.code, p.name, pm.name AS manager, p.sponsor_id,
       pg.manager_id AS program_manager_id, g.phase_index, g.template_id,
       g.planned_on, g.submitted_on, g.submitted_by_id, s.name AS submitted_by, g.note,
       g.criteria, g.unmet,
       g.version, t.name AS template, pg.name AS program, d.name AS department
FROM gate_review g
JOIN project p ON p.id = g.project_id
JOIN program pg ON pg.id = p.program_id
JOIN department d ON d.id = p.department_id
JOIN lifecycle_template t ON t.id = g.template_id
LEFT JOIN person pm ON pm.id = p.manager_id
LEFT JOIN person s ON s.id = g.submitted_by_id
WHERE g.status = 'submitted'
ORDER BY g.submitted_on, p.code
"""


def pending_gates(url: str | None = None) -> pd.DataFrame:
    """Gates submitted and waiting for a decision, oldest submission first, with their phase
    and gate names."""
    df = as_dates(read_df(PENDING_SQL, url=url), ("planned_on", "submitted_on"))
    if df.empty:
        return df.assign(phase="", gate="", approvers=None)
    phases = _gate_phases(df, url)
    df["phase"] = [ph["name"] for ph in phases]
    df["gate"] = [ph["gate"] for ph in phases]
    df["approvers"] = [ph["approvers"] for ph in phases]
    df["criteria"] = df.criteria.map(loaded_json)
    return df


def _gate_phases(gates: pd.DataFrame, url: str | None) -> list[dict]:
    """Each gate's phase of its lifecycle template. The few templates are read once: their
    phases in every gate's row were decoded row by row (3,800 gates of tier L: 0.15 s)."""
    templates = read_df("SELECT id, phases FROM lifecycle_template", url=url)
    phases = dict(zip(templates.id, templates.phases.map(loaded_json), strict=True))
    return [phases[t][int(i)] for t, i in zip(gates.template_id, gates.phase_index, strict=True)]


def gate_criteria(gate_id: int, url: str | None = None) -> list[dict]:
    """The criteria of one gate submission as they were found when it was submitted."""
    with get_engine(url).connect() as conn:
        value = conn.execute(
            sa.text("SELECT criteria FROM gate_review WHERE id = :id"), {"id": gate_id}
        ).scalar()
    return loaded_json(value) or []


DECIDED_SQL = """
SELECT g.id, g.project_id, p.code, p.name, g.decision, g.decided_on, dp.name AS decided_by,
       g.reason, g.phase_index, g.template_id
FROM gate_review g
JOIN project p ON p.id = g.project_id
LEFT JOIN person dp ON dp.id = g.decided_by_id
WHERE g.status = 'decided' AND g.decided_on > :since AND g.decided_on <= :until
ORDER BY g.decided_on DESC, g.id DESC
"""


def gates_decided(since: dt.date, until: dt.date, url: str | None = None) -> pd.DataFrame:
    """Gate decisions taken after `since` up to `until`, latest first, with the gate's name."""
    df = as_dates(read_df(DECIDED_SQL, {"since": since, "until": until}, url=url), ("decided_on",))
    df["gate"] = [ph["gate"] for ph in _gate_phases(df, url)]
    return df.drop(columns="template_id")


OWNERS_SQL = """
SELECT DISTINCT pe.id, pe.name
FROM person pe, project p JOIN program pg ON pg.id = p.program_id
WHERE p.id = :project_id AND pe.active
  AND (pe.id IN (p.manager_id, p.sponsor_id, pg.manager_id)
       OR pe.role IN ('admin', 'portfolio_manager'))
ORDER BY pe.name
"""


def condition_owners(project_id: int, url: str | None = None) -> pd.DataFrame:
    """Who may own a gate's condition: the project's manager and sponsor, its program's
    manager, the PMO and the portfolio managers (a short list, whatever the head count)."""
    return read_df(OWNERS_SQL, {"project_id": project_id}, url=url)


def evidence(gate_review_id: int, url: str | None = None) -> pd.DataFrame:
    """The evidence given with a gate submission (file names, not the files' bytes)."""
    e = GateEvidence.__table__
    return read_df(
        sa.select(e.c.id, e.c.criterion_id, e.c.comment, e.c.link, e.c.file_name)
        .where(e.c.gate_review_id == gate_review_id)
        .order_by(e.c.id),
        url=url,
    )


def evidence_file(evidence_id: int, url: str | None = None) -> tuple[str, bytes] | None:
    """One uploaded evidence file: its name and bytes."""
    e = GateEvidence.__table__
    with get_engine(url).connect() as conn:
        row = conn.execute(
            sa.select(e.c.file_name, e.c.content).where(e.c.id == evidence_id)
        ).first()
    return (row.file_name, bytes(row.content)) if row and row.content is not None else None


def loaded_json(value: Any) -> Any:
    """A JSON column as Python values: drivers return text (SQLite via pandas) or objects."""
    return json.loads(value) if isinstance(value, str) else value
