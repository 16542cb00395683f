"""Projects whose plan lives in Microsoft Project: their last schedule import and the task ids
their milestones were imported from, so that re-importing an exported file moves them."""

from __future__ import annotations

import datetime as dt

from data_access.core.models import Milestone, Project, ScheduleImport, ScheduleLink
from data_access.demo.rows import DemoRows, friday_on_or_before

EVERY = 5  # one project in five is planned in MS Project


def add_schedule_imports(out: DemoRows, today: dt.date) -> None:
    """Each such project's manager imported it last Friday. No random draws: the rest of the
    portfolio stays as it was."""
    status_date = friday_on_or_before(today)
    by_project: dict[int, list[dict]] = {}
    for milestone in out.rows.get(Milestone, []):
        by_project.setdefault(milestone["project_id"], []).append(milestone)
    for project in out.rows.get(Project, []):
        if project["id"] % EVERY:
            continue
        milestones = by_project.get(project["id"], [])
        for n, milestone in enumerate(milestones, start=1):
            out.add(
                ScheduleLink,
                {"project_id": project["id"], "milestone_id": milestone["id"], "task_uid": 10 * n},
            )
        out.add(
            ScheduleImport,
            {
                "project_id": project["id"],
                "file_name": f"{project['code']}.mpp",
                "file_guid": "",
                "baseline": 0,
                "status_date": status_date,
                "created": len(milestones),
                "changed": len(milestones) + 8,
                "actor_id": project["manager_id"],
                "imported_at": dt.datetime.combine(status_date, dt.time(16), dt.UTC),
            },
        )
