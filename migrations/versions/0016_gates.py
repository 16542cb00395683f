"""gates: lifecycle templates, project lifecycles, gate reviews and evidence

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-05 23:31:13.546801
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lifecycle_template",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'retired')", name="ck_template_status"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "revision", name="uq_template_key_revision"),
    )
    op.create_table(
        "gate_review",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("phase_index", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("unmet", sa.Integer(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.CheckConstraint(
            "(decision IS NULL OR decision IN ('go', 'go_conditions', 'hold', 'recycle', 'stop'))",
            name="ck_gate_decision",
        ),
        sa.CheckConstraint("status IN ('submitted', 'decided')", name="ck_gate_status"),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["lifecycle_template.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gate_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gate_review_decided_on"), ["decided_on"], unique=False)
        batch_op.create_index("ix_gate_review_project", ["project_id", "id"], unique=False)
        batch_op.create_index(
            "uq_gate_review_pending",
            ["project_id"],
            unique=True,
            sqlite_where=sa.text("status = 'submitted'"),
            postgresql_where=sa.text("status = 'submitted'"),
        )

    op.create_table(
        "project_lifecycle",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("phase_index", sa.Integer(), nullable=False),
        sa.Column("phase_started_on", sa.Date(), nullable=False),
        sa.Column("gate_due", sa.Date(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'completed', 'stopped')", name="ck_lifecycle_status"
        ),
        sa.CheckConstraint("phase_index >= 0", name="ck_lifecycle_phase"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["lifecycle_template.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id"),
    )
    with op.batch_alter_table("project_lifecycle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_lifecycle_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "gate_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gate_review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("attested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attested_by_id"],
            ["person.id"],
        ),
        sa.ForeignKeyConstraint(
            ["gate_review_id"],
            ["gate_review.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("gate_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gate_evidence_gate_review_id"), ["gate_review_id"], unique=False
        )

    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gate_review_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_action_gate_review_id"), ["gate_review_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_action_gate_review", "gate_review", ["gate_review_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint("fk_action_gate_review", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_gate_review_id"))
        batch_op.drop_column("gate_review_id")

    with op.batch_alter_table("gate_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_evidence_gate_review_id"))

    op.drop_table("gate_evidence")
    with op.batch_alter_table("project_lifecycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_lifecycle_template_id"))

    op.drop_table("project_lifecycle")
    with op.batch_alter_table("gate_review", schema=None) as batch_op:
        batch_op.drop_index("uq_gate_review_pending")
        batch_op.drop_index("ix_gate_review_project")
        batch_op.drop_index(batch_op.f("ix_gate_review_decided_on"))

    op.drop_table("gate_review")
    op.drop_table("lifecycle_template")
