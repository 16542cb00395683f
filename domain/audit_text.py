"""The audit log in words: who did what to which record, with the values before and after."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from domain.formatting import fmt_date
from domain.labels import REFERENCES, label

ENTITY_WORDS = {
    "project": "project",
    "status_report": "status update",
    "milestone": "milestone",
    "risk": "risk",
    "raid_item": "RAID item",
}
# Bookkeeping columns that say nothing to a reader.
HIDDEN = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "project_id",
    "author_id",
    "last_assessed_on",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LONG = 80
CREATE_FIELDS_SHOWN = 6


def value_words(field: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    """One stored value as a reader wants to see it."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in REFERENCES and isinstance(value, int):
        return names.get(REFERENCES[field], {}).get(value, f"#{value}")
    if isinstance(value, dt.date) or (isinstance(value, str) and ISO_DATE.match(value)):
        return fmt_date(pd.Timestamp(value))
    if isinstance(value, int | float):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    text = str(value)
    return f"“{text[:LONG]}…”" if len(text) > LONG else f"“{text}”"


def change_words(
    action: str, before: dict | None, after: dict | None, names: dict[str, dict[int, str]]
) -> str:
    """The before/after of one audit row in words."""
    before, after = before or {}, after or {}
    if action == "refused":
        return f"Refused: may not {after.get('attempted', 'do this')}."
    if action == "update":
        return "; ".join(
            f"{label(f)}: {value_words(f, before.get(f), names)} → {value_words(f, v, names)}"
            for f, v in after.items()
            if f not in HIDDEN
        )
    shown = [
        f"{label(f)} {value_words(f, v, names)}"
        for f, v in after.items()
        if f not in HIDDEN and v not in (None, "", False)
    ]
    more = len(shown) - CREATE_FIELDS_SHOWN
    return "; ".join(shown[:CREATE_FIELDS_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def what_words(action: str, entity: str, record: str | None, after: dict | None) -> str:
    after = after or {}
    noun = after.get("kind") if entity == "raid_item" else None
    noun = noun or ENTITY_WORDS.get(entity, entity.replace("_", " "))
    verb = {"create": "Added", "update": "Changed", "refused": "Tried to change"}.get(
        action, action.capitalize()
    )
    if entity == "status_report":
        date = after.get("report_date")
        subject = f" of {fmt_date(pd.Timestamp(date))}" if date else ""
        verb = "Submitted" if action == "create" else verb
    else:
        subject = f" “{record}”" if record else ""
    return f"{verb} {noun}{subject}"


def history_rows(audit: pd.DataFrame, names: dict[str, dict[int, str]]) -> pd.DataFrame:
    """Audit rows (from `records.project_audit`) as When / Who / What / Details."""
    return pd.DataFrame(
        {
            "When": audit["at"].dt.strftime("%d %b %Y %H:%M UTC"),
            "Who": audit["actor_name"],
            "What": [
                what_words(a, e, r if isinstance(r, str) else None, af)
                for a, e, r, af in zip(
                    audit["action"], audit["entity"], audit["record"], audit["after"], strict=True
                )
            ],
            "Details": [
                change_words(a, b, af, names)
                for a, b, af in zip(audit["action"], audit["before"], audit["after"], strict=True)
            ],
        }
    )
