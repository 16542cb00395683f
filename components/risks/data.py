"""Cached risk and RAID reads for the Risks page, keyed by the data version.

`scope` is None (every project) or a sorted tuple of project ids, so equal choices share a
cache entry. Bands are applied here from the settings of the same data version.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from charts.risks import (
    exposure_bands_chart,
    exposure_score_chart,
    risk_matrix,
    score_history_chart,
)
from charts.specs import vega_lite
from components.common import data
from components.common.cache import data_cache
from data_access.risks import reads as risks
from domain import risk_bands
from domain.formatting import OPPORTUNITY_COLOURS

Scope = tuple[int, ...] | None
VIEWS = {"inherent": "Inherent", "residual": "Residual"}


@data_cache(max_entries=16)
def matrix_cells(version: data.Version, scope: Scope, view: str) -> dict[str, pd.DataFrame]:
    """The 25 cells per kind ("threat", "opportunity") with counts and bands."""
    counts = risks.matrix_counts(scope, view, url=version[0])
    config = data.settings(version)
    return {
        kind: risk_bands.matrix_cells(counts[counts.kind == kind], config)
        for kind in ("threat", "opportunity")
    }


def band_labels(version: data.Version) -> dict[str, str]:
    config = data.settings(version)
    return {b: risk_bands.band_label(b, config) for b in risk_bands.BANDS}


# Charts are cached as Vega-Lite specs: building and validating an Altair chart costs more
# than the query behind it, and a warm rerun should not pay for it again.
@data_cache(max_entries=16)
def matrix_specs(version: data.Version, scope: Scope, view: str) -> dict[str, dict]:
    """The threat and opportunity matrices as Vega-Lite specs."""
    cells = matrix_cells(version, scope, view)
    labels = band_labels(version)
    name = VIEWS[view].lower()
    return {
        "threat": vega_lite(
            risk_matrix(
                cells["threat"],
                title=f"Open threats: probability × impact ({name})",
                band_labels=labels,
                cell_px=92,
            ),
            fit=False,
        ),
        "opportunity": vega_lite(
            risk_matrix(
                cells["opportunity"],
                title=f"Open opportunities ({name})",
                band_labels=labels,
                colours=OPPORTUNITY_COLOURS,
                cell_px=64,
                legend=False,
            ),
            fit=False,
        ),
    }


@data_cache(max_entries=16)
def summary(version: data.Version, scope: Scope, on: dt.date) -> dict[str, int]:
    return risks.risk_summary(on, scope, url=version[0])


@data_cache(max_entries=16, spinner="Reading the register…")
def register(
    version: data.Version,
    scope: Scope,
    view: str,
    *,
    status: str | None = "open",
    kind: str | None = None,
    bands: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    text: str = "",
    which: str = "all",
    on: dt.date | None = None,
    limit: int = 1_000,
) -> pd.DataFrame:
    """Risks matching the register's filters, highest score first, at most `limit`.

    `which`: "all", "top" (the 10 highest), "overdue" (response due before `on`) or
    "unowned". Column `matching` holds how many match in all.
    """
    config = data.settings(version)
    df = risks.risk_register(
        scope,
        view=view,
        status=status,
        kind=kind,
        score_ranges=[risk_bands.band_ranges(config)[b] for b in bands],
        categories=categories,
        text=text,
        overdue_on=on if which == "overdue" else None,
        unowned=which == "unowned",
        limit=10 if which == "top" else limit,
        url=version[0],
    )
    df["band"] = risk_bands.bands_of(df.score, config)
    return df


@data_cache(max_entries=16)
def categories(version: data.Version, scope: Scope) -> list[str]:
    return risks.risk_categories(scope, url=version[0])


@data_cache(max_entries=32)
def picked_risks(
    version: data.Version,
    scope: Scope,
    view: str,
    kind: str,
    cell: tuple[int, int] | None,
    band: str | None,
) -> pd.DataFrame:
    """Open risks of one matrix cell or one band, placed as the matrix places them."""
    config = data.settings(version)
    df = risks.risk_register(
        scope,
        view=view,
        kind=kind,
        cell=cell,
        score_ranges=[risk_bands.band_ranges(config)[band]] if band else (),
        limit=1_000,
        url=version[0],
    )
    df["band"] = risk_bands.bands_of(df.score, config)
    return df


@data_cache(max_entries=8, spinner="Rebuilding the exposure history…")
def exposure(
    version: data.Version, scope: Scope, view: str, weeks: int, on: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly open threats by band, and their count and total score."""
    ends = risks.week_ends(on, weeks)
    by_score = risks.exposure_by_score(ends, scope, view=view, url=version[0])
    return risk_bands.exposure_by_band(by_score, ends, data.settings(version))


@data_cache(max_entries=8)
def exposure_specs(
    version: data.Version, scope: Scope, view: str, weeks: int, on: dt.date
) -> tuple[dict, dict]:
    bands, totals = exposure(version, scope, view, weeks, on)
    title = f"Open threats by band, week by week ({VIEWS[view].lower()} score)"
    return (
        vega_lite(exposure_bands_chart(bands, title=title)),
        vega_lite(exposure_score_chart(totals, title="Total score of open threats")),
    )


@data_cache(max_entries=32)
def risk_detail(version: data.Version, risk_id: int) -> tuple[dict | None, dict]:
    """One risk and its score-history chart spec."""
    history = risks.risk_history(risk_id, url=version[0])
    chart = score_history_chart(
        history,
        band_ranges=risk_bands.band_ranges(data.settings(version)),
        title=f"Score at each of its {len(history)} assessments",
    )
    return risks.risk_detail(risk_id, url=version[0]), vega_lite(chart)


@data_cache(max_entries=16)
def raid_items(version: data.Version, kind: str, scope: Scope) -> pd.DataFrame:
    if kind == "dependency":
        return risks.dependencies(scope, url=version[0])
    return risks.raid_items(kind, scope, url=version[0])
