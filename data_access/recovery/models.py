"""Tables of the path to green.

A recovery plan is kept with the status update that carried it (append-only, like the
report), so the history of the expected back-to-green date is a plain read of the plans.
Recovery actions are rows of the meeting's `action` table (origin 'recovery'). An
escalation is what a project manager asks of whom, by when and why; it is answered by a
decision recorded in a review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from data_access.models import NAME_MAX, TEXT_MAX, Versioned, _check_choice, _in, _strip, utcnow

CONFIDENCE = ("high", "medium", "low")
ASKED_OF = ("sponsor", "portfolio_manager", "steering_group")
ESCALATION_STATUSES = ("open", "answered")


class RecoveryPlanBase(SQLModel):
    project_id: int = Field(foreign_key="project.id", index=True)
    # The cause is one of the PMO's list (a setting), so it is checked against the setting
    # when written, not by a CHECK constraint.
    cause: str = Field(min_length=1, max_length=60)
    expected_green_date: dt.date
    confidence: str = "medium"
    note: str = Field(default="", max_length=TEXT_MAX)

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, v: Any) -> Any:
        return _check_choice(v, CONFIDENCE, "confidence")


class RecoveryPlanCreate(RecoveryPlanBase):
    pass


class RecoveryPlan(RecoveryPlanBase, table=True):
    __tablename__ = "recovery_plan"
    __table_args__ = (
        sa.CheckConstraint(_in("confidence", CONFIDENCE), name="ck_recovery_confidence"),
        sa.Index("ix_recovery_plan_project_date", "project_id", "report_date"),
    )
    id: int | None = Field(default=None, primary_key=True)
    status_report_id: int = Field(foreign_key="status_report.id", unique=True)
    report_date: dt.date
    author_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class EscalationBase(SQLModel):
    project_id: int = Field(foreign_key="project.id", index=True)
    ask: str = Field(min_length=1, max_length=NAME_MAX)
    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    asked_of: str = "steering_group"
    needed_by: dt.date

    _strip_text = field_validator("ask", "reason", mode="before")(_strip)

    @field_validator("asked_of")
    @classmethod
    def _asked_of(cls, v: Any) -> Any:
        return _check_choice(v, ASKED_OF, "asked of")


class EscalationCreate(EscalationBase):
    pass


class Escalation(EscalationBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("asked_of", ASKED_OF), name="ck_escalation_asked_of"),
        sa.CheckConstraint(_in("status", ESCALATION_STATUSES), name="ck_escalation_status"),
        sa.Index("ix_escalation_status_needed_by", "status", "needed_by"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # The person it lands with (the sponsor, the program's manager); none for the group.
    asked_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    raised_by_id: int | None = Field(default=None, foreign_key="person.id")
    raised_on: dt.date
    status: str = "open"
    decision_id: int | None = Field(default=None, foreign_key="raid_item.id")
    answered_on: dt.date | None = None
