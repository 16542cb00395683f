"""Cached milestone reads and charts for the milestone page, keyed by the data version.

The scope of every read is the shared sidebar filter plus, optionally, one project code:
both are plain values, so the cache key stays small however many projects they select.
Charts are cached as Vega-Lite specs: building and validating an Altair chart costs more
than the page's whole warm rerun may take.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from charts.milestones import bei_chart, burndown_chart, mta_chart
from charts.specs import vega_lite
from components.common import data
from components.common.cache import data_cache
from data_access.milestones import reads as milestones
from domain.filters import PortfolioFilter
from domain.milestones import (
    MAX_WEEKS_EACH_SIDE,
    PORTFOLIO_WEEKS_EACH_SIDE,
    bei_series,
    burndown_series,
    mta_series,
)

LIST_LIMIT = 200


@data_cache(max_entries=16)
def project_choices(version: data.Version, today: dt.date, f: PortfolioFilter) -> pd.DataFrame:
    """The filtered projects for the picker, worst health first: id, code, label."""
    projects = data.picker_projects(version, today, f)
    return pd.DataFrame(
        {
            "id": projects["id"].astype(int),
            "code": projects["code"],
            "label": projects["code"] + " · " + projects["name"],
        }
    )


def _project_ids(
    version: data.Version, today: dt.date, f: PortfolioFilter, project: str | None
) -> tuple[int, ...] | None:
    """The ids of the chosen project, or of the filtered portfolio (None: every project)."""
    if project is None and not f.active:
        return None
    projects = project_choices(version, today, f)
    if project is not None:
        projects = projects[projects["code"] == project]
    return tuple(int(i) for i in projects["id"])


# Kept in the database too: it reads every milestone (0.3 s at tier XL), which a status
# update leaves as it is.
@data_cache(max_entries=16, in_database=True)
def burndown(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    project: str | None,
    baseline: str,
) -> pd.DataFrame:
    """The weekly burndown series the chart draws (see `domain.milestones.burndown_series`)."""
    ids = _project_ids(version, today, f, project)
    deltas = milestones.burndown_deltas(today, ids, baseline, url=version[0])
    weeks = MAX_WEEKS_EACH_SIDE if project else PORTFOLIO_WEEKS_EACH_SIDE
    return burndown_series(deltas, today, weeks)


@data_cache(max_entries=16)
def burndown_specs(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    project: str | None,
    baseline: str,
    bei_target: float,
) -> tuple[dict, dict]:
    """The burndown and BEI trend charts as Vega-Lite specs."""
    series = burndown(version, today, f, project, baseline)
    return (
        vega_lite(burndown_chart(series, today, baseline=baseline)),
        vega_lite(bei_chart(bei_series(series, today), bei_target)),
    )


@data_cache(max_entries=16)
def slippage(
    version: data.Version,
    today: dt.date,
    f: PortfolioFilter,
    project: str | None,
    baseline: str,
) -> tuple[dt.date, dict[str, pd.DataFrame]]:
    """The previous reporting date and the slippage lists since then."""
    latest, previous = milestones.report_dates(today, url=version[0])
    # Without two reports yet, "since the previous report" means the last week.
    since = previous or (latest or today) - dt.timedelta(days=7)
    ids = _project_ids(version, today, f, project)
    lists = milestones.slippage_lists(today, since, ids, baseline, limit=LIST_LIMIT, url=version[0])
    return since, lists


@data_cache(max_entries=16)
def project_history(version: data.Version, project_id: int) -> pd.DataFrame:
    return milestones.project_history(project_id, url=version[0])


@data_cache(max_entries=16)
def trend_spec(
    version: data.Version, project_id: int, today: dt.date, chosen: tuple[int, ...]
) -> dict:
    """The MTA chart of the chosen milestones of one project, as a Vega-Lite spec."""
    history = project_history(version, project_id)
    points = mta_series(history[history["milestone_id"].isin(chosen)], today)
    return vega_lite(mta_chart(points, today))
