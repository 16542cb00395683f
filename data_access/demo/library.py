"""Ten templates and guides in the demo library, some with a second version and downloads,
so the library is alive on first start. The files are short Markdown outlines."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from data_access.core.library_models import LibraryDocument, LibraryFile

# name, phases, description, outline sections
DOCUMENTS = [
    (
        "Project charter",
        "Initiation",
        "Purpose, scope, sponsor and tolerances.",
        ["Purpose", "Scope and out of scope", "Sponsor and roles", "Tolerances"],
    ),
    (
        "Business case",
        "Idea,Initiation",
        "Options, benefits, costs and risks.",
        ["Options considered", "Expected benefits", "Costs", "Main risks"],
    ),
    (
        "Weekly status report",
        "Planning,Execution",
        "The one-page weekly update.",
        ["Overall RAG and why", "Achievements", "Next steps", "Help needed"],
    ),
    (
        "Closure report",
        "Closing",
        "What was delivered, benefits handed over, lessons.",
        ["Delivered against scope", "Benefits handover", "Lessons learned", "Open actions"],
    ),
    (
        "Risk workshop guide",
        "Initiation,Planning",
        "Running a two-hour risk workshop.",
        ["Invite", "Brainstorm threats and opportunities", "Score", "Owners and responses"],
    ),
    (
        "Stakeholder map",
        "Initiation",
        "Power/interest grid and engagement plan.",
        ["Stakeholders", "Power and interest", "Engagement", "Messages"],
    ),
    (
        "Project plan",
        "Planning",
        "Milestones, dependencies and baseline.",
        ["Milestones", "Dependencies", "Resources", "Baseline"],
    ),
    (
        "Change request",
        "Execution",
        "Asking for a change of scope, time or cost.",
        ["The change", "Why", "Impact on time, cost and scope", "Decision"],
    ),
    (
        "Gate review checklist",
        "Initiation,Planning,Execution,Closing",
        "What approvers look for at each gate.",
        ["Evidence", "Criteria", "Decision", "Conditions"],
    ),
    (
        "Lessons learned workshop guide",
        "Closing",
        "A retrospective that produces lessons.",
        ["What went well", "What to avoid", "Recommendations", "Record in the register"],
    ),
]


def _outline(name: str, sections: list[str], number: int) -> bytes:
    body = "\n\n".join(f"## {s}\n\n_Write here._" for s in sections)
    return f"# {name}\n\nVersion {number} · PMO template\n\n{body}\n".encode()


def add_library(out: Any, seed: str, today: dt.date, stamp: dict, admin: int) -> None:
    rng = random.Random(f"{seed}-library")
    for name, phases, description, sections in DOCUMENTS:
        doc = out.add(
            LibraryDocument,
            {**stamp, "name": name, "description": description, "phases": phases},
        )
        for number in range(1, rng.choice([1, 1, 2]) + 1):
            content = _outline(name, sections, number)
            out.add(
                LibraryFile,
                {
                    "document_id": doc,
                    "number": number,
                    "filename": f"{name.lower().replace(' ', '-')}-v{number}.md",
                    "media_type": "text/markdown",
                    "size": len(content),
                    "content": content,
                    "note": "First release" if number == 1 else "Shorter, with examples",
                    "uploaded_on": today - dt.timedelta(days=400 - 200 * number),
                    "uploaded_by_id": admin,
                    "downloads": rng.randint(0, 60),
                },
            )
