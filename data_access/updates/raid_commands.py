"""Write functions for the other RAID items: assumptions, issues, dependencies and decisions.

Same pattern as `commands`: permission check, validation through the model's schema, the row
and its audit row and the data-version bump, committed together. Risks live in `commands`
because they carry an assessment history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from data_access.core.models import RaidItem, RaidItemBase, RaidItemCreate
from data_access.core.permissions import require_project_edit
from data_access.core.writes import Actor, committed, fetch_row, insert_row, update_row, validate


def stage_raid_item(
    data: dict[str, Any], *, raised_on: dt.date, session: Session, actor: Actor
) -> int:
    """Validate, check and insert an item without committing (imports commit many at once)."""
    item = validate(RaidItemCreate, data)
    require_project_edit(session, actor, item.project_id, f"add {item.kind}", entity="raid_item")
    values = {**item.model_dump(), "raised_on": raised_on}
    if item.status == "closed":
        values["closed_on"] = raised_on
    return insert_row(session, RaidItem, values, actor=actor, project_id=item.project_id)


create_raid_item = committed(stage_raid_item, "Raise an assumption, issue, dependency or action.")


def stage_raid_item_update(
    item_id: int,
    changes: dict[str, Any],
    *,
    on: dt.date,
    expected_version: int,
    session: Session,
    actor: Actor,
) -> dict[str, Any]:
    """`update_raid_item` without the commit (closing an item commits its lesson with it)."""
    current = fetch_row(session, RaidItem, item_id)
    require_project_edit(
        session,
        actor,
        current["project_id"],
        f"change this {current['kind']}",
        entity="raid_item",
        entity_id=item_id,
    )
    changes = {k: v for k, v in changes.items() if k not in ("kind", "project_id")}
    if changes.get("status") == "closed" and current["status"] != "closed":
        changes["closed_on"] = on
    elif changes.get("status") == "open":
        changes["closed_on"] = None
    return update_row(
        session,
        RaidItem,
        item_id,
        changes,
        expected_version=expected_version,
        schema=RaidItemBase,
        actor=actor,
        project_id=current["project_id"],
    )


update_raid_item = committed(
    stage_raid_item_update,
    'Change an item; closing it (status "closed") records the day, re-opening clears it. '
    "The kind and the project are fixed once raised: an issue that turns out to be a risk is "
    "closed here and raised again as a risk, so both histories stay true.",
)


def close_raid_item(
    item_id: int, *, on: dt.date, expected_version: int, session: Session, actor: Actor
) -> dict[str, Any]:
    return update_raid_item(
        item_id,
        {"status": "closed"},
        on=on,
        expected_version=expected_version,
        session=session,
        actor=actor,
    )
