"""Training and competence: the course catalogue, what each person completed (with expiry),
and the PMO's rule of which courses a project manager needs by project size and risk level."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from data_access.core.lesson_models import PROJECT_SIZES
from data_access.core.models import NAME_MAX, Versioned, _check_choice, _in, _strip

COURSE_KINDS = ("course", "certification")
# What a line of the competence rule applies to: a project size, or a project whose highest open
# risk is High (or worse) or Critical.
RISK_CLASSES = ("risk_high", "risk_critical")
RULE_CLASSES = (*PROJECT_SIZES, *RISK_CLASSES)


class CourseBase(SQLModel):
    name: str = Field(min_length=2, max_length=NAME_MAX)
    kind: str = "course"
    provider: str = Field(default="", max_length=NAME_MAX)
    # How long it stays valid; None: it never expires (an internal onboarding).
    valid_months: int | None = Field(default=None, ge=1, le=120)

    _strip_name = field_validator("name", mode="before")(_strip)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _check_choice(v, COURSE_KINDS, "kind")


class Course(CourseBase, Versioned, table=True):
    __table_args__ = (sa.CheckConstraint(_in("kind", COURSE_KINDS), name="ck_course_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, sa_column_kwargs={"unique": True})


class TrainingRecordBase(SQLModel):
    person_id: int = Field(foreign_key="person.id", index=True)
    course_id: int = Field(foreign_key="course.id")
    completed_on: dt.date
    expires_on: dt.date | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.expires_on is not None and self.expires_on < self.completed_on:
            raise ValueError("expiry must not be before completion")
        return self


class TrainingRecord(TrainingRecordBase, Versioned, table=True):
    __tablename__ = "training_record"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "course_id", name="uq_training_person_course"),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= completed_on", name="ck_training_dates"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)


class CompetenceRule(SQLModel, table=True):
    """A project manager of a project of this size or risk level must hold this course."""

    __tablename__ = "competence_rule"
    __table_args__ = (
        sa.UniqueConstraint("applies_to", "course_id", name="uq_competence_rule"),
        sa.CheckConstraint(_in("applies_to", RULE_CLASSES), name="ck_competence_applies_to"),
    )
    id: int | None = Field(default=None, primary_key=True)
    applies_to: str
    course_id: int = Field(foreign_key="course.id")
