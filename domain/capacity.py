"""Capacity and load: the rules of the capacity heatmap, as pure functions.

A week is an ISO week and its working days are Monday to Friday. In a week, a person's
capacity is their weekly hours times the share of working days they are not away; an
allocation counts its hours per week times the share of working days it covers. Load is
allocated hours as a % of that capacity. Months group ISO weeks by the month of their
Thursday (the ISO rule for which year a week belongs to), so a week is never split.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from domain.formatting import iso_week

# Float sums of partial weeks (16 h x 3/5 ...) must not make an exact 100 % look over.
OVER_TOLERANCE_HOURS = 0.05

# Load bands, in legend order: idle capacity and over-allocation stand out, well-used is quiet.
# Okabe-Ito based like the RAG colours; 100 % is the break between blue and orange.
BANDS = {
    "Idle (< 50 %)": "#56B4E9",
    "Under-used (50-79 %)": "#BFE1F5",
    "Well used (80-100 %)": "#E2E2E2",
    "Over (101-120 %)": "#E69F00",
    "Over (> 120 %)": "#D55E00",
    "Away": "#999999",
}
BAND_TEXT = {  # text colour that reads on each band's fill
    "Idle (< 50 %)": "#000000",
    "Under-used (50-79 %)": "#000000",
    "Well used (80-100 %)": "#000000",
    "Over (101-120 %)": "#000000",
    "Over (> 120 %)": "#FFFFFF",
    "Away": "#FFFFFF",
}
ROW_KINDS = {"person": "People", "department": "Departments", "skill": "Skills"}
GRAINS = ("Week", "Month")
HORIZONS = {"1 quarter": 13, "2 quarters": 26, "4 quarters": 52}
# More rows than this and the people view shows only the first ones, saying how many are left.
MAX_PEOPLE_ROWS = 80


def first_monday(today: dt.date) -> dt.date:
    """Monday of the ISO week that holds `today`: the heatmap starts with the current week."""
    return today - dt.timedelta(days=today.weekday())


def horizon_weeks(today: dt.date, n_weeks: int) -> pd.DataFrame:
    """The weeks of the horizon: index w, Monday, ISO week label and month (of its Thursday)."""
    monday = first_monday(today)
    mondays = [monday + dt.timedelta(weeks=w) for w in range(n_weeks)]
    return pd.DataFrame(
        {
            "w": range(n_weeks),
            "monday": mondays,
            "week": [iso_week(m) for m in mondays],
            "month": [(m + dt.timedelta(days=3)).strftime("%Y-%m") for m in mondays],
        }
    )


def period_label(month: str) -> str:
    return dt.datetime.strptime(month, "%Y-%m").strftime("%b %Y")


def is_over(allocated, capacity) -> np.ndarray:
    """Over-allocated: more hours allocated than available (beyond rounding noise)."""
    return np.asarray(allocated, float) > np.asarray(capacity, float) + OVER_TOLERANCE_HOURS


def load_pct(allocated, capacity) -> np.ndarray:
    """Allocated hours as % of capacity; NaN where there is no capacity (away all week)."""
    capacity = np.asarray(capacity, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(capacity > 0, np.asarray(allocated, float) / capacity * 100, np.nan)


def load_band(allocated, capacity) -> np.ndarray:
    """The band of each cell; away with work still allocated counts as the worst over-load."""
    allocated = np.asarray(allocated, float)
    capacity = np.asarray(capacity, float)
    pct = np.nan_to_num(load_pct(allocated, capacity), nan=0.0)
    over = is_over(allocated, capacity)
    away = capacity <= 0
    return np.select(
        [
            away & over,
            away,
            over & (pct <= 120),
            over,
            pct >= 80,
            pct >= 50,
        ],
        [
            "Over (> 120 %)",
            "Away",
            "Over (101-120 %)",
            "Over (> 120 %)",
            "Well used (80-100 %)",
            "Under-used (50-79 %)",
        ],
        "Idle (< 50 %)",
    )


def cell_text(allocated, capacity) -> list[str]:
    """What a cell prints: its load in %, or why there is none."""
    pct = load_pct(allocated, capacity)
    return [
        f"{p:.0f}%" if not np.isnan(p) else ("away!" if a > 0 else "away")
        for p, a in zip(pct, np.asarray(allocated, float), strict=True)
    ]


def heatmap_cells(grid: pd.DataFrame, weeks: pd.DataFrame, grain: str = "Week") -> pd.DataFrame:
    """Cells of the heatmap from the weekly SQL roll-up (key, label, w, capacity, allocated,
    people, people_over): one row per row label and period, with load, band and text.

    A month sums its weeks' hours, so its load is the month's hours over the month's capacity;
    `people_over` is then the most people over-allocated in any one week of it.
    """
    columns = ["key", "label", "period", "order", "first_day", "last_day", "capacity"]
    columns += ["allocated", "people", "people_over", "load", "band", "text", "over"]
    if grid.empty:
        return pd.DataFrame(columns=columns)
    # Mondays as datetime64 while grouping: the min and max of Python dates run group by group
    # in Python (0.1 s for a small portfolio's year of weeks).
    mondays = weeks.assign(monday=pd.to_datetime(weeks.monday))
    df = grid.assign(label=unique_labels(grid)).merge(mondays, on="w")
    if grain == "Month":
        df["period"] = df.month.map(period_label)
        df["order"] = df.month
    else:
        df["period"], df["order"] = df.week, df.week
    cells = (
        df.groupby(["key", "label", "period", "order"], as_index=False)
        .agg(
            first_day=("monday", "min"),
            last_day=("monday", "max"),
            capacity=("capacity", "sum"),
            allocated=("allocated", "sum"),
            people=("people", "max"),
            people_over=("people_over", "max"),
        )
        .sort_values(["order", "label"])
    )
    cells["first_day"] = cells.first_day.dt.date
    # The Friday of the last week.
    cells["last_day"] = (cells.last_day + pd.Timedelta(days=4)).dt.date
    cells["load"] = load_pct(cells.allocated, cells.capacity)
    cells["band"] = load_band(cells.allocated, cells.capacity)
    cells["text"] = cell_text(cells.allocated, cells.capacity)
    cells["over"] = is_over(cells.allocated, cells.capacity)
    return cells[columns].reset_index(drop=True)


def row_order(cells: pd.DataFrame, order: str = "loaded") -> list[str]:
    """Row labels worst first. "loaded": the most hours beyond capacity over the period (how
    much and how long a row is over-allocated), then the highest average load; "idle": the
    lowest average load first."""
    if cells.empty:
        return []
    frame = cells.assign(excess=(cells.allocated - cells.capacity).clip(lower=0))
    sums = frame.groupby("label")[["allocated", "capacity", "excess"]].sum()
    sums["average"] = sums.allocated / (sums.capacity + 1e-9)
    sums = sums.reset_index()
    if order == "idle":
        return sums.sort_values(["average", "label"]).label.tolist()
    ranked = sums.sort_values(["excess", "average", "label"], ascending=[False, False, True])
    return ranked.label.tolist()


def unique_labels(grid: pd.DataFrame) -> pd.Series:
    """Row labels that tell namesakes apart: "Ana Weber (Finance)", then the id if needed."""
    label = grid.label.astype(str)
    keys = grid.groupby(label).key.transform("nunique")
    if "detail" in grid:
        label = label.where(keys == 1, label + " (" + grid.detail.astype(str) + ")")
        keys = grid.groupby(label).key.transform("nunique")
    return label.where(keys == 1, label + " #" + grid.key.astype(str))


def demand_series(grid: pd.DataFrame, weeks: pd.DataFrame) -> pd.DataFrame:
    """Demand against capacity by week, summed over the rows given (a department or all)."""
    if grid.empty:
        return pd.DataFrame(columns=["monday", "week", "capacity", "allocated", "over"])
    weekly = grid.groupby("w", as_index=False)[["capacity", "allocated"]].sum()
    weekly = weeks.merge(weekly, on="w", how="left").fillna({"capacity": 0.0, "allocated": 0.0})
    weekly["over"] = is_over(weekly.allocated, weekly.capacity)
    return weekly[["monday", "week", "capacity", "allocated", "over"]]


def default_rows(n_people: int) -> str:
    """People when they fit on a screen, departments otherwise (tier L: thousands)."""
    return "person" if n_people <= MAX_PEOPLE_ROWS else "department"


def hours_from_share(share_pct: float, weekly_capacity: float) -> float:
    """An allocation entered as a share of the person's capacity, in hours per week."""
    return round(share_pct / 100 * weekly_capacity, 2)
