"""Read schedules with MPXJ (Java): `python -m data_access.schedules.read`, a reader process.

This module runs in a child process (see `data_access.schedules.files`), never in the app
server: JPype can start one JVM per process and a JVM that hangs or dies on a bad file would
take the server with it. The child starts its JVM once and then answers one JSON line per
file path it is sent: {"file", "ok": true, "schedule": {...}} or {"file", "ok": false,
"reason": words}.
"""

from __future__ import annotations

import json
import os
import select
import sys
from pathlib import Path
from typing import Any

from data_access.schedules.xer import file_problems

BASELINES = range(11)  # MS Project's Baseline (0) and Baseline1..10


def _date(value: Any) -> str | None:
    return str(value)[:10] if value else None


def _numbers_by_baseline(task: dict, field: str, convert) -> dict[str, Any]:
    """{"0": value, "3": value...} for the baselines this task has (MPXJ's JSON names them
    baseline_finish, baseline1_finish ... baseline10_finish)."""
    found = {}
    for n in BASELINES:
        value = task.get(f"baseline{n or ''}_{field}")
        if value:
            found[str(n)] = convert(value)
    return found


def _task(task: dict) -> dict[str, Any]:
    return {
        "uid": int(task["unique_id"]),
        "id": task.get("id"),
        "name": str(task.get("name") or ""),
        "wbs": str(task.get("wbs") or ""),
        "outline_level": int(task.get("outline_level") or 0),
        "summary": bool(task.get("summary")),
        "milestone": bool(task.get("milestone")),
        "flagged": any(task.get(f"flag{n}") for n in range(1, 21)),
        "start": _date(task.get("start")),
        "finish": _date(task.get("finish")),
        "actual_start": _date(task.get("actual_start")),
        "actual_finish": _date(task.get("actual_finish")),
        "baseline_start": _numbers_by_baseline(task, "start", _date),
        "baseline_finish": _numbers_by_baseline(task, "finish", _date),
        "baseline_cost": _numbers_by_baseline(task, "cost", float),
        "percent_complete": float(task.get("percent_complete") or 0),
        "cost": float(task.get("cost") or 0),
        "actual_cost": float(task.get("actual_cost") or 0),
    }


def schedule_of(project) -> dict[str, Any]:
    """The parts of an MPXJ ProjectFile the PMO keeps, as plain JSON values.

    MPXJ's own JSON writer does the walk over tasks in Java: asking for each field through
    JPype costs some 70 calls a task, seconds for a schedule of thousands of tasks.
    """
    from java.io import ByteArrayOutputStream
    from org.mpxj.json import JsonWriter

    out = ByteArrayOutputStream()
    JsonWriter().write(project, out)
    full = json.loads(str(out.toString("UTF-8")))
    props = full.get("property_values", {})
    return {
        "title": str(props.get("project_title") or props.get("name") or ""),
        "guid": str(props.get("guid") or ""),
        "application": str(props.get("file_application") or ""),
        "file_type": str(props.get("file_type") or ""),
        "start": _date(props.get("start_date")),
        "finish": _date(props.get("finish_date")),
        "status_date": _date(props.get("status_date")),
        "tasks": [_task(t) for t in full.get("tasks", []) if "unique_id" in t],
        "resources": [
            {"uid": int(r["unique_id"]), "name": r["name"], "email": r.get("email_address", "")}
            for r in full.get("resources", [])
            if r.get("name") and "unique_id" in r
        ],
        "assignments": [
            {
                "task_uid": int(a["task_unique_id"]),
                "resource_uid": int(a["resource_unique_id"]),
                # MPXJ's JSON gives work in seconds
                "work_hours": round(float(a["work"]) / 3600, 4),
                "start": _date(a.get("start")),
                "finish": _date(a.get("finish")),
            }
            for a in full.get("assignments", [])
            if a.get("work") and "resource_unique_id" in a and "task_unique_id" in a
        ],
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
        schedule = schedule_of(project)
    except Exception as exc:
        return {"ok": False, "reason": _reason(exc)}
    return {"ok": True, "schedule": {**schedule, "file_problems": file_problems(Path(path))}}


def main() -> None:
    """Answer requests until stdin closes (the app process ended) or nobody asked for a while.

    Each request is one line, the JSON string of a file's path; each answer is one line.
    """
    # Java libraries print to file descriptor 1 (logging); keep it for the answers alone.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    import jpype
    import mpxj  # noqa: F401  (puts MPXJ's jars on the class path)

    jpype.startJVM(os.environ.get("PMO_SCHEDULE_JVM_HEAP", "-Xmx1g"), "-Djava.awt.headless=true")
    from org.mpxj.reader import UniversalProjectReader

    idle = float(os.environ.get("PMO_SCHEDULE_READER_IDLE", "600"))
    while select.select([sys.stdin], [], [], idle)[0]:
        line = sys.stdin.readline()
        if not line:
            return
        path = json.loads(line)
        answers.write(json.dumps({"file": path, **read_one(path, UniversalProjectReader)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
