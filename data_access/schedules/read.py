"""Read schedules with MPXJ (Java): `python -m data_access.schedules.read FILE...`.

This module runs in a child process (see `data_access.schedules.files`), never in the app
server: JPype can start one JVM per process and a JVM that hangs or dies on a bad file would
take the server with it. It prints one JSON line per file, in order: {"file", "ok": true,
"schedule": {...}} or {"file", "ok": false, "reason": words}. All files of one call share
one JVM.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

BASELINES = range(11)  # MS Project's Baseline (0) and Baseline1..10


def _date(value: Any) -> str | None:
    return str(value)[:10] if value is not None else None


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value.doubleValue() if hasattr(value, "doubleValue") else value)
    return number if number == number else None  # NaN as missing


def _baselines(task, getter: str) -> dict[str, Any]:
    """{"0": value, "3": value...} for the baselines this task has."""
    found = {}
    for n in BASELINES:
        value = getattr(task, getter)(n) if n else getattr(task, getter)()
        if value is not None:
            found[str(n)] = value
    return found


def _task(task) -> dict[str, Any]:
    return {
        "uid": int(task.getUniqueID()),
        "id": int(task.getID()) if task.getID() is not None else None,
        "name": str(task.getName() or ""),
        "wbs": str(task.getWBS() or ""),
        "outline_level": int(task.getOutlineLevel() or 0),
        "summary": bool(task.getSummary()),
        "milestone": bool(task.getMilestone()),
        "flagged": any(bool(task.getFlag(n)) for n in range(1, 21)),
        "start": _date(task.getStart()),
        "finish": _date(task.getFinish()),
        "actual_start": _date(task.getActualStart()),
        "actual_finish": _date(task.getActualFinish()),
        "baseline_start": {k: _date(v) for k, v in _baselines(task, "getBaselineStart").items()},
        "baseline_finish": {k: _date(v) for k, v in _baselines(task, "getBaselineFinish").items()},
        "baseline_cost": {
            k: _number(v) for k, v in _baselines(task, "getBaselineCost").items() if _number(v)
        },
        "percent_complete": _number(task.getPercentageComplete()) or 0.0,
        "cost": _number(task.getCost()) or 0.0,
        "actual_cost": _number(task.getActualCost()) or 0.0,
    }


def _resource(resource) -> dict[str, Any]:
    return {
        "uid": int(resource.getUniqueID()),
        "name": str(resource.getName() or ""),
        "email": str(resource.getEmailAddress() or ""),
    }


def schedule_of(project) -> dict[str, Any]:
    """The parts of an MPXJ ProjectFile the PMO keeps, as plain JSON values."""
    props = project.getProjectProperties()
    tasks = [_task(t) for t in project.getTasks() if t.getUniqueID() is not None]
    return {
        "title": str(props.getProjectTitle() or props.getName() or ""),
        "guid": str(props.getGUID() or ""),
        "application": str(props.getFileApplication() or ""),
        "file_type": str(props.getFileType() or ""),
        "start": _date(props.getStartDate()),
        "finish": _date(props.getFinishDate()),
        "status_date": _date(props.getStatusDate()),
        "tasks": tasks,
        "resources": [_resource(r) for r in project.getResources() if r.getName()],
        "ignored_errors": [str(e) for e in project.getIgnoredErrors()],
    }


def _reason(exc: Exception) -> str:
    """An MPXJ exception in words, without the Java stack."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lower = text.lower()
    if "password" in lower or "encrypt" in lower:
        return "The file is password-protected; save it without a password and upload it again."
    return f"The file could not be read as a schedule ({text[:300]})."


def read_one(path: str, reader_class) -> dict[str, Any]:
    if os.path.getsize(path) == 0:
        return {"ok": False, "reason": "The file is empty."}
    try:
        project = reader_class().read(path)
    except Exception as exc:  # MPXJ raises Java exceptions of many kinds for a bad file
        return {"ok": False, "reason": _reason(exc)}
    if project is None:
        return {
            "ok": False,
            "reason": "This is not a schedule file that can be read: it is damaged or "
            "truncated, or of a kind the reader does not know (it reads Microsoft Project "
            ".mpp/.xml/.mpx, Primavera .xer/.xml, Planner, ProjectLibre and more).",
        }
    try:
        return {"ok": True, "schedule": schedule_of(project)}
    except Exception as exc:
        return {"ok": False, "reason": _reason(exc)}


def main(paths: list[str]) -> None:
    # Java libraries print to file descriptor 1 (logging); keep it for the answers alone.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM(os.environ.get("PMO_SCHEDULE_JVM_HEAP", "-Xmx1g"), "-Djava.awt.headless=true")
    from org.mpxj.reader import UniversalProjectReader

    for path in paths:
        result = read_one(path, UniversalProjectReader)
        answers.write(json.dumps({"file": path, **result}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
