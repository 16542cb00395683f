"""Intake and selection as SQLModel tables: strategic drivers, proposals with their costs per
year, people needed and benefits, reviewers' scores, saved selection scenarios, and the
benefits measured after delivery.

Same families and vocabularies-as-CHECKs as data_access.core.models. A proposal's costs,
needs, drivers served and planned benefits are written with the proposal, in its transaction,
so its `version` covers them all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from data_access.core.models import (
    NAME_MAX,
    TEXT_MAX,
    Versioned,
    _check_choice,
    _in,
    _strip,
    utcnow,
)

PROPOSAL_STATUSES = ("draft", "submitted", "under review", "approved", "rejected", "deferred")
# Where a proposal may go from each status (approval happens through a scenario).
PROPOSAL_MOVES = {
    "draft": ("submitted",),
    "submitted": ("under review", "rejected", "deferred", "draft"),
    "under review": ("rejected", "deferred", "submitted"),
    "deferred": ("submitted", "under review", "rejected"),
    "rejected": ("submitted",),
    "approved": (),
}
RISK_LEVELS = ("low", "medium", "high")
BENEFIT_KINDS = ("financial", "customer", "efficiency", "compliance", "strategic")
POOL_KINDS = ("skill", "department")
SCENARIO_STATUSES = ("saved", "approved")
FORCING = ("in", "out")


class StrategicDriverBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(default="", max_length=TEXT_MAX)
    # Share of the total (the weights of the active drivers sum to 1).
    weight: float = Field(default=0, ge=0, le=1)
    active: bool = True

    _strip_name = field_validator("name", mode="before")(_strip)


class StrategicDriverCreate(StrategicDriverBase):
    pass


class StrategicDriverUpdate(SQLModel):
    name: str | None = None
    description: str | None = None
    weight: float | None = None
    active: bool | None = None


class StrategicDriver(StrategicDriverBase, Versioned, table=True):
    __tablename__ = "strategic_driver"
    __table_args__ = (sa.CheckConstraint("weight >= 0 AND weight <= 1", name="ck_driver_weight"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, sa_column_kwargs={"unique": True})


class DriverJudgement(SQLModel, table=True):
    """One AHP judgement: the first driver is `value` times as important as the second
    (Saaty's 1-9 scale or its reciprocal); kept so the comparison can be revisited."""

    __tablename__ = "driver_judgement"
    __table_args__ = (
        sa.CheckConstraint("value >= 0.1111 AND value <= 9", name="ck_judgement_scale"),
        sa.CheckConstraint("first_id < second_id", name="ck_judgement_order"),
    )
    first_id: int = Field(foreign_key="strategic_driver.id", primary_key=True)
    second_id: int = Field(foreign_key="strategic_driver.id", primary_key=True)
    value: float


class ProposalBase(SQLModel):
    title: str = Field(min_length=1, max_length=NAME_MAX)
    sponsor_id: int | None = Field(default=None, foreign_key="person.id")
    department_id: int = Field(foreign_key="department.id", index=True)
    # The program the project will belong to once approved.
    program_id: int = Field(foreign_key="program.id", index=True)
    problem: str = Field(min_length=1, max_length=TEXT_MAX)
    start_date: dt.date
    duration_months: int = Field(ge=1, le=120)
    risk_level: str = "medium"

    _strip_text = field_validator("title", "problem", mode="before")(_strip)

    @field_validator("risk_level")
    @classmethod
    def _risk(cls, v: Any) -> Any:
        return _check_choice(v, RISK_LEVELS, "risk level")


class ProposalCreate(ProposalBase):
    pass


class ProposalUpdate(SQLModel):
    title: str | None = None
    sponsor_id: int | None = None
    department_id: int | None = None
    program_id: int | None = None
    problem: str | None = None
    start_date: dt.date | None = None
    duration_months: int | None = None
    risk_level: str | None = None


class Proposal(ProposalBase, Versioned, table=True):
    __table_args__ = (
        sa.CheckConstraint(_in("status", PROPOSAL_STATUSES), name="ck_proposal_status"),
        sa.CheckConstraint(_in("risk_level", RISK_LEVELS), name="ck_proposal_risk"),
        sa.CheckConstraint("duration_months BETWEEN 1 AND 120", name="ck_proposal_duration"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, sa_column_kwargs={"unique": True})
    status: str = Field(default="draft", index=True)
    submitted_by_id: int | None = Field(default=None, foreign_key="person.id")
    # The project an approved scenario created from it: one at most.
    project_id: int | None = Field(
        default=None, foreign_key="project.id", sa_column_kwargs={"unique": True}
    )


class ProposalCost(SQLModel, table=True):
    """Estimated cost of a proposal in one calendar year."""

    __tablename__ = "proposal_cost"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "year", name="uq_proposal_cost_year"),
        sa.CheckConstraint("amount >= 0", name="ck_proposal_cost_amount"),
    )
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    year: int = Field(ge=2000, le=2100)
    amount: float = Field(ge=0, le=1e13)


class ProposalNeed(SQLModel, table=True):
    """People needed: hours of a skill or of a department in one quarter ("2027-Q1")."""

    __tablename__ = "proposal_need"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "pool_kind", "pool", "period", name="uq_proposal_need"),
        sa.CheckConstraint(_in("pool_kind", POOL_KINDS), name="ck_proposal_need_kind"),
        sa.CheckConstraint("hours > 0", name="ck_proposal_need_hours"),
    )
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    pool_kind: str = "skill"
    pool: str = Field(min_length=1, max_length=NAME_MAX)
    period: str = Field(max_length=7)
    hours: float = Field(gt=0, le=1e6)


class ProposalDriver(SQLModel, table=True):
    """The strategic drivers a proposal says it serves."""

    __tablename__ = "proposal_driver"
    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    driver_id: int = Field(foreign_key="strategic_driver.id", primary_key=True)


class ProposalScore(SQLModel, table=True):
    """A reviewer's score of a proposal against one driver, 0 (none) to 4 (extreme)."""

    __tablename__ = "proposal_score"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "driver_id", "reviewer_id", name="uq_proposal_score"),
        sa.CheckConstraint("score BETWEEN 0 AND 4", name="ck_proposal_score"),
    )
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    driver_id: int = Field(foreign_key="strategic_driver.id")
    reviewer_id: int = Field(foreign_key="person.id")
    score: int = Field(ge=0, le=4)
    scored_on: dt.date
    created_at: dt.datetime = Field(default_factory=utcnow)


class BenefitBase(SQLModel):
    kind: str = "financial"
    measure: str = Field(min_length=1, max_length=NAME_MAX)
    baseline: float = Field(ge=-1e13, le=1e13)
    target: float = Field(ge=-1e13, le=1e13)
    by_when: dt.date
    driver_id: int | None = Field(default=None, foreign_key="strategic_driver.id")

    _strip_measure = field_validator("measure", mode="before")(_strip)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: Any) -> Any:
        return _check_choice(v, BENEFIT_KINDS, "kind")

    @model_validator(mode="after")
    def _target_differs(self):
        if self.target == self.baseline:
            raise ValueError("the target must differ from the baseline")
        return self


class BenefitCreate(BenefitBase):
    pass


class Benefit(BenefitBase, Versioned, table=True):
    """An expected benefit of a proposal; it travels with the project once approved."""

    __table_args__ = (sa.CheckConstraint(_in("kind", BENEFIT_KINDS), name="ck_benefit_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)


class BenefitMeasurementBase(SQLModel):
    benefit_id: int = Field(foreign_key="benefit.id")
    measured_on: dt.date
    value: float = Field(ge=-1e13, le=1e13)
    note: str = Field(default="", max_length=TEXT_MAX)


class BenefitMeasurementCreate(BenefitMeasurementBase):
    pass


class BenefitMeasurement(BenefitMeasurementBase, table=True):
    """A realised value of a benefit on a day (append-only)."""

    __tablename__ = "benefit_measurement"
    __table_args__ = (sa.Index("ix_benefit_measurement_benefit", "benefit_id", "measured_on"),)
    id: int | None = Field(default=None, primary_key=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class SelectionScenarioBase(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    notes: str = Field(default="", max_length=TEXT_MAX)

    _strip_name = field_validator("name", mode="before")(_strip)


class SelectionScenarioCreate(SelectionScenarioBase):
    pass


class SelectionScenario(SelectionScenarioBase, Versioned, table=True):
    """A saved selection: the limits it was run with and what it chose."""

    __tablename__ = "selection_scenario"
    __table_args__ = (
        sa.CheckConstraint(_in("status", SCENARIO_STATUSES), name="ck_scenario_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=NAME_MAX, sa_column_kwargs={"unique": True})
    # {"2027": 1500000.0, ...}: the budget per year it was run with.
    budget: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    value: float = 0
    cost: float = 0
    status: str = "saved"
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    approved_on: dt.date | None = None
    approved_by_id: int | None = Field(default=None, foreign_key="person.id")


class ScenarioItem(SQLModel, table=True):
    """One proposal's place in a scenario: in or out, forced or chosen, its priority then."""

    __tablename__ = "scenario_item"
    __table_args__ = (
        sa.UniqueConstraint("scenario_id", "proposal_id", name="uq_scenario_item"),
        sa.CheckConstraint(_in("forced", FORCING, nullable=True), name="ck_scenario_forced"),
    )
    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="selection_scenario.id", index=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    included: bool
    forced: str | None = None
    priority: float = 0
