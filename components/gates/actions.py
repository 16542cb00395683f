"""One function per user action on gates: each reads what it needs and opens its session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from data_access.core.db import session_scope
from data_access.core.settings import get_settings
from data_access.core.writes import Actor
from data_access.gates import commands, reads
from domain.gates import evaluate_criteria


def current_phase(url: str, project_id: int) -> tuple[dict | None, dict | None]:
    """The project's lifecycle and the phase it is in (None, None: it follows none)."""
    lifecycle = reads.lifecycle(project_id, url)
    if lifecycle is None:
        return None, None
    phases = reads.template(int(lifecycle["template_id"]), url)["phases"]
    index = min(int(lifecycle["phase_index"]), len(phases) - 1)
    return lifecycle, phases[index]


def check_gate(url: str, project_id: int, on: dt.date, attested: set[str]) -> list[dict]:
    """The current gate's criteria, each met or not with the reason, from the live data."""
    lifecycle, phase = current_phase(url, project_id)
    if phase is None:
        return []
    config = get_settings(url)
    facts = reads.gate_facts(
        on,
        high_from=config["band_high_from"],
        review_days=config["risk_review_days"],
        project_ids=[project_id],
        url=url,
    )
    return evaluate_criteria(phase["criteria"], facts.iloc[0].to_dict(), config, on, attested)


def submit(
    url: str,
    project_id: int,
    *,
    note: str,
    evidence: list[dict[str, Any]],
    on: dt.date,
    expected_version: int,
    actor: Actor,
) -> int:
    """Check the gate's criteria against the live data and submit it with the evidence."""
    attested = {e["criterion_id"] for e in evidence}
    checked = check_gate(url, project_id, on, attested)
    with session_scope(url) as session:
        return commands.submit_gate(
            project_id,
            note=note,
            evidence=evidence,
            checked=checked,
            on=on,
            expected_version=expected_version,
            session=session,
            actor=actor,
        )


def decide(url: str, gate_id: int, *, actor: Actor, **decision: Any) -> dict[str, Any]:
    """Record an approver's decision (decision, reason, conditions, on, expected_version...)."""
    with session_scope(url) as session:
        return commands.decide_gate(gate_id, session=session, actor=actor, **decision)


def may_decide(url: str, project_id: int, approvers: list[str], actor: Actor) -> bool:
    """Whether `actor` is one of the approvers the gate names (pages show the form to them)."""
    with session_scope(url) as session:
        return commands.may_decide(session, actor, project_id, approvers)
