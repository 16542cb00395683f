"""PMO administration reads: people, programs, departments, portfolios, setting versions, and
the recent changes to them, as DataFrames."""

from __future__ import annotations

import pandas as pd

from data_access.core.db import read_df


def people(url=None) -> pd.DataFrame:
    return read_df(
        """
        SELECT p.id, p.name, p.email, p.role, d.name AS department, p.department_id,
               p.skill, p.weekly_capacity_hours, p.active, p.is_demo_account,
               p.password_hash IS NOT NULL AS has_password, p.version
        FROM person p LEFT JOIN department d ON d.id = p.department_id
        ORDER BY p.name, p.id
        """,
        url=url,
    )


def programs(url=None) -> pd.DataFrame:
    return read_df(
        """
        SELECT g.id, g.name, g.description, g.portfolio_id, f.name AS portfolio,
               g.manager_id, m.name AS manager, COUNT(p.id) AS projects, g.version
        FROM program g
        JOIN portfolio f ON f.id = g.portfolio_id
        LEFT JOIN person m ON m.id = g.manager_id
        LEFT JOIN project p ON p.program_id = g.id
        GROUP BY g.id, g.name, g.description, g.portfolio_id, f.name, g.manager_id, m.name,
                 g.version
        ORDER BY g.name
        """,
        url=url,
    )


def departments(url=None) -> pd.DataFrame:
    return read_df(
        """
        SELECT d.id, d.name, d.code, COALESCE(p.n, 0) AS projects, COALESCE(s.n, 0) AS people,
               d.version
        FROM department d
        -- Counted apart: joined together, each department's projects times its people
        -- (250,000 rows at tier L) were counted.
        LEFT JOIN (SELECT department_id, COUNT(*) AS n FROM project GROUP BY department_id) p
               ON p.department_id = d.id
        LEFT JOIN (SELECT department_id, COUNT(*) AS n FROM person GROUP BY department_id) s
               ON s.department_id = d.id
        ORDER BY d.name
        """,
        url=url,
    )


def portfolios(url=None) -> pd.DataFrame:
    return read_df(
        """
        SELECT f.id, f.name, f.description, COUNT(g.id) AS programs, f.version
        FROM portfolio f LEFT JOIN program g ON g.portfolio_id = f.id
        GROUP BY f.id, f.name, f.description, f.version
        ORDER BY f.name
        """,
        url=url,
    )


def setting_versions(url=None) -> dict[str, int]:
    """Each stored setting's version: the form sends them back to detect a concurrent edit."""
    df = read_df("SELECT key, version FROM setting", url=url)
    return dict(zip(df.key, df.version.astype(int), strict=True))


def recent_changes(limit: int = 200, url=None) -> pd.DataFrame:
    """The latest audited changes to people, organisation and settings, and refused attempts."""
    return read_df(
        """
        SELECT at, actor_name, action, entity, entity_id, before, after
        FROM audit_log
        WHERE entity IN ('person', 'portfolio', 'program', 'department', 'setting')
           OR action = 'refused'
        ORDER BY at DESC, id DESC
        LIMIT :limit
        """,
        {"limit": limit},
        url=url,
    )
