"""The PMO domain as SQLModel tables.

Families follow one pattern: `XBase` holds the fields a user may set, `XCreate` / `XUpdate`
validate input, and `X(table=True)` adds ids, the optimistic-concurrency `version` and
timestamps. History tables (status reports, milestone history, risk assessments, audit log)
are append-only: they have no Update schema and no version.

Vocabularies are plain strings backed by CHECK constraints, so that PostgreSQL and SQLite
behave the same and adding a value is a one-line migration, not an enum type change.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlsplit

import pydantic
import sqlalchemy as sa
from pydantic import (
    AfterValidator,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlmodel import Field, SQLModel

from data_access.core import clock

# --- vocabularies -----------------------------------------------------------------------

ROLES = ("admin", "portfolio_manager", "project_manager", "viewer")
PHASES = ("Idea", "Initiation", "Planning", "Execution", "Closing", "Closed")
PROJECT_STATUSES = ("proposed", "active", "on hold", "completed", "cancelled")
PRIORITIES = ("critical", "high", "medium", "low")
RAG = ("G", "A", "R")
RISK_KINDS = ("threat", "opportunity")
THREAT_RESPONSES = ("avoid", "mitigate", "transfer", "accept")
OPPORTUNITY_RESPONSES = ("exploit", "enhance", "share", "accept")
RISK_RESPONSES = tuple(dict.fromkeys(THREAT_RESPONSES + OPPORTUNITY_RESPONSES))
OPEN_CLOSED = ("open", "closed")
RAID_KINDS = ("assumption", "issue", "dependency", "decision")
MILESTONE_CHANGES = ("created", "forecast", "completed", "rebaselined", "removed", "reopened")
ACTION_STATUSES = ("open", "done")
# Where an action came from: agreed in a review, or part of a project's recovery plan.
ACTION_ORIGINS = ("review", "recovery")

NAME_MAX = 200
TEXT_MAX = 4000


def _in(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    rule = f"{column} IN ({quoted})"
    return f"({column} IS NULL OR {rule})" if nullable else rule


def _check_choice(value: Any, values: tuple[str, ...], label: str) -> Any:
    if value is not None and value not in values:
        raise ValueError(f"{label} must be one of: {', '.join(values)}")
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def utcnow() -> dt.datetime:
    """When a record is written: the app's clock, which a pinned day moves (core.clock)."""
    return clock.now()


class Versioned(SQLModel):
    """Columns every editable table carries."""

    version: int = Field(default=1, ge=1)
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


# --- organisation -----------------------------------------------------------------------


class PortfolioBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)

    _strip_name = field_validator("name", mode="before")(_strip)


class PortfolioCreate(PortfolioBase):
    pass


class PortfolioUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=TEXT_MAX)


class Portfolio(PortfolioBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, sa_column_kwargs={"unique": True})


class ProgramBase(SQLModel):
    portfolio_id: int = Field(foreign_key="portfolio.id", index=True)
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    manager_id: int | None = Field(default=None, foreign_key="person.id")


class ProgramCreate(ProgramBase):
    pass


class ProgramUpdate(SQLModel):
    portfolio_id: int | None = None
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: str | None = Field(default=None, max_length=TEXT_MAX)
    manager_id: int | None = None


class Program(ProgramBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, sa_column_kwargs={"unique": True})


class DepartmentBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    code: str = Field(min_length=1, max_length=20)


class DepartmentCreate(DepartmentBase):
    pass


class DepartmentUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    code: str | None = Field(default=None, min_length=1, max_length=20)


class Department(DepartmentBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, sa_column_kwargs={"unique": True})
    code: str = Field(max_length=20, sa_column_kwargs={"unique": True})


class PersonBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    email: str = Field(min_length=3, max_length=254)
    role: str = Field(default="viewer")
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    skill: str = Field(default="", max_length=NAME_MAX)
    weekly_capacity_hours: float = Field(default=40.0, ge=0, le=168)
    active: bool = True

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            if "@" not in value or value.startswith("@") or value.endswith("@"):
                raise ValueError("must be an e-mail address such as jane@example.org")
        return value

    @field_validator("role")
    @classmethod
    def _role(cls, value: Any) -> Any:
        return _check_choice(value, ROLES, "role")


class PersonCreate(PersonBase):
    pass


class PersonUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    email: str | None = Field(default=None, min_length=3, max_length=254)
    role: str | None = None
    department_id: int | None = None
    skill: str | None = Field(default=None, max_length=NAME_MAX)
    weekly_capacity_hours: float | None = Field(default=None, ge=0, le=168)
    active: bool | None = None


class Person(PersonBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES), name="ck_person_role"),
        sa.CheckConstraint("weekly_capacity_hours >= 0", name="ck_person_capacity"),
    )
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    # Argon2 hash; NULL for people who only sign in through single sign-on.
    password_hash: str | None = Field(default=None, max_length=255)
    is_demo_account: bool = False


class LoginAttempt(SQLModel, table=True):
    """Kept to rate-limit failed sign-ins per e-mail address."""

    __tablename__ = "login_attempt"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    success: bool = False
    # The address the attempt came from, so guessing from one client is slowed down too.
    client: str | None = Field(default=None, max_length=100, index=True)


class SignInSession(SQLModel, table=True):
    """One browser's sign-in, kept on the server so that it can be ended (core.sessions).

    The browser holds only a random token in an HttpOnly cookie; the table keeps its SHA-256,
    so a copied database (or backup) gives no usable token.
    """

    __tablename__ = "sign_in_session"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    # The role the token was issued for: a role change rotates the token.
    role: str = Field(max_length=30)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    # One-time code the page trades for the cookie, seconds after the sign-in.
    code_hash: str | None = Field(default=None, max_length=64, unique=True)
    code_expires_at: dt.datetime | None = None
    created_at: dt.datetime
    last_used_at: dt.datetime
    expires_at: dt.datetime
    client: str | None = Field(default=None, max_length=100)
    user_agent: str | None = Field(default=None, max_length=300)
    ended_at: dt.datetime | None = Field(default=None, index=True)
    end_reason: str | None = Field(default=None, max_length=40)
    # A single sign-on: the SHA-256 of the provider's sign-in (issuer, subject, issue time).
    # Once a session of it has ended, that sign-in opens no other: the provider's cookie
    # alone does not sign in again after a sign-out, an admin or the idle timeout.
    sso_hash: str | None = Field(default=None, max_length=64, index=True)


# --- projects ---------------------------------------------------------------------------


class ProjectBase(SQLModel):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    program_id: int = Field(foreign_key="program.id", index=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    sponsor_id: int | None = Field(default=None, foreign_key="person.id")
    manager_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    phase: str = "Initiation"
    status: str = "active"
    priority: str = "medium"
    baseline_start: dt.date
    baseline_finish: dt.date
    forecast_finish: dt.date
    actual_finish: dt.date | None = None
    approved_budget: float = Field(default=0, ge=0, le=1e13)
    actual_cost: float = Field(default=0, ge=0, le=1e13)
    forecast_at_completion: float = Field(default=0, ge=0, le=1e13)
    percent_complete: float = Field(default=0, ge=0, le=100)

    _strip_text = field_validator("code", "name", mode="before")(_strip)

    @field_validator("phase")
    @classmethod
    def _phase(cls, v: Any) -> Any:
        return _check_choice(v, PHASES, "phase")

    @field_validator("status")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _check_choice(v, PROJECT_STATUSES, "status")

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: Any) -> Any:
        return _check_choice(v, PRIORITIES, "priority")

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.baseline_finish < self.baseline_start:
            raise ValueError("baseline finish must not be before baseline start")
        if self.forecast_finish < self.baseline_start:
            raise ValueError("forecast finish must not be before baseline start")
        return self


class ProjectCreate(ProjectBase):
    pass


class ProjectUpdate(SQLModel):
    """Every field optional; the write function re-validates the merged record as ProjectBase."""

    code: str | None = None
    name: str | None = None
    description: str | None = None
    program_id: int | None = None
    department_id: int | None = None
    sponsor_id: int | None = None
    manager_id: int | None = None
    phase: str | None = None
    status: str | None = None
    priority: str | None = None
    baseline_start: dt.date | None = None
    baseline_finish: dt.date | None = None
    forecast_finish: dt.date | None = None
    actual_finish: dt.date | None = None
    approved_budget: float | None = None
    actual_cost: float | None = None
    forecast_at_completion: float | None = None
    percent_complete: float | None = None


class Project(ProjectBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint("baseline_finish >= baseline_start", name="ck_project_dates"),
        sa.CheckConstraint("forecast_finish >= baseline_start", name="ck_project_forecast"),
        sa.CheckConstraint(_in("phase", PHASES), name="ck_project_phase"),
        sa.CheckConstraint(_in("status", PROJECT_STATUSES), name="ck_project_status"),
        sa.CheckConstraint(_in("priority", PRIORITIES), name="ck_project_priority"),
        sa.CheckConstraint(
            "approved_budget >= 0 AND actual_cost >= 0 AND forecast_at_completion >= 0",
            name="ck_project_money",
        ),
        sa.CheckConstraint(
            "percent_complete >= 0 AND percent_complete <= 100", name="ck_project_percent"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, sa_column_kwargs={"unique": True})


# --- weekly status reports (append-only) ------------------------------------------------


class StatusReportBase(SQLModel):
    project_id: int = Field(foreign_key="project.id")
    report_date: dt.date
    author_id: int | None = Field(default=None, foreign_key="person.id")
    # Effective RAG per dimension as reported (the PM's choice; equal to the computed value
    # unless the PM overrode it). Scope has no computed signal, so it is always the PM's.
    schedule_rag: str = "G"
    cost_rag: str = "G"
    scope_rag: str = "G"
    risk_rag: str = "G"
    # Snapshot of the overall health at the time of the report (computed worst-of, or the
    # override), so that health over time is a plain read.
    overall_rag: str = "G"
    override_rag: str | None = None
    override_reason: str = Field(default="", max_length=TEXT_MAX)
    summary: str = Field(default="", max_length=TEXT_MAX)
    achievements: str = Field(default="", max_length=TEXT_MAX)
    next_steps: str = Field(default="", max_length=TEXT_MAX)
    blockers: str = Field(default="", max_length=TEXT_MAX)
    percent_complete: float = Field(default=0, ge=0, le=100)
    cost_to_date: float = Field(default=0, ge=0, le=1e13)
    forecast_at_completion: float = Field(default=0, ge=0, le=1e13)
    planned_value: float | None = Field(default=None, ge=0, le=1e13)

    @field_validator("schedule_rag", "cost_rag", "scope_rag", "risk_rag", "overall_rag")
    @classmethod
    def _rag(cls, v: Any) -> Any:
        return _check_choice(v, RAG, "RAG")

    @field_validator("override_rag")
    @classmethod
    def _override(cls, v: Any) -> Any:
        return _check_choice(v, RAG, "override")

    @model_validator(mode="after")
    def _override_needs_reason(self):
        if self.override_rag is not None and not self.override_reason.strip():
            raise ValueError("an override needs a reason")
        return self


class StatusReportCreate(StatusReportBase):
    pass


class StatusReport(StatusReportBase, table=True):
    __tablename__ = "status_report"
    __table_args__ = (
        sa.Index("ix_status_report_project_date", "project_id", "report_date"),
        sa.Index("ix_status_report_date", "report_date"),
        *(
            sa.CheckConstraint(_in(col, RAG), name=f"ck_status_{col}")
            for col in ("schedule_rag", "cost_rag", "scope_rag", "risk_rag", "overall_rag")
        ),
        sa.CheckConstraint(_in("override_rag", RAG, nullable=True), name="ck_status_override"),
        sa.CheckConstraint(
            "percent_complete >= 0 AND percent_complete <= 100", name="ck_status_percent"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


# --- milestones -------------------------------------------------------------------------


class MilestoneBase(SQLModel):
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str = Field(min_length=1, max_length=NAME_MAX)
    baseline_date: dt.date
    forecast_date: dt.date
    actual_date: dt.date | None = None
    is_key: bool = False

    _strip_name = field_validator("name", mode="before")(_strip)


class MilestoneCreate(MilestoneBase):
    pass


class MilestoneUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    forecast_date: dt.date | None = None
    actual_date: dt.date | None = None
    is_key: bool | None = None


class Milestone(MilestoneBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The day the milestone entered the plan and, if it left it, the day it did: the
    # burndown's scope line is drawn from these.
    added_on: dt.date
    removed_on: dt.date | None = None


class MilestoneHistory(SQLModel, table=True):
    """One row per change of a milestone's dates, with the day it was reported on."""

    __tablename__ = "milestone_history"
    __table_args__ = (
        sa.Index("ix_milestone_history_ms_date", "milestone_id", "reported_on"),
        sa.Index("ix_milestone_history_date", "reported_on"),
        sa.CheckConstraint(_in("change", MILESTONE_CHANGES), name="ck_milestone_history_change"),
    )
    id: int | None = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id")
    project_id: int = Field(foreign_key="project.id", index=True)
    reported_on: dt.date
    change: str
    baseline_date: dt.date
    forecast_date: dt.date
    actual_date: dt.date | None = None
    reason: str = Field(default="", max_length=TEXT_MAX)
    author_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


# --- risks ------------------------------------------------------------------------------


class RiskBase(SQLModel):
    project_id: int = Field(foreign_key="project.id", index=True)
    title: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    category: str = Field(default="", max_length=60)
    kind: str = "threat"
    probability: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    residual_probability: int | None = Field(default=None, ge=1, le=5)
    residual_impact: int | None = Field(default=None, ge=1, le=5)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    response: str = "mitigate"
    mitigation: str = Field(default="", max_length=TEXT_MAX)
    response_due: dt.date | None = None
    proximity: dt.date | None = None
    status: str = "open"

    _strip_title = field_validator("title", mode="before")(_strip)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _check_choice(v, RISK_KINDS, "kind")

    @field_validator("status")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _check_choice(v, OPEN_CLOSED, "status")

    @model_validator(mode="after")
    def _response_fits_kind(self):
        allowed = OPPORTUNITY_RESPONSES if self.kind == "opportunity" else THREAT_RESPONSES
        _check_choice(self.response, allowed, f"response for a {self.kind}")
        if (self.residual_probability is None) != (self.residual_impact is None):
            raise ValueError("residual probability and impact are given together")
        return self


class RiskCreate(RiskBase):
    pass


class RiskUpdate(SQLModel):
    title: str | None = None
    description: str | None = None
    category: str | None = None
    kind: str | None = None
    probability: int | None = None
    impact: int | None = None
    residual_probability: int | None = None
    residual_impact: int | None = None
    owner_id: int | None = None
    response: str | None = None
    mitigation: str | None = None
    response_due: dt.date | None = None
    proximity: dt.date | None = None
    status: str | None = None


class Risk(RiskBase, Versioned, table=True):
    __table_args__ = (
        sa.Index("ix_risk_project_status", "project_id", "status"),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name="ck_risk_probability"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="ck_risk_impact"),
        sa.CheckConstraint(
            "residual_probability IS NULL OR residual_probability BETWEEN 1 AND 5",
            name="ck_risk_residual_probability",
        ),
        sa.CheckConstraint(
            "residual_impact IS NULL OR residual_impact BETWEEN 1 AND 5",
            name="ck_risk_residual_impact",
        ),
        sa.CheckConstraint(_in("kind", RISK_KINDS), name="ck_risk_kind"),
        sa.CheckConstraint(_in("response", RISK_RESPONSES), name="ck_risk_response"),
        sa.CheckConstraint(_in("status", OPEN_CLOSED), name="ck_risk_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    raised_on: dt.date
    closed_on: dt.date | None = None
    last_assessed_on: dt.date


class RiskAssessment(SQLModel, table=True):
    """Every (re-)assessment of a risk, so exposure can be drawn over time."""

    __tablename__ = "risk_assessment"
    __table_args__ = (
        sa.Index("ix_risk_assessment_risk_date", "risk_id", "assessed_on"),
        sa.Index("ix_risk_assessment_date", "assessed_on"),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name="ck_assessment_probability"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="ck_assessment_impact"),
        sa.CheckConstraint(
            "residual_probability IS NULL OR residual_probability BETWEEN 1 AND 5",
            name="ck_assessment_residual_probability",
        ),
        sa.CheckConstraint(
            "residual_impact IS NULL OR residual_impact BETWEEN 1 AND 5",
            name="ck_assessment_residual_impact",
        ),
        sa.CheckConstraint(_in("status", OPEN_CLOSED), name="ck_assessment_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id")
    project_id: int = Field(foreign_key="project.id", index=True)
    assessed_on: dt.date
    probability: int
    impact: int
    residual_probability: int | None = None
    residual_impact: int | None = None
    status: str = "open"
    note: str = Field(default="", max_length=TEXT_MAX)
    assessor_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


# --- other RAID items: assumptions, issues, dependencies, decisions ----------------------


class RaidItemBase(SQLModel):
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: str
    title: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    status: str = "open"
    due_date: dt.date | None = None
    # Dependencies: this project waits on the provider project (and optionally one of its
    # milestones) by the need-by date.
    provider_project_id: int | None = Field(default=None, foreign_key="project.id")
    provider_milestone_id: int | None = Field(default=None, foreign_key="milestone.id")
    need_by: dt.date | None = None
    # Decisions: when and in which review they were taken.
    decided_on: dt.date | None = None
    review_id: int | None = Field(default=None, foreign_key="review.id")

    _strip_title = field_validator("title", mode="before")(_strip)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _check_choice(v, RAID_KINDS, "kind")

    @field_validator("status")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _check_choice(v, OPEN_CLOSED, "status")

    @model_validator(mode="after")
    def _dependency_has_provider(self):
        if self.kind == "dependency":
            if self.provider_project_id is None:
                raise ValueError("a dependency names the project it waits on")
            if self.provider_project_id == self.project_id:
                raise ValueError("a project cannot depend on itself")
        return self


class RaidItemCreate(RaidItemBase):
    pass


class RaidItemUpdate(SQLModel):
    title: str | None = None
    description: str | None = None
    owner_id: int | None = None
    status: str | None = None
    due_date: dt.date | None = None
    provider_project_id: int | None = None
    provider_milestone_id: int | None = None
    need_by: dt.date | None = None
    decided_on: dt.date | None = None


class RaidItem(RaidItemBase, Versioned, table=True):
    __tablename__ = "raid_item"
    __table_args__ = (
        sa.Index("ix_raid_item_kind_status", "kind", "status"),
        sa.CheckConstraint(_in("kind", RAID_KINDS), name="ck_raid_kind"),
        sa.CheckConstraint(_in("status", OPEN_CLOSED), name="ck_raid_status"),
        sa.CheckConstraint(
            "kind <> 'dependency' OR provider_project_id IS NOT NULL",
            name="ck_raid_dependency_provider",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    raised_on: dt.date
    closed_on: dt.date | None = None


# --- reviews and actions (meeting mode) --------------------------------------------------


class ReviewBase(SQLModel):
    title: str = Field(min_length=1, max_length=NAME_MAX)
    held_on: dt.date
    notes: str = Field(default="", max_length=TEXT_MAX)


class ReviewCreate(ReviewBase):
    pass


class ReviewUpdate(SQLModel):
    title: str | None = None
    held_on: dt.date | None = None
    notes: str | None = None


class Review(ReviewBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")


class ActionBase(SQLModel):
    title: str = Field(min_length=1, max_length=NAME_MAX)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    review_id: int | None = Field(default=None, foreign_key="review.id", index=True)
    owner_id: int | None = Field(default=None, foreign_key="person.id")
    due_date: dt.date | None = None
    status: str = "open"
    # A condition of a "Go with conditions" gate decision.
    gate_review_id: int | None = Field(default=None, foreign_key="gate_review.id", index=True)

    origin: str = "review"

    @field_validator("status")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _check_choice(v, ACTION_STATUSES, "status")

    @field_validator("origin")
    @classmethod
    def _origin(cls, v: Any) -> Any:
        return _check_choice(v, ACTION_ORIGINS, "origin")


class ActionCreate(ActionBase):
    pass


class ActionUpdate(SQLModel):
    title: str | None = None
    owner_id: int | None = None
    due_date: dt.date | None = None
    status: str | None = None


class Action(ActionBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("status", ACTION_STATUSES), name="ck_action_status"),
        sa.CheckConstraint(_in("origin", ACTION_ORIGINS), name="ck_action_origin"),
    )
    id: int | None = Field(default=None, primary_key=True)
    closed_on: dt.date | None = None


# --- resources --------------------------------------------------------------------------


class AllocationBase(SQLModel):
    person_id: int = Field(foreign_key="person.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    start_date: dt.date
    end_date: dt.date
    hours_per_week: float = Field(gt=0, le=168)

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.end_date < self.start_date:
            raise ValueError("end date must not be before start date")
        return self


class AllocationCreate(AllocationBase):
    pass


class AllocationUpdate(SQLModel):
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    hours_per_week: float | None = None


class Allocation(AllocationBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="ck_allocation_dates"),
        sa.CheckConstraint(
            "hours_per_week > 0 AND hours_per_week <= 168", name="ck_allocation_hours"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)


class AbsenceBase(SQLModel):
    """A person away (leave, training...): their capacity is zero on those working days."""

    person_id: int = Field(foreign_key="person.id", index=True)
    start_date: dt.date
    end_date: dt.date
    reason: str = Field(default="Leave", min_length=1, max_length=NAME_MAX)

    _strip_reason = field_validator("reason", mode="before")(_strip)

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.end_date < self.start_date:
            raise ValueError("end date must not be before start date")
        return self


class AbsenceCreate(AbsenceBase):
    pass


class AbsenceUpdate(SQLModel):
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    reason: str | None = None


class Absence(AbsenceBase, Versioned, table=True):
    __table_args__ = (sa.CheckConstraint("end_date >= start_date", name="ck_absence_dates"),)
    id: int | None = Field(default=None, primary_key=True)


# --- settings, audit, data version ------------------------------------------------------


class Setting(SQLModel, table=True):
    """A PMO admin's setting (thresholds, stale days, currency...), stored as JSON."""

    key: str = Field(primary_key=True, max_length=80)
    value: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    version: int = 1
    updated_at: dt.datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Who changed what, when, with the record before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_entity", "entity", "entity_id"),
        sa.Index("ix_audit_project_at", "project_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    actor_name: str = Field(default="", max_length=NAME_MAX)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    project_id: int | None = None
    before: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    after: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))


class DeckTemplate(SQLModel, table=True):
    """The organisation's PowerPoint template for the review deck; every upload is kept, the
    active one (at most one) is used (see deck.template)."""

    __tablename__ = "deck_template"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX)
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    size: int
    sha256: str = Field(max_length=64)
    active: bool = Field(default=True, index=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="person.id")
    version: int = 1
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class DataVersion(SQLModel, table=True):
    """A single row bumped by every write."""

    __tablename__ = "data_version"
    id: int = Field(default=1, primary_key=True)
    version: int = 0


class TableVersion(SQLModel, table=True):
    """Per table, bumped by every write that changed it; cached reads are kept while the
    tables they read keep their versions (components.common.cache)."""

    __tablename__ = "table_version"
    name: str = Field(max_length=64, primary_key=True)
    version: int = 0


class ProjectChange(SQLModel, table=True):
    """The projects each version of a table keyed by project changed: a cached read of one row
    per project recomputes those projects only. `all_projects`: the write could not say which
    (every project is read again); neither a project nor `all_projects`: rows of no project."""

    __tablename__ = "project_change"
    __table_args__ = (sa.Index("ix_project_change_table_version", "table_name", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=64)
    version: int
    project_id: int | None = None
    all_projects: bool = False


class KeptRead(SQLModel, table=True):
    """A cached read's last full result, so that a newly started server process starts from it
    instead of reading every project again (components.common.cache, `in_database=True`). One
    row per table of the result; `depends`: the table versions it was read at (JSON)."""

    __tablename__ = "kept_read"
    key: str = Field(max_length=40, primary_key=True)
    part: str = Field(default="", max_length=64, primary_key=True)
    depends: str
    payload: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    written_at: dt.datetime


# --- path to green: recovery plans and escalations ----------------------------------------
# A recovery plan is kept with the status update that carried it (append-only, like the
# report), so the history of the expected back-to-green date is a plain read of the plans.
# Recovery actions are rows of `action` (origin 'recovery'). An escalation is what a project
# manager asks of whom, by when and why; a review answers it with a decision.

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


def worst_rag(*values: str | None) -> str:
    """Worst-of rule for overall health: R beats A beats G; missing values are ignored."""
    present = [v for v in values if v in RAG]
    return max(present, key=RAG.index) if present else "G"


# --- methodology: lifecycle templates and stage gates (issue 16) -----------------------------

GATE_DECISIONS = ("go", "go_conditions", "hold", "recycle", "stop")
GATE_STATES = ("submitted", "decided")
TEMPLATE_STATES = ("active", "retired")
LIFECYCLE_STATES = ("active", "completed", "stopped")
APPROVER_ROLES = ("sponsor", "portfolio_manager", "pmo")
CRITERION_KINDS = ("auto", "attested")
# The rules a criterion checked by the app may name: the keys of domain.gates.CHECKS (which
# lives above this layer; tests/test_gates.py keeps the two alike).
CHECK_NAMES = (
    "budget_approved",
    "status_recent",
    "plan_baselined",
    "high_risks_answered",
    "risks_reviewed",
    "phase_milestones_done",
    "gate_actions_closed",
)
URL_MAX = 2000
LIST_MAX = 30


def _field_errors(title: str, errors: list[tuple[tuple, str, Any]]) -> pydantic.ValidationError:
    """Rules over several fields reported at the fields they point at: pydantic keeps the path
    of a ValidationError raised in a validator, so the form shows each by its field."""
    details = [
        InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)
        for loc, message, value in errors
    ]
    return pydantic.ValidationError.from_exception_data(title, details)


def _http_url(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:  # a malformed host, such as an unclosed [
        parts = None
    if not parts or parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
        raise ValueError("must be a web address starting with https:// or http://")
    return value


def _approver(value: str) -> str:
    return _check_choice(value, APPROVER_ROLES, "approver")


ListItem = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)
]
Link = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=URL_MAX), AfterValidator(_http_url)
]
Approver = Annotated[str, AfterValidator(_approver)]


class CriterionDef(SQLModel):
    """One criterion of a gate: checked by the app (`check` names the rule) or attested."""

    # Stable across revisions: gate records name the criteria they were judged on by id.
    id: str = Field(min_length=1, max_length=60)
    kind: str = "auto"
    check: str = Field(default="", max_length=60)
    label: str = Field(min_length=1, max_length=NAME_MAX)
    must: bool = True

    _strip_label = field_validator("label", mode="before")(_strip)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _check_choice(v, CRITERION_KINDS, "criterion kind")

    @field_validator("check")
    @classmethod
    def _check_named(cls, v: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind == "attested":
            return ""
        if kind == "auto" and v not in CHECK_NAMES:
            raise ValueError(
                "choose which check the app runs" if not v else "is not a check the app knows"
            )
        return v

    @model_validator(mode="after")
    def _auto_names_check(self):
        # `check` left out altogether: its field rule did not run.
        if self.kind == "auto" and not self.check:
            raise _field_errors(
                "CriterionDef", [(("check",), "choose which check the app runs", "")]
            )
        return self


class PhaseDef(SQLModel):
    """A phase of a lifecycle and the gate at its end."""

    name: str = Field(min_length=1, max_length=NAME_MAX)
    # The standard phase (PHASES) the portfolio filters and charts show for this phase.
    stage: str
    weeks: int = Field(default=8, ge=1, le=260)
    guidance: str = Field(default="", max_length=TEXT_MAX)
    deliverables: list[ListItem] = Field(default=[], max_length=LIST_MAX)
    links: list[Link] = Field(default=[], max_length=LIST_MAX)
    gate: str = Field(min_length=1, max_length=NAME_MAX)
    approvers: list[Approver] = ["pmo"]
    criteria: list[CriterionDef] = Field(default=[], max_length=LIST_MAX)

    _strip_names = field_validator("name", "gate", mode="before")(_strip)

    @field_validator("stage")
    @classmethod
    def _stage(cls, v: Any) -> Any:
        return _check_choice(v, PHASES, "stage")

    @field_validator("approvers")
    @classmethod
    def _approvers(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("a gate names at least one approver")
        return list(dict.fromkeys(v))


class LifecycleTemplateBase(SQLModel):
    # Revisions of one template share its key; a project follows one revision.
    key: str = Field(min_length=1, max_length=60)
    revision: int = Field(default=1, ge=1)
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    status: str = "active"
    phases: list[PhaseDef] = Field(default_factory=list, max_length=LIST_MAX)

    _strip_name = field_validator("key", "name", mode="before")(_strip)

    @field_validator("status")
    @classmethod
    def _status(cls, v: Any) -> Any:
        return _check_choice(v, TEMPLATE_STATES, "status")

    @field_validator("phases")
    @classmethod
    def _phases(cls, v: list) -> list[PhaseDef]:
        if len(v) < 2:
            raise ValueError("a lifecycle has at least two phases")
        phases = [PhaseDef.model_validate(p) for p in v]
        names: set[str] = set()
        ids: set[str] = set()
        errors = []
        for i, phase in enumerate(phases):
            if phase.name.casefold() in names:
                errors.append(((i, "name"), "another phase has this name", phase.name))
            names.add(phase.name.casefold())
            for k, c in enumerate(phase.criteria):
                if c.id in ids:
                    errors.append(((i, "criteria", k, "id"), "is used twice", c.id))
                ids.add(c.id)
        if errors:
            raise _field_errors("LifecycleTemplate", errors)
        return phases


class LifecycleTemplateCreate(LifecycleTemplateBase):
    pass


class LifecycleTemplate(LifecycleTemplateBase, Versioned, table=True):
    __tablename__ = "lifecycle_template"
    __table_args__ = (
        sa.UniqueConstraint("key", "revision", name="uq_template_key_revision"),
        sa.CheckConstraint(_in("status", TEMPLATE_STATES), name="ck_template_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    phases: list[dict] = Field(sa_column=sa.Column(sa.JSON, nullable=False))


class ProjectLifecycle(Versioned, table=True):
    """Where a project stands in its lifecycle: the template revision, phase and gate due."""

    __tablename__ = "project_lifecycle"
    __table_args__ = (
        sa.CheckConstraint(_in("status", LIFECYCLE_STATES), name="ck_lifecycle_status"),
        sa.CheckConstraint("phase_index >= 0", name="ck_lifecycle_phase"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", sa_column_kwargs={"unique": True})
    template_id: int = Field(foreign_key="lifecycle_template.id", index=True)
    phase_index: int = 0
    phase_started_on: dt.date
    gate_due: dt.date | None = None
    status: str = "active"


COMPLIANCE_STATES = ("compliant", "late", "missing")
COMPLIANCE_POLICIES = ("status", "risks", "gate", "criteria", "baselines")


class ComplianceWeek(SQLModel, table=True):
    """A project's process compliance per policy as it stood at the end of a past week,
    recorded once by the worker (worker.jobs.record_compliance): compliance over time reads
    these instead of working the history out again, and later edits do not rewrite them."""

    __tablename__ = "compliance_week"
    __table_args__ = tuple(
        sa.CheckConstraint(_in(p, COMPLIANCE_STATES), name=f"ck_compliance_week_{p}")
        for p in COMPLIANCE_POLICIES
    )

    week_end: dt.date = Field(primary_key=True)
    project_id: int = Field(primary_key=True, foreign_key="project.id")
    status: str = Field(max_length=9)
    risks: str = Field(max_length=9)
    gate: str = Field(max_length=9)
    criteria: str = Field(max_length=9)
    baselines: str = Field(max_length=9)


class GateReview(Versioned, table=True):
    """One submission of a gate and the decision taken on it (Hold or Recycle: submit again)."""

    __tablename__ = "gate_review"
    __table_args__ = (
        sa.Index("ix_gate_review_project", "project_id", "id"),
        # At most one submission per project waits for a decision, even when two save at once.
        sa.Index(
            "uq_gate_review_pending",
            "project_id",
            unique=True,
            sqlite_where=sa.text("status = 'submitted'"),
            postgresql_where=sa.text("status = 'submitted'"),
        ),
        sa.CheckConstraint(_in("status", GATE_STATES), name="ck_gate_status"),
        sa.CheckConstraint(_in("decision", GATE_DECISIONS, nullable=True), name="ck_gate_decision"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    template_id: int = Field(foreign_key="lifecycle_template.id")
    phase_index: int
    planned_on: dt.date | None = None
    status: str = "submitted"
    submitted_on: dt.date
    submitted_by_id: int | None = Field(default=None, foreign_key="person.id")
    note: str = Field(default="", max_length=TEXT_MAX)
    # The criteria as the app found them at submission: [{id, label, kind, must, met, reason}].
    criteria: list[dict] = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    # How many must-meet criteria were unmet at submission (compliance reads it in SQL).
    unmet: int = 0
    decision: str | None = None
    decided_on: dt.date | None = Field(default=None, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    reason: str = Field(default="", max_length=TEXT_MAX)


class GateEvidence(SQLModel, table=True):
    """What a person attests for a criterion: a link and/or a file, and a comment."""

    __tablename__ = "gate_evidence"
    id: int | None = Field(default=None, primary_key=True)
    gate_review_id: int = Field(foreign_key="gate_review.id", index=True)
    criterion_id: str = Field(max_length=60)
    comment: str = Field(default="", max_length=TEXT_MAX)
    link: str = Field(default="", max_length=2000)
    file_name: str = Field(default="", max_length=NAME_MAX)
    content: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    attested_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


# --- API access -------------------------------------------------------------------------

TOKEN_SCOPES = ("read", "read-write")


class ApiTokenCreate(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    scope: str = "read"
    expires_on: dt.date

    _strip_name = field_validator("name", mode="before")(_strip)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: Any) -> Any:
        return _check_choice(value, TOKEN_SCOPES, "scope")


class ApiToken(SQLModel, table=True):
    """The secret is shown once at creation; `token_hash` (SHA-256 of a 256-bit random
    secret: no password-hash stretching needed) finds it again; `prefix` tells tokens apart."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    name: str = Field(max_length=NAME_MAX)
    scope: str = Field(max_length=20)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_on: dt.date
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    version: int = Field(default=1, ge=1)


class RateBucket(SQLModel, table=True):
    """A request budget of the API (a token bucket) per token or client address, kept here so
    that every app process on this database spends the same one."""

    __tablename__ = "rate_bucket"

    key: str = Field(primary_key=True, max_length=100)
    tokens: float
    at: float  # when `tokens` was last worked out, in seconds since the epoch
    allowed: bool = True  # whether that request went through


# --- schedule imports (Microsoft Project, Primavera...) -----------------------------------


class ScheduleImport(SQLModel, table=True):
    """One import of a schedule file into a project: which file, baseline and status date."""

    __tablename__ = "schedule_import"
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    file_name: str = Field(max_length=255)
    # The file's own project GUID, so that a bulk re-import finds the project it fed.
    file_guid: str = Field(default="", max_length=80, index=True)
    baseline: int = Field(default=0, ge=0, le=10)
    status_date: dt.date
    created: int = 0
    changed: int = 0
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    imported_at: dt.datetime = Field(default_factory=utcnow)


class ScheduleLink(SQLModel, table=True):
    """A milestone fed by a task of a schedule file, matched on re-import by the task's
    unique id (stable in MS Project and Primavera when tasks are moved or renamed)."""

    __tablename__ = "schedule_link"
    __table_args__ = (sa.UniqueConstraint("project_id", "task_uid", name="uq_schedule_link_task"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    milestone_id: int = Field(foreign_key="milestone.id", sa_column_kwargs={"unique": True})
    task_uid: int


# The intake tables live in their own module; importing it here registers them wherever the
# models are (migrations, backup, tests), which need every table.
from data_access.core import intake_models  # noqa: E402, F401
