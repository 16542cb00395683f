"""path to green: recovery plans, escalations, action origin

Revision ID: 0026
Revises: 0017
Create Date: 2026-12-05 23:31:24.524244
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0026"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recovery_plan",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("expected_green_date", sa.Date(), nullable=False),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_report_id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "confidence IN ('high', 'medium', 'low')", name="ck_recovery_confidence"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_report_id"],
            ["status_report.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("status_report_id"),
    )
    with op.batch_alter_table("recovery_plan", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recovery_plan_project_date", ["project_id", "report_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recovery_plan_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "escalation",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("ask", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("asked_of", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asked_person_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "asked_of IN ('sponsor', 'portfolio_manager', 'steering_group')",
            name="ck_escalation_asked_of",
        ),
        sa.CheckConstraint("status IN ('open', 'answered')", name="ck_escalation_status"),
        sa.ForeignKeyConstraint(
            ["asked_person_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["raid_item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_asked_person_id"), ["asked_person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_escalation_project_id"), ["project_id"], unique=False)
        batch_op.create_index(
            "ix_escalation_status_needed_by", ["status", "needed_by"], unique=False
        )

    with op.batch_alter_table("action", schema=None) as batch_op:
        # Every action so far was agreed in a review.
        batch_op.add_column(
            sa.Column(
                "origin",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="review",
            )
        )
        batch_op.create_check_constraint("ck_action_origin", "origin IN ('review', 'recovery')")


def downgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint("ck_action_origin", type_="check")
        batch_op.drop_column("origin")

    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.drop_index("ix_escalation_status_needed_by")
        batch_op.drop_index(batch_op.f("ix_escalation_project_id"))
        batch_op.drop_index(batch_op.f("ix_escalation_asked_person_id"))

    op.drop_table("escalation")
    with op.batch_alter_table("recovery_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_plan_project_id"))
        batch_op.drop_index("ix_recovery_plan_project_date")

    op.drop_table("recovery_plan")
