"""The entity sets both the API and the OData feed serve: names and properties after Project
Online's ProjectData service where the meaning is the same, our own facts as extra properties.

Each set is a SELECT whose columns carry the OData property names, so `$filter`, `$orderby`
and `$select` name columns of that SELECT and nothing else. Projects carry health, computed in
Python (domain.health) like the pages do; that table is held per data version in an in-memory
SQLite database so the same query options apply to it in SQL.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.pool import NullPool

from data_access.api_feed.reads import project_extras
from data_access.core.db import get_engine
from data_access.core.models import (
    Action,
    Allocation,
    AuditLog,
    Department,
    Milestone,
    MilestoneHistory,
    Person,
    Portfolio,
    Program,
    Project,
    RaidItem,
    Review,
    Risk,
    RiskAssessment,
    StatusReport,
)
from data_access.core.settings import get_settings
from data_access.portfolio.reads import project_facts
from data_access.resources.reads import weekly_load
from domain.capacity import OVER_TOLERANCE_HOURS, first_monday
from domain.formatting import RAG_LABELS
from domain.health import compute_health


@dataclass(frozen=True)
class Prop:
    name: str
    edm: str  # Edm.String, Edm.Int64, Edm.Double, Edm.Boolean, Edm.Date, Edm.DateTimeOffset
    nullable: bool = True

    @property
    def rest_name(self) -> str:
        """The JSON API's snake_case name: ProjectName -> project_name, CPI -> cpi."""
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", self.name).lower()


@dataclass(frozen=True)
class Source:
    """Where a set's rows come from at one data version: an engine and a FROM clause whose
    columns are named after the properties."""

    engine: sa.Engine
    table: sa.FromClause
    health: pd.DataFrame | None = None  # Projects: the health table the sidebar filter reads
    keeper: object = None  # a computed set's in-memory database lives while this is open


@dataclass(frozen=True)
class EntitySet:
    name: str  # OData entity set, e.g. "Projects"
    type_name: str  # OData entity type, e.g. "Project"
    path: str  # JSON API path, e.g. "projects"
    props: tuple[Prop, ...]
    source: Callable[[sa.Engine, str, int, dt.date], Source]
    admin_only: bool = False
    description: str = ""

    @property
    def key(self) -> Prop:
        return self.props[0]

    def prop(self, name: str) -> Prop | None:
        return next((p for p in self.props if p.name == name), None)


S, INT, D, B, DAY, TS = (
    "Edm.String",
    "Edm.Int64",
    "Edm.Double",
    "Edm.Boolean",
    "Edm.Date",
    "Edm.DateTimeOffset",
)


def _props(*spec: tuple) -> tuple[Prop, ...]:
    return tuple(Prop(*item) for item in spec)


def _sql_set(build: Callable[[], sa.Select]) -> Callable[[sa.Engine, str, int, dt.date], Source]:
    def source(engine: sa.Engine, _url: str, _version: int, _today: dt.date) -> Source:
        return Source(engine, build().subquery("rows"))

    return source


def _check(build: Callable[[], sa.Select], props: tuple[Prop, ...]) -> None:
    """Every declared property is a column of the SELECT and nothing else is (checked at import,
    so $metadata can never promise a property the rows lack)."""
    columns = [c.name for c in build().selected_columns]
    if columns != [p.name for p in props]:
        raise AssertionError(f"columns {columns} != properties {[p.name for p in props]}")


# --- Projects (with health) ------------------------------------------------------------

PROJECT_PROPS = _props(
    ("ProjectId", INT, False),
    ("ProjectCode", S, False),
    ("ProjectName", S, False),
    ("ProjectDescription", S),
    ("PortfolioId", INT),
    ("PortfolioName", S),
    ("ProgramId", INT),
    ("ProgramName", S),
    ("DepartmentId", INT),
    ("ProjectDepartments", S),
    ("ProjectOwnerId", INT),
    ("ProjectOwnerName", S),
    ("SponsorId", INT),
    ("SponsorName", S),
    ("PhaseName", S),
    ("ProjectStatus", S),
    ("ProjectPriority", S),
    ("ProjectStartDate", DAY),
    ("ProjectBaselineStartDate", DAY),
    ("ProjectBaselineFinishDate", DAY),
    ("ProjectFinishDate", DAY),
    ("ProjectActualFinishDate", DAY),
    ("ProjectBudgetCost", D),
    ("ProjectActualCost", D),
    ("ProjectCost", D),
    ("ProjectPercentCompleted", D),
    ("LastStatusDate", DAY),
    ("LastStatusSummary", S),
    ("HealthOverall", S),
    ("HealthOverallWhy", S),
    ("HealthComputed", S),
    ("HealthIsOverride", B),
    ("HealthIsStale", B),
    ("HealthSchedule", S),
    ("HealthScheduleWhy", S),
    ("HealthCost", S),
    ("HealthCostWhy", S),
    ("HealthScope", S),
    ("HealthScopeWhy", S),
    ("HealthRisk", S),
    ("HealthRiskWhy", S),
    ("ScheduleSlipDays", D),
    ("CPI", D),
    ("OverdueMilestones", INT),
    ("MaxRiskScore", INT),
    ("RiskExposure", INT),
    ("BEI", D),
    ("HighRisks", INT),
    ("ReportAgeDays", D),
    ("Version", INT, False),
)

# Our column -> ProjectData property (the rest are computed or relabelled below).
_PROJECT_COLUMNS = {
    "id": "ProjectId",
    "code": "ProjectCode",
    "name": "ProjectName",
    "portfolio_id": "PortfolioId",
    "portfolio": "PortfolioName",
    "program_id": "ProgramId",
    "program": "ProgramName",
    "department_id": "DepartmentId",
    "department": "ProjectDepartments",
    "manager_id": "ProjectOwnerId",
    "manager": "ProjectOwnerName",
    "sponsor_id": "SponsorId",
    "sponsor": "SponsorName",
    "phase": "PhaseName",
    "status": "ProjectStatus",
    "priority": "ProjectPriority",
    "baseline_start": "ProjectBaselineStartDate",
    "baseline_finish": "ProjectBaselineFinishDate",
    "forecast_finish": "ProjectFinishDate",
    "actual_finish": "ProjectActualFinishDate",
    "approved_budget": "ProjectBudgetCost",
    "actual_cost": "ProjectActualCost",
    "forecast_at_completion": "ProjectCost",
    "percent_complete": "ProjectPercentCompleted",
    "last_report_date": "LastStatusDate",
    "summary": "LastStatusSummary",
    "overall_why": "HealthOverallWhy",
    "is_override": "HealthIsOverride",
    "is_stale": "HealthIsStale",
    "schedule_why": "HealthScheduleWhy",
    "cost_why": "HealthCostWhy",
    "scope_why": "HealthScopeWhy",
    "risk_why": "HealthRiskWhy",
    "slip_days": "ScheduleSlipDays",
    "cpi": "CPI",
    "overdue_milestones": "OverdueMilestones",
    "max_risk_score": "MaxRiskScore",
    "risk_exposure": "RiskExposure",
    "bei": "BEI",
    "high_risks": "HighRisks",
    "report_age_days": "ReportAgeDays",
    "version": "Version",
}
_RAG_COLUMNS = {
    "overall_rag": "HealthOverall",
    "computed_rag": "HealthComputed",
    "schedule_rag": "HealthSchedule",
    "cost_rag": "HealthCost",
    "scope_rag": "HealthScope",
    "risk_rag": "HealthRisk",
}


def projects_source(url: str, version: int, today: dt.date) -> Source:
    """The Projects set at this data version (also what the sidebar-like filters read)."""
    return _projects_source(get_engine(url), url, version, today)


def project_health(url: str, today: dt.date) -> pd.DataFrame:
    """Every project with its computed health, as the portfolio page computes it."""
    settings = get_settings(url)
    facts = project_facts(today, high_from=settings["band_high_from"], url=url)
    health = compute_health(facts, settings, today)
    extras = project_extras(today, url)
    passed = extras.milestones_baseline_passed
    # BEI (DCMA): missing while no baseline date has passed, as on the Milestones page.
    extras["bei"] = (extras.milestones_completed / passed.where(passed > 0)).round(2)
    return health.merge(extras[["id", "bei", "risk_exposure"]], on="id", how="left")


def project_rows(health: pd.DataFrame, descriptions: pd.Series) -> pd.DataFrame:
    """The health table under ProjectData's names, one column per property, in order."""
    rows = health.rename(columns=_PROJECT_COLUMNS)
    for ours, theirs in _RAG_COLUMNS.items():
        rows[theirs] = health[ours].map(RAG_LABELS).fillna(health[ours])
    rows["ProjectStartDate"] = rows["ProjectBaselineStartDate"]
    rows["ProjectDescription"] = rows["ProjectId"].map(descriptions).fillna("")
    return rows[[p.name for p in PROJECT_PROPS]]


_memory_lock = threading.Lock()
_memory: dict[tuple[str, str, int, dt.date], Source] = {}

# A computed set's rows (in property order) and, for Projects, the health table behind them.
Computed = Callable[[sa.Engine, str, dt.date], tuple[pd.DataFrame, pd.DataFrame | None]]


def _computed_set(name: str, props: tuple[Prop, ...], compute: Computed):
    """A set computed in Python, held per data version in an in-memory SQLite table so the
    query options apply to it in SQL like to any other set."""

    def source(engine: sa.Engine, url: str, version: int, today: dt.date) -> Source:
        key = (name, url, version, today)
        with _memory_lock:
            if key not in _memory:
                for stale in [k for k in _memory if k[0] == name]:  # one version per set
                    del _memory[stale]
                rows, behind = compute(engine, url, today)
                loaded = _load_in_memory(name, props, rows)
                _memory[key] = Source(loaded.engine, loaded.table, behind, loaded.keeper)
            return _memory[key]

    return source


def _project_rows(engine: sa.Engine, url: str, today: dt.date):
    health = project_health(url, today)
    with engine.connect() as conn:
        descriptions = pd.Series(
            dict(conn.execute(sa.select(Project.id, Project.description)).all())
        )
    return project_rows(health, descriptions), health


_projects_source = _computed_set("Projects", PROJECT_PROPS, _project_rows)


def _load_in_memory(name: str, props: tuple[Prop, ...], frame: pd.DataFrame) -> Source:
    # A named in-memory database that each request opens on its own connection (concurrent
    # readers share nothing but the data); `keeper` holds it until the set is replaced.
    uri = f"file:pmo-{name}-{uuid.uuid4().hex}?mode=memory&cache=shared"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    keeper = connect()
    engine = sa.create_engine("sqlite://", creator=connect, poolclass=NullPool)
    table = sa.Table(name, sa.MetaData(), *(_column(p) for p in props))
    table.create(engine)
    values = frame.astype(object).where(frame.notna(), None)
    for prop in props:  # stored as SQLAlchemy stores dates in SQLite: ISO text
        if prop.edm == DAY:
            values[prop.name] = values[prop.name].map(lambda d: d and d.isoformat())
    with engine.begin() as conn:
        if len(values):
            # Plain DB-API executemany: SQLAlchemy's per-row processing costs seconds at 5,000.
            marks = ", ".join("?" * len(values.columns))
            conn.connection.driver_connection.executemany(
                f'INSERT INTO "{name}" VALUES ({marks})', values.itertuples(index=False)
            )
    return Source(engine, table, keeper=keeper)


# --- capacity: hours available and allocated per person and week ----------------------

CAPACITY_WEEKS = 26
CAPACITY_PROPS = _props(
    ("CapacityId", INT, False),
    ("ResourceId", INT, False),
    ("ResourceName", S),
    ("ResourceDepartments", S),
    ("WeekStartDate", DAY, False),
    ("CapacityHours", D),
    ("AllocatedHours", D),
    ("IsOverAllocated", B),
)


def capacity_rows(grid: pd.DataFrame, first_monday: dt.date) -> pd.DataFrame:
    """`weekly_load` per person as rows of the Capacity set (one per person and week)."""
    rows = pd.DataFrame(
        {
            "ResourceId": grid.key.astype(int),
            "ResourceName": grid.label,
            "ResourceDepartments": grid.detail,
            "WeekStartDate": [first_monday + dt.timedelta(weeks=int(w)) for w in grid.w],
            "CapacityHours": grid.capacity.astype(float),
            "AllocatedHours": grid.allocated.astype(float),
            "IsOverAllocated": grid.people_over.astype(int) > 0,
        }
    )
    # A stable key of its own: person and week.
    rows.insert(0, "CapacityId", rows.ResourceId * 10_000 + grid.w.astype(int))
    return rows


def _capacity(_engine: sa.Engine, url: str, today: dt.date):
    monday = first_monday(today)
    grid = weekly_load(
        monday, CAPACITY_WEEKS, "person", over_tolerance=OVER_TOLERANCE_HOURS, url=url
    )
    return capacity_rows(grid, monday), None


_SA_TYPES = {
    S: sa.String,
    INT: sa.BigInteger,
    D: sa.Float,
    B: sa.Boolean,
    DAY: sa.Date,
    TS: sa.DateTime,
}


def _column(prop: Prop) -> sa.Column:
    return sa.Column(prop.name, _SA_TYPES[prop.edm](), nullable=prop.nullable)


# --- sets read straight from the database -----------------------------------------------

_owner = aliased(Person, name="owner")


def _tasks() -> sa.Select:
    m, p = Milestone, Project
    return sa.select(
        m.id.label("TaskId"),
        m.project_id.label("ProjectId"),
        p.name.label("ProjectName"),
        m.name.label("TaskName"),
        sa.true().label("TaskIsMilestone"),
        m.is_key.label("TaskIsKeyMilestone"),
        m.baseline_date.label("TaskBaselineFinishDate"),
        m.forecast_date.label("TaskFinishDate"),
        m.actual_date.label("TaskActualFinishDate"),
        m.added_on.label("TaskAddedDate"),
        m.removed_on.label("TaskRemovedDate"),
        m.updated_at.label("TaskModifiedDate"),
        m.version.label("Version"),
    ).join(p, p.id == m.project_id)


TASK_PROPS = _props(
    ("TaskId", INT, False),
    ("ProjectId", INT, False),
    ("ProjectName", S),
    ("TaskName", S),
    ("TaskIsMilestone", B),
    ("TaskIsKeyMilestone", B),
    ("TaskBaselineFinishDate", DAY),
    ("TaskFinishDate", DAY),
    ("TaskActualFinishDate", DAY),
    ("TaskAddedDate", DAY),
    ("TaskRemovedDate", DAY),
    ("TaskModifiedDate", TS),
    ("Version", INT, False),
)


def _milestone_history() -> sa.Select:
    h = MilestoneHistory
    return sa.select(
        h.id.label("MilestoneHistoryId"),
        h.milestone_id.label("TaskId"),
        h.project_id.label("ProjectId"),
        h.reported_on.label("ReportedDate"),
        h.change.label("Change"),
        h.baseline_date.label("BaselineDate"),
        h.forecast_date.label("ForecastDate"),
        h.actual_date.label("ActualDate"),
        h.reason.label("Reason"),
        _owner.name.label("AuthorName"),
    ).outerjoin(_owner, _owner.id == h.author_id)


HISTORY_PROPS = _props(
    ("MilestoneHistoryId", INT, False),
    ("TaskId", INT, False),
    ("ProjectId", INT, False),
    ("ReportedDate", DAY),
    ("Change", S),
    ("BaselineDate", DAY),
    ("ForecastDate", DAY),
    ("ActualDate", DAY),
    ("Reason", S),
    ("AuthorName", S),
)


def _status_reports() -> sa.Select:
    r = StatusReport
    return sa.select(
        r.id.label("StatusReportId"),
        r.project_id.label("ProjectId"),
        r.report_date.label("ReportDate"),
        _owner.name.label("AuthorName"),
        r.overall_rag.label("OverallRag"),
        r.schedule_rag.label("ScheduleRag"),
        r.cost_rag.label("CostRag"),
        r.scope_rag.label("ScopeRag"),
        r.risk_rag.label("RiskRag"),
        r.override_rag.label("OverrideRag"),
        r.override_reason.label("OverrideReason"),
        r.summary.label("Summary"),
        r.achievements.label("Achievements"),
        r.next_steps.label("NextSteps"),
        r.blockers.label("Blockers"),
        r.percent_complete.label("PercentComplete"),
        r.cost_to_date.label("CostToDate"),
        r.forecast_at_completion.label("ForecastAtCompletion"),
        r.planned_value.label("PlannedValue"),
    ).outerjoin(_owner, _owner.id == r.author_id)


STATUS_PROPS = _props(
    ("StatusReportId", INT, False),
    ("ProjectId", INT, False),
    ("ReportDate", DAY),
    ("AuthorName", S),
    ("OverallRag", S),
    ("ScheduleRag", S),
    ("CostRag", S),
    ("ScopeRag", S),
    ("RiskRag", S),
    ("OverrideRag", S),
    ("OverrideReason", S),
    ("Summary", S),
    ("Achievements", S),
    ("NextSteps", S),
    ("Blockers", S),
    ("PercentComplete", D),
    ("CostToDate", D),
    ("ForecastAtCompletion", D),
    ("PlannedValue", D),
)


def _risks() -> sa.Select:
    r, p = Risk, Project
    return (
        sa.select(
            r.id.label("RiskId"),
            r.project_id.label("ProjectId"),
            p.name.label("ProjectName"),
            r.title.label("Title"),
            r.description.label("Description"),
            r.category.label("Category"),
            r.kind.label("Kind"),
            r.probability.label("Probability"),
            r.impact.label("Impact"),
            (r.probability * r.impact).label("Exposure"),
            r.residual_probability.label("ResidualProbability"),
            r.residual_impact.label("ResidualImpact"),
            (r.residual_probability * r.residual_impact).label("ResidualExposure"),
            _owner.name.label("AssignedToResource"),
            r.response.label("Response"),
            r.mitigation.label("MitigationPlan"),
            r.response_due.label("DueDate"),
            r.proximity.label("ProximityDate"),
            r.status.label("Status"),
            r.raised_on.label("CreatedDate"),
            r.closed_on.label("ClosedDate"),
            r.last_assessed_on.label("LastAssessedDate"),
            r.updated_at.label("ModifiedDate"),
            r.version.label("Version"),
        )
        .join(p, p.id == r.project_id)
        .outerjoin(_owner, _owner.id == r.owner_id)
    )


RISK_PROPS = _props(
    ("RiskId", INT, False),
    ("ProjectId", INT, False),
    ("ProjectName", S),
    ("Title", S),
    ("Description", S),
    ("Category", S),
    ("Kind", S),
    ("Probability", INT),
    ("Impact", INT),
    ("Exposure", INT),
    ("ResidualProbability", INT),
    ("ResidualImpact", INT),
    ("ResidualExposure", INT),
    ("AssignedToResource", S),
    ("Response", S),
    ("MitigationPlan", S),
    ("DueDate", DAY),
    ("ProximityDate", DAY),
    ("Status", S),
    ("CreatedDate", DAY),
    ("ClosedDate", DAY),
    ("LastAssessedDate", DAY),
    ("ModifiedDate", TS),
    ("Version", INT, False),
)


def _risk_assessments() -> sa.Select:
    a = RiskAssessment
    return sa.select(
        a.id.label("RiskAssessmentId"),
        a.risk_id.label("RiskId"),
        a.project_id.label("ProjectId"),
        a.assessed_on.label("AssessedDate"),
        a.probability.label("Probability"),
        a.impact.label("Impact"),
        (a.probability * a.impact).label("Exposure"),
        a.residual_probability.label("ResidualProbability"),
        a.residual_impact.label("ResidualImpact"),
        a.status.label("Status"),
        a.note.label("Note"),
        _owner.name.label("AssessorName"),
    ).outerjoin(_owner, _owner.id == a.assessor_id)


ASSESSMENT_PROPS = _props(
    ("RiskAssessmentId", INT, False),
    ("RiskId", INT, False),
    ("ProjectId", INT, False),
    ("AssessedDate", DAY),
    ("Probability", INT),
    ("Impact", INT),
    ("Exposure", INT),
    ("ResidualProbability", INT),
    ("ResidualImpact", INT),
    ("Status", S),
    ("Note", S),
    ("AssessorName", S),
)


def _raid_items(kind: str | None = None) -> Callable[[], sa.Select]:
    def build() -> sa.Select:
        r, p = RaidItem, Project
        query = (
            sa.select(
                r.id.label("RaidItemId"),
                r.project_id.label("ProjectId"),
                p.name.label("ProjectName"),
                r.kind.label("Kind"),
                r.title.label("Title"),
                r.description.label("Description"),
                _owner.name.label("AssignedToResource"),
                r.status.label("Status"),
                r.due_date.label("DueDate"),
                r.provider_project_id.label("ProviderProjectId"),
                r.provider_milestone_id.label("ProviderTaskId"),
                r.need_by.label("NeedByDate"),
                r.decided_on.label("DecidedDate"),
                r.review_id.label("ReviewId"),
                r.raised_on.label("CreatedDate"),
                r.closed_on.label("ClosedDate"),
                r.updated_at.label("ModifiedDate"),
                r.version.label("Version"),
            )
            .join(p, p.id == r.project_id)
            .outerjoin(_owner, _owner.id == r.owner_id)
        )
        return query if kind is None else query.where(r.kind == kind)

    return build


RAID_PROPS = _props(
    ("RaidItemId", INT, False),
    ("ProjectId", INT, False),
    ("ProjectName", S),
    ("Kind", S),
    ("Title", S),
    ("Description", S),
    ("AssignedToResource", S),
    ("Status", S),
    ("DueDate", DAY),
    ("ProviderProjectId", INT),
    ("ProviderTaskId", INT),
    ("NeedByDate", DAY),
    ("DecidedDate", DAY),
    ("ReviewId", INT),
    ("CreatedDate", DAY),
    ("ClosedDate", DAY),
    ("ModifiedDate", TS),
    ("Version", INT, False),
)
# ProjectData's Issues use IssueId as their key.
ISSUE_PROPS = (Prop("IssueId", INT, False), *RAID_PROPS[1:])


def _issues() -> sa.Select:
    query = _raid_items("issue")()
    return query.with_only_columns(
        query.selected_columns[0].label("IssueId"), *list(query.selected_columns)[1:]
    )


def _portfolios() -> sa.Select:
    return sa.select(
        Portfolio.id.label("PortfolioId"),
        Portfolio.name.label("PortfolioName"),
        Portfolio.description.label("PortfolioDescription"),
    )


def _programs() -> sa.Select:
    return sa.select(
        Program.id.label("ProgramId"),
        Program.name.label("ProgramName"),
        Program.description.label("ProgramDescription"),
        Program.portfolio_id.label("PortfolioId"),
        _owner.name.label("ProgramManagerName"),
    ).outerjoin(_owner, _owner.id == Program.manager_id)


def _departments() -> sa.Select:
    return sa.select(
        Department.id.label("DepartmentId"),
        Department.name.label("DepartmentName"),
        Department.code.label("DepartmentCode"),
    )


def _resources() -> sa.Select:
    # No secrets: neither the password hash nor anything about sign-in leaves the database.
    return sa.select(
        Person.id.label("ResourceId"),
        Person.name.label("ResourceName"),
        Person.email.label("ResourceEmailAddress"),
        Person.role.label("ResourceRole"),
        Department.name.label("ResourceDepartments"),
        Person.skill.label("ResourceSkill"),
        Person.weekly_capacity_hours.label("ResourceWeeklyCapacityHours"),
        Person.active.label("ResourceIsActive"),
    ).outerjoin(Department, Department.id == Person.department_id)


def _reviews() -> sa.Select:
    return sa.select(
        Review.id.label("ReviewId"),
        Review.title.label("Title"),
        Review.held_on.label("HeldDate"),
        Review.notes.label("Notes"),
    )


def _actions() -> sa.Select:
    return sa.select(
        Action.id.label("ActionId"),
        Action.title.label("Title"),
        Action.project_id.label("ProjectId"),
        Action.review_id.label("ReviewId"),
        _owner.name.label("AssignedToResource"),
        Action.due_date.label("DueDate"),
        Action.status.label("Status"),
        Action.closed_on.label("ClosedDate"),
    ).outerjoin(_owner, _owner.id == Action.owner_id)


def _allocations() -> sa.Select:
    a = Allocation
    return sa.select(
        a.id.label("AllocationId"),
        a.person_id.label("ResourceId"),
        _owner.name.label("ResourceName"),
        a.project_id.label("ProjectId"),
        a.start_date.label("StartDate"),
        a.end_date.label("FinishDate"),
        a.hours_per_week.label("HoursPerWeek"),
    ).join(_owner, _owner.id == a.person_id)


def _audit_log() -> sa.Select:
    a = AuditLog
    return sa.select(
        a.id.label("AuditId"),
        a.at.label("At"),
        a.actor_name.label("ActorName"),
        a.action.label("Action"),
        a.entity.label("Entity"),
        a.entity_id.label("EntityId"),
        a.project_id.label("ProjectId"),
        sa.cast(a.before, sa.String).label("Before"),
        sa.cast(a.after, sa.String).label("After"),
    )


def _set(name, type_name, path, props, build, **kw) -> EntitySet:
    _check(build, props)
    return EntitySet(name, type_name, path, props, _sql_set(build), **kw)


ENTITY_SETS: dict[str, EntitySet] = {
    es.name: es
    for es in (
        EntitySet(
            "Projects",
            "Project",
            "projects",
            PROJECT_PROPS,
            _projects_source,
            description="Every project with its computed health (per dimension, and why).",
        ),
        _set("Tasks", "Task", "milestones", TASK_PROPS, _tasks, description="Milestones."),
        _set(
            "MilestoneHistory",
            "MilestoneHistoryEntry",
            "milestone-history",
            HISTORY_PROPS,
            _milestone_history,
            description="Every reported change of a milestone's dates.",
        ),
        _set("StatusReports", "StatusReport", "status-reports", STATUS_PROPS, _status_reports),
        _set("Risks", "Risk", "risks", RISK_PROPS, _risks),
        _set(
            "RiskAssessments",
            "RiskAssessment",
            "risk-assessments",
            ASSESSMENT_PROPS,
            _risk_assessments,
        ),
        _set("Issues", "Issue", "issues", ISSUE_PROPS, _issues),
        _set("RaidItems", "RaidItem", "raid-items", RAID_PROPS, _raid_items()),
        _set("Decisions", "Decision", "decisions", RAID_PROPS, _raid_items("decision")),
        _set(
            "Portfolios",
            "Portfolio",
            "portfolios",
            _props(("PortfolioId", INT, False), ("PortfolioName", S), ("PortfolioDescription", S)),
            _portfolios,
        ),
        _set(
            "Programs",
            "Program",
            "programs",
            _props(
                ("ProgramId", INT, False),
                ("ProgramName", S),
                ("ProgramDescription", S),
                ("PortfolioId", INT),
                ("ProgramManagerName", S),
            ),
            _programs,
        ),
        _set(
            "Departments",
            "Department",
            "departments",
            _props(("DepartmentId", INT, False), ("DepartmentName", S), ("DepartmentCode", S)),
            _departments,
        ),
        _set(
            "Resources",
            "Resource",
            "people",
            _props(
                ("ResourceId", INT, False),
                ("ResourceName", S),
                ("ResourceEmailAddress", S),
                ("ResourceRole", S),
                ("ResourceDepartments", S),
                ("ResourceSkill", S),
                ("ResourceWeeklyCapacityHours", D),
                ("ResourceIsActive", B),
            ),
            _resources,
        ),
        _set(
            "Reviews",
            "Review",
            "reviews",
            _props(("ReviewId", INT, False), ("Title", S), ("HeldDate", DAY), ("Notes", S)),
            _reviews,
        ),
        _set(
            "Actions",
            "Action",
            "actions",
            _props(
                ("ActionId", INT, False),
                ("Title", S),
                ("ProjectId", INT),
                ("ReviewId", INT),
                ("AssignedToResource", S),
                ("DueDate", DAY),
                ("Status", S),
                ("ClosedDate", DAY),
            ),
            _actions,
        ),
        EntitySet(
            "Capacity",
            "CapacityWeek",
            "capacity",
            CAPACITY_PROPS,
            _computed_set("Capacity", CAPACITY_PROPS, _capacity),
            description=f"Hours available and allocated per person and week, "
            f"{CAPACITY_WEEKS} weeks from this week's Monday.",
        ),
        _set(
            "Allocations",
            "Allocation",
            "allocations",
            _props(
                ("AllocationId", INT, False),
                ("ResourceId", INT, False),
                ("ResourceName", S),
                ("ProjectId", INT, False),
                ("StartDate", DAY),
                ("FinishDate", DAY),
                ("HoursPerWeek", D),
            ),
            _allocations,
        ),
        _set(
            "AuditLog",
            "AuditEntry",
            "audit-log",
            _props(
                ("AuditId", INT, False),
                ("At", TS),
                ("ActorName", S),
                ("Action", S),
                ("Entity", S),
                ("EntityId", INT),
                ("ProjectId", INT),
                ("Before", S),
                ("After", S),
            ),
            _audit_log,
            admin_only=True,
            description="Every change and refusal (admins only).",
        ),
    )
}
