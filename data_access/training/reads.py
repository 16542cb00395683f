"""Training reads: the catalogue, who holds what, the competence rule, and a project's
manager with the courses the project's size asks of them."""

from __future__ import annotations

import pandas as pd

from data_access.core.db import read_df
from data_access.core.sql import as_dates


def courses(*, url: str | None = None) -> pd.DataFrame:
    return read_df(
        "SELECT id AS course_id, name AS course, kind, provider, valid_months "
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
        "SELECT t.person_id, t.course_id, c.name AS course, t.completed_on, t.expires_on "
        f"FROM training_record t JOIN course c ON c.id = t.course_id {where}",
        {"p": person_id} if person_id is not None else None,
        url=url,
    )
    return as_dates(df, ["completed_on", "expires_on"])


def required_for(project_size: str, *, url: str | None = None) -> list[str]:
    df = read_df(
        "SELECT c.name FROM competence_rule r JOIN course c ON c.id = r.course_id "
        "WHERE r.project_size = :s ORDER BY c.name",
        {"s": project_size},
        url=url,
    )
    return df.name.tolist()


def project_manager(project_id: int, *, url: str | None = None) -> dict | None:
    df = read_df(
        "SELECT p.manager_id, m.name AS manager, p.approved_budget FROM project p "
        "LEFT JOIN person m ON m.id = p.manager_id WHERE p.id = :id",
        {"id": project_id},
        url=url,
    )
    return None if df.empty else df.iloc[0].to_dict()
