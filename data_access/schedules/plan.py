"""What importing a schedule changes: the plan a file gives and its preview against the project.

The data contract between the pure mapping (`domain.schedules.plan_from`, file to plan) and the
import write (`data_access.schedules.commands`), which computes the preview again inside its
transaction to refuse an import whose project changed since the user looked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

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
BASELINES = ("baseline_start", "baseline_finish")


@dataclass(frozen=True)
class PlanMilestone:
    uid: int
    name: str
    baseline_date: dt.date
    forecast_date: dt.date
    actual_date: dt.date | None
    baselined: bool = True  # False: the file has no baseline for it (the forecast stands in)


@dataclass(frozen=True)
class PlanResource:
    uid: int
    name: str
    email: str


@dataclass(frozen=True)
class PlanAllocation:
    """A resource's hours a week from `start` (a Monday) to `end` (a Friday)."""

    resource_uid: int
    start: dt.date
    end: dt.date
    hours_per_week: float


@dataclass(frozen=True)
class Plan:
    """A schedule as the PMO keeps it: project values, milestones, words about what is missing."""

    title: str
    guid: str
    status_date: dt.date
    baseline: int
    project: dict[str, Any]
    milestones: tuple[PlanMilestone, ...]
    resources: tuple[PlanResource, ...]
    warnings: tuple[str, ...] = ()
    baselined: bool = True  # False: the file has no project baseline (the schedule stands in)
    allocations: tuple[PlanAllocation, ...] = ()


# --- the preview ------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One line of the preview: create / update / remove, a field's old and new value."""

    entity: str  # "project", "milestone", "person" or "allocation"
    action: str  # "create", "update", "remove"
    name: str
    field: str = ""
    old: Any = None
    new: Any = None
    uid: int | None = None
    record_id: int | None = None
    start: dt.date | None = None  # an allocation's dates
    end: dt.date | None = None


@dataclass(frozen=True)
class Preview:
    plan: Plan
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Each resource of the file with the person it is (id, name, email), None: nobody here.
    matches: tuple[tuple[PlanResource, dict | None], ...] = ()
    confirmed: frozenset[int] = frozenset()  # resources the user confirmed as new people
    # Allocations typed in by hand that the file's hours overlap, and whether the user lets
    # the file's hours take their place (otherwise the write refuses the overlap).
    clashing: frozenset[int] = frozenset()
    replace_typed: bool = False

    @property
    def empty(self) -> bool:
        return not self.changes


def preview(
    plan: Plan,
    project: dict | None,
    milestones: list[dict],
    *,
    people: list[dict] = (),
    allocations: list[dict] = (),
    typed: list[dict] = (),
    confirmed: frozenset[int] = frozenset(),
    replace_typed: bool = False,
) -> Preview:
    """What importing `plan` would do to `project` (None: a new one) and its `milestones`.

    `milestones` are the project's milestones fed by earlier imports: dicts with id, task_uid,
    name, baseline_date, forecast_date, actual_date, removed_on. They are matched by the task's
    unique id, so a moved milestone is a change of dates, never a second milestone. One that
    is no longer in the file is removed (its history stays).
    """
    changes: list[Change] = []
    label = project["name"] if project else plan.title
    for key in PROJECT_FIELDS:
        # A stand-in baseline may start a new project, never overwrite a stored one.
        if key not in plan.project or (project and not plan.baselined and key in BASELINES):
            continue
        old = project.get(key) if project else None
        new = plan.project[key]
        if (project is None and new is not None) or (project and _differs(old, new)):
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
            if _differs(old[f], getattr(m, f)) and (m.baselined or f != "baseline_date")
        ]
    changes += [
        Change("milestone", "remove", m["name"], "", None, None, uid, m["id"])
        for uid, m in stored.items()
        if uid not in in_file
    ]
    matches = match_resources(plan.resources, people)
    staffing, warnings = _staffing(plan, matches, people, allocations, confirmed)
    clashing, replaced, clash_warnings = _clashes(staffing, matches, typed, replace_typed)
    return Preview(
        plan,
        tuple(changes + staffing + replaced),
        plan.warnings + warnings + clash_warnings,
        matches,
        frozenset(confirmed),
        clashing,
        replace_typed,
    )


def match_resources(
    resources: tuple[PlanResource, ...], people: list[dict]
) -> tuple[tuple[PlanResource, dict | None], ...]:
    """Each resource with the person it is, by e-mail first, then by name (any case)."""
    by_email = {p["email"].lower(): p for p in people if p.get("email")}
    by_name = {" ".join(p["name"].lower().split()): p for p in people}
    return tuple(
        (r, by_email.get(r.email.lower()) or by_name.get(" ".join(r.name.lower().split())))
        for r in resources
    )


def creatable(resource: PlanResource) -> bool:
    """A resource that can become a person here: it needs an e-mail address to sign in with."""
    return "@" in resource.email.strip(" @")


def _staffing(
    plan: Plan,
    matches: tuple[tuple[PlanResource, dict | None], ...],
    people: list[dict],
    stored: list[dict],
    confirmed: frozenset[int],
) -> tuple[list[Change], tuple[str, ...]]:
    """New people and the allocations an import creates or replaces.

    `stored` are the allocations the previous import wrote; one that is still wanted (same
    person, dates and hours) stays, any other is replaced. Hours of a resource that is nobody
    here and not confirmed as a new person are left out, with a warning.
    """
    changes: list[Change] = []
    warnings: list[str] = []
    assigned = {a.resource_uid for a in plan.allocations}
    person_of: dict[int, tuple[int | None, str]] = {}
    for resource, person in matches:
        if person is not None:
            person_of[resource.uid] = (person["id"], person["name"])
        elif resource.uid in confirmed and creatable(resource):
            person_of[resource.uid] = (None, resource.name)
            changes.append(
                Change(
                    "person", "create", resource.name, "email", None, resource.email, resource.uid
                )
            )
        elif resource.uid in assigned:
            why = "not confirmed as a new person" if creatable(resource) else "has no e-mail"
            warnings.append(
                f"{resource.name} is nobody here and {why}: their hours are not imported."
            )
    names = {p["id"]: p["name"] for p in people}
    kept: set[int] = set()
    by_key = {
        (
            s["person_id"],
            _day(s["start_date"]),
            _day(s["end_date"]),
            round(s["hours_per_week"], 1),
        ): s
        for s in stored
    }
    for a in plan.allocations:
        if a.resource_uid not in person_of:
            continue
        person_id, name = person_of[a.resource_uid]
        same = by_key.get((person_id, a.start, a.end, a.hours_per_week))
        if same is not None and same["id"] not in kept:
            kept.add(same["id"])
            continue
        changes.append(
            Change(
                "allocation",
                "create",
                name,
                "hours_per_week",
                None,
                a.hours_per_week,
                a.resource_uid,
                None,
                a.start,
                a.end,
            )
        )
    changes += [
        _removal(names.get(s["person_id"], f"person {s['person_id']}"), s)
        for s in stored
        if s["id"] not in kept
    ]
    return changes, tuple(warnings)


def _removal(name: str, stored: dict) -> Change:
    """The preview line of a stored allocation the import deletes."""
    return Change(
        "allocation",
        "remove",
        name,
        "hours_per_week",
        stored["hours_per_week"],
        None,
        None,
        stored["id"],
        _day(stored["start_date"]),
        _day(stored["end_date"]),
    )


def _clashes(
    staffing: list[Change],
    matches: tuple[tuple[PlanResource, dict | None], ...],
    typed: list[dict],
    replace: bool,
) -> tuple[frozenset[int], list[Change], tuple[str, ...]]:
    """Allocations typed in by hand that the file's new hours overlap (same person, dates
    meeting): replaced when the user says so, otherwise each named in a warning, since the
    allocation write refuses two allocations of one person on one project at once. A person
    the import creates has no allocation yet."""
    person_of = {r.uid: p for r, p in matches if p is not None}
    created = [
        (person_of[c.uid], c)
        for c in staffing
        if c.entity == "allocation" and c.action == "create" and c.uid in person_of
    ]
    clashing = [
        t
        for t in typed
        if any(
            p["id"] == t["person_id"]
            and c.start <= _day(t["end_date"])
            and _day(t["start_date"]) <= c.end
            for p, c in created
        )
    ]
    names = {p["id"]: p["name"] for p, _ in created}
    ids = frozenset(t["id"] for t in clashing)
    if replace:
        return ids, [_removal(names[t["person_id"]], t) for t in clashing], ()
    warnings = tuple(
        f"{names[t['person_id']]} is already on this project from "
        f"{_day(t['start_date']):%d %b %Y} to {_day(t['end_date']):%d %b %Y} "
        f"({t['hours_per_week']:g} h a week, typed in by hand) and the file's hours overlap "
        "those dates: let the file's hours replace that allocation, or change it on Resources "
        "& money first; as it stands the import would be refused."
        for t in clashing
    )
    return ids, [], warnings


def _day(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


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
