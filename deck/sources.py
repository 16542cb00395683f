"""Everything the review shows, read for one day, one review and the filtered projects.

The meeting page (through its cached loader) and the command-line export both call
`load_meeting`, so the browser and the exported deck always hold the same slides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_access.core.settings import get_settings
from data_access.gates import reads as gate_reads
from data_access.intake import reads as intake_reads
from data_access.meeting import changes as change_reads
from data_access.meeting import reads as meeting_reads
from data_access.meeting import reviews as review_reads
from data_access.portfolio.reads import project_facts
from data_access.recovery import reads as recovery_reads
from domain.changes import Changes, build_changes, default_since
from domain.filters import PortfolioFilter, apply_filter
from domain.formatting import fmt_date
from domain.gate_slides import add_gate_decisions, gate_slides, with_gate_slides
from domain.health import compute_health
from domain.slides import (
    MAX_PROJECT_SLIDES,
    MeetingInputs,
    ProjectInputs,
    Slide,
    build_slides,
    presented_projects,
    project_slides,
)


@dataclass
class Meeting:
    today: dt.date
    review: dict | None  # id, title, held_on
    changes: Changes  # restricted to the filtered projects
    slides: list[Slide]

    @property
    def footer(self) -> str:
        name = self.review["title"] if self.review else "Portfolio review"
        return f"{name} · {fmt_date(self.today)}"


# One read of the slides' inputs: read(fn, *args, **kwargs) is fn(*args, url=..., **kwargs).
# The meeting page passes one that keeps each result while the tables it read are unchanged,
# so a status update rebuilds the slides without reading the gates, risks and milestones again.
Read = Callable[..., Any]
# The presented projects' slides by project id, given their ids (the meeting page keeps each
# project's apart, so that a status update rebuilds that project's slides alone).
ProjectSlides = Callable[[list[int]], dict[int, list[Slide]]]


def reading(url: str | None) -> Read:
    """Every read straight from the database at `url`."""

    def read(fn, *args, **kwargs):
        return fn(*args, url=url, **kwargs)

    return read


def changes_between(
    since: dt.date, until: dt.date, settings: dict, *, basis: str = "", url: str | None = None
) -> Changes:
    """What changed between the two days, for the whole portfolio."""
    tables = change_reads.change_tables(since, until, settings, url=url)
    return build_changes(since=since, until=until, tables=tables, basis=basis)


def which_review(
    reviews: pd.DataFrame, review_id: int | None, since: dt.date | None, today: dt.date
) -> tuple[dict | None, dt.date, str]:
    """The review in progress (or None), the day changes are counted from, and its wording.

    `since` defaults to the last review before this one (or before today), else 4 weeks ago.
    """
    match = reviews[reviews.id == review_id] if review_id is not None else reviews.iloc[0:0]
    review = None
    if len(match):
        row = match.iloc[0]
        review = {"id": int(row.id), "title": row.title, "held_on": row.held_on}
    default_day, basis = default_since(reviews, review and review["id"], today)
    if since is None or since == default_day:
        return review, default_day, basis
    return review, since, fmt_date(since)


def assemble(
    health: pd.DataFrame,
    changes: Changes,
    *,
    today: dt.date,
    review: dict | None,
    settings: dict,
    portfolio_filter: PortfolioFilter,
    every_project: bool = False,
    url: str | None = None,
    read: Read | None = None,
    slides_of: ProjectSlides | None = None,
) -> Meeting:
    """The slides for the projects the filter keeps, from the whole portfolio's health (as
    `domain.health.compute_health` gives it) and changes (as `changes_between` gives them);
    the other inputs read by `read` (default: from `url`), the presented projects' slides
    built by `slides_of` (default: here, with the rest)."""
    read = read or reading(url)
    whole = not portfolio_filter.active
    health = health if whole else apply_filter(health, portfolio_filter)
    ids = None if whole else health.id.tolist()
    changes = changes if whole else changes.restricted_to(ids)
    presented = presented_projects(health, every_project).head(MAX_PROJECT_SLIDES).id.tolist()
    inputs = _inputs(
        health,
        changes,
        today=today,
        review=review,
        settings=settings,
        ids=ids,
        read=read,
        every_project=every_project,
        presented=None if slides_of else presented,
    )
    slides = build_slides(inputs, slides_of(presented) if slides_of else None)
    pending, decided = _gates(changes, ids, read)
    add_gate_decisions(slides, decided)
    return Meeting(today, review, changes, with_gate_slides(slides, gate_slides(pending, today)))


def _gates(changes: Changes, ids: list[int] | None, read: Read):
    """Gates awaiting a decision, and gates decided in the changes' period, of these projects."""
    pending = read(gate_reads.pending_gates)
    decided = read(gate_reads.gates_decided, changes.since, changes.until)
    if ids is not None:
        pending = pending[pending.project_id.isin(ids)]
        decided = decided[decided.project_id.isin(ids)]
    return pending, decided


def load_meeting(
    today: dt.date,
    *,
    since: dt.date | None = None,
    review_id: int | None = None,
    portfolio_filter: PortfolioFilter | None = None,
    url: str | None = None,
) -> Meeting:
    """The review's slides and its "what changed", read in one go (the command line, tests)."""
    settings = get_settings(url)
    review, since, basis = which_review(review_reads.reviews(url), review_id, since, today)
    facts = project_facts(today, high_from=settings["band_high_from"], url=url)
    return assemble(
        compute_health(facts, settings, today),
        changes_between(since, today, settings, basis=basis, url=url),
        today=today,
        review=review,
        settings=settings,
        portfolio_filter=portfolio_filter or PortfolioFilter(),
        url=url,
    )


def _inputs(
    health, changes, *, today, review, settings, ids, read: Read, every_project, presented
) -> MeetingInputs:
    """The slides' inputs; the presented projects' too unless `presented` is None."""
    bands = change_reads.band_params(settings)
    review_id = review["id"] if review else None
    decisions = _decisions(review_id, read)
    actions = read(review_reads.review_actions, review_id)
    benefits = read(intake_reads.benefits, today)
    if ids is not None:
        decisions = decisions[decisions.project_id.isin(ids)]
        actions = actions[actions.project_id.isin(ids) | actions.project_id.isna()]
        benefits = benefits[benefits.project_id.isin(ids)]
    escalations = _escalations(today, review, ids, read)
    projects = None
    if presented is not None:
        projects = _project_inputs(
            presented, today, settings, decisions, actions, escalations, bands, read
        )
    return MeetingInputs(
        today=today,
        health=health,
        changes=changes,
        due_milestones=read(meeting_reads.milestones_due, today, project_ids=ids),
        top_risks=read(meeting_reads.top_risks, bands, ids),
        matrix=read(meeting_reads.risk_matrix, ids),
        decisions=decisions,
        actions=actions,
        settings=settings,
        projects=projects,
        review=review,
        every_project=every_project,
        escalations=escalations,
        benefits=benefits,
    )


def _decisions(review_id: int | None, read: Read) -> pd.DataFrame:
    """The decisions recorded in the review in progress (none outside a review)."""
    if review_id is None:
        return pd.DataFrame(columns=["id", "project_id", "code", "project", "title"])
    return read(review_reads.review_decisions, review_id)


def _project_inputs(
    presented: list[int], today, settings, decisions, actions, escalations, bands, read: Read
) -> ProjectInputs:
    return ProjectInputs(
        today=today,
        settings=settings,
        milestones=read(meeting_reads.project_milestones, presented),
        risks=read(
            meeting_reads.top_risks, bands, presented, limit=3 * len(presented), per_project=3
        ),
        decisions=decisions,
        actions=actions,
        recovery=read(recovery_reads.recovery_status, today, presented),
        green_history=read(recovery_reads.green_date_history, presented),
        recovery_actions=read(recovery_reads.recovery_actions, presented, open_only=True),
        escalations=escalations,
    )


def slides_of_projects(
    health: pd.DataFrame, ids: list[int], *, today, review, settings, read: Read
) -> dict[int, list[Slide]]:
    """The slides of these projects (each its own and its path to green), by project id,
    from their rows of the health table."""
    rows = health[health.id.isin(ids)]
    review_id = review["id"] if review else None
    inputs = _project_inputs(
        ids,
        today,
        settings,
        _decisions(review_id, read),
        read(review_reads.review_actions, review_id),
        _escalations(today, review, ids, read),
        change_reads.band_params(settings),
        read,
    )
    return {int(p.id): project_slides(inputs, p) for p in rows.itertuples()}


def _escalations(today: dt.date, review: dict | None, ids, read: Read) -> pd.DataFrame:
    """Open escalations, and those answered in the review in progress (its record)."""
    escalations = read(recovery_reads.escalations, today, project_ids=ids)
    answered_here = (
        escalations.answered_on == review["held_on"] if review else escalations.status != "answered"
    )
    return escalations[(escalations.status == "open") | answered_here].reset_index(drop=True)
