"""Cached reads for the meeting page, keyed by the data version like every page's reads."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from components.common import data
from components.common.cache import data_cache
from components.common.data import Version
from data_access.meeting import changes as change_reads
from data_access.meeting import deck_template as deck_templates
from data_access.meeting import reviews
from deck.export import export
from deck.sources import Meeting, ProjectSlides, Read, assemble, slides_of_projects, which_review
from domain.changes import Changes, build_changes
from domain.filters import PortfolioFilter


# The page only reads the slides: they are not copied for each rerun (see data_cache).
@data_cache(max_entries=16, copies=False)
def meeting(
    version: Version,
    today: dt.date,
    since: dt.date | None,
    review_id: int | None,
    portfolio_filter: PortfolioFilter,
) -> Meeting:
    """Slides and "what changed" for the review, the day and the filtered projects.

    Health is the portfolio page's cached table, the changes and each other input are cached
    apart, so a filter or a review change, or a status update, only rebuilds the slides."""
    review, since, basis = which_review(review_list(version), review_id, since, today)
    return assemble(
        data.portfolio_health(version, today),
        changes(version, since, today, basis),
        today=today,
        review=review,
        settings=data.settings(version),
        portfolio_filter=portfolio_filter,
        read=_reading(version),
        slides_of=_slides_of(version, today, review_id),
    )


def _slides_of(version: Version, today: dt.date, review_id: int | None) -> ProjectSlides:
    def slides_of(ids: list[int]) -> dict:
        table = project_slides(version, today, review_id, tuple(sorted(ids)))
        return dict(zip(table.project_id, table.slides, strict=True))

    return slides_of


@data_cache(max_entries=8, by_project="project_id")
def project_slides(
    version: Version,
    today: dt.date,
    review_id: int | None,
    presented: tuple[int, ...],
    _project_ids=None,
) -> pd.DataFrame:
    """The presented projects' slides (each its own and its path to green), a row per
    project: after a save, built again for the projects it changed only (a status update in
    the meeting rebuilds one project's slides, not thirty)."""
    wanted = set(presented if _project_ids is None else _project_ids)
    ids = [i for i in presented if i in wanted]
    review = which_review(review_list(version), review_id, None, today)[0]
    slides = slides_of_projects(
        data.portfolio_health(version, today),
        ids,
        today=today,
        review=review,
        settings=data.settings(version),
        read=_reading(version),
    )
    return pd.DataFrame({"project_id": ids, "slides": [slides[i] for i in ids]})


def _reading(version: Version) -> Read:
    def read(fn, *args, **kwargs):
        return slide_input(version, fn, args, kwargs)

    return read


@data_cache(max_entries=64, in_database=True)
def slide_input(version: Version, fn, args: tuple, kwargs: dict):
    """One of the slides' inputs, `fn(*args, **kwargs)` (a read of data_access), kept while
    the tables it read are unchanged; in the database too, for new processes (the top risks
    alone read 950,000 assessments at tier XL)."""
    return fn(*args, url=version[0], **kwargs)


@data_cache(max_entries=8, by_project="project_id", in_database=True)
def change_tables(
    version: Version, since: dt.date, until: dt.date, _project_ids=None
) -> dict[str, pd.DataFrame]:
    """What changed, as read from the history: after a save, read again only for the projects
    the save changed (a status update in the meeting does not re-read 5,000 projects)."""
    return change_reads.change_tables(
        since, until, data.settings(version), url=version[0], project_ids=_project_ids
    )


@data_cache(max_entries=8)
def changes(version: Version, since: dt.date, until: dt.date, basis: str) -> Changes:
    tables = change_tables(version, since, until)
    return build_changes(since=since, until=until, tables=tables, basis=basis)


@data_cache(max_entries=4)
def review_list(version: Version) -> pd.DataFrame:
    return reviews.reviews(version[0])


@data_cache(max_entries=4)
def people(version: Version) -> pd.DataFrame:
    return reviews.people(version[0])


@data_cache(max_entries=4)
def deck_files(
    version: Version,
    today: dt.date,
    since: dt.date | None,
    review_id: int | None,
    portfolio_filter: PortfolioFilter,
) -> tuple[bytes, bytes]:
    """The .pptx (on the organisation's template, if any) and PDF of exactly the slides the
    browser shows."""
    shown = meeting(version, today, since, review_id, portfolio_filter)
    template = deck_template(version)
    return export(shown.slides, shown.footer, template["content"] if template else None)


@data_cache(max_entries=2)
def deck_template(version: Version) -> dict | None:
    """The organisation's PowerPoint template in use (None: the app's own look)."""
    return deck_templates.active_template(version[0])


@data_cache(max_entries=4)
def actions(version: Version, review_id: int | None) -> pd.DataFrame:
    return reviews.review_actions(review_id, version[0])


@data_cache(max_entries=4)
def decisions(version: Version, review_id: int) -> pd.DataFrame:
    return reviews.review_decisions(review_id, version[0])
