"""schedule_import, schedule_link: schedules read from MS Project / Primavera files

Revision ID: 0017
Revises: 0027
Create Date: 2026-12-05 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schedule_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("file_guid", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("baseline", sa.Integer(), nullable=False),
        sa.Column("status_date", sa.Date(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("schedule_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_import_file_guid"), ["file_guid"])
        batch_op.create_index(batch_op.f("ix_schedule_import_project_id"), ["project_id"])
    op.create_table(
        "schedule_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("task_uid", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["milestone_id"], ["milestone.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("milestone_id"),
        sa.UniqueConstraint("project_id", "task_uid", name="uq_schedule_link_task"),
    )
    with op.batch_alter_table("schedule_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_link_project_id"), ["project_id"])


def downgrade() -> None:
    with op.batch_alter_table("schedule_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_link_project_id"))
    op.drop_table("schedule_link")
    with op.batch_alter_table("schedule_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_import_project_id"))
        batch_op.drop_index(batch_op.f("ix_schedule_import_file_guid"))
    op.drop_table("schedule_import")
