"""What a schedule file (as read by MPXJ) means for a PMO project, and what importing it changes.

Pure functions over plain values: `plan_from` turns the reader's JSON into the project's dates,
money and milestones for a chosen baseline (0-10); `preview` compares that plan with the
project as stored and lists every creation and change, field by field, with warnings, before
anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

NAME_MAX = 200
CODE_MAX = 30
# Project fields a schedule feeds, in the order the preview lists them.
PROJECT_FIELDS = (
    "baseline_start",
    "baseline_finish",
    "forecast_finish",
    "actual_finish",
    "approved_budget",
    "actual_cost",
    "forecast_at_completion",
    "percent_complete",
)
MILESTONE_FIELDS = ("name", "baseline_date", "forecast_date", "actual_date")


@dataclass(frozen=True)
class PlanMilestone:
    uid: int
    name: str
    baseline_date: dt.date
    forecast_date: dt.date
    actual_date: dt.date | None


@dataclass(frozen=True)
class Plan:
    """A schedule as the PMO keeps it: project values, milestones, words about what is missing."""

    title: str
    guid: str
    status_date: dt.date
    baseline: int
    project: dict[str, Any]
    milestones: tuple[PlanMilestone, ...]
    resources: tuple[str, ...]
    warnings: tuple[str, ...] = ()


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
    warnings: list[str] = []
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
    if start and finish:
        base_start = _day(root.get("baseline_start", {}).get(n)) or _earliest(
            top, "baseline_start", n
        )
        base_finish = _day(root.get("baseline_finish", {}).get(n)) or _latest(
            top, "baseline_finish", n
        )
        if base_start is None or base_finish is None:
            warnings.append(
                f"The schedule has no baseline {baseline} for the project: its baseline dates "
                "are taken from the current schedule."
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
            PlanMilestone(task["uid"], _task_name(task), base or forecast, forecast, actual)
        )
    if missing_base:
        warnings.append(
            f"{len(missing_base)} milestone(s) without baseline {baseline} take their forecast "
            f"as baseline: {', '.join(missing_base[:5])}{'…' if len(missing_base) > 5 else ''}."
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
        resources=tuple(r["name"] for r in schedule.get("resources", [])),
        warnings=tuple(warnings),
    )


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


# --- the preview ------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One line of the preview: create / update / remove, a field's old and new value."""

    entity: str  # "project" or "milestone"
    action: str  # "create", "update", "remove"
    name: str
    field: str = ""
    old: Any = None
    new: Any = None
    uid: int | None = None
    record_id: int | None = None


@dataclass(frozen=True)
class Preview:
    plan: Plan
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.changes


def preview(plan: Plan, project: dict | None, milestones: list[dict]) -> Preview:
    """What importing `plan` would do to `project` (None: a new one) and its `milestones`.

    `milestones` are the project's milestones fed by earlier imports: dicts with id, task_uid,
    name, baseline_date, forecast_date, actual_date, removed_on. They are matched by the task's
    unique id, so a moved milestone is a change of dates, never a second milestone. One that
    is no longer in the file is removed (its history stays).
    """
    changes: list[Change] = []
    label = project["name"] if project else plan.title
    for key in PROJECT_FIELDS:
        if key not in plan.project:
            continue
        old = project.get(key) if project else None
        new = plan.project[key]
        if project is None or _differs(old, new):
            changes.append(
                Change(
                    "project",
                    "create" if project is None else "update",
                    label,
                    key,
                    old,
                    new,
                    record_id=project and project["id"],
                )
            )
    stored = {m["task_uid"]: m for m in milestones if m.get("removed_on") is None}
    in_file = {m.uid for m in plan.milestones}
    for m in plan.milestones:
        old = stored.get(m.uid)
        if old is None:
            changes += [
                Change("milestone", "create", m.name, f, None, getattr(m, f), m.uid)
                for f in MILESTONE_FIELDS
                if getattr(m, f) is not None
            ]
            continue
        changes += [
            Change("milestone", "update", m.name, f, old[f], getattr(m, f), m.uid, old["id"])
            for f in MILESTONE_FIELDS
            if _differs(old[f], getattr(m, f))
        ]
    changes += [
        Change("milestone", "remove", m["name"], "", None, None, uid, m["id"])
        for uid, m in stored.items()
        if uid not in in_file
    ]
    return Preview(plan, tuple(changes), plan.warnings)


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, int | float) and isinstance(new, int | float):
        return abs(float(old) - float(new)) > 0.005
    if isinstance(old, dt.datetime):
        old = old.date()
    if isinstance(old, str) and isinstance(new, dt.date):
        old = dt.date.fromisoformat(old[:10])
    return old != new


def history_change(changed: set[str], new_actual: dt.date | None) -> str | None:
    """What the milestone history calls a re-imported change (None: only the name changed)."""
    if "actual_date" in changed:
        return "completed" if new_actual else "reopened"
    if "baseline_date" in changed:
        return "rebaselined"
    if "forecast_date" in changed:
        return "forecast"
    return None
