"""Loading a generated portfolio in bulk, and the demo the app loads on its first start."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from data_access.core.config import setting
from data_access.core.db import ALL_TABLES, bump_tables, get_engine
from data_access.core.intake_models import (
    Benefit,
    BenefitMeasurement,
    Proposal,
    ProposalCost,
    ProposalDriver,
    ProposalNeed,
    ProposalScore,
    ScenarioItem,
    SelectionScenario,
    StrategicDriver,
)
from data_access.core.lesson_models import Lesson, LessonMark
from data_access.core.library_models import LibraryDocument, LibraryFile
from data_access.core.models import (
    Absence,
    Action,
    Allocation,
    AuditLog,
    DataVersion,
    Department,
    Escalation,
    GateEvidence,
    GateReview,
    Milestone,
    MilestoneHistory,
    Person,
    Portfolio,
    Program,
    Project,
    ProjectLifecycle,
    RaidItem,
    RecoveryPlan,
    Review,
    Risk,
    RiskAssessment,
    ScheduleImport,
    ScheduleLink,
    StatusReport,
)
from data_access.core.schema import upgrade_database, upgrade_lock
from data_access.core.training_models import CompetenceRule, Course, TrainingRecord
from data_access.demo.gates import remap_templates
from data_access.demo.generator import generate
from data_access.demo.rows import DemoRows
from data_access.stakeholders.models import Delivery, Stakeholder, Subscription

INSERT_ORDER = [
    Department,
    Person,
    Portfolio,
    Program,
    Project,
    Review,
    ProjectLifecycle,
    GateReview,
    GateEvidence,
    Milestone,
    MilestoneHistory,
    Risk,
    RiskAssessment,
    StatusReport,
    RaidItem,
    Action,
    RecoveryPlan,
    Escalation,
    Allocation,
    Absence,
    ScheduleImport,
    ScheduleLink,
    Stakeholder,
    Subscription,
    Delivery,
    StrategicDriver,
    Proposal,
    ProposalCost,
    ProposalNeed,
    ProposalDriver,
    ProposalScore,
    Benefit,
    BenefitMeasurement,
    SelectionScenario,
    ScenarioItem,
    Lesson,
    LessonMark,
    Course,
    CompetenceRule,
    TrainingRecord,
    LibraryDocument,
    LibraryFile,
    AuditLog,
]
BATCH = 20_000


def is_empty(url: str | None = None) -> bool:
    with get_engine(url).connect() as conn:
        return conn.execute(sa.select(Project.id).limit(1)).first() is None


def _bulk_insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """executemany straight on the driver, with each column's own bind processor.

    The same values SQLAlchemy would send, without its per-row bookkeeping: tier L loads
    about twice as fast.
    """
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    processors = [
        (c, table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) for c in columns
    ]
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=columns)
    converted = [{c: p(row[c]) if p else row[c] for c, p in processors} for row in rows]
    if compiled.positional:
        order = compiled.positiontup
        conn.exec_driver_sql(str(compiled), [tuple(r[k] for k in order) for r in converted])
    else:
        conn.exec_driver_sql(str(compiled), converted)


def load(portfolio: DemoRows, url: str | None = None) -> dict[str, int]:
    """Insert a generated portfolio into an empty, migrated database in one transaction."""
    engine = get_engine(url)
    counts = {}
    with engine.begin() as conn:
        remap_templates(conn, portfolio.rows)
        for model in INSERT_ORDER:
            rows = portfolio.rows.get(model, [])
            table = model.__table__
            for i in range(0, len(rows), BATCH):
                _bulk_insert(conn, table, rows[i : i + BATCH])
            counts[table.name] = len(rows)
            if engine.dialect.name == "postgresql" and rows and "id" in table.c:
                # Ids were given explicitly; move the sequence past them.
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"
                    )
                )
        conn.execute(sa.update(DataVersion).values(version=DataVersion.version + 1))
        # Rows of every table, written without naming them: no cached read (in a running
        # process or kept in the database) is current any more.
        bump_tables(conn, {ALL_TABLES})
    if engine.dialect.name == "postgresql":
        # Statistics for the planner at once, as after any bulk load: without them it takes
        # every grouped sub-query for 200 rows and joins them in nested loops (the gate facts
        # at 20,000 projects: 18 s instead of well under one); autovacuum may be off, or late.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    return counts


def load_demo(
    tier: str = "S", url: str | None = None, *, seed: int = 42, today: dt.date | None = None
) -> dict[str, int]:
    upgrade_database(url)
    return load(generate(tier, seed=seed, today=today), url)


def ensure_demo_data(url: str | None = None) -> bool:
    """Load tier S into an empty database (the newcomer's first start); True if it did."""
    upgrade_database(url)
    if not is_empty(url):
        return False
    # Several app processes may start together on the same empty database: one loads it.
    with upgrade_lock(get_engine(url)):
        if not is_empty(url):
            return False
        load(generate("S"), url)
    return True


def prepare_database(url: str) -> None:
    """What every app process does first: migrate, and give an empty database the demo
    portfolio unless `PMO_DEMO_DATA` is off."""
    if (setting("PMO_DEMO_DATA", "on") or "on").lower() in ("off", "0", "false", "no"):
        upgrade_database(url)
    else:
        ensure_demo_data(url)
