"""Training reads: the catalogue, who holds what, the competence rule, and a project's
manager with what its size and risk ask of them."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.db import read_df
from data_access.core.sql import as_dates


def courses(*, url: str | None = None) -> pd.DataFrame:
    return read_df(
        "SELECT id AS course_id, name AS course, kind, provider, valid_months, version "
        "FROM course ORDER BY kind, name",
        url=url,
    )


def project_managers(*, url: str | None = None) -> pd.DataFrame:
    """People who manage projects (by role or by managing one)."""
    return read_df(
        "SELECT id AS person_id, name AS person FROM person WHERE role = 'project_manager' "
        "OR id IN (SELECT manager_id FROM project WHERE manager_id IS NOT NULL) ORDER BY name",
        url=url,
    )


def records(person_id: int | None = None, *, url: str | None = None) -> pd.DataFrame:
    where = "WHERE t.person_id = :p" if person_id is not None else ""
    df = read_df(
        "SELECT t.id AS record_id, t.version, t.person_id, p.name AS person, t.course_id, "
        "c.name AS course, t.completed_on, t.expires_on FROM training_record t "
        "JOIN course c ON c.id = t.course_id JOIN person p ON p.id = t.person_id "
        f"{where} ORDER BY p.name, c.name",
        {"p": person_id} if person_id is not None else None,
        url=url,
    )
    return as_dates(df, ["completed_on", "expires_on"])


def required_for(applies_to: list[str], *, url: str | None = None) -> list[str]:
    """The courses the rule asks for any of `applies_to` (sizes, risk levels), by name."""
    if not applies_to:
        return []
    marks = ", ".join(f":c{i}" for i in range(len(applies_to)))
    df = read_df(
        "SELECT DISTINCT c.name FROM competence_rule r JOIN course c ON c.id = r.course_id "
        f"WHERE r.applies_to IN ({marks}) ORDER BY c.name",
        {f"c{i}": c for i, c in enumerate(applies_to)},
        url=url,
    )
    return df.name.tolist()


def rule(*, url: str | None = None) -> pd.DataFrame:
    """The competence rule: one row per (size or risk level, course)."""
    return read_df("SELECT applies_to, course_id FROM competence_rule", url=url)


def highest_open_risk(project_id: int, *, url: str | None = None) -> int | None:
    """The project's highest open threat score (probability x impact), as health reads it."""
    df = read_df(
        "SELECT MAX(probability * impact) AS score FROM risk "
        "WHERE project_id = :id AND status = 'open' AND kind = 'threat'",
        {"id": project_id},
        url=url,
    )
    score = df.score.iloc[0]
    return None if pd.isna(score) else int(score)


def expiring(since: dt.date, until: dt.date, *, url: str | None = None) -> pd.DataFrame:
    """Courses of active people that lapse between `since` and `until`, with whom to tell."""
    df = read_df(
        "SELECT t.id AS record_id, t.person_id, p.name AS person, p.email, c.name AS course, "
        "t.expires_on FROM training_record t JOIN course c ON c.id = t.course_id "
        "JOIN person p ON p.id = t.person_id AND p.active "
        "WHERE t.expires_on BETWEEN :since AND :until ORDER BY t.expires_on",
        {"since": since, "until": until},
        url=url,
    )
    return as_dates(df, ["expires_on"])


def project_manager(project_id: int, *, url: str | None = None) -> dict | None:
    df = read_df(
        "SELECT p.manager_id, m.name AS manager, p.approved_budget FROM project p "
        "LEFT JOIN person m ON m.id = p.manager_id WHERE p.id = :id",
        {"id": project_id},
        url=url,
    )
    return None if df.empty else df.iloc[0].to_dict()
