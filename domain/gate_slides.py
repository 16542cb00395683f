"""The review's gate slides: the gates awaiting a decision (an overview, then one slide per gate
where the decision is taken on screen) and the gate decisions among "what changed".

Plain data like `domain.slides`, so the browser and the exported deck show the same slides.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.formatting import fmt_date
from domain.gates import APPROVER_LABELS, DECISION_LABELS
from domain.slides import Block, Line, Slide, clip, keep_together

# Gates walked through one by one (oldest submission first); the overview lists them all.
MAX_GATE_SLIDES = 10
TABLE_ROWS = 8
LATEST_DECISIONS = 2  # named on the "what changed" slide, which has little room left
MET_COLOURS = {True: "#009E73", False: "#D55E00"}


def _waiting(submitted: dt.date, today: dt.date) -> str:
    days = (today - submitted).days
    return "today" if days <= 0 else f"{days} d"


def gate_slides(pending: pd.DataFrame, today: dt.date) -> list[Slide]:
    """An overview of the gates awaiting a decision, then one slide per gate."""
    if pending.empty:
        return []
    overview = pd.DataFrame(
        {
            "Project": (pending.code + " " + pending.name.map(lambda n: clip(n, 30))).to_numpy(),
            "Gate": pending.gate.map(lambda g: clip(g, 34)).to_numpy(),
            "Submitted": pending.submitted_on.map(lambda d: keep_together(fmt_date(d))).to_numpy(),
            "Waiting": [_waiting(d, today) for d in pending.submitted_on],
            "Unmet musts": pending.unmet.astype(int).to_numpy(),
        }
    )
    shown = overview.head(TABLE_ROWS)
    slides = [
        Slide(
            "gates",
            f"Gates awaiting a decision: {len(pending)}",
            "Oldest submission first; each gate's slide records the decision",
            blocks=[
                Block(
                    "table",
                    "",
                    "full",
                    table=shown,
                    more=f"and {len(overview) - len(shown)} more gates"
                    if len(overview) > len(shown)
                    else "",
                )
            ],
        )
    ]
    for gate in pending.head(MAX_GATE_SLIDES).to_dict("records"):
        slides.append(_gate_slide(gate))
    return slides


def _gate_slide(gate: dict) -> Slide:
    criteria = gate["criteria"] or []
    table = pd.DataFrame(
        {
            "Met": ["yes" if c["met"] else "no" for c in criteria],
            "Criterion": [clip(c["label"], 60) for c in criteria],
            "Why": [clip(c["reason"], 70) for c in criteria],
        }
    )
    table["_colour_Met"] = [MET_COLOURS[bool(c["met"])] for c in criteria]
    approvers = ", ".join(APPROVER_LABELS.get(a, a) for a in gate["approvers"])
    unmet = int(gate["unmet"])
    facts = [
        Line(f"Planned for {fmt_date(gate['planned_on'])}; decided by {approvers}"),
        Line(f"{unmet} must-meet criteri{'on' if unmet == 1 else 'a'} unmet"),
    ]
    blocks = [
        Block("table", "Criteria at submission", "full", table=table, empty="No criteria."),
        Block("lines", "", "left", lines=facts),
    ]
    if gate["note"]:
        blocks.append(Block("text", "", "right", text=clip(gate["note"], 160)))
    submitted = f"submitted {fmt_date(gate['submitted_on'])} by {gate['submitted_by'] or 'unknown'}"
    return Slide(
        "gate",
        f"Gate: {gate['gate']}",
        f"{gate['code']} {clip(gate['name'], 40)} · {gate['phase']} · {submitted}",
        project_id=int(gate["project_id"]),
        blocks=blocks,
    )


def add_gate_decisions(slides: list[Slide], decided: pd.DataFrame) -> None:
    """Put the gate decisions taken since the last review on the "what changed" slide: the
    counts by decision and the latest ones, beside the milestones."""
    changes = next((s for s in slides if s.kind == "changes"), None)
    if changes is None:
        return
    by_decision = decided.decision.value_counts() if not decided.empty else pd.Series()
    counted = ", ".join(
        f"{int(by_decision[d])} {label}" for d, label in DECISION_LABELS.items() if d in by_decision
    )
    lines = [Line(counted or "No gate decided.")] + [
        Line(f"{row.code} {clip(row.gate, 30)}: {DECISION_LABELS[row.decision]}")
        for row in decided.head(LATEST_DECISIONS).itertuples()
    ]
    more = len(decided) - LATEST_DECISIONS
    changes.blocks.append(
        Block(
            "lines",
            "Gate decisions",
            "right",
            lines=lines,
            more=f"and {more} more" if more > 0 else "",
        )
    )


def with_gate_slides(slides: list[Slide], gates: list[Slide]) -> list[Slide]:
    """The deck with the gate slides before the milestones slide (after the projects)."""
    at = next((i for i, s in enumerate(slides) if s.kind == "milestones"), len(slides))
    return slides[:at] + gates + slides[at:]
