"""Reads of the push side as DataFrames or plain values."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.db import read_df


def subscriptions(person_id: int | None = None, url: str | None = None) -> pd.DataFrame:
    """Subscriptions with the subscriber's name and address (one person's, or everyone's)."""
    where = "WHERE s.person_id = :person" if person_id is not None else ""
    return read_df(
        f"""
        SELECT s.id, s.person_id, p.name AS person, p.email, s.scope, s.project_id,
               pr.code AS project_code, pr.name AS project_name, s.filters, s.cadence,
               s.weekday, s.day_of_month, s.hour, s.time_zone, s.created_at, s.version,
               s.unsubscribe_token
        FROM subscription s JOIN person p ON p.id = s.person_id
        LEFT JOIN project pr ON pr.id = s.project_id
        {where} ORDER BY s.id
        """,
        {"person": person_id} if person_id is not None else None,
        url=url,
    )


def reviews_held(since: dt.date, until: dt.date, url: str | None = None) -> pd.DataFrame:
    """Reviews held from `since` to `until` (for "after each review")."""
    return read_df(
        "SELECT id, title, held_on FROM review "
        "WHERE held_on >= :since AND held_on <= :until ORDER BY held_on, id",
        {"until": until, "since": since},
        url=url,
    )


def latest_review_id(until: dt.date, url: str | None = None) -> int | None:
    df = read_df(
        "SELECT id FROM review WHERE held_on <= :until ORDER BY held_on DESC, id DESC LIMIT 1",
        {"until": until},
        url=url,
    )
    return int(df.id.iloc[0]) if len(df) else None


def missing_updates(week_start: dt.date, url: str | None = None) -> pd.DataFrame:
    """Active projects with no status report dated in the week starting `week_start`, with
    their manager: the people a reminder goes to."""
    return read_df(
        """
        SELECT p.id AS project_id, p.code, p.name AS project, m.id AS person_id,
               m.name AS manager, m.email
        FROM project p JOIN person m ON m.id = p.manager_id AND m.active
        WHERE p.status = 'active' AND NOT EXISTS (
            SELECT 1 FROM status_report r
            WHERE r.project_id = p.id AND r.report_date >= :start
        )
        ORDER BY m.id, p.code
        """,
        {"start": week_start},
        url=url,
    )


def actions_due(until: dt.date, url: str | None = None) -> pd.DataFrame:
    """Open actions due by `until` (overdue included), with their owner."""
    return read_df(
        """
        SELECT a.id, a.title, a.due_date, a.owner_id AS person_id, o.name AS owner, o.email,
               pr.code
        FROM action a JOIN person o ON o.id = a.owner_id AND o.active
        LEFT JOIN project pr ON pr.id = a.project_id
        WHERE a.status = 'open' AND a.due_date <= :until
        ORDER BY a.owner_id, a.due_date
        """,
        {"until": until},
        url=url,
    )


def notification_prefs(person_id: int, url: str | None = None) -> dict[str, bool]:
    df = read_df(
        "SELECT kind, by_email FROM notification_pref WHERE person_id = :p",
        {"p": person_id},
        url=url,
    )
    return {k: bool(v) for k, v in zip(df.kind, df.by_email, strict=True)}


def email_choices(url: str | None = None) -> set[tuple[int, str]]:
    """(person, kind) pairs that want e-mail as well as the inbox."""
    df = read_df("SELECT person_id, kind FROM notification_pref WHERE by_email", url=url)
    return set(zip(df.person_id.astype(int), df.kind, strict=True))


def audit_events(since: dt.datetime, url: str | None = None) -> pd.DataFrame:
    """Audit rows since `since` that may call for a notification: actions and risks created or
    given a new owner, and status reports (a project turning red)."""
    return read_df(
        """
        SELECT a.id, a.at, a.action, a.entity, a.entity_id, a.project_id, a.actor_id,
               a.after, pr.code, pr.name AS project
        FROM audit_log a LEFT JOIN project pr ON pr.id = a.project_id
        WHERE a.at >= :since AND a.action IN ('create', 'update')
          AND a.entity IN ('action', 'risk', 'status_report')
        ORDER BY a.id
        """,
        {"since": since},
        url=url,
    )


def stakeholders(project_id: int, url: str | None = None) -> pd.DataFrame:
    return read_df(
        "SELECT id, project_id, person_id, name, email, role, interest, influence, receives, "
        "version FROM stakeholder WHERE project_id = :p "
        "ORDER BY influence DESC, interest DESC, name",
        {"p": project_id},
        url=url,
    )


def share_links(url: str | None = None) -> pd.DataFrame:
    return read_df(
        """
        SELECT l.id, l.scope, pr.code AS project, l.filters, l.recipient, l.created_at,
               l.expires_at, l.revoked_at,
               (SELECT COUNT(*) FROM share_link_opening o WHERE o.link_id = l.id
                AND o.outcome = 'opened') AS openings,
               (SELECT MAX(o.at) FROM share_link_opening o WHERE o.link_id = l.id) AS last_opened
        FROM share_link l LEFT JOIN project pr ON pr.id = l.project_id
        ORDER BY l.id DESC
        """,
        url=url,
    )


def link_openings(url: str | None = None) -> pd.DataFrame:
    return read_df(
        "SELECT id, link_id, at, outcome FROM share_link_opening ORDER BY id DESC LIMIT 500",
        url=url,
    )


def turned_red(since: dt.date, url: str | None = None) -> pd.DataFrame:
    """Status reports from `since` on that made their project Red when the one before was not,
    with the people who care: the project's manager and sponsor."""
    return read_df(
        """
        SELECT r.id AS report_id, r.project_id, p.code, p.name AS project, r.report_date,
               r.author_id, p.manager_id, p.sponsor_id
        FROM status_report r JOIN project p ON p.id = r.project_id
        WHERE r.overall_rag = 'R' AND r.report_date >= :since
          AND COALESCE((
              SELECT b.overall_rag FROM status_report b
              WHERE b.project_id = r.project_id
                AND (b.report_date < r.report_date
                     OR (b.report_date = r.report_date AND b.id < r.id))
              ORDER BY b.report_date DESC, b.id DESC LIMIT 1), 'G') <> 'R'
        ORDER BY r.id
        """,
        {"since": since},
        url=url,
    )


def people_by_id(url: str | None = None) -> dict[int, dict]:
    df = read_df("SELECT id, name, email, role, active FROM person", url=url)
    return {
        int(r.id): {"name": r.name, "email": r.email, "role": r.role, "active": bool(r.active)}
        for r in df.itertuples()
    }


def escalations_raised(since: dt.date, url: str | None = None) -> pd.DataFrame:
    """Open escalations raised from `since` on, with the person asked (none: the steering
    group, that is the PMO who runs the review)."""
    return read_df(
        """
        SELECT x.id, x.ask, x.asked_of, x.asked_person_id, x.raised_by_id, x.needed_by,
               p.code, p.name AS project
        FROM escalation x JOIN project p ON p.id = x.project_id
        WHERE x.status = 'open' AND x.raised_on >= :since
        ORDER BY x.id
        """,
        {"since": since},
        url=url,
    )
