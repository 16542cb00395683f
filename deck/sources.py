"""Everything the review shows, read for one day, one review and the filtered projects.

The meeting page (through its cached loader) and the command-line export both call
`load_meeting`, so the browser and the exported deck always hold the same slides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
    Slide,
    build_slides,
    presented_projects,
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
) -> Meeting:
    """The slides for the projects the filter keeps, from the whole portfolio's health (as
    `domain.health.compute_health` gives it) and changes (as `changes_between` gives them)."""
    whole = not portfolio_filter.active
    health = health if whole else apply_filter(health, portfolio_filter)
    ids = None if whole else health.id.tolist()
    changes = changes if whole else changes.restricted_to(ids)
    inputs = _inputs(
        health,
        changes,
        today=today,
        review=review,
        settings=settings,
        ids=ids,
        url=url,
        every_project=every_project,
    )
    slides = build_slides(inputs)
    pending, decided = _gates(changes, ids, url)
    add_gate_decisions(slides, decided)
    return Meeting(today, review, changes, with_gate_slides(slides, gate_slides(pending, today)))


def _gates(changes: Changes, ids: list[int] | None, url: str | None):
    """Gates awaiting a decision, and gates decided in the changes' period, of these projects."""
    pending = gate_reads.pending_gates(url)
    decided = gate_reads.gates_decided(changes.since, changes.until, url)
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
    health, changes, *, today, review, settings, ids, url, every_project=False
) -> MeetingInputs:
    bands = change_reads.band_params(settings)
    presented = presented_projects(health, every_project).head(MAX_PROJECT_SLIDES).id.tolist()
    review_id = review["id"] if review else None
    decisions = (
        review_reads.review_decisions(review_id, url=url)
        if review_id is not None
        else pd.DataFrame(columns=["id", "project_id", "code", "project", "title"])
    )
    actions = review_reads.review_actions(review_id, url=url)
    benefits = intake_reads.benefits(today, url)
    if ids is not None:
        decisions = decisions[decisions.project_id.isin(ids)]
        actions = actions[actions.project_id.isin(ids) | actions.project_id.isna()]
        benefits = benefits[benefits.project_id.isin(ids)]
    return MeetingInputs(
        today=today,
        health=health,
        changes=changes,
        project_milestones=meeting_reads.project_milestones(presented, url=url),
        project_risks=meeting_reads.top_risks(
            bands, presented, limit=3 * len(presented), per_project=3, url=url
        ),
        due_milestones=meeting_reads.milestones_due(today, project_ids=ids, url=url),
        top_risks=meeting_reads.top_risks(bands, ids, url=url),
        matrix=meeting_reads.risk_matrix(ids, url=url),
        decisions=decisions,
        actions=actions,
        settings=settings,
        review=review,
        every_project=every_project,
        recovery=recovery_reads.recovery_status(today, presented, url=url),
        green_history=recovery_reads.green_date_history(presented, url=url),
        recovery_actions=recovery_reads.recovery_actions(presented, open_only=True, url=url),
        escalations=_escalations(today, review, ids, url),
        benefits=benefits,
    )


def _escalations(today: dt.date, review: dict | None, ids, url) -> pd.DataFrame:
    """Open escalations, and those answered in the review in progress (its record)."""
    escalations = recovery_reads.escalations(today, project_ids=ids, url=url)
    answered_here = (
        escalations.answered_on == review["held_on"] if review else escalations.status != "answered"
    )
    return escalations[(escalations.status == "open") | answered_here].reset_index(drop=True)
