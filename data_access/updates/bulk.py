"""Batches written all-or-nothing: the milestone bulk editor and spreadsheet imports.

Every row goes through the same staged write as a single save (validation, permission,
version check, history and audit rows) inside one transaction. All rows are tried, so the
user learns about every bad row at once; if any row is refused, the whole batch is rolled
back and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from data_access.core.writes import (
    Actor,
    ConflictError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    WriteError,
    commit,
)
from data_access.updates import commands
from data_access.updates import raid_commands as raid


class RowErrors(WriteError):
    """Rows of a batch were refused and nothing was written.

    `errors` maps a row number to {field: words} ("" for the row as a whole); `conflicts`
    maps a row number to the record as it is now (someone saved it since it was loaded).
    """

    def __init__(self, errors: dict[int, dict[str, str]], conflicts: dict[int, dict] | None = None):
        self.errors, self.conflicts = errors, conflicts or {}
        rows = sorted({*self.errors, *self.conflicts})
        super().__init__(
            f"{len(rows)} row{'s' if len(rows) != 1 else ''} refused "
            f"({', '.join(map(str, rows[:10]))}{'…' if len(rows) > 10 else ''}); nothing was saved."
        )


def _all_or_nothing(session: Session, staged: Iterable[tuple[int, Callable[[], Any]]]) -> int:
    errors: dict[int, dict[str, str]] = {}
    conflicts: dict[int, dict] = {}
    count = 0
    for row, stage in staged:
        try:
            stage()
            count += 1
        except ValidationFailed as exc:
            errors[row] = exc.errors
        except ConflictError as exc:
            conflicts[row] = exc.current
        except (NotFound, PermissionDenied) as exc:
            errors[row] = {"": str(exc)}
    if errors or conflicts:
        session.rollback()
        raise RowErrors(errors, conflicts)
    commit(session)
    return count


# --- milestone bulk editor --------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneEdit:
    """One edited row of the bulk editor: the version it was loaded at and what changed."""

    row: int
    id: int
    version: int
    changes: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def _history_change(before: dict, changes: dict) -> str | None:
    """What the milestone history calls this edit (None when no date changed)."""
    if "actual_date" in changes and changes["actual_date"] != before.get("actual_date"):
        return "completed" if changes["actual_date"] else "reopened"
    if "forecast_date" in changes and changes["forecast_date"] != before.get("forecast_date"):
        return "forecast"
    return None


def save_milestone_edits(
    edits: list[MilestoneEdit],
    *,
    loaded: dict[int, dict],
    reported_on: dt.date,
    session: Session,
    actor: Actor,
) -> int:
    """Save the bulk editor's rows in one transaction; returns how many rows were saved.

    `loaded` holds each milestone as the editor loaded it, to name the kind of change for the
    history. A completed milestone's forecast becomes its actual date, as in
    `commands.complete_milestone`.
    """

    def stage(edit: MilestoneEdit) -> Callable[[], Any]:
        changes = dict(edit.changes)
        change = _history_change(loaded.get(edit.id, {}), changes)
        if change == "completed":
            changes["forecast_date"] = changes["actual_date"]
        return lambda: commands.stage_milestone_change(
            edit.id,
            changes,
            change=change,
            what="change this milestone",
            reported_on=reported_on,
            reason=edit.reason,
            expected_version=edit.version,
            session=session,
            actor=actor,
        )

    return _all_or_nothing(session, ((edit.row, stage(edit)) for edit in edits))


# --- spreadsheet imports ----------------------------------------------------------------

IMPORT_KINDS = ("projects", "milestones", "risks", "raid")


def import_records(
    kind: str, rows: list[tuple[int, dict]], *, today: dt.date, session: Session, actor: Actor
) -> int:
    """Create one record per row (row number, values), all or nothing; returns the count."""
    stages = {
        "projects": lambda data: commands.stage_project(data, session=session, actor=actor),
        "milestones": lambda data: commands.stage_milestone(
            data, reported_on=today, session=session, actor=actor
        ),
        "risks": lambda data: commands.stage_risk(
            data, raised_on=today, session=session, actor=actor
        ),
        "raid": lambda data: raid.stage_raid_item(
            data, raised_on=today, session=session, actor=actor
        ),
    }
    stage = stages[kind]
    return _all_or_nothing(session, ((row, lambda d=data: stage(d)) for row, data in rows))
