"""Many schedule files at once (a folder or a Project Server export): one project per file.

No Streamlit here: the page calls `import_files` for the user's one action, and each file is
written by its own `commands.import_schedule` call (its own transaction), so a bad file writes
nothing of itself and does not stop the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from data_access.core.writes import Actor, WriteError
from data_access.schedules import commands
from data_access.schedules.files import ReadResult
from domain.schedules import plan_from, project_code


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    name: str
    status: str  # "created", "updated", "unchanged", "refused"
    project: str = ""
    changes: int = 0
    detail: str = ""


def import_files(
    results: list[ReadResult],
    *,
    program_id: int,
    department_id: int,
    baseline: int,
    today: dt.date,
    url: str | None,
    actor: Actor,
) -> list[FileOutcome]:
    """A file imported before (same GUID) or whose name is a project's code updates that
    project; any other creates one in the given program and department."""
    return [
        _import_file(
            result,
            program_id=program_id,
            department_id=department_id,
            baseline=baseline,
            today=today,
            url=url,
            actor=actor,
        )
        if result.ok
        else FileOutcome(result.name, "refused", detail=result.reason)
        for result in results
    ]


def _import_file(result: ReadResult, *, program_id, department_id, baseline, today, url, actor):
    schedule = result.schedule
    code = project_code(schedule["title"], result.name)
    if not schedule["tasks"]:
        return FileOutcome(result.name, "refused", code, detail="The schedule has no tasks.")
    project_id, follow = commands.target_for(schedule["guid"], code, url=url)
    plan = plan_from(schedule, baseline=baseline, follow=follow, today=today)
    new = {
        "code": code,
        "name": plan.title or code,
        "program_id": program_id,
        "department_id": department_id,
    }
    try:
        seen = commands.preview_for(plan, project_id, url=url)
        _, count = commands.import_schedule(
            seen,
            project_id=project_id,
            new_project=new,
            file_name=result.name,
            url=url,
            actor=actor,
        )
    except WriteError as exc:
        return FileOutcome(result.name, "refused", code, detail=str(exc))
    status = "created" if project_id is None else ("updated" if count else "unchanged")
    return FileOutcome(result.name, status, code, count, " ".join(plan.warnings))
