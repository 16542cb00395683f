"""One function per user action of the intake page: each opens the database session for
that action and calls the write function (pages import no data_access module)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from components.access.session import current_actor
from components.common.layout import current_version
from data_access.core.db import session_scope
from data_access.intake import commands


def _run(fn, *args, **kwargs):
    with session_scope(current_version()[0]) as session:
        return fn(*args, session=session, actor=current_actor(), **kwargs)


def save_proposal(
    data: dict[str, Any],
    *,
    costs: Mapping[int, float],
    needs: Sequence[Mapping[str, Any]],
    driver_ids: Sequence[int],
    benefits: Sequence[Mapping[str, Any]],
    proposal_id: int | None,
    expected_version: int | None,
) -> int:
    return _run(
        commands.save_proposal,
        data,
        costs=costs,
        needs=needs,
        driver_ids=driver_ids,
        benefits=benefits,
        proposal_id=proposal_id,
        expected_version=expected_version,
    )


def move_proposal(proposal_id: int, status: str, expected_version: int, note: str) -> None:
    _run(
        commands.move_proposal,
        proposal_id,
        status,
        expected_version=expected_version,
        note=note,
    )


def score_proposal(proposal_id: int, scores: Mapping[int, int], day: dt.date) -> None:
    _run(commands.score_proposal, proposal_id, scores, day=day)


def create_driver(name: str, description: str) -> int:
    return _run(commands.create_driver, {"name": name, "description": description})


def set_weights(
    weights: Mapping[int, float],
    expected_versions: Mapping[int, int],
    judgements: Mapping[tuple[int, int], float] | None,
) -> None:
    _run(
        commands.set_driver_weights,
        weights,
        expected_versions=expected_versions,
        judgements=judgements,
    )


def save_scenario(
    name: str, notes: str, budget: Mapping[int, float], items: Sequence[Mapping[str, Any]]
) -> int:
    return _run(commands.save_scenario, {"name": name, "notes": notes}, budget=budget, items=items)


def approve_scenario(scenario_id: int, expected_version: int, day: dt.date) -> list[int]:
    return _run(commands.approve_scenario, scenario_id, expected_version=expected_version, day=day)


def record_measurement(benefit_id: int, measured_on, value, note: str) -> int:
    return _run(
        commands.record_measurement,
        {"benefit_id": benefit_id, "measured_on": measured_on, "value": value, "note": note},
    )
