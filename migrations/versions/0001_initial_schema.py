"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 18:53:15.762400
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "department",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_attempt_email"), ["email"], unique=False)

    op.create_table(
        "portfolio",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "person",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("skill", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("weekly_capacity_hours", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("is_demo_account", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'portfolio_manager', 'project_manager', 'viewer')",
            name="ck_person_role",
        ),
        sa.CheckConstraint("weekly_capacity_hours >= 0", name="ck_person_capacity"),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_department_id"), ["department_id"], unique=False
        )

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_project_at", ["project_id", "at"], unique=False)

    op.create_table(
        "program",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolio.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_program_portfolio_id"), ["portfolio_id"], unique=False)

    op.create_table(
        "review",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "project",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("baseline_start", sa.Date(), nullable=False),
        sa.Column("baseline_finish", sa.Date(), nullable=False),
        sa.Column("forecast_finish", sa.Date(), nullable=False),
        sa.Column("actual_finish", sa.Date(), nullable=True),
        sa.Column("approved_budget", sa.Float(), nullable=False),
        sa.Column("actual_cost", sa.Float(), nullable=False),
        sa.Column("forecast_at_completion", sa.Float(), nullable=False),
        sa.Column("percent_complete", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.CheckConstraint(
            "phase IN ('Idea', 'Initiation', 'Planning', 'Execution', 'Closing', 'Closed')",
            name="ck_project_phase",
        ),
        sa.CheckConstraint(
            "priority IN ('critical', 'high', 'medium', 'low')", name="ck_project_priority"
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'active', 'on hold', 'completed', 'cancelled')",
            name="ck_project_status",
        ),
        sa.CheckConstraint(
            "approved_budget >= 0 AND actual_cost >= 0 AND forecast_at_completion >= 0",
            name="ck_project_money",
        ),
        sa.CheckConstraint("baseline_finish >= baseline_start", name="ck_project_dates"),
        sa.CheckConstraint("forecast_finish >= baseline_start", name="ck_project_forecast"),
        sa.CheckConstraint(
            "percent_complete >= 0 AND percent_complete <= 100", name="ck_project_percent"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_project_manager_id"), ["manager_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_program_id"), ["program_id"], unique=False)

    op.create_table(
        "action",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'done')", name="ck_action_status"),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_review_id"), ["review_id"], unique=False)

    op.create_table(
        "allocation",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("hours_per_week", sa.Float(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name="ck_allocation_dates"),
        sa.CheckConstraint(
            "hours_per_week > 0 AND hours_per_week <= 168", name="ck_allocation_hours"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocation_project_id"), ["project_id"], unique=False)

    op.create_table(
        "milestone",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("forecast_date", sa.Date(), nullable=False),
        sa.Column("actual_date", sa.Date(), nullable=True),
        sa.Column("is_key", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_project_id"), ["project_id"], unique=False)

    op.create_table(
        "risk",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("residual_probability", sa.Integer(), nullable=True),
        sa.Column("residual_impact", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("response", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("mitigation", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=True),
        sa.Column("proximity", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("last_assessed_on", sa.Date(), nullable=False),
        sa.CheckConstraint("kind IN ('threat', 'opportunity')", name="ck_risk_kind"),
        sa.CheckConstraint(
            "response IN ('avoid', 'mitigate', 'transfer', 'accept', 'exploit', 'enhance', 'share')",
            name="ck_risk_response",
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_risk_status"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="ck_risk_impact"),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name="ck_risk_probability"),
        sa.CheckConstraint(
            "residual_impact IS NULL OR residual_impact BETWEEN 1 AND 5",
            name="ck_risk_residual_impact",
        ),
        sa.CheckConstraint(
            "residual_probability IS NULL OR residual_probability BETWEEN 1 AND 5",
            name="ck_risk_residual_probability",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_project_id"), ["project_id"], unique=False)
        batch_op.create_index("ix_risk_project_status", ["project_id", "status"], unique=False)

    op.create_table(
        "status_report",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("schedule_rag", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cost_rag", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("scope_rag", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("risk_rag", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("overall_rag", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("override_rag", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("override_reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("achievements", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("next_steps", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("blockers", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("percent_complete", sa.Float(), nullable=False),
        sa.Column("cost_to_date", sa.Float(), nullable=False),
        sa.Column("forecast_at_completion", sa.Float(), nullable=False),
        sa.Column("planned_value", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "(override_rag IS NULL OR override_rag IN ('G', 'A', 'R'))", name="ck_status_override"
        ),
        sa.CheckConstraint("cost_rag IN ('G', 'A', 'R')", name="ck_status_cost_rag"),
        sa.CheckConstraint("overall_rag IN ('G', 'A', 'R')", name="ck_status_overall_rag"),
        sa.CheckConstraint("risk_rag IN ('G', 'A', 'R')", name="ck_status_risk_rag"),
        sa.CheckConstraint("schedule_rag IN ('G', 'A', 'R')", name="ck_status_schedule_rag"),
        sa.CheckConstraint("scope_rag IN ('G', 'A', 'R')", name="ck_status_scope_rag"),
        sa.CheckConstraint(
            "percent_complete >= 0 AND percent_complete <= 100", name="ck_status_percent"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("status_report", schema=None) as batch_op:
        batch_op.create_index("ix_status_report_date", ["report_date"], unique=False)
        batch_op.create_index(
            "ix_status_report_project_date", ["project_id", "report_date"], unique=False
        )

    op.create_table(
        "milestone_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("change", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("forecast_date", sa.Date(), nullable=False),
        sa.Column("actual_date", sa.Date(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "change IN ('created', 'forecast', 'completed', 'rebaselined', 'removed', 'reopened')",
            name="ck_milestone_history_change",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["milestone_id"],
            ["milestone.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("milestone_history", schema=None) as batch_op:
        batch_op.create_index("ix_milestone_history_date", ["reported_on"], unique=False)
        batch_op.create_index(
            "ix_milestone_history_ms_date", ["milestone_id", "reported_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_milestone_history_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "raid_item",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("provider_project_id", sa.Integer(), nullable=True),
        sa.Column("provider_milestone_id", sa.Integer(), nullable=True),
        sa.Column("need_by", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "kind <> 'dependency' OR provider_project_id IS NOT NULL",
            name="ck_raid_dependency_provider",
        ),
        sa.CheckConstraint(
            "kind IN ('assumption', 'issue', 'dependency', 'decision')", name="ck_raid_kind"
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_raid_status"),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["provider_milestone_id"],
            ["milestone.id"],
        ),
        sa.ForeignKeyConstraint(
            ["provider_project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["review.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("raid_item", schema=None) as batch_op:
        batch_op.create_index("ix_raid_item_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_raid_item_project_id"), ["project_id"], unique=False)

    op.create_table(
        "risk_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("residual_probability", sa.Integer(), nullable=True),
        sa.Column("residual_impact", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_assessment_status"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="ck_assessment_impact"),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name="ck_assessment_probability"),
        sa.CheckConstraint(
            "residual_impact IS NULL OR residual_impact BETWEEN 1 AND 5",
            name="ck_assessment_residual_impact",
        ),
        sa.CheckConstraint(
            "residual_probability IS NULL OR residual_probability BETWEEN 1 AND 5",
            name="ck_assessment_residual_probability",
        ),
        sa.ForeignKeyConstraint(
            ["assessor_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risk.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_risk_assessment_date", ["assessed_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_assessment_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            "ix_risk_assessment_risk_date", ["risk_id", "assessed_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_assessment_risk_date")
        batch_op.drop_index(batch_op.f("ix_risk_assessment_project_id"))
        batch_op.drop_index("ix_risk_assessment_date")

    op.drop_table("risk_assessment")
    with op.batch_alter_table("raid_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raid_item_project_id"))
        batch_op.drop_index("ix_raid_item_kind_status")

    op.drop_table("raid_item")
    with op.batch_alter_table("milestone_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_history_project_id"))
        batch_op.drop_index("ix_milestone_history_ms_date")
        batch_op.drop_index("ix_milestone_history_date")

    op.drop_table("milestone_history")
    with op.batch_alter_table("status_report", schema=None) as batch_op:
        batch_op.drop_index("ix_status_report_project_date")
        batch_op.drop_index("ix_status_report_date")

    op.drop_table("status_report")
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_project_status")
        batch_op.drop_index(batch_op.f("ix_risk_project_id"))

    op.drop_table("risk")
    with op.batch_alter_table("milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_project_id"))

    op.drop_table("milestone")
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_project_id"))
        batch_op.drop_index(batch_op.f("ix_allocation_person_id"))

    op.drop_table("allocation")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_review_id"))
        batch_op.drop_index(batch_op.f("ix_action_project_id"))

    op.drop_table("action")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_program_id"))
        batch_op.drop_index(batch_op.f("ix_project_manager_id"))
        batch_op.drop_index(batch_op.f("ix_project_department_id"))

    op.drop_table("project")
    op.drop_table("review")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_portfolio_id"))

    op.drop_table("program")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_project_at")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_log")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_department_id"))

    op.drop_table("person")
    op.drop_table("setting")
    op.drop_table("portfolio")
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_email"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_at"))

    op.drop_table("login_attempt")
    op.drop_table("department")
    op.drop_table("data_version")
