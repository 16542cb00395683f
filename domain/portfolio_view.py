"""What the portfolio page shows, as plain tables: the tiles' numbers and the cells of its three
heatmaps. Pure functions of the health table (`domain.health.compute_health`) and the weekly
snapshots (`data_access.portfolio.history.weekly_overall`), so tests check the values a chart gets.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_access.core.models import PHASES
from domain.formatting import RAG_LABELS, fmt_date, iso_weeks
from domain.health import DIMENSIONS, RANK, STALE, health_counts, sort_worst_first

COLUMNS = ("Overall", *(d.capitalize() for d in DIMENSIONS))
OVERRIDE_MARK = "*"
TILE_LETTERS = ("R", "A", "S", "G")


# --- reporting weeks ----------------------------------------------------------------------


def friday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


def previous_reporting_day(today: dt.date) -> dt.date:
    """The Friday of the previous reporting week: the tiles' "since" day.

    Updates are due on Fridays; on Wednesday 25 Nov the current reporting week is the one of
    Friday 20 Nov, so the tiles compare with the portfolio as it stood on Friday 13 Nov.
    """
    return friday_on_or_before(today) - dt.timedelta(days=7)


def week_ends(today: dt.date, weeks: int) -> list[dt.date]:
    """The end (Sunday) of each of the last `weeks` ISO weeks, the current one ending today."""
    sunday = today + dt.timedelta(days=6 - today.weekday())
    ends = [sunday - dt.timedelta(weeks=w) for w in range(weeks)][::-1]
    return [min(end, today) for end in ends]


# --- tiles --------------------------------------------------------------------------------


def kpis(health: pd.DataFrame) -> dict[str, float]:
    """The tiles' numbers over the active projects of a health table."""
    active = health[health.status == "active"]
    counts = health_counts(active)
    return {
        "active": len(active),
        **{letter: counts[letter] for letter in TILE_LETTERS},
        "budget": float(active.approved_budget.sum()),
        "eac": float(active.forecast_at_completion.sum()),
        "overdue": int(active.overdue_milestones.sum()),
        "high_risks": int(active.high_risks.sum()),
    }


def kpi_changes(now: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {key: now[key] - before.get(key, 0) for key in now}


# --- heatmap 1: project x dimension -------------------------------------------------------


def overall_text(projects: pd.DataFrame) -> pd.Series:
    """The overall letter with its marks: `*` for an override, ` S` for a stale R/A project."""
    text = projects.overall_rag + projects.is_override.map({True: OVERRIDE_MARK, False: ""})
    stale_mark = projects.is_stale & (projects.overall_rag != STALE)
    return text + stale_mark.map({True: " S", False: ""})


def project_label(projects: pd.DataFrame) -> pd.Series:
    return projects.code + " " + projects.name


def dimension_cells(projects: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """One row per project and column (Overall, Schedule, Cost, Scope, Risk), worst first.

    Groups (`group_by`: program or department) come in the order of their worst project, and
    projects keep the worst-first order inside their group.
    """
    rows = sort_worst_first(projects).reset_index(drop=True)
    group_order = {g: i for i, g in enumerate(dict.fromkeys(rows[group_by]))}
    rows = rows.assign(
        group=rows[group_by],
        group_order=rows[group_by].map(group_order),
        label=project_label(rows),
        worst_first=range(len(rows)),
    ).sort_values(["group_order", "worst_first"], kind="stable")
    rows["row_order"] = range(len(rows))
    keep = ["code", "label", "group", "group_order", "row_order", "manager", "phase"]
    frames = []
    for column in COLUMNS:
        dim = column.lower()
        frames.append(
            rows[keep].assign(
                column=column,
                rag=rows[f"{dim}_rag"],
                text=overall_text(rows) if dim == "overall" else rows[f"{dim}_rag"],
                status=rows[f"{dim}_rag"].map(RAG_LABELS),
                why=rows[f"{dim}_why"],
            )
        )
    columns = [*keep, "column", "rag", "text", "status", "why"]
    if not frames or rows.empty:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


# --- counting letters in groups ----------------------------------------------------------


def worst_of_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """For counts by letter (one column per letter), the worst letter present (`rag`), how
    many have it (`n_worst`), the total and the breakdown in words (`detail`)."""
    counts = counts.reindex(columns=list(RANK), fill_value=0)
    worst = counts.gt(0).idxmax(axis=1)
    total = counts.sum(axis=1)
    # Row by row over plain arrays: DataFrame.apply took 0.1 s for a year of weeks at tier L.
    parts = [
        np.where(counts[k].to_numpy() > 0, RAG_LABELS[k] + " " + counts[k].astype(str), "")
        for k in counts.columns
    ]
    detail = pd.Series(
        [" · ".join(p for p in row if p) for row in zip(*parts, strict=True)],
        index=counts.index,
        dtype=object,
    )
    return pd.DataFrame(
        {
            "rag": worst,
            "n_worst": counts.to_numpy()[np.arange(len(counts)), counts.columns.get_indexer(worst)],
            "total": total,
            "detail": detail
            + " ("
            + total.astype(str)
            + total.map({1: " project)"}).fillna(" projects)"),
        },
        index=counts.index,
    )


def worst_first_order(cells: pd.DataFrame, key: str) -> dict:
    """Position of each `key` value, worst first: by its worst letter, then how many have it,
    then the count (the first row of each key decides; pass the rows to judge on)."""
    ranked = cells.assign(rank=cells.rag.map(RANK)).sort_values(
        ["rank", "n_worst", "total"], ascending=[True, False, False], kind="stable"
    )
    return {g: i for i, g in enumerate(dict.fromkeys(ranked[key]))}


# --- heatmap 2: health over time ----------------------------------------------------------

WEEKLY_COLUMNS = ["label", "row_order", "week", "week_end", "rag", "text", "status", "detail"]


def weekly_project_cells(weekly: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """One row per project of `projects` (in their order) and week with a snapshot."""
    order = projects.reset_index(drop=True)
    rows = order.assign(row_order=range(len(order)), label=project_label(order))
    cells = weekly.merge(
        rows[["id", "label", "row_order"]], left_on="project_id", right_on="id", how="inner"
    )
    return (
        cells.assign(
            week=iso_weeks(cells.week_end),
            text=cells.rag,
            status=cells.rag.map(RAG_LABELS),
            detail="Reported on " + cells.report_date.map(fmt_date),
        )
        .sort_values(["row_order", "week_end"])[WEEKLY_COLUMNS]
        .reset_index(drop=True)
    )


def week_span(cells: pd.DataFrame) -> str:
    """' (2026-W24 to 2026-W49)', the ISO weeks weekly cells cover, to follow a title (their
    axis says only W24); '' without cells."""
    if cells.empty:
        return ""
    return f" ({cells.week.min()} to {cells.week.max()})"


def weekly_group_cells(weekly: pd.DataFrame, projects: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per group (`by`: program or department) and week, for the projects given.

    A cell has the worst letter among the group's projects that week (`rag`), how many have it
    (`text`: "R2") and the count by letter (`detail`). Groups come worst first, judged on the
    latest week.
    """
    cells = weekly.merge(projects[["id", by]], left_on="project_id", right_on="id")
    if cells.empty:
        return pd.DataFrame(columns=WEEKLY_COLUMNS)
    counts = cells.groupby([by, "week_end", "rag"]).size().unstack("rag", fill_value=0)
    out = worst_of_counts(counts).reset_index()
    # The latest week decides; groups with no project reporting by then come last.
    latest = worst_first_order(out[out.week_end == out.week_end.max()], by)
    rest = [g for g in worst_first_order(out, by) if g not in latest]
    order = {**latest, **{g: len(latest) + i for i, g in enumerate(rest)}}
    out = out.assign(
        label=out[by],
        row_order=out[by].map(order),
        week=iso_weeks(out.week_end),
        text=out.rag + out.n_worst.astype(str),
        status=out.rag.map(RAG_LABELS),
    )
    return out.sort_values(["row_order", "week_end"])[WEEKLY_COLUMNS].reset_index(drop=True)


# --- heatmap 3: concentration -------------------------------------------------------------


def concentration_cells(
    projects: pd.DataFrame, rows: str = "department", columns: str = "phase"
) -> pd.DataFrame:
    """One row per (`rows`, `columns`) pair that has projects: their count and worst letter.

    Rows come worst first; phase columns keep the lifecycle order.
    """
    out_columns = [rows, columns, "row_order", "column_order", "rag", "n_worst", "total"]
    out_columns += ["text", "status", "detail"]
    if projects.empty:
        return pd.DataFrame(columns=out_columns)
    counts = projects.groupby([rows, columns]).overall_rag.value_counts().unstack(fill_value=0)
    cells = worst_of_counts(counts).reset_index()
    phase_order = {p: i for i, p in enumerate(PHASES)}
    cells = cells.assign(
        row_order=cells[rows].map(worst_first_order(cells, rows)),
        column_order=cells[columns].map(phase_order).fillna(len(PHASES)),
        text=cells.rag + " " + cells.n_worst.astype(str) + " of " + cells.total.astype(str),
        status="worst " + cells.rag.map(RAG_LABELS),
    )
    return cells.sort_values(["row_order", "column_order"])[out_columns].reset_index(drop=True)


# --- paging -------------------------------------------------------------------------------


def page_of(df: pd.DataFrame, page: int, size: int) -> pd.DataFrame:
    """Rows of page `page` (1-based) of `df` in pages of `size`."""
    start = (max(page, 1) - 1) * size
    return df.iloc[start : start + size]


def page_count(n: int, size: int) -> int:
    return max(1, -(-n // size))
