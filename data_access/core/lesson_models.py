"""Lessons learned: what happened on a project, what to repeat or avoid, and the PMO's review.

Marks ("useful", "applied") live in their own rows, so marking a lesson never collides with
someone editing it. The full-text index (SQLite FTS5 table, PostgreSQL tsvector column) is made
by the migration only: the models do not describe it (see `SEARCH_OBJECTS`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from data_access.core.models import (
    NAME_MAX,
    PHASES,
    TEXT_MAX,
    Versioned,
    _check_choice,
    _in,
    _strip,
)

LESSON_CATEGORIES = (
    "scope",
    "schedule",
    "cost",
    "quality",
    "risk",
    "stakeholders",
    "resources",
    "procurement",
    "technology",
    "governance",
)
LESSON_STATES = ("draft", "accepted", "merged", "archived")
LESSON_STATE_LABELS = {
    "draft": "Draft",
    "accepted": "Accepted",
    "merged": "Merged into guidance",
    "archived": "Archived",
}
LESSON_KINDS = ("repeat", "avoid")
LESSON_SOURCES = ("manual", "gate", "closure")
PROJECT_SIZES = ("small", "medium", "large")
MARK_KINDS = ("useful", "applied")
TAGS_MAX = 300
SMALL_BELOW, LARGE_FROM = 250_000, 2_000_000


def size_of(approved_budget: float) -> str:
    """A project's size class from its approved budget (the PMO's thresholds)."""
    if approved_budget < SMALL_BELOW:
        return "small"
    return "large" if approved_budget >= LARGE_FROM else "medium"


# Database objects of the full-text search that autogenerate must not compare with the models.
SEARCH_OBJECTS = ("lesson_fts", "search_vector")


class LessonBase(SQLModel):
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    title: str = Field(min_length=3, max_length=NAME_MAX)
    what_happened: str = Field(min_length=10, max_length=TEXT_MAX)
    kind: str = "avoid"
    recommendation: str = Field(min_length=10, max_length=TEXT_MAX)
    category: str
    phase: str
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    project_size: str = "medium"
    tags: str = Field(default="", max_length=TAGS_MAX)
    status: str = "draft"
    source: str = "manual"
    gate_review_id: int | None = Field(default=None, foreign_key="gate_review.id")
    # The risk or RAID item whose closing taught the lesson ("what did we learn?").
    risk_id: int | None = Field(default=None, foreign_key="risk.id")
    raid_item_id: int | None = Field(default=None, foreign_key="raid_item.id")
    # Merged into guidance: the template revision it made and the phase whose guidance changed.
    guidance_template_id: int | None = Field(default=None, foreign_key="lifecycle_template.id")
    guidance_phase: str | None = Field(default=None, max_length=NAME_MAX)
    recorded_on: dt.date
    author_id: int | None = Field(default=None, foreign_key="person.id")

    _strip_text = field_validator("title", "what_happened", "recommendation", mode="before")(_strip)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: Any) -> Any:
        """Tags are kept as one lower-case, comma-separated line without repeats."""
        if not isinstance(v, str):
            return v
        tags = [t.strip().lower() for t in v.split(",") if t.strip()]
        return ", ".join(dict.fromkeys(tags))

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _check_choice(v, LESSON_KINDS, "repeat or avoid")

    @field_validator("category")
    @classmethod
    def _category(cls, v: Any) -> Any:
        return _check_choice(v, LESSON_CATEGORIES, "category")

    @field_validator("phase")
    @classmethod
    def _phase(cls, v: Any) -> Any:
        return _check_choice(v, PHASES, "phase")

    @field_validator("project_size")
    @classmethod
    def _size(cls, v: Any) -> Any:
        return _check_choice(v, PROJECT_SIZES, "project size")

    @field_validator("status")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _check_choice(v, LESSON_STATES, "status")

    @field_validator("source")
    @classmethod
    def _source(cls, v: Any) -> Any:
        return _check_choice(v, LESSON_SOURCES, "source")


class LessonCreate(LessonBase):
    pass


class Lesson(LessonBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("kind", LESSON_KINDS), name="ck_lesson_kind"),
        sa.CheckConstraint(_in("category", LESSON_CATEGORIES), name="ck_lesson_category"),
        sa.CheckConstraint(_in("phase", PHASES), name="ck_lesson_phase"),
        sa.CheckConstraint(_in("project_size", PROJECT_SIZES), name="ck_lesson_size"),
        sa.CheckConstraint(_in("status", LESSON_STATES), name="ck_lesson_status"),
        sa.CheckConstraint(_in("source", LESSON_SOURCES), name="ck_lesson_source"),
    )
    id: int | None = Field(default=None, primary_key=True)


class LessonMark(SQLModel, table=True):
    """One person found a lesson useful, or applied it (on a project)."""

    __tablename__ = "lesson_mark"
    __table_args__ = (
        sa.UniqueConstraint("lesson_id", "person_id", "kind", name="uq_lesson_mark"),
        sa.CheckConstraint(_in("kind", MARK_KINDS), name="ck_lesson_mark_kind"),
    )
    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lesson.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    project_id: int | None = Field(default=None, foreign_key="project.id")
    kind: str
    marked_on: dt.date


def not_search_index(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: leave the full-text index (made by hand in 0025) out of
    autogenerate's comparison with the models."""
    return not (name or "").startswith(SEARCH_OBJECTS)
