"""What a schedule file (as read by MPXJ) means for a PMO project, and the way back.

Pure functions over plain values: `plan_from` turns the reader's JSON into the project's dates,
money and milestones for a chosen baseline (0-10), with warnings about what is missing (the
preview of what an import changes is `data_access.schedules.plan.preview`);
`export_schedule` turns a project and its milestones into the writer's JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from data_access.schedules.plan import Plan, PlanAllocation, PlanMilestone, PlanResource

NAME_MAX = 200
CODE_MAX = 30


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def followable_tasks(schedule: dict) -> list[dict]:
    """Summary and flagged tasks a user may choose to follow as milestones (milestone tasks
    are followed anyway); the project's own summary row (outline level 0) is not offered."""
    return [
        t
        for t in schedule["tasks"]
        if t["outline_level"] > 0 and not t["milestone"] and (t["summary"] or t["flagged"])
    ]


def baselines_in(schedule: dict) -> list[int]:
    """The baselines (0-10) that at least one task carries a finish for."""
    found = {int(n) for t in schedule["tasks"] for n in t["baseline_finish"]}
    return sorted(found)


def _root(tasks: list[dict]) -> dict | None:
    """The project summary task (MS Project's task 0); Primavera and Planner files have none."""
    return next((t for t in tasks if t["outline_level"] == 0), None)


def _task_name(task: dict) -> str:
    name = " ".join(task["name"].split())[:NAME_MAX]
    return name or f"Task {task['id'] if task['id'] is not None else task['uid']}"


def plan_from(
    schedule: dict,
    *,
    baseline: int = 0,
    follow: frozenset[int] = frozenset(),
    today: dt.date,
) -> Plan:
    """The project values and milestones of `schedule` for baseline `baseline`.

    Milestones are the file's milestone tasks plus the tasks whose unique id is in `follow`.
    A missing baseline falls back to the forecast, with a warning; money the file does not
    carry (no costs at all) is left out, so importing a plain schedule never zeroes a budget.
    Actual dates later than the status date are dropped with a warning: what has not happened
    by the reporting day cannot be reported as done.
    """
    n = str(baseline)
    tasks = schedule["tasks"]
    warnings: list[str] = list(schedule.get("file_problems", ()))
    status_date = _day(schedule.get("status_date")) or today
    root = _root(tasks) or {}
    top = [t for t in tasks if t["outline_level"] == 1] or tasks
    start = _day(root.get("start")) or _day(schedule.get("start"))
    finish = _day(root.get("finish")) or _day(schedule.get("finish"))
    if start is None or finish is None:
        starts = [t["start"] for t in tasks if t["start"]]
        finishes = [t["finish"] for t in tasks if t["finish"]]
        start = start or (_day(min(starts)) if starts else None)
        finish = finish or (_day(max(finishes)) if finishes else None)
    project: dict[str, Any] = {}
    baselined = False
    if start and finish:
        base_start = _day(root.get("baseline_start", {}).get(n)) or _earliest(
            top, "baseline_start", n
        )
        base_finish = _day(root.get("baseline_finish", {}).get(n)) or _latest(
            top, "baseline_finish", n
        )
        baselined = base_start is not None and base_finish is not None
        if not baselined:
            warnings.append(
                f"The schedule has no baseline {baseline} for the project: a new project takes "
                "its baseline dates from the current schedule, an existing one keeps its own."
            )
        project["baseline_start"] = base_start or start
        project["baseline_finish"] = max(base_finish or finish, project["baseline_start"])
        project["forecast_finish"] = max(finish, project["baseline_start"])
        project["actual_finish"] = _day(root.get("actual_finish"))
    cost_tasks = [root] if root else top
    budget = sum(t.get("baseline_cost", {}).get(n) or 0 for t in cost_tasks)
    if budget > 0:
        project["approved_budget"] = round(budget, 2)
    for key, source in (("forecast_at_completion", "cost"), ("actual_cost", "actual_cost")):
        amount = sum(t.get(source) or 0 for t in cost_tasks)
        if amount > 0:
            project[key] = round(amount, 2)
    if budget <= 0 and not any(t.get("cost") for t in cost_tasks):
        warnings.append("The schedule carries no costs: budget and costs are left as they are.")
    project["percent_complete"] = _percent(root, top)

    milestones, missing_base = [], []
    for task in tasks:
        if not (task["milestone"] or task["uid"] in follow) or task["outline_level"] == 0:
            continue
        forecast = _day(task["finish"]) or _day(task["start"])
        if forecast is None:
            warnings.append(f"{_task_name(task)!r} has no date and is left out.")
            continue
        base = _day(task["baseline_finish"].get(n))
        actual = _day(task["actual_finish"])
        if actual and actual > status_date:
            warnings.append(
                f"{_task_name(task)!r} is finished on {actual} in the file, after the status "
                f"date {status_date}: it is imported as not yet completed."
            )
            actual = None
        if actual:
            forecast = actual
        if base is None:
            missing_base.append(_task_name(task))
        milestones.append(
            PlanMilestone(
                task["uid"], _task_name(task), base or forecast, forecast, actual, base is not None
            )
        )
    if missing_base:
        warnings.append(
            f"{len(missing_base)} milestone(s) without baseline {baseline} (new ones take their "
            "forecast as baseline, existing ones keep theirs): "
            f"{', '.join(missing_base[:5])}{'…' if len(missing_base) > 5 else ''}."
        )
    if project.get("baseline_start"):
        lo, hi = (
            project["baseline_start"],
            max(project["baseline_finish"], project["forecast_finish"]),
        )
        outside = [m.name for m in milestones if not lo <= m.forecast_date <= hi]
        if outside:
            warnings.append(
                f"{len(outside)} milestone date(s) outside the project's range {lo} to {hi}: "
                f"{', '.join(outside[:5])}."
            )
    if not milestones:
        warnings.append("The schedule has no milestone tasks; pick tasks to follow as milestones.")
    return Plan(
        title=" ".join(schedule.get("title", "").split())[:NAME_MAX],
        guid=schedule.get("guid", "")[:80],
        status_date=status_date,
        baseline=baseline,
        project=project,
        milestones=tuple(milestones),
        resources=tuple(
            PlanResource(r["uid"], " ".join(r["name"].split())[:NAME_MAX], r.get("email") or "")
            for r in schedule.get("resources", [])
        ),
        warnings=tuple(warnings),
        baselined=baselined,
        allocations=weekly_allocations(schedule.get("assignments", [])),
    )


def _working_days(start: dt.date, finish: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=k) for k in range((finish - start).days + 1)]
    return [d for d in days if d.weekday() < 5] or [start]


def weekly_allocations(assignments: list[dict]) -> tuple[PlanAllocation, ...]:
    """Each resource's assignments as hours a week by ISO week: an assignment's work spread
    evenly over its working days (Monday to Friday), summed per resource and week; consecutive
    weeks with the same hours make one allocation, Monday of the first to Friday of the last."""
    hours: dict[tuple[int, dt.date], float] = {}
    for a in assignments:
        start, finish = _day(a.get("start")), _day(a.get("finish"))
        if not a.get("work_hours") or start is None:
            continue
        days = _working_days(start, max(finish or start, start))
        for day in days:
            week = (a["resource_uid"], day - dt.timedelta(days=day.weekday()))
            hours[week] = hours.get(week, 0.0) + a["work_hours"] / len(days)
    rows: list[PlanAllocation] = []
    for (uid, monday), total in sorted(hours.items()):
        total = round(total, 1)
        if total <= 0:
            continue
        last = rows[-1] if rows else None
        if (
            last
            and last.resource_uid == uid
            and last.hours_per_week == total
            and last.end + dt.timedelta(days=3) == monday
        ):
            rows[-1] = PlanAllocation(uid, last.start, monday + dt.timedelta(days=4), total)
        else:
            rows.append(PlanAllocation(uid, monday, monday + dt.timedelta(days=4), total))
    return tuple(rows)


def _earliest(tasks, key, n) -> dt.date | None:
    days = [t[key][n] for t in tasks if t[key].get(n)]
    return _day(min(days)) if days else None


def _latest(tasks, key, n) -> dt.date | None:
    days = [t[key][n] for t in tasks if t[key].get(n)]
    return _day(max(days)) if days else None


def _percent(root: dict, top: list[dict]) -> float:
    if root:
        return float(min(max(root.get("percent_complete") or 0, 0), 100))
    # Without a summary task, weigh each top task's progress by its length in days.
    weights = [
        max((_day(t["finish"]) - _day(t["start"])).days, 1) if t["start"] and t["finish"] else 1
        for t in top
    ]
    done = sum(w * (t["percent_complete"] or 0) for w, t in zip(weights, top, strict=True))
    return round(min(max(done / sum(weights), 0), 100), 1) if weights else 0.0


def project_code(title: str, file_name: str) -> str:
    """A suggested code for a new project: the file's name without extension, upper-case."""
    stem = file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or title or "SCHEDULE"
    return "".join(c if c.isalnum() else "-" for c in stem.upper()).strip("-")[:CODE_MAX]


# --- export -----------------------------------------------------------------------------

EXPORT_UID_BASE = 1_000_000  # above any task id a schedule tool hands out


def export_schedule(project: dict, milestones: list[dict], status_date: dt.date) -> dict:
    """The project and its milestones in the reader's JSON shape, for the MSPDI writer: one
    summary task with the project's dates and money, one milestone task per open or completed
    milestone (keeping the task id it was imported from, so the file re-imports onto it)."""
    tasks = [
        {
            "uid": EXPORT_UID_BASE,
            "name": project["name"],
            "outline_level": 1,
            "start": str(project["baseline_start"])[:10],
            "finish": str(project["forecast_finish"])[:10],
            "baseline_start": {"0": str(project["baseline_start"])[:10]},
            "baseline_finish": {"0": str(project["baseline_finish"])[:10]},
            "baseline_cost": {"0": float(project["approved_budget"] or 0)},
            "cost": float(project["forecast_at_completion"] or 0),
            "actual_cost": float(project["actual_cost"] or 0),
            "percent_complete": float(project["percent_complete"] or 0),
        }
    ]
    for m in milestones:
        uid = m.get("task_uid")
        tasks.append(
            {
                "uid": int(uid) if uid is not None else EXPORT_UID_BASE + int(m["id"]),
                "name": m["name"],
                "outline_level": 2,
                "milestone": True,
                "finish": str(m["forecast_date"])[:10],
                "baseline_finish": {"0": str(m["baseline_date"])[:10]},
                "actual_finish": str(m["actual_date"])[:10] if m.get("actual_date") else None,
            }
        )
    return {
        "title": project["name"],
        "guid": "",
        "status_date": status_date.isoformat(),
        "tasks": tasks,
    }
