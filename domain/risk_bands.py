"""Risk bands by the thresholds a PMO admin sets (PMO_DOMAIN.md: Low, Medium, High, Critical).

Pure functions: the band of a score, the 5 x 5 matrix grid with its bands and counts, and the
weekly exposure by band. Every band decision in the app comes from here, so the matrix, the
register, the exposure trend and the risk dimension of health agree with the settings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BANDS = ("Low", "Medium", "High", "Critical")
SCALE = range(1, 6)
MAX_SCORE = 25
PROBABILITY_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


def thresholds(settings: dict) -> tuple[int, int, int]:
    """The lowest score of Medium, High and Critical."""
    return (
        int(settings["band_medium_from"]),
        int(settings["band_high_from"]),
        int(settings["band_critical_from"]),
    )


def bands_of(scores, settings: dict) -> np.ndarray:
    """The band of each score (array-like of 1-25)."""
    medium, high, critical = thresholds(settings)
    values = np.asarray(scores, dtype=int)
    return np.select(
        [values >= critical, values >= high, values >= medium],
        ["Critical", "High", "Medium"],
        "Low",
    ).astype(object)


def band_of(score: int, settings: dict) -> str:
    return str(bands_of([score], settings)[0])


def band_ranges(settings: dict) -> dict[str, tuple[int, int]]:
    """Each band's lowest and highest score (lowest > highest: no score falls in it)."""
    medium, high, critical = thresholds(settings)
    return {
        "Low": (1, medium - 1),
        "Medium": (medium, high - 1),
        "High": (high, critical - 1),
        "Critical": (critical, MAX_SCORE),
    }


def band_label(band: str, settings: dict) -> str:
    """ "High 10-14", as legends and pickers show it."""
    low, high = band_ranges(settings)[band]
    if low > high:
        return f"{band} (none)"
    return f"{band} {low}" if low == high else f"{band} {low}–{high}"


def matrix_cells(counts: pd.DataFrame, settings: dict) -> pd.DataFrame:
    """All 25 cells: probability, impact, score, band and the count of risks (0 where none).

    `counts` has columns probability, impact, risks (one row per non-empty cell).
    """
    grid = pd.DataFrame([(p, i) for p in SCALE for i in SCALE], columns=["probability", "impact"])
    if counts.empty:
        grid["risks"] = 0
    else:
        summed = counts.groupby(["probability", "impact"], as_index=False)["risks"].sum()
        grid = grid.merge(summed, on=["probability", "impact"], how="left")
        grid["risks"] = grid["risks"].fillna(0).astype(int)
    grid["score"] = grid.probability * grid.impact
    grid["band"] = bands_of(grid.score, settings)
    return grid


def band_counts(cells: pd.DataFrame) -> dict[str, int]:
    """Risks per band, every band present (from `matrix_cells`)."""
    totals = cells.groupby("band")["risks"].sum()
    return {band: int(totals.get(band, 0)) for band in BANDS}


def exposure_by_band(
    by_score: pd.DataFrame, week_ends, settings: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly exposure from the counts of open risks per week end and score.

    `by_score` has columns week_end, score, risks (risks open at that week end with that score
    in force; weeks without any may be missing). Returns (bands, totals) over every week end:
    bands has one row per week end and band (zeros kept, so a stacked chart has no holes);
    totals has week_end, open_risks and total_score.
    """
    weeks = pd.Index(list(week_ends), name="week_end")
    frame = by_score.assign(band=bands_of(by_score.score, settings))
    frame["weighted"] = frame.score * frame.risks
    bands = (
        frame.pivot_table(
            index="week_end", columns="band", values="risks", aggfunc="sum", fill_value=0
        )
        .reindex(index=weeks, columns=list(BANDS), fill_value=0)
        .rename_axis(columns="band")
        .stack()
        .rename("risks")
        .reset_index()
    )
    bands["risks"] = bands["risks"].astype(int)
    totals = (
        frame.groupby("week_end")
        .agg(open_risks=("risks", "sum"), total_score=("weighted", "sum"))
        .reindex(weeks, fill_value=0)
        .reset_index()
    )
    totals[["open_risks", "total_score"]] = totals[["open_risks", "total_score"]].astype(int)
    return bands, totals
