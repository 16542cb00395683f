"""Write a schedule as MSPDI XML (the XML Microsoft Project opens) with MPXJ's own writer.

Run as `python -m data_access.schedules.write OUT.xml < schedule.json`, in a child process for
the reasons given in `data_access.schedules.files`. The JSON has the shape the reader answers
(title, guid, status_date, tasks with uid, name, outline_level, start, finish, milestone,
baseline_start/baseline_finish/baseline_cost by baseline number, cost, actual_cost,
actual_finish, percent_complete, assignments of {resource_uid, work_hours}; resources of uid,
name, email), so what is written reads back as the same schedule.
A task is the child of the nearest task above it with a lower outline level.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from typing import Any


def _when(value: str | None, hour: int):
    from java.time import LocalDateTime

    if not value:
        return None
    y, m, d = (int(x) for x in value[:10].split("-"))
    return LocalDateTime.of(y, m, d, hour, 0)


def _assign(task, spec: dict[str, Any], resources: dict[int, Any]) -> None:
    """The task's resource assignments: {"resource_uid", "work_hours"}, over the task's dates."""
    from org.mpxj import Duration, TimeUnit

    for item in spec.get("assignments", ()):
        assignment = task.addResourceAssignment(resources[item["resource_uid"]])
        assignment.setWork(Duration.getInstance(float(item["work_hours"]), TimeUnit.HOURS))
        assignment.setStart(task.getStart())
        assignment.setFinish(task.getFinish())


def _set_task(task, spec: dict[str, Any]) -> None:
    from java.lang import Double, Integer
    from org.mpxj import Duration, TimeUnit

    task.setName(spec["name"])
    task.setUniqueID(Integer(spec["uid"]))
    task.setMilestone(bool(spec.get("milestone")))
    start, finish = _when(spec.get("start"), 8), _when(spec.get("finish"), 17)
    if spec.get("milestone"):
        start = finish = _when(spec.get("finish"), 17)
    task.setStart(start)
    task.setFinish(finish)
    if spec.get("milestone"):
        task.setDuration(Duration.getInstance(0, TimeUnit.DAYS))
    elif spec.get("start") and spec.get("finish"):
        days = (dt.date.fromisoformat(spec["finish"]) - dt.date.fromisoformat(spec["start"])).days
        task.setDuration(Duration.getInstance(max(days, 0) + 1, TimeUnit.DAYS))
    for key, setter, hour in (
        ("baseline_start", "setBaselineStart", 8),
        ("baseline_finish", "setBaselineFinish", 17),
    ):
        for n, value in spec.get(key, {}).items():
            args = (_when(value, hour),) if n == "0" else (int(n), _when(value, hour))
            getattr(task, setter)(*args)
    for n, value in spec.get("baseline_cost", {}).items():
        task.setBaselineCost(Double(value)) if n == "0" else task.setBaselineCost(
            int(n), Double(value)
        )
    if spec.get("actual_finish"):
        task.setActualStart(start)
        task.setActualFinish(_when(spec["actual_finish"], 17))
    for key, setter in (
        ("cost", "setCost"),
        ("actual_cost", "setActualCost"),
        ("percent_complete", "setPercentageComplete"),
    ):
        if spec.get(key) is not None:
            getattr(task, setter)(Double(spec[key]))


def write(schedule: dict[str, Any], path: str) -> None:
    from java.lang import Integer
    from java.util import UUID
    from org.mpxj import ProjectFile
    from org.mpxj.mspdi import MSPDIWriter

    project = ProjectFile()
    project.addDefaultBaseCalendar()
    props = project.getProjectProperties()
    props.setProjectTitle(schedule.get("title") or "Schedule")
    if schedule.get("guid"):
        props.setGUID(UUID.fromString(schedule["guid"]))
    props.setStatusDate(_when(schedule.get("status_date"), 17))
    resources = {}
    for spec in schedule.get("resources", ()):
        resource = project.addResource()
        resource.setUniqueID(Integer(spec["uid"]))
        resource.setName(spec["name"])
        resource.setEmailAddress(spec.get("email") or None)
        resources[spec["uid"]] = resource
    parents: list[tuple[int, Any]] = []  # (outline level, task) from the root down
    for spec in schedule["tasks"]:
        level = max(int(spec.get("outline_level", 1)), 1)
        while parents and parents[-1][0] >= level:
            parents.pop()
        task = parents[-1][1].addTask() if parents else project.addTask()
        _set_task(task, spec)
        _assign(task, spec, resources)
        parents.append((level, task))
    MSPDIWriter().write(project, path)


def main(path: str) -> None:
    schedule = json.load(sys.stdin)
    os.dup2(2, 1)  # Java logging to stderr; this command answers through its exit code
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM(os.environ.get("PMO_SCHEDULE_JVM_HEAP", "-Xmx1g"), "-Djava.awt.headless=true")
    write(schedule, path)


if __name__ == "__main__":
    main(sys.argv[1])
