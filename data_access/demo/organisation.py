"""Departments, people (the demo accounts first), portfolios and programs."""

from __future__ import annotations

import random
from dataclasses import dataclass

from data_access.core.models import Department, Person, Portfolio, Program
from data_access.demo.rows import DemoRows
from data_access.demo.words import CAPACITIES, DEPARTMENTS, FIRST, LAST, PROGRAM_THEMES, SKILLS


@dataclass
class Organisation:
    """The ids projects are given to, and how many programs and departments there are."""

    project_managers: list[int]
    sponsors: list[int]
    staff: list[int]
    n_programs: int
    n_departments: int


def add_organisation(
    out: DemoRows, rng: random.Random, tier: str, n_projects: int, stamp: dict
) -> Organisation:
    for name, code in DEPARTMENTS:
        out.add(Department, {"name": name, "code": code, **stamp})
    n_departments = len(DEPARTMENTS)

    def person(
        role: str,
        department: int,
        skill: str,
        name: str | None = None,
        demo: bool = False,
        bookable: bool = False,
    ) -> int:
        number = out.count(Person) + 1
        name = name or f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        # Weekly hours for project work: staff and project managers, a fifth of them part-time;
        # executives, administrators and portfolio managers are not booked on projects.
        capacity = rng.choice(CAPACITIES) if bookable else 0.0
        email = f"{name.lower().replace(' ', '.')}.{number}@example.org"
        return out.add(
            Person,
            {
                "name": name,
                "email": email,
                "role": role,
                "department_id": department,
                "skill": skill,
                "weekly_capacity_hours": capacity,
                "active": True,
                "password_hash": None,
                "is_demo_account": demo,
                **stamp,
            },
        )

    # Demo accounts (one per role) come first so that their ids are stable across tiers.
    person("admin", 1, "PMO", "Ada Admin", demo=True)
    person("portfolio_manager", 2, "Portfolio management", "Pat Portfolio", demo=True)
    person("project_manager", 2, "Project management", "Petra Projects", demo=True, bookable=True)
    person("viewer", 1, "Executive", "Vic Viewer", demo=True)
    n_programs = max(6, n_projects // 10)
    n_pms = max(8, n_projects // 4)
    portfolio_managers = [2] + [
        person("portfolio_manager", rng.randint(1, n_departments), "Portfolio management")
        for _ in range(max(2, n_programs // 10))
    ]
    project_managers = [3] + [
        person(
            "project_manager",
            rng.randint(1, n_departments),
            "Project management",
            bookable=True,
        )
        for _ in range(n_pms - 1)
    ]
    sponsors = [
        person("viewer", rng.randint(1, n_departments), "Executive")
        for _ in range(max(5, n_projects // 20))
    ]
    # About one specialist per project: with project managers, a realistic head count.
    staff = [
        person("viewer", rng.randint(1, n_departments), rng.choice(SKILLS), bookable=True)
        for _ in range(max(30, n_projects))
    ]

    n_portfolios = {"S": 1, "M": 2, "L": 3, "XL": 6}[tier]
    for i in range(n_portfolios):
        suffix = "" if n_portfolios == 1 else f" {chr(65 + i)}"
        out.add(
            Portfolio,
            {
                "name": f"Enterprise portfolio{suffix}",
                "description": "Generated demo portfolio",
                **stamp,
            },
        )
    for i in range(n_programs):
        theme = PROGRAM_THEMES[i % len(PROGRAM_THEMES)]
        label = theme if i < len(PROGRAM_THEMES) else f"{theme} {i // len(PROGRAM_THEMES) + 1}"
        out.add(
            Program,
            {
                "portfolio_id": i % n_portfolios + 1,
                "name": label,
                "description": f"{theme} initiatives",
                "manager_id": portfolio_managers[i % len(portfolio_managers)],
                **stamp,
            },
        )
    return Organisation(project_managers, sponsors, staff, n_programs, n_departments)
