"""Risk and RAID reads: matrix counts, the register, weekly exposure from the assessment
history, one risk's score history, and the RAID log with late dependencies flagged.

Every function takes `project_ids` (None = every project, else only these) and `url`. Scores
are probability x impact; the residual view falls back to the inherent values where no
residual is recorded (no response planned yet means nothing is reduced). Bands are not
decided here: they depend on settings and are applied by `domain.risk_bands`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from data_access.core.db import read_df
from data_access.core.sql import as_dates, in_scope, member_of, scoped_query

VIEWS = ("inherent", "residual")


def _pi(view: str, alias: str = "r") -> tuple[str, str]:
    """SQL for the probability and impact of a view."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}")
    if view == "inherent":
        return f"{alias}.probability", f"{alias}.impact"
    return (
        f"COALESCE({alias}.residual_probability, {alias}.probability)",
        f"COALESCE({alias}.residual_impact, {alias}.impact)",
    )


# --- matrix -------------------------------------------------------------------------------


def matrix_counts(
    project_ids: Sequence[int] | None = None, view: str = "inherent", url: str | None = None
) -> pd.DataFrame:
    """Open risks per (kind, probability, impact) cell of the view, counted by the database."""
    p, i = _pi(view)
    sql = f"""
        SELECT r.kind, {p} AS probability, {i} AS impact, COUNT(*) AS risks
        FROM risk r
        WHERE r.status = 'open'{in_scope("r.project_id", project_ids, url)}
        GROUP BY r.kind, {p}, {i}
        ORDER BY r.kind, probability, impact
    """
    params: dict = {}
    return read_df(scoped_query(sql, params, project_ids, url), params, url=url)


def risk_summary(
    today: dt.date, project_ids: Sequence[int] | None = None, url: str | None = None
) -> dict[str, int]:
    """Counts for the tiles: open threats and opportunities, overdue responses, no owner."""
    sql = f"""
        SELECT
          COALESCE(SUM(CASE WHEN kind = 'threat' THEN 1 ELSE 0 END), 0) AS open_threats,
          COALESCE(SUM(CASE WHEN kind = 'opportunity' THEN 1 ELSE 0 END), 0) AS open_opportunities,
          COALESCE(SUM(CASE WHEN response_due < :today THEN 1 ELSE 0 END), 0) AS response_overdue,
          COALESCE(SUM(CASE WHEN owner_id IS NULL THEN 1 ELSE 0 END), 0) AS no_owner
        FROM risk r
        WHERE r.status = 'open'{in_scope("r.project_id", project_ids, url)}
    """
    params: dict = {"today": today}
    row = read_df(scoped_query(sql, params, project_ids, url), params, url=url).iloc[0]
    return {key: int(value) for key, value in row.items()}


# --- register -----------------------------------------------------------------------------

RISK_DATES = ("response_due", "proximity", "raised_on", "closed_on", "last_assessed_on")


def risk_register(
    project_ids: Sequence[int] | None = None,
    *,
    view: str = "inherent",
    status: str | None = "open",
    kind: str | None = None,
    cell: tuple[int, int] | None = None,
    score_ranges: Sequence[tuple[int, int]] = (),
    categories: Sequence[str] = (),
    text: str = "",
    overdue_on: dt.date | None = None,
    unowned: bool = False,
    limit: int | None = None,
    url: str | None = None,
) -> pd.DataFrame:
    """Risks with project, owner, both scores and dates, highest score (of the view) first.

    Every filter is applied by the database: `status` None gives every status; `cell`
    (probability, impact) and `score_ranges` (lowest, highest per band) select by the view's
    values, as the matrix places the risks; `text` is searched in title, project code and
    owner; `overdue_on` keeps open risks whose response was due before that day; `unowned`
    those without an owner. At most `limit` rows come back; column `matching` counts them all.
    """
    p, i = _pi(view)
    rp, ri = _pi("residual")
    where = [f"1 = 1{in_scope('r.project_id', project_ids, url)}"]
    params: dict = {}
    if status is not None:
        where.append("r.status = :status")
        params["status"] = status
    if kind is not None:
        where.append("r.kind = :kind")
        params["kind"] = kind
    if cell is not None:
        where.append(f"{p} = :cell_p AND {i} = :cell_i")
        params["cell_p"], params["cell_i"] = cell
    if score_ranges:
        ranges = [f"{p} * {i} BETWEEN :lo{n} AND :hi{n}" for n in range(len(score_ranges))]
        where.append(f"({' OR '.join(ranges)})")
        for n, (lo, hi) in enumerate(score_ranges):
            params[f"lo{n}"], params[f"hi{n}"] = lo, hi
    if categories:
        names = [f":category{n}" for n in range(len(categories))]
        where.append(f"r.category IN ({', '.join(names)})")
        params.update({name[1:]: c for name, c in zip(names, categories, strict=True)})
    if text.strip():
        # LIKE with the user's % and _ taken literally.
        needle = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%")
        params["pattern"] = "%" + needle.replace("_", "\\_") + "%"
        where.append(
            "LOWER(r.title || ' ' || pr.code || ' ' || COALESCE(o.name, ''))"
            " LIKE :pattern ESCAPE '\\'"
        )
    if overdue_on is not None:
        where.append("r.status = 'open' AND r.response_due < :overdue_on")
        params["overdue_on"] = overdue_on
    if unowned:
        where.append("r.owner_id IS NULL")
    if limit is not None:
        params["limit"] = limit
    sql = f"""
        SELECT r.id, r.project_id, pr.code AS project_code, pr.name AS project_name,
               r.title, r.kind, r.category, r.owner_id, o.name AS owner,
               r.probability, r.impact, r.residual_probability, r.residual_impact,
               r.probability * r.impact AS inherent_score,
               {rp} * {ri} AS residual_score,
               {p} * {i} AS score,
               r.response, r.response_due, r.proximity, r.status,
               r.raised_on, r.closed_on, r.last_assessed_on, r.version,
               COUNT(*) OVER () AS matching
        FROM risk r
        JOIN project pr ON pr.id = r.project_id
        LEFT JOIN person o ON o.id = r.owner_id
        WHERE {" AND ".join(where)}
        ORDER BY score DESC, CASE WHEN r.response_due IS NULL THEN 1 ELSE 0 END,
                 r.response_due, r.id
        {"LIMIT :limit" if limit is not None else ""}
    """
    df = read_df(scoped_query(sql, params, project_ids, url), params, url=url)
    return as_dates(df, RISK_DATES)


def risk_categories(project_ids: Sequence[int] | None = None, url: str | None = None) -> list[str]:
    """The categories used by the risks of the scope, for a picker."""
    sql = f"""
        SELECT DISTINCT r.category FROM risk r
        WHERE r.category <> ''{in_scope("r.project_id", project_ids, url)}
        ORDER BY r.category
    """
    params: dict = {}
    return read_df(scoped_query(sql, params, project_ids, url), params, url=url).category.tolist()


def risk_detail(risk_id: int, url: str | None = None) -> dict | None:
    """One risk with its description, project and owner, or None."""
    df = read_df(
        """
        SELECT r.id, r.title, r.description, r.kind, r.category, r.status, r.response,
               r.mitigation, r.response_due, r.proximity, r.raised_on, r.closed_on,
               r.last_assessed_on, pr.code AS project_code, pr.name AS project_name,
               o.name AS owner
        FROM risk r
        JOIN project pr ON pr.id = r.project_id
        LEFT JOIN person o ON o.id = r.owner_id
        WHERE r.id = :id
        """,
        {"id": risk_id},
        url=url,
    )
    return None if df.empty else as_dates(df, RISK_DATES).iloc[0].to_dict()


def risk_history(risk_id: int, url: str | None = None) -> pd.DataFrame:
    """Every assessment of one risk, oldest first, with inherent and residual scores."""
    rp, ri = _pi("residual", "a")
    df = read_df(
        f"""
        SELECT a.assessed_on, a.probability, a.impact, a.residual_probability,
               a.residual_impact, a.probability * a.impact AS inherent_score,
               {rp} * {ri} AS residual_score, a.status, a.note, pe.name AS assessor
        FROM risk_assessment a
        LEFT JOIN person pe ON pe.id = a.assessor_id
        WHERE a.risk_id = :id
        ORDER BY a.assessed_on, a.id
        """,
        {"id": risk_id},
        url=url,
    )
    return as_dates(df, ("assessed_on",))


# --- exposure over time -------------------------------------------------------------------


def week_ends(today: dt.date, weeks: int) -> list[dt.date]:
    """The Sundays ending the last `weeks` ISO weeks, the current one included, oldest first."""
    this_week = today + dt.timedelta(days=6 - today.weekday())
    return [this_week - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]


def exposure_by_score(
    week_end_dates: Sequence[dt.date],
    project_ids: Sequence[int] | None = None,
    *,
    view: str = "inherent",
    kind: str = "threat",
    url: str | None = None,
) -> pd.DataFrame:
    """Risks open at each week end, per score in force then (the latest assessment on or
    before the week end; a risk counts while that assessment says open).

    The database does the work in one pass over the history: each assessment is in force
    from its day until the next assessment of the same risk (LEAD) or the risk's closing,
    which gives +1 / -1 events per (day, score); summing the events on or before each week
    end turns them into counts. Days before the first week end collapse into it, so earlier
    history is carried in. Returns columns week_end, score, risks; (week, score) pairs with
    no open risk are left out.
    """
    if not week_end_dates:
        return pd.DataFrame(columns=["week_end", "score", "risks"])
    p, i = _pi(view, "a")
    weeks = ", ".join(f"(:w{n})" for n in range(len(week_end_dates)))
    sql = f"""
        WITH weeks(week_end) AS (VALUES {weeks}),
        spans AS (
            SELECT a.assessed_on AS start_on,
                   COALESCE(
                       LEAD(a.assessed_on) OVER (PARTITION BY a.risk_id
                                                 ORDER BY a.assessed_on, a.id),
                       r.closed_on
                   ) AS end_on,
                   a.status, {p} * {i} AS score
            FROM risk_assessment a
            JOIN risk r ON r.id = a.risk_id
            WHERE r.kind = :kind{in_scope("a.project_id", project_ids, url)}
        ),
        -- Many risks share the same span and score: grouping first makes the events few.
        open_spans AS (
            SELECT start_on, end_on, score, COUNT(*) AS n
            FROM spans WHERE status = 'open'
            GROUP BY start_on, end_on, score
        ),
        events AS (
            SELECT start_on AS day, score, n AS delta FROM open_spans
            UNION ALL
            SELECT end_on AS day, score, -n AS delta FROM open_spans WHERE end_on IS NOT NULL
        ),
        by_day AS (
            SELECT CASE WHEN day < :first THEN :first ELSE day END AS day,
                   score, SUM(delta) AS delta
            FROM events
            WHERE day <= :last
            GROUP BY CASE WHEN day < :first THEN :first ELSE day END, score
        )
        SELECT w.week_end, b.score, SUM(b.delta) AS risks
        FROM weeks w
        JOIN by_day b ON b.day <= w.week_end
        GROUP BY w.week_end, b.score
        HAVING SUM(b.delta) <> 0
        ORDER BY w.week_end, b.score
    """
    dates = {"first": week_end_dates[0], "last": week_end_dates[-1]}
    dates.update({f"w{n}": day for n, day in enumerate(week_end_dates)})
    params: dict = {"kind": kind, **dates}
    # Typed, so SQLite compares ISO strings and PostgreSQL dates.
    statement = scoped_query(sql, params, project_ids, url).bindparams(
        *(sa.bindparam(name, type_=sa.Date) for name in dates)
    )
    df = read_df(statement, params, url=url)
    df = as_dates(df, ("week_end",))
    return df.astype({"score": int, "risks": int})


# --- RAID log -----------------------------------------------------------------------------


def raid_items(
    kind: str, project_ids: Sequence[int] | None = None, url: str | None = None
) -> pd.DataFrame:
    """Assumptions, issues or decisions of the projects, open first, then by date."""
    sql = f"""
        SELECT ri.id, ri.project_id, pr.code AS project_code, pr.name AS project_name,
               ri.title, ri.description, o.name AS owner, ri.status, ri.due_date,
               ri.raised_on, ri.closed_on, ri.decided_on, rv.title AS review
        FROM raid_item ri
        JOIN project pr ON pr.id = ri.project_id
        LEFT JOIN person o ON o.id = ri.owner_id
        LEFT JOIN review rv ON rv.id = ri.review_id
        WHERE ri.kind = :kind{in_scope("ri.project_id", project_ids, url)}
        ORDER BY CASE WHEN ri.status = 'open' THEN 0 ELSE 1 END,
                 COALESCE(ri.due_date, ri.decided_on, ri.raised_on), ri.id
    """
    params: dict = {"kind": kind}
    df = read_df(scoped_query(sql, params, project_ids, url), params, url=url)
    return as_dates(df, ("due_date", "raised_on", "closed_on", "decided_on"))


def dependencies(project_ids: Sequence[int] | None = None, url: str | None = None) -> pd.DataFrame:
    """Dependencies where a project of the scope waits on another or is waited on.

    The provider's expected delivery is its named milestone (actual date once done, else the
    forecast); without one, the latest forecast of its open milestones, else its forecast
    finish; a finished provider project delivered on its actual finish. An open dependency
    whose delivery is not done and is expected after the need-by date is flagged late.
    """
    scope = (
        ""
        if project_ids is None
        else f" AND ({member_of('d.project_id', url)} OR {member_of('d.provider_project_id', url)})"
    )
    sql = f"""
        WITH open_ms AS (
            SELECT project_id, MAX(forecast_date) AS last_open_milestone
            FROM milestone
            WHERE actual_date IS NULL AND removed_on IS NULL
            GROUP BY project_id
        ),
        deps AS (
            SELECT d.id, d.project_id, c.code AS consumer_code, c.name AS consumer_name,
                   d.title, o.name AS owner, d.status, d.need_by, d.raised_on,
                   d.provider_project_id, pp.code AS provider_code, pp.name AS provider_name,
                   m.name AS provider_milestone,
                   CASE
                       WHEN m.id IS NOT NULL THEN COALESCE(m.actual_date, m.forecast_date)
                       WHEN pp.actual_finish IS NOT NULL THEN pp.actual_finish
                       WHEN om.last_open_milestone IS NOT NULL THEN om.last_open_milestone
                       ELSE pp.forecast_finish
                   END AS expected_on,
                   CASE
                       WHEN m.id IS NOT NULL THEN 'milestone ' || m.name
                       WHEN pp.actual_finish IS NOT NULL THEN 'project finished'
                       WHEN om.last_open_milestone IS NOT NULL THEN 'latest open milestone'
                       ELSE 'project forecast finish'
                   END AS expected_from,
                   CASE
                       WHEN m.id IS NOT NULL THEN m.actual_date IS NOT NULL
                       ELSE pp.actual_finish IS NOT NULL
                   END AS delivered
            FROM raid_item d
            JOIN project c ON c.id = d.project_id
            JOIN project pp ON pp.id = d.provider_project_id
            LEFT JOIN milestone m ON m.id = d.provider_milestone_id
            LEFT JOIN open_ms om ON om.project_id = d.provider_project_id
            LEFT JOIN person o ON o.id = d.owner_id
            WHERE d.kind = 'dependency'{scope}
        )
        SELECT deps.*,
               CASE WHEN status = 'open' AND NOT delivered AND expected_on > need_by
                    THEN 1 ELSE 0 END AS late
        FROM deps
        ORDER BY late DESC, CASE WHEN status = 'open' THEN 0 ELSE 1 END, need_by, id
    """
    params: dict = {}
    df = read_df(scoped_query(sql, params, project_ids, url), params, url=url)
    df = as_dates(df, ("need_by", "raised_on", "expected_on"))
    df["late"] = df["late"].astype(bool)
    df["delivered"] = df["delivered"].astype(bool)
    return df
