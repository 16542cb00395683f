"""What MPXJ repairs in a Primavera .xer file without a word: damaged calendars.

MPXJ reads an XER calendar whose working-time data is cut short as a standard Monday-to-Friday
week (P6's own import does the same) and reports nothing, not even in its ignored errors. The
PMO must be told, since dates worked out from that calendar may differ from Primavera's. No
library checks this, so this module reads the one field itself: an XER file is tab-separated
text ("%T" table, "%F" field names, "%R" rows), and a calendar's `clndr_data` is a nested
"(0||Name()(...))" structure whose brackets must balance.
"""

from __future__ import annotations

from pathlib import Path


def _balanced(data: str) -> bool:
    depth = 0
    for char in data:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def damaged_calendars(path: Path) -> list[str]:
    """The names of the calendars whose working-time data does not close (empty: none)."""
    # XER files are Windows-1252 by default; latin-1 reads any byte, and brackets are ASCII.
    lines = path.read_bytes().decode("latin-1").splitlines()
    damaged, table, fields = [], None, []
    for line in lines:
        kind, _, rest = line.partition("\t")
        if kind == "%T":
            table = rest.strip()
        elif kind == "%F":
            fields = rest.split("\t")
        elif kind == "%R" and table == "CALENDAR" and "clndr_data" in fields:
            row = dict(zip(fields, rest.split("\t"), strict=False))
            if row.get("clndr_data") and not _balanced(row["clndr_data"]):
                damaged.append(row.get("clndr_name", "").strip() or row.get("clndr_id", "?"))
    return damaged


def file_problems(path: Path) -> list[str]:
    """What the PMO should know about the file beyond what the reader took from it."""
    if path.suffix.lower() != ".xer":
        return []
    return [
        f"The file's calendar \u201c{name}\u201d is damaged (its working time is cut short): "
        "it was read as a standard Monday-to-Friday week, so dates worked out from it may "
        "differ from Primavera's."
        for name in damaged_calendars(path)
    ]
