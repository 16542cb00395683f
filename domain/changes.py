"""What changed since a day: the tables read from the history, explained and summed up.

Pure functions over the DataFrames of `data_access.meeting.changes`: they say why a project's health
moved, order every list worst first, and count the changes for a slide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from domain.formatting import RAG_LABELS
from domain.health import DIMENSIONS, RANK

DEFAULT_LOOKBACK_DAYS = 28
BAND_RANK = {"Critical": 0, "High": 1, "Medium": 2, "Low": 3}


@dataclass(frozen=True)
class Changes:
    """Every change between `since` (excluded) and `until` (included)."""

    since: dt.date
    until: dt.date
    health: pd.DataFrame
    risks_new: pd.DataFrame
    risks_closed: pd.DataFrame
    risks_band: pd.DataFrame
    milestones: pd.DataFrame
    projects_new: pd.DataFrame
    projects_closed: pd.DataFrame
    # How the day was chosen, for titles: "the last review (30 Oct 2026)" or a plain date.
    basis: str = field(default="")

    def milestones_of(self, kind: str) -> pd.DataFrame:
        return self.milestones[self.milestones.kind == kind]

    def restricted_to(self, project_ids) -> Changes:
        """The same changes for some projects only (the shared filters)."""
        ids = set(project_ids)
        tables = {
            name: df[df.project_id.isin(ids)]
            for name, df in self.__dict__.items()
            if isinstance(df, pd.DataFrame)
        }
        return Changes(self.since, self.until, basis=self.basis, **tables)


def explain_health(df: pd.DataFrame) -> pd.DataFrame:
    """Add `why` (the dimensions that moved, the override and its reason) and `direction`."""
    df = df.copy()
    moved = pd.Series("", index=df.index)
    for dim in DIMENSIONS:
        before, after = df[f"from_{dim}"], df[f"to_{dim}"]
        changed = before != after
        moved = moved.where(~changed, moved + ", " + dim + " " + before + " to " + after)
    moved = moved.str.removeprefix(", ")
    override = df.override_rag.notna() & (df.override_reason.fillna("").str.strip() != "")
    override_text = "overridden to " + df.override_rag.fillna("") + ": " + df.override_reason
    why = moved.where(~override, (moved + "; " + override_text).str.removeprefix("; "))
    df["why"] = why.where(why != "", "reported overall health changed")
    before_rank, after_rank = df.from_rag.map(RANK), df.to_rag.map(RANK)
    df["direction"] = (after_rank < before_rank).map({True: "worse", False: "better"})
    df["from_label"] = df.from_rag.map(RAG_LABELS)
    df["to_label"] = df.to_rag.map(RAG_LABELS)
    # Worse first, then by how bad it is now, then the biggest budget.
    return (
        df.assign(_to=after_rank, _worse=df.direction != "worse")
        .sort_values(["_worse", "_to", "approved_budget"], ascending=[True, True, False])
        .drop(columns=["_to", "_worse"])
    )


def order_milestones(df: pd.DataFrame) -> pd.DataFrame:
    """Slips by size first; the other kinds by day."""
    kind_order = {"slipped": 0, "added": 1, "removed": 2, "completed": 3, "pulled in": 4}
    return (
        df.assign(_kind=df.kind.map(kind_order), _moved=-df.moved_days.fillna(0).astype(int))
        .sort_values(["_kind", "_moved", "day"])
        .drop(columns=["_kind", "_moved"])
    )


def order_risks(df: pd.DataFrame, band_column: str = "band") -> pd.DataFrame:
    return (
        df.assign(_band=df[band_column].map(BAND_RANK))
        .sort_values(["_band", "day"], ascending=[True, False])
        .drop(columns="_band")
    )


def band_moves(df: pd.DataFrame) -> pd.DataFrame:
    """Band moves with `direction` (up = worse), the worst new band first."""
    up = df.to_band.map(BAND_RANK) < df.from_band.map(BAND_RANK)
    return order_risks(df.assign(direction=up.map({True: "up", False: "down"})), "to_band")


def build_changes(
    *, since: dt.date, until: dt.date, tables: dict[str, pd.DataFrame], basis: str = ""
) -> Changes:
    """Put the raw tables of `data_access.meeting.changes.change_tables` into one explained,
    ordered record."""
    return Changes(
        since=since,
        until=until,
        health=explain_health(tables["health"]),
        risks_new=order_risks(tables["risks_new"]),
        risks_closed=order_risks(tables["risks_closed"]),
        risks_band=band_moves(tables["risks_band"]),
        milestones=order_milestones(tables["milestones"]),
        projects_new=tables["projects_new"],
        projects_closed=tables["projects_closed"],
        basis=basis,
    )


def counts(changes: Changes) -> dict[str, int]:
    """How many of each change, in the order a slide lists them."""
    health = changes.health.direction.value_counts()
    band = changes.risks_band.direction.value_counts()
    kinds = changes.milestones.kind.value_counts()
    return {
        "Health worse": int(health.get("worse", 0)),
        "Health better": int(health.get("better", 0)),
        "New risks": len(changes.risks_new),
        "Closed risks": len(changes.risks_closed),
        "Risks up a band": int(band.get("up", 0)),
        "Risks down a band": int(band.get("down", 0)),
        "Milestones slipped": int(kinds.get("slipped", 0)),
        "Milestones completed": int(kinds.get("completed", 0)),
        "Milestones added": int(kinds.get("added", 0)),
        "Milestones removed": int(kinds.get("removed", 0)),
        "New projects": len(changes.projects_new),
        "Closed projects": len(changes.projects_closed),
    }


def headline(changes: Changes) -> str:
    """One sentence for the summary slide, naming only what happened."""
    numbers = counts(changes)
    parts = [f"{n} {label.lower()}" for label, n in numbers.items() if n]
    return ", ".join(parts) + "." if parts else "Nothing changed."


def default_since(
    reviews: pd.DataFrame, review_id: int | None, today: dt.date
) -> tuple[dt.date, str]:
    """The day of the last review before this one, else four weeks ago; with its wording.

    `reviews` has `id`, `title`, `held_on`, latest first. The last review is the latest held
    on an earlier day than review `review_id` (outside a review: than today), so a second
    review started the same day does not hide the changes.
    """
    current = reviews[reviews.id == review_id] if review_id is not None else reviews.iloc[0:0]
    before = current.held_on.iloc[0] if len(current) else today
    earlier = reviews[reviews.held_on < before]
    if len(earlier):
        last = earlier.iloc[0]
        return last.held_on, f"the last review ({last.title})"
    day = today - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS)
    return day, f"{DEFAULT_LOOKBACK_DAYS} days ago"
