"""Lessons that find their reader: which few lessons a project sees, and why, in words.

A pure rule over the candidates (`data_access.lessons.reads.candidates`) and the project's
context (`project_context`). Points, highest first:

- same lifecycle phase as the project now: 3
- category among those of the project's open risks: 2
- same department: 2
- same size class: 1.5; a neighbouring size: 0.5
- recency: up to 1, falling to 0 over two years
- marked useful: 0.5 per mark, applied: 1 per mark (at most 2 together)
- reviewed by the PMO (accepted or merged into guidance): 0.5

A lesson that shares neither the phase nor a risk category nor the department is not offered:
recency and popularity alone do not make it relevant. Ties go to the newer lesson.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access.core.lesson_models import PROJECT_SIZES as SIZES
from data_access.core.lesson_models import size_of

# The demo's and most PMOs' risk categories, read as the lesson categories they concern.
RISK_TO_LESSON = {
    "delivery": "schedule",
    "schedule": "schedule",
    "technical": "technology",
    "technology": "technology",
    "commercial": "cost",
    "cost": "cost",
    "financial": "cost",
    "people": "resources",
    "resources": "resources",
    "compliance": "governance",
    "governance": "governance",
    "security": "risk",
    "quality": "quality",
    "scope": "scope",
    "procurement": "procurement",
    "stakeholders": "stakeholders",
}
RECENCY_DAYS = 730
MARKS_CAP = 2.0


def lesson_categories(risk_categories) -> set[str]:
    return {RISK_TO_LESSON[c.lower()] for c in risk_categories if c.lower() in RISK_TO_LESSON}


def _age_words(days: int) -> str:
    if days < 31:
        return "recorded this month"
    if days < 365:
        return f"recorded {days // 30} month{'s' if days >= 60 else ''} ago"
    return f"recorded {days // 365} year{'s' if days >= 730 else ''} ago"


def _score(lesson, context: dict, categories: set[str], size: str, on: dt.date):
    points, reasons = 0.0, []
    if lesson.phase == context["phase"]:
        points += 3
        reasons.append(f"same phase ({lesson.phase})")
    if lesson.category in categories:
        points += 2
        reasons.append(f"{lesson.category}, like your open risks")
    department = context.get("department_id")
    if department is not None and lesson.department_id == department:
        points += 2
        reasons.append("your department")
    if not points:
        return None
    gap = abs(SIZES.index(lesson.project_size) - SIZES.index(size))
    if gap == 0:
        points += 1.5
        reasons.append(f"{size} project like yours")
    elif gap == 1:
        points += 0.5
    age = max(0, (on - lesson.recorded_on).days)
    points += max(0.0, 1 - age / RECENCY_DAYS)
    reasons.append(_age_words(age))
    points += min(MARKS_CAP, 0.5 * lesson.useful + lesson.applied)
    if lesson.useful or lesson.applied:
        reasons.append(f"useful to {lesson.useful}, applied by {lesson.applied}")
    if lesson.status in ("accepted", "merged"):
        points += 0.5
    return points, " · ".join(reasons)


def rank(candidates: pd.DataFrame, context: dict, on: dt.date, top: int = 3) -> pd.DataFrame:
    """The `top` lessons most relevant to the project, with `score` and `reason` columns."""
    categories = lesson_categories(context.get("risk_categories", ()))
    size = size_of(float(context.get("approved_budget") or 0))
    # (score, recorded_on, id, reason, row) of each relevant lesson; the best `top` are kept
    # as rows of `candidates` (thousands are scored, a few shown).
    scored = []
    for row, lesson in enumerate(candidates.itertuples(index=False)):
        result = _score(lesson, context, categories, size, on)
        if result:
            scored.append((result[0], lesson.recorded_on, lesson.id, result[1], row))
    best = sorted(scored, reverse=True)[:top]
    return (
        candidates.iloc[[b[4] for b in best]]
        .assign(
            score=pd.Series([b[0] for b in best], dtype=float).to_numpy(),
            reason=pd.Series([b[3] for b in best], dtype=str).to_numpy(),
        )
        .reset_index(drop=True)
    )
