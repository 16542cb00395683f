"""The rows of a generated portfolio, table by table, and the days they are built around."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class DemoRows:
    """All rows of a generated portfolio, table by table, in insert order."""

    rows: dict[type, list[dict]] = field(default_factory=dict)

    def add(self, model: type, row: dict) -> int:
        table = self.rows.setdefault(model, [])
        row = {"id": len(table) + 1, **row}
        table.append(row)
        return row["id"]

    def count(self, model: type) -> int:
        return len(self.rows.get(model, []))


def friday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())
